//! The TUI's state and how agent updates change it. Keys are handled in [`super::keys`], drawing
//! in [`super::view`]; nothing here touches the terminal, so tests drive an `App` directly.

use std::path::PathBuf;
use std::time::Instant;

use crossbeam_channel::Sender;

use super::cells::{self, Cell, ChangeState};
use super::composer::Composer;
use super::engine::Update;
use super::store::{self, Saved};
use crate::protocol::{Decider, EditFailure, Event, Op, TestRun};
use crate::sandbox::approval::Question;

/// What the status bar shows besides the model.
#[derive(Debug, Clone, Default)]
pub struct Info {
    pub repo: String,
    pub test_cmd: Option<String>,
    /// The sandbox as the runner describes it.
    pub sandbox: String,
    pub sandboxed: bool,
}

/// An approval question waiting for the user's y/n.
#[derive(Debug, Clone)]
pub struct Pending {
    pub id: u64,
    pub question: Question,
}

/// A long step with a known fraction done.
#[derive(Debug, Clone)]
pub struct Progress {
    pub what: String,
    pub fraction: f32,
    pub started: Instant,
}

pub struct App {
    pub cells: Vec<Cell>,
    pub composer: Composer,
    pub info: Info,
    pub model: Option<String>,
    pub window: usize,
    /// Tokens in the context after the last reply.
    pub used: usize,
    pub tokens_per_second: Option<f64>,
    pub last_tests: Option<bool>,
    /// What the worker is doing, since when; `None` when idle.
    pub busy: Option<(String, Instant)>,
    pub progress: Option<Progress>,
    pub pending: Option<Pending>,
    /// Rows scrolled up from the bottom of the transcript.
    pub scroll: usize,
    pub expanded: bool,
    pub quit: bool,
    pub last_ctrl_c: Option<Instant>,
    /// Repository files, for `@path` completion.
    pub files: Vec<String>,
    /// The user's and the repository's own slash commands ([`super::custom`]).
    pub commands: Vec<super::custom::Custom>,
    pub earlier: Vec<String>,
    pub diffs: Vec<String>,
    /// The request being worked on.
    pub request: Option<String>,
    /// Where the session is saved (`None`: not saved, as in tests).
    pub save_to: Option<PathBuf>,
    /// A fixed clock for reproducible drawing (tests); `None` reads the real one.
    pub frozen: Option<Instant>,
    /// Requests to the worker ([`super::engine`]).
    pub ops: Sender<Op>,
    /// Streaming statistics of the reply in progress: first text, characters so far.
    stream: Option<(Instant, usize)>,
    filter: crate::toolcall::DisplayFilter,
}

impl App {
    pub fn new(info: Info, ops: Sender<Op>) -> App {
        App {
            cells: Vec::new(),
            composer: Composer::default(),
            info,
            model: None,
            window: 0,
            used: 0,
            tokens_per_second: None,
            last_tests: None,
            busy: None,
            progress: None,
            pending: None,
            scroll: 0,
            expanded: false,
            quit: false,
            last_ctrl_c: None,
            commands: Vec::new(),
            files: Vec::new(),
            earlier: Vec::new(),
            diffs: Vec::new(),
            request: None,
            save_to: None,
            frozen: None,
            ops,
            stream: None,
            filter: Default::default(),
        }
    }

    pub fn now(&self) -> Instant {
        self.frozen.unwrap_or_else(Instant::now)
    }

    pub fn push(&mut self, cell: Cell) {
        self.cells.push(cell);
        self.scroll = 0;
    }

    pub fn note(&mut self, text: impl Into<String>) {
        self.push(Cell::Note { text: text.into() });
    }

    pub fn warn(&mut self, text: impl Into<String>) {
        self.push(Cell::Warning { text: text.into() });
    }

    /// Start `job` on the worker, showing `label` while it runs.
    pub fn start(&mut self, job: Op, label: &str) {
        if self.ops.send(job).is_ok() {
            self.busy = Some((label.to_string(), self.now()));
        } else {
            self.warn("the worker has stopped; restart cria");
        }
    }

    /// Send a request to the agent.
    pub fn send_request(&mut self, text: String) {
        self.push(Cell::User { text: text.clone() });
        let issue = issue_text(&text, &self.earlier);
        self.request = Some(text);
        self.start(Op::Fix { issue }, "working");
        self.save();
    }

    /// `/plan TEXT`: plan first; the worker asks before it works on the plan.
    pub fn send_plan(&mut self, text: String) {
        self.push(Cell::User {
            text: format!("/plan {text}"),
        });
        let issue = issue_text(&text, &self.earlier);
        self.request = Some(text);
        self.start(Op::Plan { issue }, "planning");
        self.save();
    }

