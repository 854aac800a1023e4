//! Judging an applied edit: run the tests, keep a partial improvement, revert an attempt that did
//! not help, and remember what was tried so the model is pushed elsewhere next time.

use super::prompt::{self, ShownFile};
use super::session::{FixReport, Next, Run};
use crate::edit;
use crate::protocol::{EditFailure, Event, Message, Outcome, TestRun};

/// Applied changes as the protocol reports them (path and unified diff).
fn reported(changes: &[edit::FileChange]) -> Vec<crate::protocol::FileChange> {
    changes
        .iter()
        .map(|c| crate::protocol::FileChange {
            path: c.rel.clone(),
            diff: edit::diff::unified(c),
        })
        .collect()
}

/// Why a kept change is unverified when no test command could run.
pub(super) const NO_TESTS: &str =
    "a change was applied, but no test command could run here, so nothing verified it";
/// Why a kept change is unverified when the tests passed before it too.
pub(super) const UNSHOWN: &str =
    "the tests pass, but they passed before the change too and no test \
reproduced the issue, so nothing shows that the change fixes it";

/// Earlier failed candidates tried beside a failing one (one test run each).
const COMBINE_WITH: usize = 3;

impl Run<'_> {
    pub(super) fn after_edit(&mut self, report: edit::ApplyReport, reply: &str) -> Next {
        if !report.applied() {
            return self.edit_refused(report, reply);
        }
        self.failed_in_a_row = 0;
        self.report.edits_applied += 1;
        self.work.remember(&report.changes);
        if let Err(e) = self.work.record(&self.cfg.root) {
            self.status(format!("could not save the undo record: {e}"));
        }
        self.emit(Event::EditApplied {
            changes: reported(&report.changes),
            notes: report.notes.clone(),
        });
        let Some(cmd) = self.test_cmd.clone() else {
            return Next::Stop(Outcome::Unverified, NO_TESTS.into());
        };
        if self.changes_the_judge(&report.changes) {
            // The tests decide whether the bug is fixed: changing them is not a fix.
            if let Err(e) = self.work.revert(&self.cfg.root, &report.changes) {
                return Next::Stop(Outcome::NotFixed, format!("could not revert: {e}"));
            }
            self.report.edits_failed += 1;
            self.emit(Event::EditFailed {
                kind: EditFailure::ChangedTheJudge,
                message: "the edit changed a test that judges the fix; reverted".into(),
            });
            if !self.targets.is_empty() {
                return self.rewrite_limit();
            }
            self.history.push(Message::user(prompt::TEST_IS_THE_JUDGE));
            return Next::Continue;
        }
        let attempt = edit::diff::unified_all(&report.changes);
        if self.tried.contains(&attempt) {
            // The same change again: its result is known, so skip the tests and push harder.
            if let Err(e) = self.work.revert(&self.cfg.root, &report.changes) {
                return Next::Stop(
                    Outcome::NotFixed,
                    format!("could not revert a failed attempt: {e}"),
                );
            }
            self.status("the model repeated an attempt that already failed; reverted");
            let repeats = self.tried.iter().filter(|t| **t == attempt).count();
            self.tried.push(attempt);
            if !self.targets.is_empty() {
                return self.rewrite_limit();
            }
            if repeats >= 2 {
                return Next::Stop(
                    Outcome::NotFixed,
                    "the model repeated the same failed fix 3 times".into(),
                );
            }
            self.temperature = (self.temperature + 0.3).min(1.0);
            self.history.push(Message::user(prompt::ALREADY_TRIED));
            return Next::Continue;
        }
        let run = self.run_tests(&cmd);
        if run.passed {
            return self.tests_pass("the tests pass", &cmd);
        }
        let now = failure_count(&run.output);
        let improved = matches!((now, self.baseline_failures), (Some(n), Some(b)) if n < b);
        if improved {
            self.baseline_failures = now;
            if !self.targets.is_empty() {
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
            self.temperature = (self.temperature + 0.3).min(0.9);
            self.history
                .push(Message::user(prompt::sanitize(&prompt::still_failing(
                    &run, &shown,
                ))));
            return Next::Continue;
        }
        if let Some(next) = self.combined(&report.changes, &cmd) {
            return next;
        }
        if let Err(e) = self.work.revert(&self.cfg.root, &report.changes) {
            return Next::Stop(
                Outcome::NotFixed,
                format!("could not revert a failed attempt: {e}"),
            );
        }
        self.report
            .rejected
            .push(rejected_line(&report.changes, &run));
        self.failed_changes.push(report.changes.clone());
        self.tried.push(attempt);
        if !self.targets.is_empty() {
            return self.rewrite_limit();
        }
        if self.tried.len() >= 2 && self.start_rewrites(reply) {
            return Next::Continue;
        }
        // Start over from the original task (its tokens are still in the KV cache) with a note
        // of what failed, rather than letting a small model wade through a growing transcript.
        self.temperature = (self.temperature + 0.3).min(0.9);
        self.history.truncate(2);
        self.history
            .push(Message::user(prompt::sanitize(&prompt::retry(
                &self.tried,
                &run,
            ))));
        Next::Continue
    }

    /// A fix that needs two changes in two files fails as two halves, each reverted. So when a
    /// candidate fails, the last few failed ones that changed other files are put back beside it
    /// (it is still applied), one at a time, and the tests judge each pair; `Some` when one
    /// fixed it.
    fn combined(&mut self, current: &[edit::FileChange], cmd: &str) -> Option<Next> {
        let touched: Vec<&str> = current.iter().map(|c| c.rel.as_str()).collect();
        let others: Vec<Vec<edit::FileChange>> = self
            .failed_changes
            .iter()
            .rev()
            .filter(|set| {
                set.iter().all(|c| {
                    !touched.contains(&c.rel.as_str()) && std::fs::read(&c.abs).ok() == c.before
                })
            })
            .take(COMBINE_WITH)
            .cloned()
            .collect();
        for other in others {
            if let Some(next) = self.combine(other, cmd) {
                return Some(next);
            }
        }
        None
    }

    /// Put `other` back beside the applied candidate and test both; reverted unless they pass.
    fn combine(&mut self, other: Vec<edit::FileChange>, cmd: &str) -> Option<Next> {
        let diff = edit::diff::unified_all(&other);
        if self.approver.borrow_mut().decide_change(&diff).is_err() {
            return None;
        }
        let plan = edit::Plan {
            changes: other.clone(),
            notes: Vec::new(),
        };
        if edit::commit::commit_with(self.cfg.root.path(), &plan, false, |_| Ok(())).is_err() {
            return None;
        }
        self.work.remember(&other);
        self.status("trying this candidate together with an earlier one that changed other files");
        let run = self.run_tests(cmd);
        if run.passed {
            self.emit(Event::EditApplied {
                changes: reported(&other),
                notes: vec!["an earlier candidate, put back beside this one".into()],
            });
            return Some(self.tests_pass("the tests pass (two candidates combined)", cmd));
        }
        if let Err(e) = self.work.revert(&self.cfg.root, &other) {
            return Some(Next::Stop(
                Outcome::NotFixed,
                format!("could not revert a combined attempt: {e}"),
            ));
        }
        None
    }

    fn edit_refused(&mut self, report: edit::ApplyReport, reply: &str) -> Next {
        self.report.edits_failed += 1;
        self.failed_in_a_row += 1;
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
            if self.failed_in_a_row >= self.cfg.limits.max_failed_edits {
                let why = report.failures.join(" ");
                return Next::Stop(Outcome::NotFixed, format!("no change was approved: {why}"));
            }
            let msg = format!("{}. {}", report.failures.join(" "), prompt::REJECTED);
            self.history.push(Message::user(prompt::sanitize(&msg)));
            return Next::Continue;
        }
        if !self.targets.is_empty() {
            return self.rewrite_limit();
        }
        let key = reply.to_string();
        if self.last_failed_edit.as_deref() == Some(&key) {
            self.same_failed_edit += 1;
        } else {
            self.same_failed_edit = 1;
            self.last_failed_edit = Some(key);
        }
        if self.same_failed_edit >= 3 {
            return Next::Stop(
                Outcome::NotFixed,
                "the model repeated the same failing edit 3 times".into(),
            );
        }
        if self.failed_in_a_row >= self.cfg.limits.max_failed_edits {
            return Next::Stop(
                Outcome::NotFixed,
                format!("{} failed edits in a row", self.failed_in_a_row),
            );
        }
        // Twice unable to write a usable edit: stop asking for edit blocks, ask for rewrites.
        if self.failed_in_a_row >= 2 && self.start_rewrites(reply) {
            return Next::Continue;
        }
        let mut msg = prompt::edit_failed(&report.failures);
        if self.same_failed_edit == 2 {
            msg = format!("{}\n{msg}", prompt::REPEATED);
        }
        self.temperature = 0.4;
        self.history.push(Message::user(prompt::sanitize(&msg)));
        Next::Continue
    }

    /// Whether `changes` alter a test that judges the fix: the reproduction test cria added, or
    /// (when the project's own tests showed the bug) an existing test file.
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
                .any(|c| c.before.is_some() && super::localize::is_test_path(&c.rel))
    }

    pub(super) fn run_tests(&mut self, cmd: &str) -> TestRun {
        let run = crate::testcmd::run(
            &self.cfg.runner,
            cmd,
            self.cfg.root.path(),
            self.test_timeout,
        );
        self.emit(Event::TestsRun { run: run.clone() });
        self.report.tests_after = Some(run.clone());
        run
    }
}

