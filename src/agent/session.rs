//! One `cria fix` run, as a loop: prompt → generate → parse → execute → append → follow up?
//!
//! Before the first model call the tests run and the likely files are localized and shown. The
//! first reply is a diagnosis; edits and tool calls in any reply are carried out. When the model
//! cannot produce a usable edit, the run moves to the rewrite stage ([`super::rewrite`]): cria
//! asks for one whole corrected definition at a time and puts it in place itself. Every applied
//! edit is followed by the tests; an attempt that does not reduce the failures is reverted so the
//! next one starts from clean code. The run stops when the tests pass, when the model gives up,
//! or at a limit (steps, identical tool calls, failed edits in a row, wall time), with a reason.

use std::time::{Duration, Instant};

use super::prompt::{self, ShownFile};
use super::reproduce;
use super::rewrite::Target;
use super::workspace::Workspace;
use crate::edit;
use crate::model::{Backend, BackendError, Flow, Piece, Request};
use crate::protocol::{Event, EventSink, Message, Outcome, TestRun, ToolCall};
use crate::sandbox::approval::{Approval, Approver};
use crate::sandbox::paths::Root;
use crate::sandbox::process::Runner;
use crate::toolcall;
use crate::tools;

#[derive(Debug, Clone)]
pub struct Limits {
    pub max_steps: usize,
    pub max_identical_calls: usize,
    pub max_failed_edits: usize,
    pub max_wall: Duration,
    /// Tokens processed plus generated over the whole run.
    pub max_tokens: usize,
    pub reply_tokens: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_steps: 12,
            max_identical_calls: 3,
            max_failed_edits: 4,
            max_wall: Duration::from_secs(900),
            max_tokens: 500_000,
            reply_tokens: 1024,
        }
    }
}

#[derive(Debug, Clone)]
pub struct FixConfig {
    pub root: Root,
    /// Runs the tests and the model's commands (sandboxed as configured).
    pub runner: Runner,
    pub approval: Approval,
    pub shell_timeout: Duration,
    pub test_cmd: Option<String>,
    pub test_timeout: Duration,
    pub limits: Limits,
    /// Tokens of repository code to show in the first prompt.
    pub context_tokens: usize,
    /// Who answers approval questions (`None`: the terminal, when there is one).
    pub ask: Option<crate::sandbox::approval::Asker>,
    /// Raised by the front end to stop the run at the next token or command.
    pub cancel: crate::cancel::Cancel,
    /// Take a reproduction test cria added out of the final diff (default: keep it).
    pub drop_repro_test: bool,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct FixReport {
    pub outcome: Option<Outcome>,
    pub reason: String,
    pub steps: usize,
    pub diff: String,
    pub summary: String,
    pub files_changed: Vec<String>,
    pub tests_before: Option<TestRun>,
    pub tests_after: Option<TestRun>,
    pub tokens_in: usize,
    pub tokens_reused: usize,
    /// Prompt tokens the cache had seen in the previous turn but processed again anyway.
    pub tokens_reprocessed: usize,
    pub tokens_out: usize,
    pub edits_applied: usize,
    pub edits_failed: usize,
    pub seconds: f64,
    /// `path::name` of the test cria added to reproduce the issue, if it kept one.
    pub repro_test: Option<String>,
    /// Attempts that applied but did not help and were undone, one line each.
    pub rejected: Vec<String>,
}

impl FixReport {
    pub fn fixed(&self) -> bool {
        self.outcome == Some(Outcome::Fixed)
    }
}

/// The state of one run. Its methods live in this module (the loop), `turn` (one reply) and
/// `attempt` (judging an applied edit).
pub(super) struct Run<'a> {
    pub(super) backend: &'a mut dyn Backend,
    pub(super) cfg: &'a FixConfig,
    pub(super) sink: &'a mut dyn EventSink,
    pub(super) issue: String,
    /// The test command, dropped when it turns out it cannot run here.
    pub(super) test_cmd: Option<String>,
    /// The limit for one test run: the configured one for the first run, then tightened from
    /// how long that took (an edit that makes the tests hang should not cost ten minutes).
    pub(super) test_timeout: Duration,
    pub(super) history: Vec<Message>,
    pub(super) work: Workspace,
    pub(super) report: FixReport,
    pub(super) start: Instant,
    pub(super) temperature: f32,
    pub(super) failed_in_a_row: usize,
    pub(super) last_failed_edit: Option<String>,
    pub(super) same_failed_edit: usize,
    pub(super) last_call: Option<ToolCall>,
    pub(super) same_call: usize,
    pub(super) nudges: usize,
    pub(super) baseline_failures: Option<usize>,
    pub(super) shown: Vec<ShownFile>,
    /// Diffs of attempts that applied but did not make the tests pass.
    pub(super) tried: Vec<String>,
    /// The changes of those attempts (reverted), for trying two of them together.
    pub(super) failed_changes: Vec<Vec<edit::FileChange>>,
    /// Whether the next reply is expected to be a fix (it then starts with [`prompt::PREFILL`]).
    pub(super) expect_fix: bool,
    /// The rewrite stage: its candidate definitions (empty until it starts), attempts made, and
    /// the history length each attempt starts from.
    pub(super) targets: Vec<Target>,
    pub(super) rewrites: usize,
    pub(super) rewrite_base: usize,
    /// Rewrites that were applied, by definition name (a passing one ends the run anyway).
    pub(super) failed_rewrites: Vec<(String, String)>,
    /// Tokens in the backend's cache after the last turn (prompt + reply).
    pub(super) cached_tokens: usize,
    /// Decides whether a command the model proposes may run.
    pub(super) approver: std::cell::RefCell<Approver>,
    /// The test cria added to reproduce the issue.
    pub(super) repro: Option<super::reproduce::Repro>,
    /// Whether a test failed before any change (the project's own, or the reproduction test):
    /// only then can passing tests verify a fix.
    pub(super) bug_shown: bool,
    /// Whether the issue's own examples were already asked for as a test (once a run).
    pub(super) acceptance_asked: bool,
}

