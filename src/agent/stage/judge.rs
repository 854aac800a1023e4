//! Judging an applied edit: run the tests, keep a partial improvement, revert an attempt that did
//! not help, and remember what was tried so the model is pushed elsewhere next time.

use crate::agent::progress::Failing;
use crate::agent::prompt::{self, ShownFile};
use crate::agent::report::{rejected_line, reported};
use crate::agent::rewrite;
use crate::agent::run::{Next, Run};
use crate::edit;
use crate::protocol::{EditFailure, Event, StopReason};

/// Earlier failed candidates tried beside a failing one (one test run each).
const COMBINE_WITH: usize = 3;

impl Run<'_> {
    /// Judge the model's edit (`reply` held it): kept when the tests pass, or as half a fix when
    /// fewer fail.
    pub(in crate::agent) fn after_edit(&mut self, report: edit::ApplyReport, reply: &str) -> Next {
        self.judge_edit(report, reply, false)
    }

    /// Judge a one-token change of the mutation search as any edit, but keep it as half a fix
    /// also when the same tests fail at later lines (past an assertion: a test that checks two
    /// things a slip in two places breaks). A model's rewrite is not built on for that alone.
    pub(in crate::agent) fn after_mutant(&mut self, report: edit::ApplyReport) -> Next {
        self.judge_edit(report, "", true)
    }

    fn judge_edit(&mut self, mut report: edit::ApplyReport, reply: &str, later: bool) -> Next {
        if !report.applied() {
            return self.edit_refused(report, reply);
        }
        self.guards.failed_in_a_row = 0;
        self.report.edits_applied += 1;
        self.work.remember(&report.changes);
        self.record_undo();
        self.emit(Event::EditApplied {
            changes: reported(&report.changes),
            notes: report.notes.clone(),
        });
        let files: Vec<&str> = report.changes.iter().map(|c| c.rel.as_str()).collect();
        let diff = edit::diff::unified_all(&report.changes);
        let response = serde_json::json!({ "diff": diff, "files": files });
        if let Some(why) =
            self.post_tool_hooks("edit", serde_json::json!({ "files": files }), response)
        {
            self.tell(&format!("A PostToolUse hook says about that change: {why}"));
        }
        let Some(cmd) = self.test_cmd.clone() else {
            return Next::Stop(StopReason::NoTests);
        };
        if self.changes_the_judge(&report.changes) {
            // The tests decide whether the bug is fixed: changing them is not a fix.
            if let Err(stop) = self.revert(&report.changes) {
                return Next::Stop(stop);
            }
            self.report.edits_failed += 1;
            self.emit(Event::EditFailed {
                kind: EditFailure::ChangedTheJudge,
                message: "the edit changed a test that judges the fix; reverted".into(),
            });
            if self.rewriting() {
                return self.rewrite_limit();
            }
            self.tell(prompt::TEST_IS_THE_JUDGE);
            return Next::Continue;
        }
        if let Some(input) = self.hard_coded(&report.changes) {
            if let Err(stop) = self.revert(&report.changes) {
                return Next::Stop(stop);
            }
            self.report.edits_failed += 1;
            self.emit(Event::EditFailed {
                kind: EditFailure::HardCoded,
                message: format!(
                    "the edit special-cases the failing test's input `{input}`; reverted"
                ),
            });
            self.attempts
                .tried
                .push(edit::diff::unified_all(&report.changes));
            if self.rewriting() {
                return self.rewrite_limit();
            }
            self.tell(&prompt::hard_coded(&input));
            return Next::Continue;
        }
        let attempt = edit::diff::unified_all(&report.changes);
        if self.attempts.tried.contains(&attempt) {
            // The same change again: its result is known, so skip the tests and push harder.
            if let Err(stop) = self.revert(&report.changes) {
                return Next::Stop(stop);
            }
            self.status("the model repeated an attempt that already failed; reverted");
            let tried = &mut self.attempts.tried;
            let repeats = tried.iter().filter(|t| **t == attempt).count();
            tried.push(attempt);
            if self.rewriting() {
                return self.rewrite_limit();
            }
            if repeats >= 2 {
                return Next::Stop(StopReason::SameFailedFix { times: repeats + 1 });
            }
            self.sampling.after_repeat();
            self.tell(prompt::ALREADY_TRIED);
            return Next::Continue;
        }
        let mut run = self.run_tests(&cmd);
        if !run.passed {
            if let Some((again, changes)) = self.import_forgotten(&run, &report.changes, &cmd) {
                (run, report.changes) = (again, changes);
            }
        }
        if run.passed {
            // A one-token change compares with nothing new; a model's may special-case a key.
            if !later {
                if let Err(stop) = self.lift_special_case(&report.changes, &cmd) {
                    return Next::Stop(stop);
                }
            }
            return self.tests_pass(false, &cmd);
        }
        if let Some(tried) = self
            .attempts
            .failed_rewrites
            .last_mut()
            .filter(|t| t.failure.is_none())
        {
            tried.failure = Some(rewrite::key_failure_lines(&run.output));
        }
        let root = self.cfg.root.path();
        let files = crate::context::scan::list_files(root);
        let now = Failing::of(&run.output, root, &files);
        let before = Failing::of(&self.attempts.baseline_output, root, &files);
        if !run.timed_out && now.further_than(&before, later) {
            let fewer = now.count() < before.count();
            self.attempts.set_baseline(&run.output);
            if self.rewriting() {
                return self.rewrite_limit();
            }
            let shown: Vec<ShownFile> = report
                .changes
                .iter()
                .filter_map(|c| {
                    let content = String::from_utf8(c.after.clone()?).ok()?;
                    Some(ShownFile {
                        path: c.rel.clone(),
                        content,
                    })
                })
                .collect();
            self.sampling.after_failed_attempt();
            self.tell(&prompt::still_failing(&run, &shown, fewer));
            return Next::Continue;
        }
        // A candidate that ran out of time (a loop that never ends) is no half of a fix: beside
        // another it would only run out of time again.
        if !run.timed_out {
            if let Some(next) = self.combined(&report.changes, &cmd) {
                return next;
            }
        }
        if let Err(stop) = self.revert(&report.changes) {
            return Next::Stop(stop);
        }
        self.report
            .rejected
            .push(rejected_line(&report.changes, &run));
        if !run.timed_out {
            self.attempts.failed_changes.push(report.changes.clone());
        }
        self.attempts.tried.push(attempt);
        if self.rewriting() {
            return self.rewrite_limit();
        }
        if self.attempts.tried.len() >= 2 && self.begin_rewriting(reply) {
            return Next::Continue;
        }
        // Start over from the original task (its tokens are still in the KV cache) with a note
        // of what failed, rather than letting a small model wade through a growing transcript.
        self.sampling.after_failed_attempt();
        self.talk.history.truncate(2);
        let retry = prompt::retry(&self.attempts.tried, &run);
        self.tell(&retry);
        Next::Continue
    }

    /// A fix that needs two changes in two files fails as two halves, each reverted. So when a
    /// candidate fails, the last few failed ones that changed other files are put back beside it
    /// (it is still applied), one at a time, and the tests judge each pair; `Some` when one
    /// fixed it.
    fn combined(&mut self, current: &[edit::FileChange], cmd: &str) -> Option<Next> {
        let touched: Vec<&str> = current.iter().map(|c| c.rel.as_str()).collect();
        let others: Vec<Vec<edit::FileChange>> = self
            .attempts
            .failed_changes
            .iter()
            .rev()
            .filter(|set| {
                set.iter().all(|c| {
                    !touched.contains(&c.rel.as_str()) && self.read_file(&c.rel) == c.before
                })
            })
            .take(COMBINE_WITH)
            .cloned()
            .collect();
        for other in others {
            if self.past_deadline() {
                break;
            }
            if let Some(next) = self.combine(other, cmd) {
                return Some(next);
            }
        }
        None
    }

    /// Put `other` back beside the applied candidate and test both; reverted unless they pass.
    fn combine(&mut self, other: Vec<edit::FileChange>, cmd: &str) -> Option<Next> {
        let diff = edit::diff::unified_all(&other);
        let approved = self.approver.borrow_mut().decide_change(&diff);
        self.report_approvals();
        if approved.is_err() {
            return None;
        }
        if self.put_back(&other).is_err() {
            return None;
        }
        self.status("trying this candidate together with an earlier one that changed other files");
        let run = self.run_tests(cmd);
        if run.passed {
            self.emit(Event::EditApplied {
                changes: reported(&other),
                notes: vec!["an earlier candidate, put back beside this one".into()],
            });
            return Some(self.tests_pass(true, cmd));
        }
        if let Err(stop) = self.revert(&other) {
            return Some(Next::Stop(stop));
        }
        None
    }

    fn edit_refused(&mut self, report: edit::ApplyReport, reply: &str) -> Next {
        self.report.edits_failed += 1;
        self.guards.failed_in_a_row += 1;
        let kind = if report.rejected {
            EditFailure::Rejected
        } else if report
            .failures
            .iter()
            .any(|f| f == edit::NO_BEHAVIOUR_CHANGE)
        {
            EditFailure::NoBehaviourChange
        } else {
            EditFailure::NotApplied
        };
        self.emit(Event::EditFailed {
            kind,
            message: report.failures.join("\n"),
        });
        if report.rejected {
            // The user said no: tell the model, and let it propose something else.
            if self.guards.failed_in_a_row >= self.cfg.limits.max_failed_edits {
                let why = report.failures.join(" ");
                return Next::Stop(StopReason::NotApproved { why });
            }
            self.tell(&format!(
                "{}. {}",
                report.failures.join(" "),
                prompt::REJECTED
            ));
            return Next::Continue;
        }
        if self.rewriting() {
            return self.rewrite_limit();
        }
        let guards = &mut self.guards;
        if guards.last_failed_edit.as_deref() == Some(reply) {
            guards.same_failed_edit += 1;
        } else {
            guards.same_failed_edit = 1;
            guards.last_failed_edit = Some(reply.to_string());
        }
        if guards.same_failed_edit >= 3 {
            return Next::Stop(StopReason::SameFailedEdit {
                times: guards.same_failed_edit,
            });
        }
        if guards.failed_in_a_row >= self.cfg.limits.max_failed_edits {
            return Next::Stop(StopReason::FailedEdits {
                in_a_row: guards.failed_in_a_row,
            });
        }
        let repeated = guards.same_failed_edit == 2;
        // Twice unable to write a usable edit: stop asking for edit blocks, ask for rewrites.
        if guards.failed_in_a_row >= 2 && self.begin_rewriting(reply) {
            return Next::Continue;
        }
        let mut msg = prompt::edit_failed(&report.failures);
        if repeated {
            msg = format!("{}\n{msg}", prompt::REPEATED);
        }
        self.sampling.after_unplaceable_edit();
        self.tell(&msg);
        Next::Continue
    }

    /// Whether `changes` alter a test that judges the fix: the reproduction test cria added, or
    /// (when the project's own tests showed the bug) an existing test file.
    /// The failing test input the change special-cases, if it does ([`crate::agent::hardcode`]):
    /// judged against the failing output before any change and the reproduction test.
    fn hard_coded(&self, changes: &[edit::FileChange]) -> Option<String> {
        let mut evidence = self
            .report
            .tests_before
            .as_ref()
            .filter(|t| !t.passed)
            .map(|t| t.output.clone())
            .unwrap_or_default();
        if let Some(r) = &self.repro {
            evidence.push('\n');
            evidence.push_str(&r.code);
        }
        let seen = crate::agent::hardcode::assertions(&evidence);
        if seen.inputs.is_empty() {
            return None;
        }
        let texts = |bytes: &Option<Vec<u8>>| {
            bytes
                .as_deref()
                .map(|b| String::from_utf8_lossy(b).into_owned())
                .unwrap_or_default()
        };
        changes
            .iter()
            .filter(|c| !crate::agent::localize::is_test_path(&c.rel))
            .find_map(|c| {
                let (before, after) = (texts(&c.before), texts(&c.after));
                let old: std::collections::HashSet<&str> = before.lines().collect();
                let added: Vec<&str> = after.lines().filter(|l| !old.contains(l)).collect();
                crate::agent::hardcode::special_cased(&added, &seen)
            })
    }

    fn changes_the_judge(&self, changes: &[edit::FileChange]) -> bool {
        if let Some(r) = &self.repro {
            let intact = self
                .current_text(&r.path)
                .is_some_and(|t| t.contains(&r.code));
            if !intact {
                return true;
            }
        }
        let failing_before = self.report.tests_before.as_ref().is_some_and(|t| !t.passed);
        failing_before
            && changes
                .iter()
                .any(|c| c.before.is_some() && crate::agent::localize::is_test_path(&c.rel))
    }
}
