//! The embedded llama.cpp backend.
//!
//! llama.cpp's context borrows its model and is not `Sync`, so both live on one worker thread
//! that owns them for the backend's lifetime; requests and streamed text cross over channels.
//! The model is shared with the caller's thread for tokenizing alone, which needs no context:
//! counting tokens does not wait for a prompt being processed in the background
//! ([`Backend::warm`]).
//! How a request is processed — prefix reuse, the disk cache, prompt lookup — is the
//! [`Session`]'s business; `cria bench` also runs a plain llama.cpp loop here as its anchor.

use crossbeam_channel::{bounded, unbounded, Receiver, RecvTimeoutError, Sender};
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::token::LlamaToken;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use super::constrain::Guide;
use super::kv_disk::DiskCache;
use super::llama_raw::{self, RawJob, RawResult};
use super::llama_session::Session;
use super::template::ChatTemplate;
use super::{Backend, BackendError, Completion, Flow, Piece, Request, Variant};

/// Sequences one context decodes together ([`Backend::complete_variants`]). The KV cache is
/// unified: the prompt's cells are shared, each sequence pays only for its own reply.
pub const PARALLEL: usize = 4;

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
    /// The persistent prompt cache: its folder and size bound (`None`: off).
    pub kv_cache: Option<(PathBuf, u64)>,
    /// Prompt-lookup drafting in greedy decoding.
    pub lookup: bool,
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
            kv_cache: None,
            lookup: true,
        }
    }
}

pub(super) struct Job {
    pub prompt: String,
    pub max_tokens: usize,
    pub temperature: f32,
    pub seed: u32,
    /// Several replies decoded together, one per variant (empty: one reply, as above).
    pub variants: Vec<Variant>,
    pub stop_after: Vec<String>,
    /// The request's constraints over the reply (which begins with the request's prefill).
    pub guide: Option<Guide>,
    pub cancel: Arc<AtomicBool>,
    /// When the reply must be done by (see [`Request::deadline`]).
    pub deadline: Option<Instant>,
    pub out: Sender<Chunk>,
}

pub(super) enum Chunk {
    Text(String),
    Prefill {
        done: usize,
        total: usize,
    },
    /// A candidate that does not stream is still being decoded.
    Quiet,
    Done(Vec<Completion>),
    Failed(BackendError),
}

enum Command {
    Generate(Job),
    /// Process a prompt into the cache, with no reply ([`Backend::warm`]).
    Warm(Job),
    /// Forget the in-memory KV cache, as a new process would start.
    Reset,
    SetLookup(bool),
    SetDiskCache(bool),
    /// A plain llama.cpp loop (the benchmark's anchor); the session is reset afterwards.
    Raw(RawJob, Sender<Result<RawResult, BackendError>>),
    /// Drafted and accepted prompt-lookup tokens so far.
    LookupStats(Sender<(usize, usize)>),
}

