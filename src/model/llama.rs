//! The embedded llama.cpp backend.
//!
//! llama.cpp's context borrows its model and is not `Sync`, so both live on one worker thread
//! that owns them for the backend's lifetime; requests and streamed text cross over channels.
//! The worker keeps the tokens it has already processed and, for each new prompt, decodes only
//! the suffix after the longest common prefix (the conversation is append-only, so each turn
//! pays for its new tokens alone). Prefill runs in chunks of at most `n_batch` tokens, since a
//! larger batch aborts the process inside llama.cpp.

use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread;
use std::time::Instant;

use crossbeam_channel::{bounded, unbounded, Receiver, Sender};
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;

use super::template::ChatTemplate;
use super::{Backend, BackendError, Completion, Flow, Request};

static ENGINE: OnceLock<Result<LlamaBackend, String>> = OnceLock::new();

fn engine(verbose: bool) -> Result<&'static LlamaBackend, BackendError> {
    ENGINE
        .get_or_init(|| {
            let mut b = LlamaBackend::init().map_err(|e| e.to_string())?;
            if !verbose {
                b.void_logs();
            }
            Ok(b)
        })
        .as_ref()
        .map_err(|e| BackendError::Engine(e.clone()))
}

#[derive(Debug, Clone)]
pub struct LlamaOptions {
    pub path: PathBuf,
    /// Upper bound on the context window (the model's training context also bounds it).
    pub max_ctx: usize,
    pub threads: usize,
    pub verbose: bool,
    pub gpu_layers: u32,
}

impl LlamaOptions {
    pub fn new(path: PathBuf) -> Self {
        let threads = thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        LlamaOptions {
            path,
            max_ctx: 16_384,
            threads,
            verbose: false,
            gpu_layers: 0,
        }
    }
}

struct Job {
    prompt: String,
    max_tokens: usize,
    temperature: f32,
    seed: u32,
    stop_after: Vec<String>,
    cancel: Arc<AtomicBool>,
    out: Sender<Chunk>,
}

enum Chunk {
    Text(String),
    Done(Completion),
    Failed(BackendError),
}

enum Command {
    Generate(Job),
    Count(String, Sender<usize>),
}

struct Loaded {
    n_ctx: usize,
    template_source: Option<String>,
    bos: String,
    eos: String,
}

pub struct LlamaBackendHandle {
    name: String,
    n_ctx: usize,
    template: ChatTemplate,
    commands: Sender<Command>,
}

impl LlamaBackendHandle {
    /// Load the model on a worker thread; `progress` sees load progress (0..=1).
    pub fn load(
        opts: LlamaOptions,
        progress: Box<dyn FnMut(f32) + Send>,
    ) -> Result<Self, BackendError> {
        if !opts.path.is_file() {
            return Err(BackendError::Load {
                path: opts.path.display().to_string(),
                why: "no such file".into(),
            });
        }
        let (ready_tx, ready_rx) = bounded::<Result<Loaded, BackendError>>(1);
        let (cmd_tx, cmd_rx) = unbounded::<Command>();
        let name = opts
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "model".into());
        thread::Builder::new()
            .name("llama".into())
            .spawn(move || worker(opts, progress, ready_tx, cmd_rx))
            .map_err(|e| BackendError::Engine(e.to_string()))?;
        let loaded = ready_rx
            .recv()
            .map_err(|_| BackendError::Engine("the model worker exited during load".into()))??;
        let template = ChatTemplate::new(loaded.template_source, &loaded.bos, &loaded.eos)
            .map_err(BackendError::Template)?;
        Ok(LlamaBackendHandle {
            name,
            n_ctx: loaded.n_ctx,
            template,
            commands: cmd_tx,
        })
    }

    pub fn template(&self) -> &ChatTemplate {
        &self.template
    }

    /// Generate from an already rendered prompt (benchmarks and tests use this directly).
    pub fn complete_prompt(
        &mut self,
        prompt: String,
        request: &Request<'_>,
        on_text: &mut dyn FnMut(&str) -> Flow,
    ) -> Result<Completion, BackendError> {
        let (tx, rx) = unbounded();
        let cancel = Arc::new(AtomicBool::new(false));
        let job = Job {
            prompt,
            max_tokens: request.max_tokens,
            temperature: request.temperature,
            seed: request.seed,
            stop_after: request.stop_after.iter().map(|s| s.to_string()).collect(),
            cancel: cancel.clone(),
            out: tx,
        };
        self.commands
            .send(Command::Generate(job))
            .map_err(|_| BackendError::Engine("the model worker has stopped".into()))?;
        loop {
            match rx.recv() {
                Ok(Chunk::Text(t)) => {
                    if on_text(&t) == Flow::Stop {
                        cancel.store(true, Ordering::Relaxed);
                    }
                }
                Ok(Chunk::Done(c)) => return Ok(c),
                Ok(Chunk::Failed(e)) => return Err(e),
                Err(_) => return Err(BackendError::Engine("the model worker stopped".into())),
            }
        }
    }
}

