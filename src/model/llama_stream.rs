//! A reply's text on its way to the caller: whole UTF-8 characters, in small batches, cut where
//! it starts to loop or reaches a stop string.

use std::time::{Duration, Instant};

use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::token::LlamaToken;

use super::llama::{piece, Chunk, Job};

/// How often streamed text crosses to the caller's thread. Each crossing wakes that thread, and
/// on a 2-core machine whose two cores both compute, the woken thread takes one from the graph
/// while the other spins at its barrier: at 30 ms (about once a token for the 0.5B model) the
/// 0.5B model decoded at 96% of the raw loop in two `cria bench` runs, at 100 ms at 101%. A
/// batch of three tokens or so still reads as a steady stream, and the first text is sent at
/// once.
const STREAM_EVERY: Duration = Duration::from_millis(100);

/// Streamed text: bytes held until they form whole UTF-8 characters, sent in small batches.
pub(super) struct Output {
    utf8: Vec<u8>,
    pub(super) text: String,
    /// Bytes of `text` already sent, and when (`None` before the first send, which goes out
    /// with the first character: the reply shows at once, then in batches).
    sent: usize,
    last_send: Option<Instant>,
    /// Whether the text is sent at all; a quiet reply sends [`Chunk::Quiet`] instead.
    streams: bool,
}

impl Output {
    pub(super) fn new(streams: bool) -> Output {
        Output {
            utf8: Vec::new(),
            text: String::new(),
            sent: 0,
            last_send: None,
            streams,
        }
    }

    /// Add a generated token; true when it brought a stop string (the text then ends with it,
    /// whatever the token held after it).
    pub(super) fn push(&mut self, model: &LlamaModel, token: LlamaToken, job: &Job) -> bool {
        let before = self.text.len();
        self.utf8.extend_from_slice(&piece(model, token));
        let valid = match std::str::from_utf8(&self.utf8) {
            Ok(s) => s.len(),
            Err(e) => e.valid_up_to(),
        };
        if valid > 0 {
            let complete: Vec<u8> = self.utf8.drain(..valid).collect();
            self.text.push_str(&String::from_utf8_lossy(&complete));
        }
        // A reply that reaches a stop string, or loops, ends here (keeping one copy of what it
        // repeats).
        let cut = super::runaway::stop_cut(&self.text, before, &job.stop_after, 0)
            .or_else(|| super::runaway::loop_cut(&self.text));
        if let Some(keep) = cut {
            self.text.truncate(keep.max(self.sent));
            self.flush(job);
            return true;
        }
        if !self.text.is_empty() && self.last_send.is_none_or(|t| t.elapsed() >= STREAM_EVERY) {
            self.flush(job);
        }
        false
    }

    /// Send whatever text the caller has not seen yet.
    pub(super) fn flush(&mut self, job: &Job) {
        if !self.streams {
            let _ = job.out.send(Chunk::Quiet);
        } else if let Some(unsent) = self.text.get(self.sent..).filter(|t| !t.is_empty()) {
            let _ = job.out.send(Chunk::Text(unsent.to_string()));
            self.sent = self.text.len();
        }
        self.last_send = Some(Instant::now());
    }
}
