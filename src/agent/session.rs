//! One `cria fix` run, as a loop over stages: prepare → [reproduce] → [mutate] → edit ⇄ rewrite
//! → stop.
//!
//! Before the first model call the tests run and the likely files are localized and shown. When
//! the tests pass but the issue states a case, the model first writes a test that shows the bug
//! ([`Stage::Reproduce`]). Once a test shows the bug, cria tries the one-token changes to the
//! most suspicious functions ([`Stage::Mutate`]). The first reply of the edit stage is a
//! diagnosis; edits and tool calls in any reply are carried out. When the model cannot produce
//! a usable edit, the run moves to the rewrite stage: cria asks for one whole corrected definition at a time and puts it in place
//! itself. Every applied edit is judged by the tests (`stage/judge.rs`); an attempt that does not
//! reduce the failures is reverted so the next one starts from clean code. The run stops when
//! the tests pass, when the model gives up, or at a limit, with a typed [`StopReason`].
//!
//! Every change of stage happens in this file.

use std::time::Duration;

use super::config::FixConfig;
use super::prompt;
use super::report::{self, FixReport};
use super::reproduce;
use super::rewrite::Target;
use super::run::{Next, Rewriting, Run, Stage};
use crate::context::select::Selection;
use crate::model::{Backend, BackendError};
use crate::protocol::{Event, EventSink, Message, StopReason, TestRun};
use crate::testcmd;

/// Definitions the rewrite stage asks the model for, most suspicious first.
const REWRITTEN: usize = 3;

/// Fix `issue` in `cfg.root` with `backend`, reporting progress to `sink`.
pub fn fix(
    backend: &mut dyn Backend,
    cfg: &FixConfig,
    issue: &str,
    sink: &mut dyn EventSink,
) -> Result<FixReport, BackendError> {
    fix_escalating(backend, None, cfg, issue, sink)
}

/// [`fix`], and when `backend` ends without a verified fix, `escalation` (a bigger model, say
/// behind an endpoint) continues the same run with its own step and time budget: the
/// conversation, the localization, the reproduction test and the failed attempts carry over.
pub fn fix_escalating<'a>(
    backend: &'a mut dyn Backend,
    escalation: Option<&'a mut dyn Backend>,
    cfg: &'a FixConfig,
    issue: &str,
    sink: &'a mut dyn EventSink,
) -> Result<FixReport, BackendError> {
    let mut run = Run::new(backend, cfg, sink, issue);
    run.escalation = escalation;
    match run.go() {
        Ok(stop) => {
            let stop = run.settle(stop);
            run.finish(stop)
        }
        Err(BackendError::Cancelled) => run.finish(StopReason::Cancelled),
        Err(e) => {
            run.finish(StopReason::ModelFailure { why: e.to_string() });
            return Err(e);
        }
    }
    Ok(run.report)
}

