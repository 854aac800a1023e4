//! The edit engine: parse edits from a model's text, plan them in memory, commit atomically.

pub mod commit;
pub mod cosmetic;
pub mod diff;
pub mod loose;
pub mod matching;
pub mod parse;
pub mod patch;
pub mod plan;
pub mod text;
pub mod tolerant;

use std::path::Path;

pub use plan::{BlockFailure, Edit, FileChange, Plan};

use crate::sandbox::paths::Root;

/// What applying a reply's edits did.
#[derive(Debug, Default)]
pub struct ApplyReport {
    /// How many edit blocks the text held.
    pub blocks: usize,
    pub changes: Vec<FileChange>,
    pub notes: Vec<String>,
    /// Non-empty when nothing was written.
    pub failures: Vec<String>,
    /// The edits applied cleanly but the user rejected the change (see [`apply_approved`]).
    pub rejected: bool,
}

impl ApplyReport {
    pub fn applied(&self) -> bool {
        self.blocks > 0 && self.failures.is_empty()
    }

    pub fn diff(&self) -> String {
        diff::unified_all(&self.changes)
    }
}

/// Parse every edit in `text`, in any supported format (auto-detected): SEARCH/REPLACE blocks,
/// `*** Begin Patch` envelopes, unified diffs.
pub fn parse_edits(text: &str) -> Result<Vec<Edit>, parse::ParseError> {
    let mut edits: Vec<Edit> = parse::parse_search_replace(text)?
        .into_iter()
        .map(Edit::Replace)
        .collect();
    if text.contains("*** Begin Patch") {
        let more = patch::parse_apply_patch(text, edits.len() + 1)?;
        edits.extend(more);
    } else if edits.is_empty() && text.lines().any(|l| l.starts_with("@@")) {
        let more = patch::parse_unified_diff(text, edits.len() + 1)?;
        edits.extend(more);
    }
    Ok(edits)
}

/// How far [`apply_edits`] goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Plan only; write nothing.
    DryRun,
    /// Write, and record the change set for `cria undo`.
    Commit,
    /// Write without an undo record (the agent records a whole run at its end).
    CommitUnrecorded,
}

/// Parse, plan and commit (per `mode`) the edits in `text` under `root`.
pub fn apply_text(root: &Root, text: &str, mode: Mode) -> ApplyReport {
    let edits = match parse_edits(text) {
        Ok(e) => e,
        Err(e) => {
            return ApplyReport {
                blocks: 1,
                failures: vec![e.to_string()],
                ..Default::default()
            }
        }
    };
    apply_edits(root, &edits, mode)
}

pub fn apply_edits(root: &Root, edits: &[Edit], mode: Mode) -> ApplyReport {
    apply_edits_guarded(root, edits, mode, &|_, _| Ok(()))
}

/// [`apply_edits`] with a [`plan::Guard`] consulted for every file.
pub fn apply_edits_guarded(
    root: &Root,
    edits: &[Edit],
    mode: Mode,
    guard: plan::Guard<'_>,
) -> ApplyReport {
    let mut report = ApplyReport {
        blocks: edits.len(),
        ..Default::default()
    };
    match plan::plan_guarded(root, edits, guard) {
        Err(failures) => report.failures = failures.iter().map(ToString::to_string).collect(),
        Ok(plan) => {
            if mode != Mode::DryRun {
                let record = mode == Mode::Commit;
                if let Err(e) = commit::commit_with(root.path(), &plan, record, |_| Ok(())) {
                    report.failures.push(e.to_string());
                    return report;
                }
            }
            report.notes = plan.notes;
            report.changes = plan.changes;
        }
    }
    report
}

/// Plan `edits`, show the change's diff to `approve`, and only then write it (without an undo
/// record: the agent records a whole run at its end). A rejection writes nothing and says why.
/// This is the agent's write path, and the agent writes fixes: a change that alters no behaviour
/// (imports added, comments or blank space only; see [`cosmetic`]) is refused unasked.
pub fn apply_approved(
    root: &Root,
    edits: &[Edit],
    guard: plan::Guard<'_>,
    approve: &dyn Fn(&str) -> Result<(), String>,
) -> ApplyReport {
    let planned = apply_edits_guarded(root, edits, Mode::DryRun, guard);
    if !planned.applied() || planned.changes.is_empty() {
        return planned;
    }
    if cosmetic::is_cosmetic(&planned.changes) {
        return ApplyReport {
            blocks: planned.blocks,
            failures: vec![NO_BEHAVIOUR_CHANGE.into()],
            ..Default::default()
        };
    }
    if let Err(why) = approve(&planned.diff()) {
        return ApplyReport {
            blocks: planned.blocks,
            failures: vec![why],
            rejected: true,
            ..Default::default()
        };
    }
    apply_edits_guarded(root, edits, Mode::CommitUnrecorded, guard)
}

/// Why a change that alters no behaviour was refused (the model reads it).
pub const NO_BEHAVIOUR_CHANGE: &str = "that change only adds imports or touches comments or \
blank space, so it cannot change what the code does; nothing was written. Change the line that \
computes the wrong result.";

/// Revert the last change set cria applied under `dir`.
pub fn undo(dir: &Path) -> Result<Vec<String>, commit::CommitError> {
    commit::undo_last(dir)
}