/// Token budgets for each kind of reply, fitting what it is for: a reply that runs past its
/// purpose costs seconds per token on a CPU and is rarely better for it.
pub(super) mod budget {
    /// The diagnosis: a sentence or two.
    pub const DIAGNOSIS: usize = 160;
    /// A reply that edits or calls tools.
    pub const EDIT: usize = 768;
    /// A new test reproducing the issue.
    pub const TEST: usize = 400;

    /// A whole rewritten definition: room for it to grow to twice its size, and some.
    pub fn rewrite(definition_tokens: usize) -> usize {
        (definition_tokens * 2 + 128).clamp(192, 1024)
    }
}

/// The reason a run gives when the front end cancelled it.
pub const CANCELLED: &str = "cancelled by the user";

pub(super) enum Next {
    Continue,
    Stop(Outcome, String),
}

/// Fix `issue` in `cfg.root` with `backend`, reporting progress to `sink`.
pub fn fix(
    backend: &mut dyn Backend,
    cfg: &FixConfig,
    issue: &str,
    sink: &mut dyn EventSink,
) -> Result<FixReport, BackendError> {
    let mut run = Run {
        backend,
        cfg,
        sink,
        issue: issue.to_string(),
        test_cmd: cfg.test_cmd.clone(),
        test_timeout: cfg.test_timeout,
        history: Vec::new(),
        work: Workspace::default(),
        report: FixReport::default(),
        start: Instant::now(),
        temperature: 0.0,
        failed_in_a_row: 0,
        last_failed_edit: None,
        same_failed_edit: 0,
        last_call: None,
        same_call: 0,
        nudges: 0,
        baseline_failures: None,
        shown: Vec::new(),
        tried: Vec::new(),
        failed_changes: Vec::new(),
        expect_fix: true,
        targets: Vec::new(),
        rewrites: 0,
        rewrite_base: 0,
        failed_rewrites: Vec::new(),
        cached_tokens: 0,
        approver: std::cell::RefCell::new(Approver {
            answers: cfg.ask.as_ref().map(|a| a.0.clone()),
            ..Approver::new(cfg.approval, cfg.runner.enforced(), cfg.runner.off())
        }),
        repro: None,
        bug_shown: false,
        acceptance_asked: false,
    };
    let result = run.go();
    let (outcome, reason) = match result {
        Ok(end) => end,
        Err(BackendError::Cancelled) => (Outcome::NotFixed, CANCELLED.to_string()),
        Err(e) => {
            run.finish(Outcome::NotFixed, format!("model failure: {e}"));
            return Err(e);
        }
    };
    run.finish(outcome, reason);
    Ok(run.report)
}

