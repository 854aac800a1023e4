//! Model backends behind one small trait: the embedded llama.cpp engine, an OpenAI-compatible
//! endpoint, and a scripted backend that replays recorded replies (tests, reproducing sessions);
//! [`open`] opens the configured one. Also here: chat templates, the model tiers, the on-disk
//! prompt cache, and the detector of replies that loop.

pub mod constrain;
pub mod kv_disk;
#[cfg(feature = "llama")]
pub mod llama;
#[cfg(feature = "llama")]
mod llama_lookup;
#[cfg(feature = "llama")]
pub mod llama_raw;
#[cfg(feature = "llama")]
mod llama_sampling;
#[cfg(feature = "llama")]
mod llama_session;
#[cfg(feature = "llama")]
mod llama_stream;
pub mod open;
pub mod openai;
pub mod runaway;
pub mod scripted;
pub mod template;
pub mod tiers;

use crate::protocol::Message;

/// Whether `deadline` has passed (a request's [`Request::deadline`]).
fn past(deadline: Option<std::time::Instant>) -> bool {
    deadline.is_some_and(|d| std::time::Instant::now() >= d)
}

/// What the token callback tells the generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Stop,
}

/// Tokens in `text` where no tokenizer is at hand (a script, a remote server): about four
/// characters a token, as BPE tokenizers give for code.
pub fn estimate_tokens(text: &str) -> usize {
    text.len().div_ceil(4)
}

/// What a backend streams while it works on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Reply text, in order.
    Text(&'a str),
    /// Prompt processing of a long prompt: `done` of `total` new tokens (between batches).
    Prefill { done: usize, total: usize },
    /// Work on a candidate whose text is not streamed (see [`Backend::complete_variants`]):
    /// nothing to show, but a chance to stop.
    Quiet,
}

/// How one of several candidate replies to the same request is sampled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Variant {
    /// 0.0 means greedy.
    pub temperature: f32,
    pub seed: u32,
}

/// One generation request: the whole conversation, re-rendered each time (the backend reuses
/// whatever prefix it has already processed).
#[derive(Debug, Clone)]
pub struct Request<'a> {
    pub messages: &'a [Message],
    /// Tool specifications (OpenAI function format) for templates that render them.
    pub tools: &'a [serde_json::Value],
    pub max_tokens: usize,
    /// 0.0 means greedy.
    pub temperature: f32,
    pub seed: u32,
    /// Generation stops after any of these strings (the string is kept in the output).
    pub stop_after: &'a [&'a str],
    /// Text the assistant's reply is made to begin with (backends that can prefill only; the
    /// returned text then starts with it).
    pub prefill: &'a str,
    /// What the reply may say where it has a grammar (backends that decode in-process only;
    /// see [`Backend::constrains`]).
    pub constraints: Option<&'a constrain::Constraints>,
    /// When the reply must be done by. A backend that can tell it will not be (a prompt whose
    /// processing alone would outlast it, a server still silent) stops early with
    /// [`BackendError::OutOfTime`]; the caller's callback still sees every piece before.
    pub deadline: Option<std::time::Instant>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Completion {
    pub text: String,
    pub prompt_tokens: usize,
    /// Prompt tokens whose KV state was reused rather than processed again.
    pub reused_tokens: usize,
    pub generated_tokens: usize,
    pub prefill_seconds: f64,
    pub seconds: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error(
        "model file not found: {path}\n  fetch the default models with: scripts/fetch-model {tier}"
    )]
    MissingModel { path: String, tier: String },
    #[error("could not load model {path}: {why}")]
    Load { path: String, why: String },
    #[error("the prompt has {prompt} tokens but the context window holds {window}")]
    ContextOverflow { prompt: usize, window: usize },
    #[error("the script has no reply left for model call {0} (it holds {1})")]
    ScriptExhausted(usize, usize),
    #[error("script file {path}: {why}")]
    Script { path: String, why: String },
    #[error("chat template: {0}")]
    Template(#[from] template::TemplateError),
    #[error("llama.cpp: {0}")]
    Engine(String),
    /// The OpenAI-compatible server failed (or could not be reached).
    #[error("endpoint: {0}")]
    Endpoint(String),
    /// The front end cancelled the request (the reply so far is dropped).
    #[error("cancelled")]
    Cancelled,
    /// The run's time limit passed while the reply was being written (the reply so far is
    /// dropped).
    #[error("the time limit passed during the reply")]
    OutOfTime,
}

pub trait Backend {
    /// A short name for status lines ("qwen2.5-coder-1.5b-instruct-q4_k_m").
    fn name(&self) -> String;
    /// The context window in tokens.
    fn context_window(&self) -> usize;
    /// Tokens in `text` as this model counts them.
    fn count_tokens(&mut self, text: &str) -> usize;
    /// Whether [`Request::prefill`] is honoured.
    fn supports_prefill(&self) -> bool {
        false
    }
    /// Which of [`Request::constraints`] are enforced while decoding (the rest are ignored).
    fn constrains(&self) -> constrain::Enforced {
        constrain::Enforced::default()
    }
    /// Generate a reply, streaming its text (and prompt-processing progress) to `on_piece`;
    /// `Flow::Stop` cancels between tokens or prompt batches.
    fn complete(
        &mut self,
        request: &Request<'_>,
        on_piece: &mut dyn FnMut(Piece<'_>) -> Flow,
    ) -> Result<Completion, BackendError>;

    /// Begin processing `request`'s prompt, as [`Backend::complete`] would before its reply, and
    /// return at once: a later request that begins with the same text reuses what was done
    /// meanwhile (cria warms the first step's prompt while the tests of one-token changes run).
    /// A backend that cannot does nothing.
    fn warm(&mut self, _request: &Request<'_>) {}

    /// How many candidates this backend decodes for about the price of one: sequences sharing
    /// one processed prompt in one batch (1: no such gain, candidates cost one reply each).
    fn parallel_width(&self) -> usize {
        1
    }

    /// One reply per variant to the same request (whose own temperature and seed are then
    /// ignored), in the variants' order. Only the first streams its text; the others report
    /// [`Piece::Quiet`]. This default asks one after another; a backend with a
    /// [`Backend::parallel_width`] above one decodes them together.
    fn complete_variants(
        &mut self,
        request: &Request<'_>,
        variants: &[Variant],
        on_piece: &mut dyn FnMut(Piece<'_>) -> Flow,
    ) -> Result<Vec<Completion>, BackendError> {
        let mut replies = Vec::with_capacity(variants.len());
        for (k, v) in variants.iter().enumerate() {
            let one = Request {
                temperature: v.temperature,
                seed: v.seed,
                ..request.clone()
            };
            let reply = if k == 0 {
                self.complete(&one, on_piece)?
            } else {
                self.complete(&one, &mut |piece| match piece {
                    Piece::Text(_) => on_piece(Piece::Quiet),
                    other => on_piece(other),
                })?
            };
            replies.push(reply);
        }
        Ok(replies)
    }
}
