//! Writing a plan to disk so that every file ends up entirely old or entirely new.
//!
//! Each file is written to a temporary file in its own directory, fsynced, given the old file's
//! mode, renamed over the original, and the directory fsynced. A change set spanning several
//! files is first recorded in a journal (the old contents) in cria's state directory; if the
//! process dies midway, the next [`recover`] puts every file back and drops the journal.
//! After a successful commit an undo record is saved for `cria undo`.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::plan::{FileChange, Plan};
use crate::state;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    abs: PathBuf,
    rel: String,
    before: Option<String>,
    after: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    id: String,
    entries: Vec<Entry>,
}

#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    #[error("writing {path}: {source}; every file was restored")]
    Write { path: String, source: io::Error },
    #[error("cria's state directory: {0}")]
    State(io::Error),
    #[error("nothing to undo")]
    NothingToUndo,
    #[error("{0} changed since cria edited it; undo refused, nothing was written")]
    ChangedSince(String),
}

fn journal_path(root: &Path) -> PathBuf {
    state::repo_state_dir(root).join("journal.json")
}

fn undo_dir(root: &Path) -> PathBuf {
    state::repo_state_dir(root).join("undo")
}

fn text(bytes: &Option<Vec<u8>>) -> Option<String> {
    bytes
        .as_ref()
        .map(|b| String::from_utf8_lossy(b).into_owned())
}

/// Write `bytes` to `path` atomically, keeping `path`'s mode if it exists.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| io::Error::other("path has no parent"))?;
    fs::create_dir_all(dir)?;
    let mode = fs::metadata(path).ok().map(|m| m.permissions());
    let mut tmp = tempfile::Builder::new().prefix(".cria-").tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    if let Some(mode) = mode {
        fs::set_permissions(tmp.path(), mode)?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir);
    Ok(())
}

fn sync_dir(dir: &Path) {
    // Directory fsync makes the rename durable; not every filesystem supports it.
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

fn put(abs: &Path, content: Option<&[u8]>) -> io::Result<()> {
    match content {
        Some(bytes) => write_atomic(abs, bytes),
        None => match fs::remove_file(abs) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => {
                if let Some(dir) = abs.parent() {
                    sync_dir(dir);
                }
                Ok(())
            }
        },
    }
}

/// Commit `plan` under `root`. `between` runs before each file is written (fault injection in
/// tests; `|_| Ok(())` otherwise).
pub fn commit_with(
    root: &Path,
    plan: &Plan,
    record_undo: bool,
    mut between: impl FnMut(usize) -> io::Result<()>,
) -> Result<(), CommitError> {
    recover(root).map_err(CommitError::State)?;
    if plan.changes.is_empty() {
        return Ok(());
    }
    let record = Record {
        id: new_id(),
        entries: plan.changes.iter().map(entry).collect(),
    };
    let journal = journal_path(root);
    let json = serde_json::to_vec(&record).map_err(|e| CommitError::State(e.into()))?;
    write_atomic(&journal, &json).map_err(CommitError::State)?;
    for (i, change) in plan.changes.iter().enumerate() {
        let result = between(i).and_then(|_| put(&change.abs, change.after.as_deref()));
        if let Err(source) = result {
            let _ = recover(root);
            return Err(CommitError::Write {
                path: change.rel.clone(),
                source,
            });
        }
    }
    if record_undo {
        save_undo(root, &record)?;
    }
    fs::remove_file(&journal).map_err(CommitError::State)?;
    Ok(())
}

/// Commit `plan` and record it for `cria undo`.
pub fn commit(root: &Path, plan: &Plan) -> Result<(), CommitError> {
    commit_with(root, plan, true, |_| Ok(()))
}

fn new_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{nanos:024}")
}

fn save_undo(root: &Path, record: &Record) -> Result<(), CommitError> {
    let json = serde_json::to_vec(record).map_err(|e| CommitError::State(e.into()))?;
    let undo = undo_dir(root).join(format!("{}.json", record.id));
    write_atomic(&undo, &json).map_err(CommitError::State)
}

/// Record `changes` (already on disk) as one undoable change set: an agent run commits many
/// small steps without records and saves the whole run at the end.
pub fn record_undo(root: &Path, changes: &[FileChange]) -> Result<(), CommitError> {
    if changes.is_empty() {
        return Ok(());
    }
    save_undo(
        root,
        &Record {
            id: new_id(),
            entries: changes.iter().map(entry).collect(),
        },
    )
}

fn entry(c: &FileChange) -> Entry {
    Entry {
        abs: c.abs.clone(),
        rel: c.rel.clone(),
        before: text(&c.before),
        after: text(&c.after),
    }
}

/// Roll back a change set interrupted by a crash. Returns whether anything was rolled back.
pub fn recover(root: &Path) -> io::Result<bool> {
    let journal = journal_path(root);
    let Ok(bytes) = fs::read(&journal) else {
        return Ok(false);
    };
    if let Ok(record) = serde_json::from_slice::<Record>(&bytes) {
        for e in &record.entries {
            put(&e.abs, e.before.as_deref().map(str::as_bytes))?;
        }
    }
    fs::remove_file(&journal)?;
    Ok(true)
}

/// Revert the most recent change set under `root`; returns the files restored.
pub fn undo_last(root: &Path) -> Result<Vec<String>, CommitError> {
    recover(root).map_err(CommitError::State)?;
    let dir = undo_dir(root);
    let mut records: Vec<PathBuf> = fs::read_dir(&dir)
        .map(|it| it.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    records.retain(|p| p.extension().is_some_and(|e| e == "json"));
    records.sort();
    let path = records.pop().ok_or(CommitError::NothingToUndo)?;
    let bytes = fs::read(&path).map_err(CommitError::State)?;
    let record: Record =
        serde_json::from_slice(&bytes).map_err(|e| CommitError::State(e.into()))?;
    for e in &record.entries {
        let now = fs::read(&e.abs).ok();
        if now.as_deref() != e.after.as_deref().map(str::as_bytes) {
            return Err(CommitError::ChangedSince(e.rel.clone()));
        }
    }
    let reverse = Plan {
        changes: record
            .entries
            .iter()
            .map(|e| FileChange {
                abs: e.abs.clone(),
                rel: e.rel.clone(),
                before: e.after.clone().map(String::into_bytes),
                after: e.before.clone().map(String::into_bytes),
            })
            .collect(),
        notes: Vec::new(),
    };
    commit_with(root, &reverse, false, |_| Ok(()))?;
    fs::remove_file(&path).map_err(CommitError::State)?;
    Ok(record.entries.into_iter().map(|e| e.rel).collect())
}
