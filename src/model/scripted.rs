//! The scripted backend: a JSON array of strings, each the raw text the "model" generates for one
//! call, in order. Running out of script is an error, never a hang.

use std::path::Path;
use std::sync::{Arc, Mutex};

use super::{Backend, BackendError, Completion, Flow, Piece, Request};

#[derive(Debug, Clone)]
pub struct ScriptedBackend {
    replies: Vec<String>,
    next: usize,
    width: usize,
    /// Whether a reply begins with the request's prefill (see [`Self::honouring_prefill`]).
    prefill: bool,
    /// Each request's last message, in order (what the "model" was told last).
    told: Arc<Mutex<Vec<String>>>,
    /// Each request's whole prompt, in order, and whether it was only warmed
    /// ([`Backend::warm`]).
    prompts: Arc<Mutex<Vec<(String, bool)>>>,
}

impl ScriptedBackend {
    pub fn new(replies: Vec<String>) -> Self {
        ScriptedBackend {
            replies,
            next: 0,
            width: 1,
            prefill: false,
            told: Arc::default(),
            prompts: Arc::default(),
        }
    }

    /// A handle on every request's prompt (its messages' text joined), with `true` for one only
    /// warmed, for tests of what the model is asked and when.
    pub fn prompts(&self) -> Arc<Mutex<Vec<(String, bool)>>> {
        Arc::clone(&self.prompts)
    }

    /// A handle on what each request ended with, for tests of what the model is told.
    pub fn told(&self) -> Arc<Mutex<Vec<String>>> {
        Arc::clone(&self.told)
    }

    /// Begin each reply with the request's prefill, as the embedded engine does: each reply of
    /// the script is then what the model writes after it.
    pub fn honouring_prefill(mut self) -> Self {
        self.prefill = true;
        self
    }

    /// Claim to decode `width` candidates together, as the embedded engine does: the agent then
    /// asks for that many at once, and each takes the next reply of the script.
    pub fn with_parallel_width(mut self, width: usize) -> Self {
        self.width = width.max(1);
        self
    }

    pub fn from_file(path: &Path) -> Result<Self, BackendError> {
        let err = |why: String| BackendError::Script {
            path: path.display().to_string(),
            why,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let replies: Vec<String> = serde_json::from_str(&text)
            .map_err(|e| err(format!("expected a JSON array of strings: {e}")))?;
        Ok(Self::new(replies))
    }
}

impl Backend for ScriptedBackend {
    fn name(&self) -> String {
        "scripted".into()
    }

    fn context_window(&self) -> usize {
        32_768
    }

    fn count_tokens(&mut self, text: &str) -> usize {
        super::estimate_tokens(text)
    }

    fn parallel_width(&self) -> usize {
        self.width
    }

    fn supports_prefill(&self) -> bool {
        self.prefill
    }

    fn warm(&mut self, request: &Request<'_>) {
        if let Ok(mut prompts) = self.prompts.lock() {
            prompts.push((joined(request), true));
        }
    }

    fn complete(
        &mut self,
        request: &Request<'_>,
        on_piece: &mut dyn FnMut(Piece<'_>) -> Flow,
    ) -> Result<Completion, BackendError> {
        let reply = self
            .replies
            .get(self.next)
            .ok_or(BackendError::ScriptExhausted(
                self.next + 1,
                self.replies.len(),
            ))?
            .clone();
        self.next += 1;
        if let (Ok(mut told), Some(last)) = (self.told.lock(), request.messages.last()) {
            told.push(last.content.clone());
        }
        let prompt = joined(request);
        if let Ok(mut prompts) = self.prompts.lock() {
            prompts.push((prompt.clone(), false));
        }
        let mut text = if self.prefill {
            request.prefill.to_string()
        } else {
            String::new()
        };
        let lead = text.len();
        for piece in reply.split_inclusive(char::is_whitespace) {
            text.push_str(piece);
            if on_piece(Piece::Text(piece)) == Flow::Stop {
                break;
            }
        }
        Ok(Completion {
            generated_tokens: self.count_tokens(text.get(lead..).unwrap_or_default()),
            prompt_tokens: self.count_tokens(&prompt),
            text,
            ..Default::default()
        })
    }
}

/// The text of `request`'s messages, one after another.
fn joined(request: &Request<'_>) -> String {
    request
        .messages
        .iter()
        .map(|m| m.content.as_str())
        .collect()
}