impl Run<'_> {
    fn go(&mut self) -> Result<StopReason, BackendError> {
        if let Some(refused) = self.submit_hooks() {
            return Ok(refused);
        }
        let mut tests = self.run_first_tests();
        let selection = self.localize(tests.as_ref());
        let stated_case = reproduce::states_expectation(&self.issue)
            || !super::crash::crash_cases(&self.issue).is_empty();
        if let (Some(t), Some(cmd)) = (&tests, self.test_cmd.clone()) {
            if t.passed && stated_case {
                self.stage = Stage::Reproduce;
                if let Some(run) = self.reproduce(&selection.ranked, &cmd) {
                    self.attempts.set_baseline(&run.output);
                    self.bug_shown = true;
                    tests = Some(run);
                }
                // A second try at the test sampled more freely; the fix starts greedy.
                self.sampling.greedy();
            }
        }
        self.begin_editing(tests.as_ref(), &selection);
        loop {
            if let Some(stop) = self.limit_reached() {
                if self.escalate(&stop) {
                    continue;
                }
                return Ok(stop);
            }
            if let Some(unverified) = self.doubt_spent() {
                return Ok(unverified);
            }
            let next = match self.stage {
                // On top of a change a test of the issue's examples failed on, in whatever stage.
                _ if std::mem::take(&mut self.search_due) => {
                    Ok(self.mutation_search().unwrap_or(Next::Continue))
                }
                Stage::Mutate => {
                    self.stage = Stage::Edit;
                    let next = self.mutation_search();
                    // Where the search did not run, or ran out of time, as where it found nothing.
                    self.settle_pool();
                    Ok(next.unwrap_or(Next::Continue))
                }
                Stage::Reproduce | Stage::Edit => self.edit_turn(),
                Stage::Rewrite(_) => self.rewrite_attempt(),
            };
            let next = match next {
                // The limit is reported (or handed to a second model) at the top of the loop.
                Err(BackendError::OutOfTime) => continue,
                next => next?,
            };
            if let Next::Stop(stop) = next {
                if self.stop_hook_sends_back(&stop) || self.escalate(&stop) {
                    continue;
                }
                return Ok(stop);
            }
        }
    }

    /// Hand the run to the second model when the first ended without a fix (not when the user
    /// cancelled, a hook refused, or the run's token budget is spent): true when it took over.
    fn escalate(&mut self, stop: &StopReason) -> bool {
        let handed_over = stop.outcome() == crate::protocol::Outcome::NotFixed
            && !matches!(
                stop,
                StopReason::Cancelled
                    | StopReason::HookRefused { .. }
                    | StopReason::TokenLimit { .. }
            );
        if !handed_over {
            return false;
        }
        let Some(next) = self.escalation.take() else {
            return false;
        };
        let from = std::mem::replace(&mut self.backend, next).name();
        let to = self.backend.name();
        self.status(format!(
            "{from} found no verified fix ({stop}); {to} continues from here"
        ));
        self.report.escalation = Some(super::report::Escalation {
            from,
            to,
            after_steps: self.report.steps,
            kept_by: None,
        });
        self.diff_at_escalation = Some(self.work.diff(&self.cfg.root));
        self.budget = super::run::Budget::from(self.report.steps);
        // The conversation goes on; the new model is told what it inherits.
        self.tell(&prompt::escalated(&self.attempts.tried));
        self.talk.expect_fix = true;
        self.talk.cached_tokens = 0;
        self.stage = Stage::Edit;
        true
    }

    /// A `Stop` hook that exits 2 sends the run back to work, once, with its words for the
    /// model; after that it is only reported.
    fn stop_hook_sends_back(&mut self, stop: &StopReason) -> bool {
        let Some(why) = self.stop_hooks(stop) else {
            return false;
        };
        if self.stop_hook_active || self.limit_reached().is_some() {
            self.status(format!("a Stop hook still objects: {why}"));
            return false;
        }
        self.stop_hook_active = true;
        self.status(format!("a Stop hook sends the run back to work: {why}"));
        self.begin_editing_after_hook(&why);
        true
    }

    /// The tests before any change, unless the test command cannot run here at all.
    fn run_first_tests(&mut self) -> Option<TestRun> {
        self.status(self.cfg.runner.describe());
        let cmd = self.test_cmd.clone()?;
        self.busy(format!("running the tests: {cmd}"));
        let tests = self.run_tests(&cmd);
        if let Some(why) = testcmd::runner_missing(&tests) {
            self.status(format!(
                "the test command cannot run here ({why}); going on without tests"
            ));
            self.test_cmd = None;
            self.report.tests_after = None;
            return None;
        }
        self.test_timeout = tightened_timeout(self.cfg.test_timeout, tests.seconds);
        self.attempts.set_baseline(&tests.output);
        self.report.tests_before = Some(tests.clone());
        self.bug_shown = !tests.passed;
        Some(tests)
    }

    /// Rank the files and choose what the first prompt shows ([`crate::context::select`]).
    fn localize(&mut self, tests: Option<&TestRun>) -> Selection {
        self.status("localizing the problem");
        let test_output = tests.map(|t| t.output.as_str()).unwrap_or_default();
        let backend = &mut *self.backend;
        let selection = crate::context::select::select(
            &self.cfg.root,
            &self.issue,
            test_output,
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
            let bytes = self.read_file(&f.path);
            self.work.saw(&f.path, bytes.as_deref());
        }
        selection
    }

    /// Into the edit stage: the system prompt (with the project's own instructions) and the
    /// task, with the tests' output (the reproduction test's, when one was added).
    fn begin_editing(&mut self, tests: Option<&TestRun>, selection: &Selection) {
        let names: Vec<&str> = self.shown.iter().map(|f| f.path.as_str()).collect();
        self.status(format!("showing the model: {}", names.join(", ")));
        let task = prompt::task(
            &self.issue,
            tests,
            &selection.listed,
            &selection.map,
            &self.shown,
        );
        let mut system = prompt::system(&self.shown);
        if let Some(rules) =
            crate::context::instructions::project_instructions(self.cfg.root.path())
        {
            system.push_str("\n\n");
            system.push_str(&prompt::sanitize(&rules));
        }
        self.talk.history = vec![Message::system(system)];
        self.talk.diagnosis_due = true;
        self.tell(&task);
        // A test that shows the bug can judge one-token changes before the model says anything.
        self.stage = if self.bug_shown {
            Stage::Mutate
        } else {
            Stage::Edit
        };
    }

    /// Back to the edit stage after a `Stop` hook objected: the conversation goes on, with the
    /// hook's words; what was kept stays.
    fn begin_editing_after_hook(&mut self, why: &str) {
        self.tell(&prompt::stop_hook(why));
        self.talk.expect_fix = true;
        self.stage = Stage::Edit;
    }

    /// Into the rewrite stage, with `diagnosis` (the model's last reply) guiding the choice of
    /// definitions. False when it already ran or there is nothing to rewrite.
    pub(super) fn begin_rewriting(&mut self, diagnosis: &str) -> bool {
        if self.rewriting() {
            return false;
        }
        let targets: Vec<Target> = self
            .rewrite_targets(diagnosis)
            .into_iter()
            .take(REWRITTEN)
            .collect();
        if targets.is_empty() {
            return false;
        }
        let names: Vec<String> = targets
            .iter()
            .map(|t| format!("{} ({})", t.name, t.path))
            .collect();
        self.status(format!("asking for a rewrite of: {}", names.join(", ")));
        self.emit(Event::Suspects {
            definitions: targets
                .iter()
                .map(|t| format!("{}::{}", t.path, t.name))
                .collect(),
        });
        self.stage = Stage::Rewrite(Rewriting {
            targets,
            done: 0,
            base: self.talk.history.len(),
            started: std::time::Instant::now(),
        });
        true
    }

    /// The limit the run has reached, if any: cancelled, steps, wall time, tokens.
    fn limit_reached(&self) -> Option<StopReason> {
        let limits = &self.cfg.limits;
        let tokens = self.report.tokens_in + self.report.tokens_out;
        if self.cfg.cancel.requested() {
            Some(StopReason::Cancelled)
        } else if !self.steps_left() {
            Some(StopReason::StepLimit {
                steps: limits.max_steps,
            })
        } else if self.past_deadline() {
            Some(StopReason::TimeLimit {
                seconds: limits.max_wall.as_secs(),
            })
        } else if tokens > limits.max_tokens {
            Some(StopReason::TokenLimit {
                used: tokens,
                limit: limits.max_tokens,
            })
        } else {
            None
        }
    }

    fn finish(&mut self, stop: StopReason) {
        if self.cfg.drop_repro_test {
            self.drop_repro();
        }
        let changes = self.work.changes(&self.cfg.root);
        self.record_undo();
        let outcome = stop.outcome();
        let reason = stop.to_string();
        self.report.files_changed = changes.iter().map(|c| c.rel.clone()).collect();
        self.report.diff = self.work.diff(&self.cfg.root);
        self.report.outcome = Some(outcome);
        self.report.stop = Some(stop.clone());
        self.report.reason = reason.clone();
        self.report.seconds = self.start.elapsed().as_secs_f64();
        if let (Some(e), Some(before)) = (&mut self.report.escalation, &self.diff_at_escalation) {
            e.kept_by = match (self.report.diff.is_empty(), &self.report.diff == before) {
                (true, _) => None,
                (false, true) => Some(e.from.clone()),
                (false, false) => Some(e.to.clone()),
            };
        }
        self.report.summary = report::summarize(&self.report);
        self.emit(Event::Finished {
            outcome,
            stop,
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