impl Backend for LlamaBackendHandle {
    fn name(&self) -> String {
        self.name.clone()
    }

    fn context_window(&self) -> usize {
        self.n_ctx
    }

    fn count_tokens(&mut self, text: &str) -> usize {
        let (tx, rx) = bounded(1);
        if self
            .commands
            .send(Command::Count(text.to_string(), tx))
            .is_err()
        {
            return text.len() / 3;
        }
        rx.recv().unwrap_or(text.len() / 3)
    }

    fn supports_prefill(&self) -> bool {
        true
    }

    fn complete(
        &mut self,
        request: &Request<'_>,
        on_text: &mut dyn FnMut(&str) -> Flow,
    ) -> Result<Completion, BackendError> {
        let mut prompt = self
            .template
            .render(request.messages, request.tools)
            .map_err(BackendError::Template)?;
        prompt.push_str(request.prefill);
        let mut c = self.complete_prompt(prompt, request, on_text)?;
        c.text.insert_str(0, request.prefill);
        Ok(c)
    }
}

fn piece(model: &LlamaModel, token: LlamaToken) -> Vec<u8> {
    model.vocab().token_to_piece(token, true, None)
}

fn worker(
    opts: LlamaOptions,
    mut progress: Box<dyn FnMut(f32) + Send>,
    ready: Sender<Result<Loaded, BackendError>>,
    commands: Receiver<Command>,
) {
    let backend = match engine(opts.verbose) {
        Ok(b) => b,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let params = LlamaModelParams::default()
        .with_n_gpu_layers(opts.gpu_layers)
        .with_progress_callback(move |p| {
            progress(p);
            true
        });
    let model = match LlamaModel::load_from_file(backend, &opts.path, &params) {
        Ok(m) => m,
        Err(e) => {
            let _ = ready.send(Err(BackendError::Load {
                path: opts.path.display().to_string(),
                why: format!("{e} (is it a GGUF file?)"),
            }));
            return;
        }
    };
    let n_ctx = (model.n_ctx_train() as usize).min(opts.max_ctx).max(512);
    let n_batch = 512u32;
    let ctx_params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(n_ctx as u32))
        .with_n_batch(n_batch)
        .with_n_ubatch(n_batch)
        .with_n_threads(opts.threads as i32)
        .with_n_threads_batch(opts.threads as i32);
    let mut ctx = match model.new_context(backend, ctx_params) {
        Ok(c) => c,
        Err(e) => {
            let _ = ready.send(Err(BackendError::Engine(format!(
                "creating a context: {e}"
            ))));
            return;
        }
    };
    let vocab = model.vocab();
    let text_of = |t: LlamaToken| String::from_utf8_lossy(&piece(&model, t)).into_owned();
    let loaded = Loaded {
        n_ctx,
        template_source: model
            .chat_template(None)
            .ok()
            .and_then(|t| t.to_string().ok()),
        bos: text_of(vocab.bos()),
        eos: text_of(vocab.eos()),
    };
    if ready.send(Ok(loaded)).is_err() {
        return;
    }
    let mut session = Session {
        cached: Vec::new(),
        n_batch: n_batch as usize,
        n_ctx,
    };
    for command in commands {
        match command {
            Command::Count(text, tx) => {
                let _ = tx.send(model.vocab().tokenize(text.as_bytes(), false, false).len());
            }
            Command::Generate(job) => {
                let out = job.out.clone();
                match session.generate(&model, &mut ctx, &job) {
                    Ok(c) => {
                        let _ = out.send(Chunk::Done(c));
                    }
                    Err(e) => {
                        session.cached.clear();
                        let _ = ctx.clear_kv_cache_seq(Some(0), None, None);
                        let _ = out.send(Chunk::Failed(e));
                    }
                }
            }
        }
    }
}