    pub fn restore(&mut self, saved: Saved) {
        self.cells = saved.cells;
        self.composer.set_history(saved.history);
        self.earlier = saved.earlier;
        self.diffs = saved.diffs;
        self.note("resumed the last session of this repository");
    }

    pub fn save(&self) {
        let Some(root) = &self.save_to else { return };
        let saved = Saved {
            cells: self.cells.clone(),
            history: self.composer.history().to_vec(),
            earlier: self.earlier.clone(),
            diffs: self.diffs.clone(),
        };
        // Losing a save loses only the ability to resume: not worth interrupting the session.
        let _ = store::save(root, &saved);
    }

    pub fn update(&mut self, update: Update) {
        match update {
            Update::Loading(f) => {
                self.progress = Some(self.progress_for("loading the model", f));
                if f >= 1.0 {
                    self.progress = None;
                }
            }
            Update::Ready { model, window } => {
                self.progress = None;
                self.note(format!("model {model} ready ({window} tokens of context)"));
                self.model = Some(model);
                self.window = window;
            }
            Update::LoadFailed(e) => {
                self.progress = None;
                self.warn(format!("could not load the model: {e}"));
            }
            Update::Agent(event) => self.agent_event(event),
            Update::Tests(run) => self.tests(run),
            Update::Note(text) => self.note(text),
            Update::Warning(text) => self.warn(text),
            Update::Undone(files) => {
                self.diffs.pop();
                self.note(format!("undone: {}", files.join(", ")));
            }
            Update::Idle => {
                self.busy = None;
                self.progress = None;
                self.finish_stream();
                self.save();
            }
        }
    }

    /// Stop the request in progress (and decline a question it waits on).
    pub fn cancel(&mut self) {
        let _ = self.ops.send(Op::Cancel);
        self.answer(false);
    }

    /// Answer the pending question.
    pub fn answer(&mut self, yes: bool) {
        let Some(pending) = self.pending.take() else {
            return;
        };
        let _ = self.ops.send(Op::Approve {
            id: pending.id,
            yes,
        });
        let state = if yes {
            ChangeState::Approved
        } else {
            ChangeState::Rejected
        };
        for cell in self.cells.iter_mut().rev() {
            match cell {
                Cell::Change { state: s, .. } | Cell::Command { state: s, .. }
                    if *s == ChangeState::Proposed =>
                {
                    *s = state;
                    break;
                }
                _ => {}
            }
        }
    }

    fn progress_for(&self, what: &str, fraction: f32) -> Progress {
        let started = match &self.progress {
            Some(p) if p.what == what => p.started,
            _ => self.now(),
        };
        Progress {
            what: what.to_string(),
            fraction,
            started,
        }
    }

    fn tests(&mut self, run: TestRun) {
        self.last_tests = Some(run.passed);
        self.push(Cell::Tests {
            command: run.command,
            passed: run.passed,
            seconds: run.seconds,
            output: run.output,
        });
    }

    fn finish_stream(&mut self) {
        let rest = self.filter.push("");
        let rest = format!("{rest}{}", self.filter.finish());
        if let Some(Cell::Assistant { text, streaming }) = self.cells.last_mut() {
            text.push_str(&rest);
            *streaming = false;
            if text.trim().is_empty() {
                self.cells.pop();
            }
        }
    }