/// Why a test run shows that the runner itself is missing (not that tests fail), if it does.
pub(super) fn runner_missing(run: &TestRun) -> Option<String> {
    if run.passed {
        return None;
    }
    if run.exit_code == Some(127) {
        return Some("command not found".into());
    }
    let out = &run.output;
    [
        "No module named pytest",
        "No module named 'pytest'",
        "error: no such command",
        "npm ERR! Missing script",
    ]
    .iter()
    .find(|m| out.contains(**m))
    .map(|m| m.to_string())
}

/// Failing tests reported by common runners (pytest, unittest, cargo test, go test), if readable.
pub fn failure_count(output: &str) -> Option<usize> {
    static RES: std::sync::OnceLock<Vec<regex::Regex>> = std::sync::OnceLock::new();
    let res = RES.get_or_init(|| {
        [
            r"(\d+) failed",
            r"(\d+) errors?\b",
            r"failures=(\d+)",
            r"errors=(\d+)",
            r"(?m)^--- FAIL",
        ]
        .iter()
        .filter_map(|r| regex::Regex::new(r).ok())
        .collect()
    });
    let mut total = None;
    for re in res {
        for cap in re.captures_iter(output) {
            let n = cap
                .get(1)
                .and_then(|m| m.as_str().parse::<usize>().ok())
                .unwrap_or(1);
            *total.get_or_insert(0) += n;
        }
    }
    total
}