/// The worker's view of sequence 0: which tokens the KV cache holds.
struct Session {
    cached: Vec<LlamaToken>,
    n_batch: usize,
    n_ctx: usize,
}

impl Session {
    fn generate(
        &mut self,
        model: &LlamaModel,
        ctx: &mut LlamaContext<'_>,
        job: &Job,
    ) -> Result<Completion, BackendError> {
        let start = Instant::now();
        let tokens = model.vocab().tokenize(job.prompt.as_bytes(), false, true);
        if tokens.is_empty() {
            return Err(BackendError::Engine("empty prompt".into()));
        }
        if tokens.len() + 8 > self.n_ctx {
            return Err(BackendError::ContextOverflow {
                prompt: tokens.len(),
                window: self.n_ctx,
            });
        }
        // Reuse the longest common prefix, but always decode at least one token for logits.
        let common = self
            .cached
            .iter()
            .zip(&tokens)
            .take_while(|(a, b)| a == b)
            .count();
        let reuse = common.min(tokens.len() - 1);
        ctx.clear_kv_cache_seq(Some(0), Some(reuse as u32), None)
            .map_err(|e| BackendError::Engine(e.to_string()))?;
        self.cached.truncate(reuse);
        let mut batch = LlamaBatch::new(self.n_batch, 1);
        let mut last_logits = 0;
        for chunk_start in (reuse..tokens.len()).step_by(self.n_batch) {
            if job.cancel.load(Ordering::Relaxed) {
                break;
            }
            let chunk_end = (chunk_start + self.n_batch).min(tokens.len());
            batch.clear();
            for (i, tok) in tokens[chunk_start..chunk_end].iter().enumerate() {
                let pos = chunk_start + i;
                batch
                    .add(*tok, pos as i32, &[0], pos + 1 == tokens.len())
                    .map_err(|e| BackendError::Engine(e.to_string()))?;
            }
            ctx.decode(&mut batch)
                .map_err(|e| BackendError::Engine(e.to_string()))?;
            self.cached
                .extend_from_slice(&tokens[chunk_start..chunk_end]);
            last_logits = batch.n_tokens() - 1;
        }
        let prefill_seconds = start.elapsed().as_secs_f64();
        let mut completion = Completion {
            prompt_tokens: tokens.len(),
            reused_tokens: reuse,
            prefill_seconds,
            ..Default::default()
        };
        if self.cached.len() < tokens.len() {
            completion.seconds = prefill_seconds;
            return Ok(completion); // cancelled during prefill
        }
        let mut sampler = if job.temperature <= 0.0 {
            LlamaSampler::greedy()
        } else {
            LlamaSampler::chain_simple([
                LlamaSampler::top_k(40),
                LlamaSampler::top_p(0.95, 1),
                LlamaSampler::temp(job.temperature),
                LlamaSampler::dist(job.seed),
            ])
        };
        let mut utf8 = Vec::new();
        let mut text = String::new();
        let mut idx = last_logits;
        for _ in 0..job.max_tokens {
            if job.cancel.load(Ordering::Relaxed) || self.cached.len() + 1 >= self.n_ctx {
                break;
            }
            let token = sampler.sample(ctx, idx);
            if model.vocab().is_eog(token) {
                break;
            }
            completion.generated_tokens += 1;
            utf8.extend_from_slice(&piece(model, token));
            let valid = match std::str::from_utf8(&utf8) {
                Ok(s) => s.len(),
                Err(e) => e.valid_up_to(),
            };
            if valid > 0 {
                let s = String::from_utf8_lossy(&utf8[..valid]).into_owned();
                utf8.drain(..valid);
                text.push_str(&s);
                let _ = job.out.send(Chunk::Text(s));
            }
            batch.clear();
            batch
                .add(token, self.cached.len() as i32, &[0], true)
                .map_err(|e| BackendError::Engine(e.to_string()))?;
            ctx.decode(&mut batch)
                .map_err(|e| BackendError::Engine(e.to_string()))?;
            self.cached.push(token);
            idx = 0;
            if job.stop_after.iter().any(|s| text.ends_with(s.as_str())) {
                break;
            }
        }
        completion.text = text;
        completion.seconds = start.elapsed().as_secs_f64();
        Ok(completion)
    }
}

/// Whether `path` looks loadable before spending seconds on it.
pub fn check_gguf(path: &Path) -> Result<(), String> {
    use std::io::Read;
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if &magic != b"GGUF" {
        return Err(format!("{} is not a GGUF model file", path.display()));
    }
    Ok(())
}