    fn agent_event(&mut self, event: Event) {
        match event {
            Event::ApprovalRequested { id, subject } => {
                self.push(match &subject {
                    Question::Change { diff } => Cell::Change {
                        diff: diff.clone(),
                        state: ChangeState::Proposed,
                    },
                    Question::Command { command, .. } => Cell::Command {
                        command: command.clone(),
                        state: ChangeState::Proposed,
                    },
                    Question::Tool { name, arguments } => Cell::Command {
                        command: format!("{name} {arguments}"),
                        state: ChangeState::Proposed,
                    },
                    Question::Plan { .. } => Cell::Command {
                        command: "carry out the plan above".into(),
                        state: ChangeState::Proposed,
                    },
                });
                self.pending = Some(Pending {
                    id,
                    question: subject,
                });
            }
            // The user answered in this screen; a refusal by the policy is worth a note.
            Event::Approval { decision } => {
                if let (false, Decider::Policy | Decider::NoTerminal) =
                    (decision.approved, decision.by)
                {
                    self.note(format!(
                        "not approved: {}",
                        decision.reason.unwrap_or_default()
                    ));
                }
            }
            Event::Status { message, busy } => {
                if busy {
                    self.busy = Some((message, self.busy.as_ref().map_or(self.now(), |b| b.1)));
                } else {
                    self.note(message);
                }
            }
            Event::Progress { what, fraction } => {
                self.progress = Some(self.progress_for(&what, fraction));
            }
            Event::ModelDelta { text } => {
                self.progress = None;
                let now = self.now();
                let (since, chars) = self.stream.unwrap_or((now, 0));
                self.stream = Some((since, chars + text.len()));
                let elapsed = now.duration_since(since).as_secs_f64();
                if elapsed > 0.5 {
                    let tokens = crate::model::estimate_tokens(&"x".repeat(chars + text.len()));
                    self.tokens_per_second = Some(tokens as f64 / elapsed);
                }
                let shown = self.filter.push(&text);
                match self.cells.last_mut() {
                    Some(Cell::Assistant {
                        text: t,
                        streaming: true,
                    }) => t.push_str(&shown),
                    _ => self.push(Cell::Assistant {
                        text: shown,
                        streaming: true,
                    }),
                }
            }
            Event::ModelDone {
                prompt_tokens,
                generated_tokens,
                ..
            } => {
                if let Some((since, _)) = self.stream.take() {
                    let secs = self.now().duration_since(since).as_secs_f64();
                    if secs > 0.2 && generated_tokens > 1 {
                        self.tokens_per_second = Some(generated_tokens as f64 / secs);
                    }
                }
                self.used = prompt_tokens + generated_tokens;
                self.finish_stream();
            }
            Event::ToolCall { call } => {
                self.finish_stream();
                let started = Some(self.now());
                self.push(Cell::Tool {
                    name: call.name.clone(),
                    args: cells::compact_args(&call.arguments),
                    ok: None,
                    seconds: None,
                    output: String::new(),
                    started,
                });
            }
            Event::ToolResult { result } => {
                let now = self.now();
                let running = self.cells.iter_mut().rev().find_map(|c| match c {
                    Cell::Tool {
                        name,
                        ok: ok @ None,
                        seconds,
                        output,
                        started,
                        ..
                    } if *name == result.name => Some((ok, seconds, output, *started)),
                    _ => None,
                });
                if let Some((ok, seconds, output, started)) = running {
                    *ok = Some(result.ok);
                    *seconds = started.map(|s| now.duration_since(s).as_secs_f64());
                    *output = result.output;
                }
            }
            Event::EditApplied { changes, notes } => {
                self.finish_stream();
                let diff: String = changes.iter().map(|c| c.diff.as_str()).collect();
                let approved = matches!(
                    self.cells.last(),
                    Some(Cell::Change { state: ChangeState::Approved, diff: d }) if *d == diff
                );
                if !approved {
                    self.push(Cell::Change {
                        diff,
                        state: ChangeState::Applied,
                    });
                }
                for n in notes {
                    self.note(n);
                }
            }
            Event::ToolCallMalformed { message } => {
                self.finish_stream();
                self.warn(format!(
                    "malformed tool call: {}",
                    cells::first_line(&message, 200)
                ));
            }
            Event::EditFailed { kind, message } => {
                self.finish_stream();
                // A declined change was already answered on screen.
                if kind != EditFailure::Rejected {
                    self.warn(format!(
                        "edit not applied: {}",
                        cells::first_line(&message, 200)
                    ));
                }
            }
            Event::TestsRun { run } => self.tests(run),
            // The status line "showing the model: ..." follows and says it in words.
            Event::Localized { .. } | Event::Context { .. } | Event::Suspects { .. } => {}
            Event::Finished {
                outcome,
                reason,
                files,
                diff,
                summary,
                ..
            } => {
                self.finish_stream();
                if !diff.trim().is_empty() {
                    self.diffs.push(diff.clone());
                }
                let request = self.request.take().unwrap_or_default();
                self.earlier.push(format!(
                    "{} → {}: {reason}{}",
                    cells::first_line(&request, 120),
                    outcome.word().to_lowercase(),
                    if files.is_empty() {
                        " (no files changed)".to_string()
                    } else {
                        format!(" (changed {})", files.join(", "))
                    }
                ));
                self.push(Cell::Outcome {
                    outcome,
                    reason,
                    summary,
                });
            }
        }
    }
}

/// The agent's task for a request typed in the TUI: `@path` mentions become plain paths (the
/// localizer reads them), and the session's earlier requests come along as background.
pub fn issue_text(request: &str, earlier: &[String]) -> String {
    let words: Vec<&str> = request
        .split(' ')
        .map(|w| w.strip_prefix('@').unwrap_or(w))
        .collect();
    let mut issue = words.join(" ");
    if !earlier.is_empty() {
        issue.push_str("\n\nEarlier in this session:\n");
        for e in earlier.iter().rev().take(5).rev() {
            issue.push_str(&format!("- {e}\n"));
        }
    }
    issue
}
