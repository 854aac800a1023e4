//! What `batch` and `eval` share: isolated working copies, one fix run on a shared (or fresh
//! scripted) backend, and a sink that counts what happened.

use std::path::{Path, PathBuf};

use crate::agent::{self, FixReport};
use crate::cli::AgentArgs;
use crate::config::{Config, ModelSource};
use crate::model::{Backend, BackendError};
use crate::protocol::{Event, EventSink};

/// Copy `from` into `to` (created), leaving out `.git` and build output: a working copy that
/// cria may change freely.
pub fn copy_repo(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let kind = entry.file_type()?;
        let target = to.join(&name);
        if kind.is_dir() {
            if name == ".git" || name == "target" || name == "__pycache__" {
                continue;
            }
            copy_repo(&entry.path(), &target)?;
        } else if kind.is_symlink() {
            #[cfg(unix)]
            std::os::unix::fs::symlink(std::fs::read_link(entry.path())?, &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Counts of what a run did, for reports.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Counts {
    pub responses: usize,
    pub edits_applied: usize,
    pub edits_refused: usize,
    pub malformed_tool_calls: usize,
}

/// Counts events, passing them on to `inner` when there is one.
pub struct CountingSink<'a> {
    pub counts: Counts,
    pub inner: Option<&'a mut dyn EventSink>,
    /// The localizer's ranking, the first time the run reports it.
    pub localized: Option<Vec<String>>,
    /// The rewrite stage's candidate definitions, the first time the run reports them.
    pub suspects: Option<Vec<String>>,
}

impl EventSink for CountingSink<'_> {
    fn emit(&mut self, event: Event) {
        match &event {
            Event::ModelDone { .. } => self.counts.responses += 1,
            Event::EditApplied { .. } => self.counts.edits_applied += 1,
            Event::EditFailed { .. } => self.counts.edits_refused += 1,
            Event::ToolCallMalformed { .. } => self.counts.malformed_tool_calls += 1,
            Event::Localized { files } if self.localized.is_none() => {
                self.localized = Some(files.clone())
            }
            Event::Suspects { definitions } if self.suspects.is_none() => {
                self.suspects = Some(definitions.clone())
            }
            _ => {}
        }
        if let Some(inner) = self.inner.as_deref_mut() {
            inner.emit(event);
        }
    }
}

/// The backend for a batch: a model is loaded once for every task; a script is replayed from
/// its start for each task (and continues across that task's tries).
pub struct SharedBackend {
    model: Option<Box<dyn Backend>>,
    task: Option<Box<dyn Backend>>,
}

impl SharedBackend {
    pub fn open(template: &Config) -> Result<Self, BackendError> {
        let model = match template.model {
            ModelSource::Script(_) => None,
            ModelSource::Gguf { .. } | ModelSource::Endpoint { .. } => {
                Some(crate::model::open::open(template)?)
            }
        };
        Ok(SharedBackend { model, task: None })
    }

    /// The model's name (for commit messages).
    pub fn name(&self) -> String {
        match (&self.model, &self.task) {
            (Some(b), _) | (None, Some(b)) => b.name(),
            (None, None) => "no model".into(),
        }
    }

    /// Start a new task (a script starts over).
    pub fn begin_task(&mut self, cfg: &Config) -> Result<(), BackendError> {
        if self.model.is_none() {
            self.task = Some(crate::model::open::open(cfg)?);
        }
        Ok(())
    }

    /// Run `fix` with the shared model, or the current task's script.
    pub fn fix(
        &mut self,
        cfg: &Config,
        issue: &str,
        sink: &mut dyn EventSink,
    ) -> Result<FixReport, BackendError> {
        if self.model.is_none() && self.task.is_none() {
            self.begin_task(cfg)?;
        }
        let backend = match (&mut self.model, &mut self.task) {
            (Some(b), _) | (None, Some(b)) => b,
            (None, None) => {
                return Err(BackendError::Script {
                    path: String::new(),
                    why: "no backend".into(),
                })
            }
        };
        agent::fix(backend.as_mut(), &cfg.fix, issue, sink)
    }
}

/// The agent flags with the repository (and optionally the test command) replaced.
pub fn config_for(args: &AgentArgs, repo: &Path, test_cmd: Option<&str>) -> Result<Config, String> {
    let mut a = args.clone();
    a.repo = Some(PathBuf::from(repo));
    if let Some(t) = test_cmd {
        a.test_cmd = Some(t.to_string());
    }
    Config::resolve(&a).map_err(|e| e.to_string())
}

pub fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let mid = v.get(n / 2).copied().unwrap_or_default();
    if n % 2 == 1 {
        mid
    } else {
        (v.get(n / 2 - 1).copied().unwrap_or_default() + mid) / 2.0
    }
}
