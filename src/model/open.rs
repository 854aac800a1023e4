//! Opening the configured model backend, with a load indicator on stderr.

#[cfg(feature = "llama")]
use std::io::{IsTerminal, Write};
#[cfg(feature = "llama")]
use std::time::Instant;

use crate::config::{Config, ModelSource};
#[cfg(feature = "llama")]
use crate::model::llama::{self, LlamaBackendHandle, LlamaOptions};
use crate::model::openai::{OpenAiBackend, OpenAiOptions};
use crate::model::scripted::ScriptedBackend;
use crate::model::{Backend, BackendError};

/// Load progress (0.0..=1.0) of a local model.
pub type LoadProgress = Box<dyn FnMut(f32) + Send>;

/// Open the backend, with a load indicator on stderr.
pub fn open(cfg: &Config) -> Result<Box<dyn Backend>, BackendError> {
    open_with(cfg, None)
}

/// Open the backend; a local model reports its loading to `progress` (default: stderr).
pub fn open_with(
    cfg: &Config,
    progress: Option<LoadProgress>,
) -> Result<Box<dyn Backend>, BackendError> {
    match &cfg.model {
        ModelSource::Script(path) => Ok(Box::new(ScriptedBackend::from_file(path)?)),
        ModelSource::Endpoint {
            url,
            api_key,
            model_name,
            timeout,
        } => Ok(Box::new(OpenAiBackend::connect(OpenAiOptions {
            endpoint: url.clone(),
            api_key: api_key.clone(),
            model_name: model_name.clone(),
            timeout: *timeout,
            retries: 3,
            fallback_ctx: cfg.max_ctx,
        })?)),
        ModelSource::Gguf { path, tier } => {
            if !path.exists() {
                return Err(BackendError::MissingModel {
                    path: path.display().to_string(),
                    tier: tier
                        .unwrap_or(crate::model::tiers::DEFAULT_TIER)
                        .to_string(),
                });
            }
            open_gguf(cfg, path, progress)
        }
    }
}

#[cfg(not(feature = "llama"))]
fn open_gguf(
    _cfg: &Config,
    path: &std::path::Path,
    _progress: Option<LoadProgress>,
) -> Result<Box<dyn Backend>, BackendError> {
    Err(BackendError::Load {
        path: path.display().to_string(),
        why: "this cria was built without the embedded engine (feature `llama`)".into(),
    })
}

#[cfg(feature = "llama")]
fn open_gguf(
    cfg: &Config,
    path: &std::path::Path,
    progress: Option<LoadProgress>,
) -> Result<Box<dyn Backend>, BackendError> {
    let kv_cache = (cfg.kv_cache_bytes > 0)
        .then(|| (crate::state::cache_dir().join("kv"), cfg.kv_cache_bytes));
    Ok(Box::new(match progress {
        Some(progress) => load_llama(cfg, path, kv_cache, progress)?,
        None => open_llama(cfg, path, kv_cache)?,
    }))
}

/// Load a GGUF model, reporting to `progress`; `kv_cache` is the disk prompt cache.
#[cfg(feature = "llama")]
fn load_llama(
    cfg: &Config,
    path: &std::path::Path,
    kv_cache: Option<(std::path::PathBuf, u64)>,
    progress: LoadProgress,
) -> Result<LlamaBackendHandle, BackendError> {
    llama::check_gguf(path)?;
    let mut opts = LlamaOptions::new(path.to_path_buf());
    opts.max_ctx = cfg.max_ctx;
    opts.verbose = cfg.verbose;
    if let Some(t) = cfg.threads {
        opts.threads = t.max(1);
    }
    opts.kv_cache = kv_cache;
    opts.lookup = cfg.lookup;
    LlamaBackendHandle::load(opts, progress)
}

/// Load a GGUF model with a load indicator; `kv_cache` is the disk prompt cache (folder, bound).
#[cfg(feature = "llama")]
pub fn open_llama(
    cfg: &Config,
    path: &std::path::Path,
    kv_cache: Option<(std::path::PathBuf, u64)>,
) -> Result<LlamaBackendHandle, BackendError> {
    let start = Instant::now();
    let tty = std::io::stderr().is_terminal();
    let mut shown = None;
    let progress = Box::new(move |p: f32| {
        // Only loads that take a while get an indicator; a log file gets no `\r` noise.
        let percent = (p * 100.0) as u32;
        if start.elapsed().as_millis() < 1000 && shown.is_none() || shown == Some(percent) {
            return;
        }
        if tty {
            eprint!("\rcria: loading model {percent:>3}%");
            if percent >= 100 {
                eprintln!();
            }
            let _ = std::io::stderr().flush();
        } else if shown.is_none() {
            eprintln!("cria: loading model...");
        }
        shown = Some(percent);
    });
    let backend = load_llama(cfg, path, kv_cache, progress)?;
    if start.elapsed().as_secs_f64() > 1.0 {
        eprintln!(
            "cria: model loaded in {:.1} s",
            start.elapsed().as_secs_f64()
        );
    }
    Ok(backend)
}