impl Run<'_> {
    pub(super) fn emit(&mut self, e: Event) {
        self.sink.emit(e);
    }

    pub(super) fn status(&mut self, msg: impl Into<String>) {
        self.emit(Event::Status {
            message: msg.into(),
            busy: false,
        });
    }

    /// A long step began (generating, running the tests).
    pub(super) fn busy(&mut self, msg: impl Into<String>) {
        self.emit(Event::Status {
            message: msg.into(),
            busy: true,
        });
    }

    fn go(&mut self) -> Result<(Outcome, String), BackendError> {
        self.status(self.cfg.runner.describe());
        let mut tests = self.test_cmd.clone().map(|cmd| {
            self.busy(format!("running the tests: {cmd}"));
            self.run_tests(&cmd)
        });
        if let Some(why) = tests.as_ref().and_then(super::attempt::runner_missing) {
            self.status(format!(
                "the test command cannot run here ({why}); going on without tests"
            ));
            self.test_cmd = None;
            self.report.tests_after = None;
            tests = None;
        }
        if let Some(t) = &tests {
            self.test_timeout = tightened_timeout(self.cfg.test_timeout, t.seconds);
        }
        self.baseline_failures = tests
            .as_ref()
            .and_then(|t| super::attempt::failure_count(&t.output));
        self.report.tests_before = tests.clone();
        self.bug_shown = tests.as_ref().is_some_and(|t| !t.passed);

        self.status("localizing the problem");
        let test_output = tests.as_ref().map(|t| t.output.clone()).unwrap_or_default();
        let backend = &mut *self.backend;
        let selection = crate::context::select::select(
            &self.cfg.root,
            &self.issue,
            &test_output,
            self.cfg.context_tokens,
            &mut |t: &str| backend.count_tokens(t),
        );
        self.emit(Event::Localized {
            files: selection
                .ranked
                .iter()
                .take(5)
                .map(|c| c.path.clone())
                .collect(),
        });
        self.emit(Event::Context {
            shown: selection.shown.clone(),
            map: selection.map.clone(),
            listed: selection.listed.clone(),
        });
        self.shown = selection.shown.clone();
        for f in &self.shown {
            let bytes = std::fs::read(self.cfg.root.path().join(&f.path)).ok();
            self.work.saw(&f.path, bytes.as_deref());
        }
        let ranked = selection.ranked;
        if let (Some(t), Some(cmd)) = (&tests, self.test_cmd.clone()) {
            if t.passed && reproduce::states_expectation(&self.issue) {
                if let Some(run) = self.reproduce(&ranked, &cmd) {
                    self.baseline_failures = super::attempt::failure_count(&run.output);
                    self.bug_shown = true;
                    tests = Some(run);
                }
                // A second try at the test sampled more freely; the fix starts greedy.
                self.temperature = 0.0;
            }
        }
        let names: Vec<&str> = self.shown.iter().map(|f| f.path.as_str()).collect();
        let names = names.join(", ");
        self.status(format!("showing the model: {names}"));
        let task = prompt::task(
            &self.issue,
            tests.as_ref(),
            &selection.listed,
            &selection.map,
            &self.shown,
        );
        self.history
            .push(Message::system(prompt::system(&self.shown)));
        if let Some(rules) =
            crate::context::instructions::project_instructions(self.cfg.root.path())
        {
            let system = &mut self.history[0].content;
            system.push_str("\n\n");
            system.push_str(&prompt::sanitize(&rules));
        }
        self.history.push(Message::user(prompt::sanitize(&task)));

        loop {
            if self.cfg.cancel.requested() {
                return Ok((Outcome::NotFixed, CANCELLED.into()));
            }
            if self.report.steps >= self.cfg.limits.max_steps {
                return Ok((
                    Outcome::NotFixed,
                    format!("step limit reached ({})", self.cfg.limits.max_steps),
                ));
            }
            if self.start.elapsed() > self.cfg.limits.max_wall {
                return Ok((
                    Outcome::NotFixed,
                    format!(
                        "time limit reached ({} s)",
                        self.cfg.limits.max_wall.as_secs()
                    ),
                ));
            }
            let tokens = self.report.tokens_in + self.report.tokens_out;
            if tokens > self.cfg.limits.max_tokens {
                return Ok((
                    Outcome::NotFixed,
                    format!(
                        "token limit reached ({tokens} of {})",
                        self.cfg.limits.max_tokens
                    ),
                ));
            }
            self.report.steps += 1;
            let next = if self.targets.is_empty() {
                // The first reply is the diagnosis: its first paragraph, stopped where code
                // would begin.
                let (stop, budget): (&[&str], usize) = if self.report.steps == 1 {
                    (&[toolcall::CLOSE, "```", "\n\n"], budget::DIAGNOSIS)
                } else {
                    (&[toolcall::CLOSE], budget::EDIT)
                };
                let prefill = if self.expect_fix { prompt::PREFILL } else { "" };
                let reply = self.generate(prefill, stop, budget)?;
                self.handle(&reply)
            } else {
                self.rewrite_attempt()?
            };
            if let Next::Stop(outcome, why) = next {
                return Ok((outcome, why));
            }
        }
    }

    /// One model reply of at most `budget` tokens (never more than `--reply-tokens`; see
    /// [`Budget`]). `prefill` is honoured where the backend can (the reply then starts with it).
    pub(super) fn generate(
        &mut self,
        prefill: &str,
        stop: &[&str],
        budget: usize,
    ) -> Result<String, BackendError> {
        self.fit_context();
        self.busy(format!("model is thinking (step {})", self.report.steps));
        let specs = tools::specs();
        let prefill = if self.backend.supports_prefill() {
            prefill
        } else {
            ""
        };
        self.expect_fix = true;
        let request = Request {
            messages: &self.history,
            tools: &specs,
            max_tokens: budget.min(self.cfg.limits.reply_tokens),
            temperature: self.temperature,
            seed: 42 + self.report.steps as u32,
            stop_after: stop,
            prefill,
        };
        if !prefill.is_empty() {
            // The reply begins with it: front ends show it as the start of the stream.
            self.sink.emit(Event::ModelDelta {
                text: prefill.to_string(),
            });
        }
        let sink = &mut *self.sink;
        let cancel = &self.cfg.cancel;
        let mut stream = |piece: Piece<'_>| {
            if cancel.requested() {
                return Flow::Stop;
            }
            sink.emit(match piece {
                Piece::Text(text) => Event::ModelDelta {
                    text: text.to_string(),
                },
                Piece::Prefill { done, total } => Event::Progress {
                    what: format!("processing the prompt ({total} new tokens)"),
                    fraction: done as f32 / total.max(1) as f32,
                },
            });
            Flow::Continue
        };
        let c = self.backend.complete(&request, &mut stream)?;
        if self.cfg.cancel.requested() {
            return Err(BackendError::Cancelled);
        }
        self.report.tokens_in += c.prompt_tokens - c.reused_tokens;
        self.report.tokens_reused += c.reused_tokens;
        self.report.tokens_out += c.generated_tokens;
        self.report.tokens_reprocessed += self
            .cached_tokens
            .min(c.prompt_tokens)
            .saturating_sub(c.reused_tokens);
        self.cached_tokens = c.prompt_tokens + c.generated_tokens;
        self.emit(Event::ModelDone {
            text: c.text.clone(),
            prompt_tokens: c.prompt_tokens,
            reused_tokens: c.reused_tokens,
            generated_tokens: c.generated_tokens,
            seconds: c.seconds,
        });
        self.history.push(Message::assistant(c.text.clone()));
        Ok(c.text)
    }

    /// Keep the conversation inside the window: trim the oldest follow-ups' bodies first.
    fn fit_context(&mut self) {
        let window = self.backend.context_window();
        let limit = window.saturating_sub(self.cfg.limits.reply_tokens + 64);
        let mut sizes: Vec<usize> = self
            .history
            .iter()
            .map(|m| self.backend.count_tokens(&m.content) + 4)
            .collect();
        // The system prompt, the task and the latest two messages always stay whole.
        let mut i = 2;
        while sizes.iter().sum::<usize>() > limit && i + 2 < self.history.len() {
            let m = &mut self.history[i];
            if sizes[i] > 64 && !m.content.starts_with("[trimmed") {
                m.content = format!("[trimmed to save context: {} tokens]", sizes[i]);
                sizes[i] = 12;
            }
            i += 1;
        }
    }

    fn finish(&mut self, outcome: Outcome, reason: String) {
        if self.cfg.drop_repro_test {
            self.drop_repro();
        }
        let changes = self.work.changes();
        if let Err(e) = self.work.record(&self.cfg.root) {
            self.status(format!("could not save the undo record: {e}"));
        }
        self.report.files_changed = changes.iter().map(|c| c.rel.clone()).collect();
        self.report.diff = self.work.diff();
        self.report.outcome = Some(outcome);
        self.report.reason = reason.clone();
        self.report.seconds = self.start.elapsed().as_secs_f64();
        self.report.summary = super::attempt::summarize(&self.report);
        self.emit(Event::Finished {
            outcome,
            reason,
            steps: self.report.steps,
            files: self.report.files_changed.clone(),
            diff: self.report.diff.clone(),
            summary: self.report.summary.clone(),
        });
    }
}

/// The limit for test runs after the first: five times as long as the first took, at least a
/// minute, never more than configured.
pub(super) fn tightened_timeout(configured: Duration, first_run_seconds: f64) -> Duration {
    configured.min(Duration::from_secs_f64((first_run_seconds * 5.0).max(60.0)))
}

#[cfg(test)]
mod timeout_tests {
    use super::*;

    #[test]
    fn test_timeout_is_tightened_from_the_first_run() {
        let ten_min = Duration::from_secs(600);
        assert_eq!(tightened_timeout(ten_min, 0.2), Duration::from_secs(60));
        assert_eq!(tightened_timeout(ten_min, 30.0), Duration::from_secs(150));
        assert_eq!(tightened_timeout(ten_min, 400.0), ten_min);
        assert_eq!(
            tightened_timeout(Duration::from_secs(2), 0.2),
            Duration::from_secs(2)
        );
    }
}