struct Loaded {
    model: Arc<LlamaModel>,
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
    /// For tokenizing on the caller's thread.
    model: Arc<LlamaModel>,
    /// The prompt being processed in the background ([`Backend::warm`]) and its stop flag.
    warming: Option<(String, Arc<AtomicBool>)>,
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
        let template = ChatTemplate::new(loaded.template_source, &loaded.bos, &loaded.eos)?;
        Ok(LlamaBackendHandle {
            name,
            n_ctx: loaded.n_ctx,
            template,
            commands: cmd_tx,
            model: loaded.model,
            warming: None,
        })
    }

    pub fn template(&self) -> &ChatTemplate {
        &self.template
    }

    fn send(&self, command: Command) -> Result<(), BackendError> {
        self.commands
            .send(command)
            .map_err(|_| BackendError::Engine("the model worker has stopped".into()))
    }

    /// Forget the in-memory KV cache (the next request starts as a new process would).
    pub fn reset(&mut self) -> Result<(), BackendError> {
        self.send(Command::Reset)
    }

    pub fn set_lookup(&mut self, on: bool) -> Result<(), BackendError> {
        self.send(Command::SetLookup(on))
    }

    /// Consult and write the disk prompt cache (when the backend has one).
    pub fn set_disk_cache(&mut self, on: bool) -> Result<(), BackendError> {
        self.send(Command::SetDiskCache(on))
    }

    /// (drafted, accepted) prompt-lookup tokens so far.
    pub fn lookup_stats(&mut self) -> Result<(usize, usize), BackendError> {
        let (tx, rx) = bounded(1);
        self.send(Command::LookupStats(tx))?;
        rx.recv()
            .map_err(|_| BackendError::Engine("the model worker stopped".into()))
    }

    /// Run the plain llama.cpp loop on `prompt` (already rendered): prefill, then `n_gen`
    /// greedy tokens one at a time.
    pub fn raw(&mut self, prompt: String, n_gen: usize) -> Result<RawResult, BackendError> {
        let (tx, rx) = bounded(1);
        self.send(Command::Raw(RawJob { prompt, n_gen }, tx))?;
        rx.recv()
            .map_err(|_| BackendError::Engine("the model worker stopped".into()))?
    }

    /// Generate from an already rendered prompt (benchmarks and tests use this directly).
    pub fn complete_prompt(
        &mut self,
        prompt: String,
        request: &Request<'_>,
        on_piece: &mut dyn FnMut(Piece<'_>) -> Flow,
    ) -> Result<Completion, BackendError> {
        let mut replies = self.run_job(prompt, request, Vec::new(), on_piece)?;
        replies
            .pop()
            .ok_or_else(|| BackendError::Engine("the model worker sent no reply".into()))
    }

    /// One reply per variant from an already rendered prompt, decoded together.
    pub fn complete_prompt_variants(
        &mut self,
        prompt: String,
        request: &Request<'_>,
        variants: &[Variant],
        on_piece: &mut dyn FnMut(Piece<'_>) -> Flow,
    ) -> Result<Vec<Completion>, BackendError> {
        self.run_job(prompt, request, variants.to_vec(), on_piece)
    }

    fn run_job(
        &mut self,
        prompt: String,
        request: &Request<'_>,
        variants: Vec<Variant>,
        on_piece: &mut dyn FnMut(Piece<'_>) -> Flow,
    ) -> Result<Vec<Completion>, BackendError> {
        // A prompt being processed in the background that this one does not begin with is
        // stopped at its next batch: what it processed so far is reused as far as the two
        // agree, and the rest would be thrown away. One this continues shares this job's stop
        // flag, so that a caller who stops waiting stops both.
        let mut cancel = None;
        if let Some((warmed, stop)) = self.warming.take() {
            if prompt.starts_with(&warmed) {
                cancel = Some(stop);
            } else {
                stop.store(true, Ordering::Relaxed);
            }
        }
        let cancel = cancel.unwrap_or_default();
        let (tx, rx) = unbounded();
        let job = job(prompt, request, variants, cancel.clone(), tx);
        self.send(Command::Generate(job))?;
        relay(&rx, &cancel, on_piece)
    }
}

impl Drop for LlamaBackendHandle {
    fn drop(&mut self) {
        // The worker ends once its commands are done; a prompt warmed for no one need not be.
        if let Some((_, stop)) = &self.warming {
            stop.store(true, Ordering::Relaxed);
        }
    }
}

/// The worker's job for `request` rendered as `prompt`; its text and progress go to `out`.
fn job(
    prompt: String,
    request: &Request<'_>,
    variants: Vec<Variant>,
    cancel: Arc<AtomicBool>,
    out: Sender<Chunk>,
) -> Job {
    let (temperature, seed, variants) = match variants.as_slice() {
        [one] => (one.temperature, one.seed, Vec::new()),
        _ => (request.temperature, request.seed, variants),
    };
    Job {
        prompt,
        max_tokens: request.max_tokens,
        temperature,
        seed,
        variants,
        stop_after: request.stop_after.iter().map(|s| s.to_string()).collect(),
        guide: request
            .constraints
            .and_then(|c| Guide::new(c, request.prefill)),
        cancel,
        deadline: request.deadline,
        out,
    }
}

/// How often a caller waiting on the worker in silence (a prompt shorter than the prefill
/// progress is shown for, a candidate that does not stream) is asked whether to go on.
const POLL: Duration = Duration::from_millis(200);

/// Hand the worker's chunks to `on_piece` until the job ends, and tell the worker to stop when
/// the caller says so. When nothing comes for [`POLL`], the caller is asked anyway
/// ([`Piece::Quiet`]): its time limit or a cancel must not wait out a prefill of up to two
/// thousand tokens, which sends nothing until it is done (a minute at ~30 tokens/s on two
/// cores). The worker sees the stop between its 512-token chunks.
fn relay(
    rx: &Receiver<Chunk>,
    cancel: &AtomicBool,
    on_piece: &mut dyn FnMut(Piece<'_>) -> Flow,
) -> Result<Vec<Completion>, BackendError> {
    loop {
        let piece = match rx.recv_timeout(POLL) {
            Ok(Chunk::Text(t)) => on_piece(Piece::Text(&t)),
            Ok(Chunk::Prefill { done, total }) => on_piece(Piece::Prefill { done, total }),
            Ok(Chunk::Quiet) | Err(RecvTimeoutError::Timeout) => on_piece(Piece::Quiet),
            Ok(Chunk::Done(c)) => return Ok(c),
            Ok(Chunk::Failed(e)) => return Err(e),
            Err(RecvTimeoutError::Disconnected) => {
                return Err(BackendError::Engine("the model worker stopped".into()))
            }
        };
        if piece == Flow::Stop {
            cancel.store(true, Ordering::Relaxed);
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
        self.model
            .vocab()
            .tokenize(text.as_bytes(), false, false)
            .len()
    }

    fn supports_prefill(&self) -> bool {
        true
    }

    fn constrains(&self) -> super::constrain::Enforced {
        super::constrain::Enforced::ALL
    }

    fn complete(
        &mut self,
        request: &Request<'_>,
        on_piece: &mut dyn FnMut(Piece<'_>) -> Flow,
    ) -> Result<Completion, BackendError> {
        let prompt = self.prompt(request)?;
        let mut c = self.complete_prompt(prompt, request, on_piece)?;
        c.text.insert_str(0, request.prefill);
        Ok(c)
    }

    fn warm(&mut self, request: &Request<'_>) {
        let Ok(prompt) = self.prompt(request) else {
            return;
        };
        // Stopped by the next request unless that one continues it (`run_job`).
        let stop = Arc::new(AtomicBool::new(false));
        // Nobody reads the progress of a prompt processed in the background.
        let (out, _) = unbounded();
        let job = job(prompt.clone(), request, Vec::new(), Arc::clone(&stop), out);
        self.warming = Some((prompt, stop));
        let _ = self.send(Command::Warm(job));
    }

    fn parallel_width(&self) -> usize {
        PARALLEL
    }

    fn complete_variants(
        &mut self,
        request: &Request<'_>,
        variants: &[Variant],
        on_piece: &mut dyn FnMut(Piece<'_>) -> Flow,
    ) -> Result<Vec<Completion>, BackendError> {
        let prompt = self.prompt(request)?;
        let mut replies = self.complete_prompt_variants(prompt, request, variants, on_piece)?;
        for c in &mut replies {
            c.text.insert_str(0, request.prefill);
        }
        Ok(replies)
    }
}

impl LlamaBackendHandle {
    /// The request rendered with the model's chat template, ending with the prefill.
    fn prompt(&self, request: &Request<'_>) -> Result<String, BackendError> {
        let mut prompt = self.template.render(request.messages, request.tools)?;
        prompt.push_str(request.prefill);
        Ok(prompt)
    }
}

pub(super) fn piece(model: &LlamaModel, token: LlamaToken) -> Vec<u8> {
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
    // Read the weights rather than map them: llama.cpp repacks most CPU weights into a layout
    // of its own, and a mapped file would keep both copies resident (+600 MB on the 1.5B model).
    let params = LlamaModelParams::default()
        .with_n_gpu_layers(opts.gpu_layers)
        .with_use_mmap(false)
        .with_progress_callback(move |p| {
            progress(p);
            true
        });
    let model = match LlamaModel::load_from_file(backend, &opts.path, &params) {
        Ok(m) => Arc::new(m),
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
        .with_n_threads_batch(opts.threads as i32)
        .with_n_seq_max(PARALLEL as u32)
        .with_kv_unified(true);
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
        model: Arc::clone(&model),
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
    let disk = opts
        .kv_cache
        .as_ref()
        .map(|(dir, max)| DiskCache::new(dir.clone(), &opts.path, n_ctx, *max));
    let mut session = Session::new(n_batch as usize, n_ctx, disk);
    session.lookup = opts.lookup;
    for command in commands {
        match command {
            Command::Reset => session.reset(&mut ctx),
            Command::SetLookup(on) => session.lookup = on,
            Command::SetDiskCache(on) => session.use_disk = on,
            Command::LookupStats(tx) => {
                let _ = tx.send((session.drafted, session.accepted));
            }
            Command::Raw(job, tx) => {
                let result = llama_raw::run(&model, &mut ctx, n_batch as usize, &job);
                session.reset(&mut ctx);
                let _ = tx.send(result);
            }
            Command::Warm(job) => match session.warm(&model, &mut ctx, &job) {
                // What was processed before the time ran out stays: the next job reuses it.
                Ok(()) | Err(BackendError::OutOfTime) => {}
                Err(_) => session.reset(&mut ctx),
            },
            Command::Generate(job) => {
                let out = job.out.clone();
                let replies = if job.variants.len() > 1 {
                    session.generate_variants(&model, &mut ctx, &job)
                } else {
                    session.generate(&model, &mut ctx, &job).map(|c| vec![c])
                };
                match replies {
                    Ok(c) => {
                        let _ = out.send(Chunk::Done(c));
                    }
                    Err(e) => {
                        session.reset(&mut ctx);
                        let _ = out.send(Chunk::Failed(e));
                    }
                }
            }
        }
    }
}

/// Whether `path` looks loadable before spending seconds on it.
pub fn check_gguf(path: &Path) -> Result<(), BackendError> {
    use std::io::Read;
    let refuse = |why: String| BackendError::Load {
        path: path.display().to_string(),
        why,
    };
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .map_err(|e| refuse(format!("cannot read it: {e}")))?;
    if &magic != b"GGUF" {
        return Err(refuse("it is not a GGUF model file".into()));
    }
    Ok(())
}

/// A model's tokenizer alone (the vocabulary is loaded, the weights are not): exact token counts
/// without the cost of a context.
pub struct Tokenizer {
    model: LlamaModel,
}

impl Tokenizer {
    pub fn load(path: &Path) -> Result<Tokenizer, BackendError> {
        check_gguf(path)?;
        let params = LlamaModelParams::default().with_vocab_only(true);
        let model = LlamaModel::load_from_file(engine(false)?, path, &params).map_err(|e| {
            BackendError::Load {
                path: path.display().to_string(),
                why: e.to_string(),
            }
        })?;
        Ok(Tokenizer { model })
    }

    pub fn count(&self, text: &str) -> usize {
        self.model
            .vocab()
            .tokenize(text.as_bytes(), false, false)
            .len()
    }

    /// The context length the model was trained for.
    pub fn train_context(&self) -> usize {
        self.model.n_ctx_train() as usize
    }
}

#[cfg(test)]
#[path = "llama_tests.rs"]
mod tests;
