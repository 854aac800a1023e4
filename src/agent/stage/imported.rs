//! A candidate that fails for an import its file lacks ([`crate::agent::imports`]): the import
//! added to it, and the candidate judged again as one change.

use crate::agent::imports;
use crate::agent::report::reported;
use crate::agent::run::Run;
use crate::edit::{self, parse::SearchReplaceBlock};
use crate::protocol::{Event, TestRun};

impl Run<'_> {
    /// When `run` (the tests with the candidate `changes` applied) fails on a name a changed
    /// file uses without importing it, and did not fail so before: that file's change made
    /// again with the import in it (one change to approve: an import alone changes nothing),
    /// the tests run again, and the candidate's changes with it. `None` when there is no such
    /// import to add, or it could not be added (the candidate is then as it was).
    pub(super) fn import_forgotten(
        &mut self,
        run: &TestRun,
        changes: &[edit::FileChange],
        cmd: &str,
    ) -> Option<(TestRun, Vec<edit::FileChange>)> {
        let changed: Vec<(String, String)> = (changes.iter())
            .filter_map(|c| Some((c.rel.clone(), self.current_text(&c.rel)?)))
            .collect();
        let baseline = &self.attempts.baseline_output;
        let files = || self.source_files();
        let (path, line) = imports::forgotten(&run.output, baseline, &changed, files)?;
        let text = &changed.iter().find(|(p, _)| *p == path)?.1;
        let replace = imports::with_import(&path, text, &line)?;
        let change = changes.iter().find(|c| c.rel == path)?.clone();
        self.revert(std::slice::from_ref(&change)).ok()?;
        let report = match self.current_text(&path) {
            Some(search) => self.apply(&[edit::Edit::Replace(SearchReplaceBlock {
                path: path.clone(),
                search,
                replace,
                index: 1,
                ..Default::default()
            })]),
            None => edit::ApplyReport::default(),
        };
        if !report.applied() {
            // The candidate as it was, to be judged on the run it had.
            self.put_back(std::slice::from_ref(&change)).ok()?;
            return None;
        }
        self.work.remember(&report.changes);
        self.record_undo();
        self.status(format!(
            "the change uses a name {path} does not import: adding `{line}`"
        ));
        self.emit(Event::EditApplied {
            changes: reported(&report.changes),
            notes: vec![format!("the same change to {path}, with `{line}` added")],
        });
        let run = self.run_tests(cmd);
        Some((run, merged(changes, report.changes)))
    }
}

/// `first` with the files `then` changed anew since they were undone: a file in both goes from
/// `first`'s before to `then`'s after.
fn merged(first: &[edit::FileChange], then: Vec<edit::FileChange>) -> Vec<edit::FileChange> {
    let mut out = first.to_vec();
    for change in then {
        match out.iter_mut().find(|c| c.rel == change.rel) {
            Some(c) => c.after = change.after,
            None => out.push(change),
        }
    }
    out
}