/// One line on an attempt that was undone: what it changed and what the tests said.
fn rejected_line(changes: &[edit::FileChange], run: &TestRun) -> String {
    let files: Vec<&str> = changes.iter().map(|c| c.rel.as_str()).collect();
    let key = super::rewrite::key_failure_lines(&run.output);
    let why = key.lines().last().unwrap_or("the tests still fail").trim();
    let why: String = why.chars().take(120).collect();
    format!(
        "a change to {} — the tests still failed ({why})",
        files.join(", ")
    )
}

pub(super) fn summarize(r: &FixReport) -> String {
    let files = if r.files_changed.is_empty() {
        "No files changed".to_string()
    } else {
        format!("cria changed {}", r.files_changed.join(", "))
    };
    let tests = match (&r.tests_before, &r.tests_after) {
        (Some(b), Some(a)) => format!(
            " Tests (`{}`): {} before, {} after.",
            a.command,
            if b.passed { "passing" } else { "failing" },
            if a.passed { "passing" } else { "failing" }
        ),
        _ => " No test command could be run, so the change is unverified.".to_string(),
    };
    let outcome = r.outcome.unwrap_or(Outcome::NotFixed);
    let kept = match outcome {
        _ if r.files_changed.is_empty() => "",
        Outcome::Fixed => "",
        Outcome::Unverified => " Check the change yourself; `cria undo` reverts it.",
        Outcome::NotFixed => " The partial change is kept; `cria undo` reverts it.",
    };
    format!(
        "{}: {}. {files} in {} model step(s), {} edit(s) applied and {} refused, {:.0} s.{tests}{kept}",
        outcome.word(),
        r.reason,
        r.steps,
        r.edits_applied,
        r.edits_failed,
        r.seconds,
    ) + &details(r)
}

/// What was tried and undone, and the reproduction test, one line each.
fn details(r: &FixReport) -> String {
    let mut s = String::new();
    if let Some(test) = &r.repro_test {
        s.push_str(&format!(
            "\nAdded a test that reproduces the issue: {test} (it fails without the fix; \
             --drop-repro-test leaves it out)."
        ));
    }
    for line in r.rejected.iter().take(6) {
        s.push_str(&format!("\nTried and undone: {line}"));
    }
    if r.rejected.len() > 6 {
        s.push_str(&format!(
            "\n... and {} more attempts undone",
            r.rejected.len() - 6
        ));
    }
    s
}
