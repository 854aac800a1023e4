//! What a run reports when it ends: the outcome and its reason, the diff, the tests before and
//! after, token counts, and the one-paragraph summary a person reads.

use crate::edit;
use crate::protocol::{Outcome, StopReason, TestRun};

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct FixReport {
    pub outcome: Option<Outcome>,
    /// Why the run stopped (`None` until it has).
    pub stop: Option<StopReason>,
    /// The same, in words.
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
    /// One-token changes tried before the model's first reply ([`super::mutate`]).
    pub mutants_tried: usize,
    /// The one of them that made every test pass (then judged as any edit), as `old` → `new`
    /// with its place.
    pub mutant_passed: Option<String>,
    /// Candidate tests of the issue that stood together through the first one-token search
    /// (`stage/pooled.rs`); 0 when none did.
    pub pooled_tests: usize,
    /// Whether a one-token change told them apart (those it made pass were kept).
    pub pool_told: bool,
    /// Set when a second model took over ([`super::fix_escalating`]).
    pub escalation: Option<Escalation>,
}

/// The hand-over from the local model to a second one.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Escalation {
    /// The local model.
    pub from: String,
    /// The model that continued.
    pub to: String,
    /// Model steps the local model took.
    pub after_steps: usize,
    /// Which of the two wrote the change that was kept (`None`: none was kept).
    pub kept_by: Option<String>,
}

impl FixReport {
    pub fn fixed(&self) -> bool {
        self.outcome == Some(Outcome::Fixed)
    }
}

/// Applied changes as the protocol reports them (path and unified diff).
pub(super) fn reported(changes: &[edit::FileChange]) -> Vec<crate::protocol::FileChange> {
    changes
        .iter()
        .map(|c| crate::protocol::FileChange {
            path: c.rel.clone(),
            diff: edit::diff::unified(c),
        })
        .collect()
}

/// One line on an attempt that was undone: what it changed and what the tests said.
pub(super) fn rejected_line(changes: &[edit::FileChange], run: &TestRun) -> String {
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
    if let Some(e) = &r.escalation {
        s.push_str(&format!(
            "\nThe local model ({}) found no verified fix in {} step(s); {} continued from its \
             localization, tests and attempts.",
            e.from, e.after_steps, e.to
        ));
        if let Some(by) = &e.kept_by {
            s.push_str(&format!(" The kept change was written by {by}."));
        }
    }
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
