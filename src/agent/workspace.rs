//! The files an agent run has changed: their original contents (for the final diff, for
//! reverting an attempt that did not help, and for one undo record of the whole run).

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::edit::commit;
use crate::edit::{diff, FileChange, Plan};
use crate::sandbox::beneath;
use crate::sandbox::paths::Root;

#[derive(Debug, Default)]
pub struct Workspace {
    /// rel path → (abs path, content before cria's first change).
    originals: BTreeMap<String, (PathBuf, Option<Vec<u8>>)>,
    /// rel path → hash of the content the model last saw (shown, read, or written by cria).
    seen: BTreeMap<String, u64>,
    /// The id of this run's undo record (made on the first save).
    undo_id: Option<String>,
}

fn digest(bytes: Option<&[u8]>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

impl Workspace {
    pub fn remember(&mut self, changes: &[FileChange]) {
        for c in changes {
            self.originals
                .entry(c.rel.clone())
                .or_insert_with(|| (c.abs.clone(), c.before.clone()));
            self.saw(&c.rel, c.after.as_deref());
        }
    }

    /// The model has seen `rel` with these contents.
    pub fn saw(&mut self, rel: &str, bytes: Option<&[u8]>) {
        self.seen.insert(rel.to_string(), digest(bytes));
    }

    /// Files the model has seen (shown, read, or written by cria): where plain code blocks are
    /// anchored.
    pub fn seen_paths(&self) -> impl Iterator<Item = &str> {
        self.seen.keys().map(String::as_str)
    }

    /// Refuse to edit a file that changed on disk since the model saw it (someone else edited
    /// it meanwhile: the model's edit would be based on stale text).
    pub fn check(&self, rel: &str, now: Option<&[u8]>) -> Result<(), String> {
        match self.seen.get(rel) {
            Some(h) if *h != digest(now) => Err(format!(
                "{rel} changed on disk since the model read it; read it again before editing"
            )),
            _ => Ok(()),
        }
    }

    /// Every changed file as original → now. A file is read through no link and only if
    /// regular: a test run may have put a link or a pipe in its place.
    pub fn changes(&self, root: &Root) -> Vec<FileChange> {
        self.originals
            .iter()
            .filter_map(|(rel, (abs, before))| {
                let now = beneath::read(root.path(), rel).ok();
                (now != *before).then(|| FileChange {
                    abs: abs.clone(),
                    rel: rel.clone(),
                    before: before.clone(),
                    after: now,
                })
            })
            .collect()
    }

    /// The files cria changed, as they are now: two equal states are the same change.
    pub fn state(&self, root: &Root) -> Vec<(String, Option<Vec<u8>>)> {
        self.changes(root)
            .into_iter()
            .map(|c| (c.rel, c.after))
            .collect()
    }

    pub fn diff(&self, root: &Root) -> String {
        diff::unified_all(&self.changes(root))
    }

    /// Put back the files `changes` touched as they were before those changes.
    pub fn revert(
        &mut self,
        root: &Root,
        changes: &[FileChange],
    ) -> Result<(), commit::CommitError> {
        let reverse = Plan {
            changes: changes
                .iter()
                .map(|c| FileChange {
                    abs: c.abs.clone(),
                    rel: c.rel.clone(),
                    before: c.after.clone(),
                    after: c.before.clone(),
                })
                .collect(),
            notes: Vec::new(),
        };
        commit::commit_with(root.path(), &reverse, false, |_| Ok(()))?;
        for c in changes {
            self.saw(&c.rel, c.before.as_deref());
        }
        self.record(root)
    }

    /// Record the whole run so far as one change set for `cria undo` (kept up to date after
    /// every applied or reverted attempt).
    pub fn record(&mut self, root: &Root) -> Result<(), commit::CommitError> {
        let id = self.undo_id.get_or_insert_with(commit::undo_id).clone();
        commit::record_undo(root.path(), &id, &self.changes(root))
    }
}
