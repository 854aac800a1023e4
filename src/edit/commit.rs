//! Writing a plan to disk so that every file ends up entirely old or entirely new.
//!
//! Each file is written to a temporary file in its own directory, fsynced, given the old file's
//! mode, renamed over the original, and the directory fsynced — through
//! [`crate::sandbox::beneath`], which walks the path again at that moment and never follows a
//! symlink that sandboxed code may have planted since. A change set spanning several files is
//! first recorded in a journal (the old contents) in cria's state directory; if the process dies
//! midway, the next [`recover`] puts every file back (except one changed by hand since, which it
//! keeps and reports) and drops the journal. One writer at a time: a commit, a recovery and an
//! undo hold the repository's lock, so a second cria waits instead of rolling back the first's
//! change half-way. After a successful commit an undo record is saved for `cria undo`.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::plan::{FileChange, Plan};
use crate::sandbox::beneath;
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

/// Write (or remove) the repository file `rel` without following any link on its path.
fn put(root: &Path, rel: &str, content: Option<&[u8]>) -> io::Result<()> {
    match content {
        Some(bytes) => beneath::write(root, rel, bytes),
        None => beneath::remove(root, rel),
    }
}

/// The repository's writer lock (an advisory `flock` on a file in its state folder), held until
/// dropped. A second cria blocks here until the first is done, after saying so.
pub struct WriterLock {
    _held: fs::File,
}

impl WriterLock {
    pub fn acquire(root: &Path) -> io::Result<WriterLock> {
        let dir = state::repo_state_dir(root);
        fs::create_dir_all(&dir)?;
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(dir.join("writer.lock"))?;
        use std::os::fd::AsRawFd;
        // SAFETY: flock on a file we own.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            let holder = fs::read_to_string(dir.join("writer.pid")).unwrap_or_default();
            eprintln!(
                "cria: another cria (pid {}) is writing {}; waiting for it",
                holder.trim(),
                root.display()
            );
            // SAFETY: as above; blocks until the other process releases it.
            if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
                return Err(io::Error::last_os_error());
            }
        }
        let _ = fs::write(dir.join("writer.pid"), std::process::id().to_string());
        Ok(WriterLock { _held: file })
    }
}

/// Commit `plan` under `root`. `between` runs before each file is written (fault injection in
/// tests; `|_| Ok(())` otherwise).
pub fn commit_with(
    root: &Path,
    plan: &Plan,
    record_undo: bool,
    between: impl FnMut(usize) -> io::Result<()>,
) -> Result<(), CommitError> {
    let _lock = WriterLock::acquire(root).map_err(CommitError::State)?;
    commit_locked(root, plan, record_undo, between)
}

/// [`commit_with`] for a caller that holds the writer lock.
fn commit_locked(
    root: &Path,
    plan: &Plan,
    record_undo: bool,
    mut between: impl FnMut(usize) -> io::Result<()>,
) -> Result<(), CommitError> {
    recover_locked(root).map_err(CommitError::State)?;
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
        let result = between(i).and_then(|_| put(root, &change.rel, change.after.as_deref()));
        if let Err(source) = result {
            let _ = recover_locked(root);
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

/// A fresh id for an undo record.
pub fn undo_id() -> String {
    new_id()
}

/// Record `changes` (already on disk) as the undoable change set `id`, replacing what was
/// recorded under that id before (no changes: no record). An agent run commits many small steps
/// without records and keeps one record of the whole run up to date after each of them, so a
/// run that dies midway can still be undone.
pub fn record_undo(root: &Path, id: &str, changes: &[FileChange]) -> Result<(), CommitError> {
    if changes.is_empty() {
        let _ = fs::remove_file(undo_dir(root).join(format!("{id}.json")));
        return Ok(());
    }
    save_undo(
        root,
        &Record {
            id: id.to_string(),
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

/// What [`recover`] did with an interrupted change set.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Recovered {
    /// Files put back as they were before the interrupted change.
    pub restored: Vec<String>,
    /// Files changed by someone since the crash (neither old nor new): kept as they are.
    pub kept: Vec<String>,
}

/// Roll back a change set interrupted by a crash; `None` when there was none.
pub fn recover(root: &Path) -> io::Result<Option<Recovered>> {
    let _lock = WriterLock::acquire(root)?;
    recover_locked(root)
}

fn recover_locked(root: &Path) -> io::Result<Option<Recovered>> {
    let journal = journal_path(root);
    let Ok(bytes) = fs::read(&journal) else {
        return Ok(None);
    };
    let mut done = Recovered::default();
    if let Ok(record) = serde_json::from_slice::<Record>(&bytes) {
        for e in &record.entries {
            let now = beneath::read(root, &e.rel).ok();
            let now = now.as_deref();
            let before = e.before.as_deref().map(str::as_bytes);
            let after = e.after.as_deref().map(str::as_bytes);
            if now == before {
                continue;
            }
            if now != after {
                done.kept.push(e.rel.clone());
                continue;
            }
            put(root, &e.rel, before)?;
            done.restored.push(e.rel.clone());
        }
    }
    fs::remove_file(&journal)?;
    Ok(Some(done))
}

/// Recover before a command reads or writes the repository, and say what happened on stderr.
pub fn recover_and_report(root: &Path) {
    match recover(root) {
        Ok(Some(r)) => {
            eprintln!("cria: an earlier change set was interrupted; it was rolled back");
            for f in &r.restored {
                eprintln!("  restored {f}");
            }
            for f in &r.kept {
                eprintln!("  kept {f}: it changed after the interruption (check it yourself)");
            }
        }
        Ok(None) => {}
        Err(e) => eprintln!("cria: could not recover an interrupted change set: {e}"),
    }
}

/// Revert the most recent change set under `root`; returns the files restored.
pub fn undo_last(root: &Path) -> Result<Vec<String>, CommitError> {
    let _lock = WriterLock::acquire(root).map_err(CommitError::State)?;
    recover_locked(root).map_err(CommitError::State)?;
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
        let now = beneath::read(root, &e.rel).ok();
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
    commit_locked(root, &reverse, false, |_| Ok(()))?;
    fs::remove_file(&path).map_err(CommitError::State)?;
    Ok(record.entries.into_iter().map(|e| e.rel).collect())
}
