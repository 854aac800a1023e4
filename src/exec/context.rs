//! `cria context`: what of the repository would be sent to the model for a task.

use crate::config::{Config, ModelSource};
use crate::context::{index, pack, rank, scan};
use crate::exit::ExitCode;

/// What the conversation and the reply need besides the packed context.
const RESERVED: usize = 1_024 + 2_048;

pub fn run(cfg: &Config, focus: &str, budget: Option<usize>, json: bool) -> ExitCode {
    let (mut count, window) = match counter(cfg) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cria context: {e}");
            return ExitCode::Backend;
        }
    };
    let (packed, stats) = packed(cfg.fix.root.path(), focus, window, budget, &mut *count);
    if json {
        println!("{}", serde_json::to_string(&packed).unwrap_or_default());
    } else {
        print!("{}", packed.text);
        eprintln!(
            "cria context: {} of {} tokens, {} files ({} indexed: {} parsed, {} from cache)",
            packed.tokens,
            packed.budget,
            packed.files.len(),
            stats.files,
            stats.parsed,
            stats.reused
        );
    }
    ExitCode::Fixed
}

/// What of the repository at `root` goes into a `window` for `focus`: by default the window
/// less what the conversation and the reply need; tokens counted with `count`.
pub fn packed(
    root: &std::path::Path,
    focus: &str,
    window: usize,
    budget: Option<usize>,
    count: &mut dyn FnMut(&str) -> usize,
) -> (pack::Packed, index::IndexStats) {
    let (tags, stats) = index::build(root);
    let files = scan::list_files(root);
    let ranked = rank::rank(root, &tags, &files, focus);
    let budget = budget.unwrap_or(window.saturating_sub(RESERVED).max(512));
    (
        pack::pack(root, &tags, &ranked, focus, budget, count),
        stats,
    )
}

type Counter = Box<dyn FnMut(&str) -> usize>;

/// The model's own token count where there is a local model (and its window: `--ctx` bounded by
/// what it was trained for); an estimate for a script or an endpoint (whose tokenizer is remote).
fn counter(cfg: &Config) -> Result<(Counter, usize), String> {
    match &cfg.model {
        #[cfg(feature = "llama")]
        ModelSource::Gguf { path, tier } => {
            if !path.exists() {
                return Err(format!(
                    "model file not found: {}\n  fetch it with: scripts/fetch-model {}",
                    path.display(),
                    tier.unwrap_or(crate::model::tiers::DEFAULT_TIER)
                ));
            }
            let tokenizer =
                crate::model::llama::Tokenizer::load(path).map_err(|e| e.to_string())?;
            let window = cfg.max_ctx.min(tokenizer.train_context().max(512));
            Ok((Box::new(move |text: &str| tokenizer.count(text)), window))
        }
        _ => Ok((Box::new(crate::model::estimate_tokens), cfg.max_ctx)),
    }
}
