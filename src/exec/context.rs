//! `cria context`: what of the repository the model is shown for a task — the same
//! [`crate::context::select`] that `cria fix` sends in its first prompt.

use crate::config::{Config, ModelSource};
use crate::context::select::{self, Selection};
use crate::exit::ExitCode;

pub fn run(cfg: &Config, focus: &str, budget: Option<usize>, json: bool) -> ExitCode {
    let mut count = match counter(cfg) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cria context: {e}");
            return ExitCode::Backend;
        }
    };
    let budget = budget.unwrap_or(cfg.fix.context_tokens);
    let selection = selected(cfg, focus, budget, &mut *count);
    if json {
        println!("{}", serde_json::to_string(&selection).unwrap_or_default());
    } else {
        print!("{}", selection.render());
        let used: usize = selection.shown.iter().map(|f| count(&f.content)).sum();
        eprintln!(
            "cria context: {} file(s) shown ({used} of {budget} tokens), {} listed{}",
            selection.shown.len(),
            selection.listed.len(),
            if selection.map.is_empty() {
                ""
            } else {
                ", with a map of the others"
            }
        );
    }
    ExitCode::Fixed
}

/// What `cria fix` would show for `focus` before its first test run (the failing output, once
/// there is one, ranks the files it names first).
pub fn selected(
    cfg: &Config,
    focus: &str,
    budget: usize,
    count: &mut dyn FnMut(&str) -> usize,
) -> Selection {
    select::select(&cfg.fix.root, focus, "", budget, count)
}

type Counter = Box<dyn FnMut(&str) -> usize>;

/// The model's own token count where there is a local model; an estimate for a script or an
/// endpoint (whose tokenizer is remote).
pub fn counter(cfg: &Config) -> Result<Counter, String> {
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
            Ok(Box::new(move |text: &str| tokenizer.count(text)))
        }
        _ => Ok(Box::new(crate::model::estimate_tokens)),
    }
}
