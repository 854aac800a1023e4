//! The TUI's worker thread: it owns the model and runs the same agent as `cria fix`, one request
//! at a time, so the UI thread never blocks. The UI sends [`Op`]s only; agent events (approval
//! questions among them) and results come back as [`Update`]s.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crossbeam_channel::{unbounded, Receiver, RecvTimeoutError, Sender};

use crate::cancel::Cancel;
use crate::config::{Config, ModelSource};
use crate::model::Backend;
use crate::protocol::{Event, Op, TestRun};
use crate::sandbox::approval::{Asker, Question};

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
    Tests(TestRun),
    Note(String),
    Warning(String),
    /// `/undo` reverted these files.
    Undone(Vec<String>),
    /// The request ended.
    Idle,
}

pub struct Engine {
    pub ops: Sender<Op>,
    pub updates: Receiver<Update>,
}

/// Start the worker with `cfg`; it loads the model first. `Op::Cancel` and `Op::Approve` act at
/// once, even while a request runs; the others queue.
pub fn start(mut cfg: Config) -> Engine {
    let (ops_tx, ops_rx) = unbounded::<Op>();
    let (jobs_tx, jobs_rx) = unbounded::<Op>();
    let (answers_tx, answers_rx) = unbounded::<(u64, bool)>();
    let (tx, rx) = unbounded::<Update>();
    let cancel = Cancel::default();
    cfg.fix.cancel = cancel.clone();
    cfg.fix.runner = cfg.fix.runner.clone().with_cancel(cancel.clone());
    cfg.fix.ask = Some(asker(tx.clone(), answers_rx, cancel.clone()));
    let router_cancel = cancel.clone();
    std::thread::spawn(move || {
        for op in ops_rx {
            let routed = match op {
                Op::Cancel => {
                    router_cancel.request();
                    true
                }
                Op::Approve { id, yes } => answers_tx.send((id, yes)).is_ok(),
                job => jobs_tx.send(job).is_ok(),
            };
            if !routed {
                break;
            }
        }
    });
    std::thread::spawn(move || {
        let mut worker = Worker {
            backend: None,
            cfg,
            tx,
            cancel,
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
        ops: ops_tx,
        updates: rx,
    }
}

/// Approvals for the agent: each question goes out as [`Event::ApprovalRequested`] with a fresh
/// id, and the run waits for the answer with that id (an answer to an older question, say one
/// given after a cancel, is dropped). A cancel or a closed channel declines.
fn asker(tx: Sender<Update>, answers: Receiver<(u64, bool)>, cancel: Cancel) -> Asker {
    let next = AtomicU64::new(1);
    Asker(Arc::new(move |question: &Question| {
        let id = next.fetch_add(1, Ordering::Relaxed);
        let asked = tx.send(Update::Agent(Event::ApprovalRequested {
            id,
            subject: question.clone(),
        }));
        asked.is_ok()
            && loop {
                match answers.recv_timeout(std::time::Duration::from_millis(100)) {
                    Ok((answered, yes)) if answered == id => break yes,
                    Ok(_) => continue,
                    Err(RecvTimeoutError::Timeout) if !cancel.requested() => continue,
                    Err(_) => break false,
                }
            }
    }))
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

    fn run(&mut self, job: Op) {
        match job {
            Op::Fix { issue } => self.fix(&issue),
            Op::Plan { issue } => self.plan(&issue),
            Op::RunTests => match self.cfg.fix.test_cmd.clone() {
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
            Op::Undo => match crate::edit::undo(self.cfg.fix.root.path()) {
                Ok(files) => self.send(Update::Undone(files)),
                Err(e) => self.send(Update::Warning(format!("undo: {e}"))),
            },
            Op::Context { focus } => self.context(&focus),
            Op::LoadModel { spec } => {
                let (path, tier) = crate::model::tiers::resolve(&spec);
                self.cfg.model = ModelSource::Gguf { path, tier };
                self.load();
            }
            // Routed before the queue (see `start`).
            Op::Approve { .. } | Op::Cancel => {}
        }
    }

    /// Run `work` with the loaded model, its events going to the screen; `None` (said why) when
    /// no model is loaded or the model failed.
    fn with_model<T>(
        &mut self,
        work: impl FnOnce(
            &mut dyn Backend,
            &crate::agent::FixConfig,
            &mut dyn crate::protocol::EventSink,
        ) -> Result<T, crate::model::BackendError>,
    ) -> Option<T> {
        let Some(backend) = self.backend.as_mut() else {
            self.send(Update::Warning(
                "no model is loaded (see above); /model NAME loads one".into(),
            ));
            return None;
        };
        let tx = self.tx.clone();
        let mut sink = move |e: Event| {
            let _ = tx.send(Update::Agent(e));
        };
        match work(backend.as_mut(), &self.cfg.fix, &mut sink) {
            Ok(done) => Some(done),
            Err(crate::model::BackendError::Cancelled) => {
                self.send(Update::Note("cancelled".into()));
                None
            }
            Err(e) => {
                self.send(Update::Warning(format!("model failure: {e}")));
                None
            }
        }
    }

    fn fix(&mut self, issue: &str) {
        let ran =
            self.with_model(|backend, cfg, sink| crate::agent::fix(backend, cfg, issue, sink));
        if ran.is_some() && self.cancel.requested() {
            self.send(Update::Note("cancelled".into()));
        }
    }

    /// Plan first; a plan the user accepts goes on to the fix, with the plan in the request.
    fn plan(&mut self, issue: &str) {
        let Some(plan) =
            self.with_model(|backend, cfg, sink| crate::agent::plan(backend, cfg, issue, sink))
        else {
            return;
        };
        let accepted = self.cfg.fix.ask.as_ref().is_some_and(|ask| {
            (ask.0)(&Question::Plan {
                plan: plan.text.clone(),
            })
        });
        if accepted {
            self.fix(&crate::agent::with_plan(issue, &plan));
        } else {
            self.send(Update::Note(
                "the plan was not accepted; nothing was changed".into(),
            ));
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
        // The tool schemas ride along in every prompt; MCP servers add theirs.
        let own: usize = crate::tools::specs()
            .iter()
            .map(|v| count(&v.to_string()))
            .sum();
        note.push_str(&format!(
            "tools: cria's own, {own} tokens in every prompt\n"
        ));
        if let Some(hub) = &self.cfg.fix.mcp {
            for c in hub.costs() {
                note.push_str(&format!(
                    "tools: MCP server {}, {} listed, ≈{} tokens in every prompt\n",
                    c.server, c.tools, c.tokens
                ));
            }
        }
        self.send(Update::Note(note.trim_end().to_string()));
    }
}
