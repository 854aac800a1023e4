//! The TUI's worker thread: it owns the model and runs the same agent as `cria fix`, one job at a
//! time, so the UI thread never blocks. Agent events, approval questions and results come back
//! as [`Update`]s; approvals wait on a reply channel the UI answers.

use std::sync::Arc;

use crossbeam_channel::{unbounded, Receiver, Sender};

use crate::cancel::Cancel;
use crate::config::{Config, ModelSource};
use crate::model::Backend;
use crate::protocol::{Event, TestRun};
use crate::sandbox::approval::{Asker, Question};

/// Work the UI asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Job {
    /// Work on an issue (the request and the session's background) with the agent.
    Fix(String),
    Tests,
    Undo,
    /// Show what would be packed for this focus text.
    Context(String),
    /// Load another model (a tier name or a GGUF path).
    Model(String),
}

/// A question waiting for the user's y/n.
#[derive(Debug)]
pub struct Ask {
    pub question: Question,
    pub reply: Sender<bool>,
}

/// What the worker reports.
#[derive(Debug)]
pub enum Update {
    /// Model loading, 0.0..=1.0.
    Loading(f32),
    Ready {
        model: String,
        window: usize,
    },
    LoadFailed(String),
    Agent(Event),
    Ask(Ask),
    Tests(TestRun),
    Note(String),
    Warning(String),
    /// `/undo` reverted these files.
    Undone(Vec<String>),
    /// The job ended.
    Idle,
}

pub struct Engine {
    pub jobs: Sender<Job>,
    pub updates: Receiver<Update>,
    pub cancel: Cancel,
}

/// Start the worker with `cfg`; it loads the model first.
pub fn start(mut cfg: Config) -> Engine {
    let (jobs_tx, jobs_rx) = unbounded::<Job>();
    let (tx, rx) = unbounded::<Update>();
    let cancel = Cancel::default();
    cfg.fix.cancel = cancel.clone();
    cfg.fix.runner = cfg.fix.runner.clone().with_cancel(cancel.clone());
    let ask_tx = tx.clone();
    cfg.fix.ask = Some(Asker(Arc::new(move |question: &Question| {
        let (reply, answer) = crossbeam_channel::bounded(1);
        let asked = ask_tx.send(Update::Ask(Ask {
            question: question.clone(),
            reply,
        }));
        asked.is_ok() && answer.recv().unwrap_or(false)
    })));
    let worker_cancel = cancel.clone();
    std::thread::spawn(move || {
        let mut worker = Worker {
            backend: None,
            cfg,
            tx,
            cancel: worker_cancel,
        };
        worker.load();
        for job in jobs_rx {
            worker.cancel.reset();
            // A bug in a job must not leave the screen busy forever: it becomes an error
            // cell, the session stays usable (applied edits are in the undo record).
            let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| worker.run(job)));
            if let Err(panic) = ran {
                let why = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown".into());
                worker.send(Update::Warning(format!(
                    "internal error, the request stopped: {why} (changes made so far: /diff; \
                     /undo reverts them)"
                )));
            }
            if worker.tx.send(Update::Idle).is_err() {
                break;
            }
        }
    });
    Engine {
        jobs: jobs_tx,
        updates: rx,
        cancel,
    }
}

struct Worker {
    backend: Option<Box<dyn Backend>>,
    cfg: Config,
    tx: Sender<Update>,
    cancel: Cancel,
}

impl Worker {
    fn send(&self, u: Update) {
        let _ = self.tx.send(u);
    }

    fn load(&mut self) {
        self.backend = None;
        let tx = self.tx.clone();
        let progress = Box::new(move |p: f32| {
            let _ = tx.send(Update::Loading(p));
        });
        match crate::model::open::open_with(&self.cfg, Some(progress)) {
            Ok(backend) => {
                self.send(Update::Ready {
                    model: backend.name(),
                    window: backend.context_window(),
                });
                self.backend = Some(backend);
            }
            Err(e) => self.send(Update::LoadFailed(e.to_string())),
        }
    }

    fn run(&mut self, job: Job) {
        match job {
            Job::Fix(issue) => self.fix(&issue),
            Job::Tests => match self.cfg.fix.test_cmd.clone() {
                Some(cmd) => {
                    let run = crate::testcmd::run(
                        &self.cfg.fix.runner,
                        &cmd,
                        self.cfg.fix.root.path(),
                        self.cfg.fix.test_timeout,
                    );
                    self.send(Update::Tests(run));
                }
                None => self.send(Update::Warning(
                    "no test command: give one with --test-cmd (none was detected)".into(),
                )),
            },
            Job::Undo => match crate::edit::undo(self.cfg.fix.root.path()) {
                Ok(files) => self.send(Update::Undone(files)),
                Err(e) => self.send(Update::Warning(format!("undo: {e}"))),
            },
            Job::Context(focus) => self.context(&focus),
            Job::Model(spec) => {
                let (path, tier) = crate::model::tiers::resolve(&spec);
                self.cfg.model = ModelSource::Gguf { path, tier };
                self.load();
            }
        }
    }

    fn fix(&mut self, issue: &str) {
        let Some(backend) = self.backend.as_mut() else {
            self.send(Update::Warning(
                "no model is loaded (see above); /model NAME loads one".into(),
            ));
            return;
        };
        let tx = self.tx.clone();
        let mut sink = move |e: Event| {
            let _ = tx.send(Update::Agent(e));
        };
        if let Err(e) = crate::agent::fix(backend.as_mut(), &self.cfg.fix, issue, &mut sink) {
            self.send(Update::Warning(format!("model failure: {e}")));
        }
        if self.cancel.requested() {
            self.send(Update::Note("cancelled".into()));
        }
    }

    /// What the first prompt would show for `focus` (the one selection `cria fix` and
    /// `cria context` use), counted with the model's tokenizer.
    fn context(&mut self, focus: &str) {
        let budget = self.cfg.fix.context_tokens;
        let mut estimate = crate::model::estimate_tokens;
        let count: &mut dyn FnMut(&str) -> usize = match self.backend.as_mut() {
            Some(b) => &mut |t: &str| b.count_tokens(t),
            None => &mut estimate,
        };
        let selection =
            crate::context::select::select(&self.cfg.fix.root, focus, "", budget, count);
        let used: usize = selection.shown.iter().map(|f| count(&f.content)).sum();
        let mut note = format!(
            "context for \"{}\": {} file(s) shown ({used} of {budget} tokens), {} listed{}\n",
            crate::tui::cells::first_line(focus, 60),
            selection.shown.len(),
            selection.listed.len(),
            if selection.map.is_empty() {
                ""
            } else {
                ", with a map of the others"
            }
        );
        for f in &selection.shown {
            note.push_str(&format!("  {}\n", f.path));
        }
        self.send(Update::Note(note.trim_end().to_string()));
    }
}
