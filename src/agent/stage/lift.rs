//! A model's change that passes the tests by special-casing a table's key where the table is
//! read (see [`crate::agent::lift`]) fixes the report's cases and leaves the table wrong for
//! every other reader. Before it is accepted, the table's entry set to the special case's value
//! is tried in its place, alone: kept when the tests pass with it, as the smaller change at the
//! cause; otherwise the model's change is put back as it was.

use super::mutate::line_edit;
use crate::agent::lift;
use crate::agent::run::Run;
use crate::context::localize::is_test_path;
use crate::edit;
use crate::protocol::{Event, StopReason};
use crate::testcmd;

/// Files larger than this are no table worth reading through.
const LARGEST: usize = 256 * 1024;

impl Run<'_> {
    /// `changes` (the model's, with which the tests pass) special-case a table's key: try the
    /// table's entry instead (see the module doc). Afterwards the tests pass with whichever
    /// change stands; `Err` when the model's change could not be put back.
    pub(in crate::agent) fn lift_special_case(
        &mut self,
        changes: &[edit::FileChange],
        cmd: &str,
    ) -> Result<(), StopReason> {
        if changes.iter().any(|c| is_test_path(&c.rel)) {
            return Ok(());
        }
        let (added, removed) = changed_lines(changes);
        let added: Vec<&str> = added.iter().map(String::as_str).collect();
        let removed: Vec<&str> = removed.iter().map(String::as_str).collect();
        // Most changes compare with nothing new: the project's files are read only for one
        // that does, once, as they were before it (as they are once it is taken out).
        if lift::keys(&added, &removed).is_empty() {
            return Ok(());
        }
        let candidates = lift::entries(&added, &removed, &self.code_files(changes));
        if candidates.is_empty() {
            return Ok(());
        }
        let passing = self.report.tests_after.clone();
        self.revert(changes)?;
        let limit = self.test_limit();
        for lifted in candidates {
            if self.past_deadline() || self.cfg.cancel.requested() {
                break;
            }
            let (path, line) = (lifted.edit.path.clone(), lifted.edit.line);
            let report = self.apply(&[line_edit(lifted.edit)]);
            if !report.applied() {
                continue;
            }
            self.work.remember(&report.changes);
            let run = testcmd::run(&self.cfg.runner, cmd, self.cfg.root.path(), limit);
            if run.passed {
                self.status(format!(
                    "the change special-cased `{}`; its entry at {path}:{line} set to `{}` \
                     passes the tests alone: kept in its place",
                    lifted.key, lifted.value
                ));
                self.emit(Event::EditApplied {
                    changes: crate::agent::report::reported(&report.changes),
                    notes: Vec::new(),
                });
                self.emit(Event::TestsRun { run: run.clone() });
                self.report.tests_after = Some(run);
                self.record_undo();
                return Ok(());
            }
            self.revert(&report.changes)?;
        }
        self.put_back(changes)
            .map_err(|e| StopReason::RevertFailed {
                why: format!("putting the change back after trying its table entries: {e}"),
            })?;
        self.record_undo();
        self.report.tests_after = passing;
        Ok(())
    }

    /// The project's code files (not tests) as text, each of `changes` as it was before them.
    fn code_files(&self, changes: &[edit::FileChange]) -> Vec<(String, String)> {
        let code = |p: &str| {
            matches!(
                crate::agent::prompt::fence_lang(p),
                "python" | "rust" | "javascript" | "typescript" | "go"
            ) && !is_test_path(p)
        };
        crate::context::scan::list_files(self.cfg.root.path())
            .into_iter()
            .filter(|p| code(p))
            .filter_map(|p| {
                let text = match changes.iter().find(|c| c.rel == p) {
                    Some(c) => String::from_utf8(c.before.clone()?).ok()?,
                    None => self.current_text(&p)?,
                };
                (text.len() <= LARGEST).then_some((p, text))
            })
            .collect()
    }
}

/// The lines `changes` add and take out, file by file (a line that only moved counts as
/// neither).
fn changed_lines(changes: &[edit::FileChange]) -> (Vec<String>, Vec<String>) {
    let text = |b: &Option<Vec<u8>>| {
        String::from_utf8_lossy(b.as_deref().unwrap_or_default()).into_owned()
    };
    let (mut added, mut removed) = (Vec::new(), Vec::new());
    for c in changes {
        let (before, after) = (text(&c.before), text(&c.after));
        let old: std::collections::HashSet<&str> = before.lines().collect();
        let new: std::collections::HashSet<&str> = after.lines().collect();
        added.extend(after.lines().filter(|l| !old.contains(l)).map(String::from));
        removed.extend(
            before
                .lines()
                .filter(|l| !new.contains(l))
                .map(String::from),
        );
    }
    (added, removed)
}
