//! Planning a reply's edits in memory: resolve each block's file, match its SEARCH, and build the
//! complete new contents of every touched file. Nothing is written here; a plan either holds
//! every block or the list of blocks that failed and why.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::matching::{self, Level, MatchError};
use super::parse::SearchReplaceBlock;
use super::text::FileText;
use crate::sandbox::paths::Root;

/// One operation a reply asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    /// SEARCH/REPLACE (an empty SEARCH creates the file).
    Replace(SearchReplaceBlock),
    /// Remove a file (from `*** Delete File:` or a `+++ /dev/null` diff).
    Delete { path: String, index: usize },
    /// Rename a file inside the repository (apply_patch's `*** Move to:`), after any hunks
    /// for it; the destination must not exist.
    Move {
        path: String,
        to: String,
        index: usize,
    },
}

impl Edit {
    pub fn index(&self) -> usize {
        match self {
            Edit::Replace(b) => b.index,
            Edit::Delete { index, .. } | Edit::Move { index, .. } => *index,
        }
    }
    pub fn path(&self) -> &str {
        match self {
            Edit::Replace(b) => &b.path,
            Edit::Delete { path, .. } | Edit::Move { path, .. } => path,
        }
    }
}

/// The planned new state of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub abs: PathBuf,
    /// Repository-relative path with `/` separators.
    pub rel: String,
    /// `None` when the file does not exist yet.
    pub before: Option<Vec<u8>>,
    /// `None` when the file is deleted.
    pub after: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub changes: Vec<FileChange>,
    /// What cria decided on the model's behalf (a resolved path, a fuzzy match, an edit already
    /// present): reported to the user and the model.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockFailure {
    pub block: usize,
    pub path: String,
    pub reason: String,
}

impl std::fmt::Display for BlockFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "block {} ({}): {}", self.block, self.path, self.reason)
    }
}

struct Working {
    abs: PathBuf,
    rel: String,
    before: Option<Vec<u8>>,
    /// The text before this change set (what "already applied" is judged against).
    original: Option<String>,
    text: Option<FileText>,
}

/// Plan `edits` against the files under `root`, in order: a later block sees the result of an
/// earlier one in the same file.
pub fn plan(root: &Root, edits: &[Edit]) -> Result<Plan, Vec<BlockFailure>> {
    plan_guarded(root, edits, &|_, _| Ok(()))
}

/// Decides whether a file (relative path, current bytes if it exists) may be edited; the agent
/// refuses files that changed on disk since the model read them.
pub type Guard<'g> = &'g dyn Fn(&str, Option<&[u8]>) -> Result<(), String>;

/// [`plan`], asking `guard` about every file before it is touched.
pub fn plan_guarded(
    root: &Root,
    edits: &[Edit],
    guard: Guard<'_>,
) -> Result<Plan, Vec<BlockFailure>> {
    let mut files: BTreeMap<PathBuf, Working> = BTreeMap::new();
    let mut order: Vec<PathBuf> = Vec::new();
    let mut notes = Vec::new();
    let mut failures = Vec::new();
    let mut listing: Option<Vec<String>> = None;

    for edit in edits {
        let fail = |reason: String| BlockFailure {
            block: edit.index(),
            path: edit.path().to_string(),
            reason,
        };
        let abs = match locate(root, edit, &files, &mut listing, &mut notes) {
            Ok(abs) => abs,
            Err(reason) => {
                failures.push(fail(reason));
                continue;
            }
        };
        if !files.contains_key(&abs) {
            match load(root, &abs).and_then(|w| guard(&w.rel, w.before.as_deref()).map(|_| w)) {
                Ok(w) => {
                    order.push(abs.clone());
                    files.insert(abs.clone(), w);
                }
                Err(reason) => {
                    failures.push(fail(reason));
                    continue;
                }
            }
        }
        if let Edit::Move { to, .. } = edit {
            match move_file(root, &abs, to, &mut files, guard) {
                Ok(dest) => {
                    if !order.contains(&dest) {
                        order.push(dest);
                    }
                    notes.push(format!("renamed {} to {to}", edit.path()));
                }
                Err(reason) => failures.push(fail(reason)),
            }
            continue;
        }
        let Some(work) = files.get_mut(&abs) else {
            continue;
        };
        if let Err(reason) = apply_one(work, edit, &mut notes) {
            failures.push(fail(reason));
        }
    }
    if !failures.is_empty() {
        return Err(failures);
    }
    let changes = order
        .into_iter()
        .filter_map(|abs| files.remove(&abs))
        .filter_map(|w| {
            let after = w.text.as_ref().map(FileText::encode);
            (after != w.before).then_some(FileChange {
                abs: w.abs,
                rel: w.rel,
                before: w.before,
                after,
            })
        })
        .collect();
    Ok(Plan { changes, notes })
}

/// Move the file at `from` (as planned so far) to the repository path `to`, which must not
/// exist; the destination's planned state is returned by its absolute path.
fn move_file(
    root: &Root,
    from: &Path,
    to: &str,
    files: &mut BTreeMap<PathBuf, Working>,
    guard: Guard<'_>,
) -> Result<PathBuf, String> {
    let dest = root
        .resolve(to)
        .map_err(|e| format!("cannot move to {to}: {e}"))?;
    if dest == from {
        return Ok(dest);
    }
    let taken = match files.get(&dest) {
        Some(w) => w.text.is_some(),
        None => dest.symlink_metadata().is_ok(),
    };
    if taken {
        return Err(format!(
            "cannot move to {to}: it already exists; cria will not overwrite it"
        ));
    }
    let source = files
        .get_mut(from)
        .ok_or("cannot move: the file does not exist")?;
    let text = source
        .text
        .take()
        .ok_or("cannot move: the file does not exist")?;
    let mut target = match files.remove(&dest) {
        Some(w) => w,
        None => {
            let w = load(root, &dest)?;
            guard(&w.rel, w.before.as_deref())?;
            w
        }
    };
    target.text = Some(text);
    files.insert(dest.clone(), target);
    Ok(dest)
}

fn apply_one(work: &mut Working, edit: &Edit, notes: &mut Vec<String>) -> Result<(), String> {
    let block = match edit {
        Edit::Delete { .. } => {
            if work.text.is_none() {
                return Err("cannot delete: the file does not exist".into());
            }
            work.text = None;
            return Ok(());
        }
        // Planned by `move_file`.
        Edit::Move { .. } => return Ok(()),
        Edit::Replace(b) => b,
    };
    let Some(text) = &work.text else {
        if block.search.trim().is_empty() {
            work.text = Some(FileText::new_file(block.replace.clone()));
            return Ok(());
        }
        return Err("the file does not exist; to create it, leave SEARCH empty".into());
    };
    if block.search.trim().is_empty() {
        if text.body.trim().is_empty() || text.body == block.replace {
            work.text = Some(text.with_body(block.replace.clone()));
            return Ok(());
        }
        return Err(
            "SEARCH is empty but the file already exists with other content; \
                    copy the lines to change into SEARCH"
                .into(),
        );
    }
    match matching::replace_anchored(&text.body, &block.search, &block.replace, &block.anchor) {
        Ok(done) => {
            match done.level {
                Level::Exact => {}
                Level::TrailingWhitespace => notes.push(format!(
                    "{}: block {} matched line {} ignoring trailing whitespace",
                    work.rel, block.index, done.line
                )),
                Level::Indentation => notes.push(format!(
                    "{}: block {} matched line {} with different indentation; replacement re-indented",
                    work.rel, block.index, done.line
                )),
                Level::Fragment => notes.push(format!(
                    "{}: block {} matched part of line {}",
                    work.rel, block.index, done.line
                )),
                Level::Punctuation => notes.push(format!(
                    "{}: block {} matched line {} only approximately (typographic dashes or \
                     quotes read as ASCII); the file's own characters were kept where unchanged",
                    work.rel, block.index, done.line
                )),
            }
            work.text = Some(text.with_body(done.body));
            Ok(())
        }
        Err(MatchError::Ambiguous { lines }) => Err(format!(
            "SEARCH matches {} places (lines {}) and nothing in the edit tells them apart; \
             include more surrounding lines so it matches exactly one",
            lines.len(),
            join(&lines)
        )),
        Err(MatchError::NotFound) => {
            // Already applied only if the REPLACE text was there before this change set, not
            // because an earlier block of the same reply wrote it.
            let was_there = work
                .original
                .as_deref()
                .is_some_and(|before| matching::contains(before, &block.replace));
            if block.replace.trim() != block.search.trim() && was_there {
                notes.push(format!(
                    "{}: block {} is already applied (REPLACE text present); file untouched",
                    work.rel, block.index
                ));
                return Ok(());
            }
            let hint = matching::closest(&text.body, &block.search);
            let mut msg = "SEARCH does not match the file".to_string();
            if !hint.is_empty() {
                msg.push_str("; the closest lines in the file are:\n");
                msg.push_str(&hint);
                msg.push_str("Copy the SEARCH lines exactly from the file.");
            }
            Err(msg)
        }
    }
}

fn join(lines: &[usize]) -> String {
    lines
        .iter()
        .map(usize::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The absolute path an edit applies to, resolving a path that does not exist when the answer
/// is unambiguous.
fn locate(
    root: &Root,
    edit: &Edit,
    files: &BTreeMap<PathBuf, Working>,
    listing: &mut Option<Vec<String>>,
    notes: &mut Vec<String>,
) -> Result<PathBuf, String> {
    let search = match edit {
        Edit::Replace(b) if !b.search.trim().is_empty() => Some(b.search.as_str()),
        _ => None,
    };
    if !edit.path().trim().is_empty() {
        let abs = root.resolve(edit.path()).map_err(|e| e.to_string())?;
        let known = files.get(&abs).map(|w| w.text.is_some());
        let exists = known.unwrap_or_else(|| abs.symlink_metadata().is_ok());
        if exists || search.is_none() {
            return Ok(abs);
        }
    } else if search.is_none() {
        return Err(
            "no file path before `<<<<<<< SEARCH`; put the file's path on the line above \
                    the block"
                .into(),
        );
    }
    let all = listing.get_or_insert_with(|| crate::context::scan::list_files(root.path()));
    let wanted = edit.path().trim_start_matches("./").replace('\\', "/");
    let parts: Vec<&str> = wanted.split('/').filter(|p| !p.is_empty()).collect();
    for skip in 0..parts.len() {
        let suffix = parts.get(skip..).unwrap_or_default().join("/");
        let hits: Vec<&String> = all
            .iter()
            .filter(|f| *f == &suffix || f.ends_with(&format!("/{suffix}")))
            .collect();
        if let [hit] = hits.as_slice() {
            notes.push(format!("`{}` does not exist; used `{hit}`", edit.path()));
            return root.resolve(hit).map_err(|e| e.to_string());
        }
        if hits.len() > 1 {
            break;
        }
    }
    if let Some(search) = search {
        let holders: Vec<&String> = all
            .iter()
            .filter(|f| {
                crate::sandbox::beneath::read(root.path(), f)
                    .ok()
                    .and_then(|b| FileText::decode(&b).ok())
                    .is_some_and(|t| matching::replace_unique(&t.body, search, "").is_ok())
            })
            .collect();
        if let [holder] = holders.as_slice() {
            let named = if edit.path().trim().is_empty() {
                "no path was given".to_string()
            } else {
                format!("`{}` does not exist", edit.path())
            };
            notes.push(format!(
                "{named}; used `{holder}`, the one file containing the SEARCH text"
            ));
            return root.resolve(holder).map_err(|e| e.to_string());
        }
        if edit.path().trim().is_empty() {
            return Err(format!(
                "no file path before `<<<<<<< SEARCH`, and the SEARCH text is in {} files; put \
                 the file's path on the line above the block",
                if holders.is_empty() {
                    "no".to_string()
                } else {
                    holders.len().to_string()
                }
            ));
        }
    }
    Err(
        "the file does not exist; use a path from the repository (or leave SEARCH empty to \
         create a new file)"
            .into(),
    )
}

fn load(root: &Root, abs: &Path) -> Result<Working, String> {
    let rel = root.display(abs);
    let meta = match abs.symlink_metadata() {
        Ok(m) => m,
        Err(_) => {
            return Ok(Working {
                abs: abs.to_path_buf(),
                rel,
                before: None,
                original: None,
                text: None,
            })
        }
    };
    if meta.is_dir() {
        return Err("is a directory, not a file".into());
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.is_file() && meta.nlink() > 1 {
            return Err("is a hard link shared with another path; cria will not edit it".into());
        }
    }
    // Regular files only, and no link followed on the way (a FIFO would block forever).
    let bytes = crate::sandbox::beneath::read(root.path(), &rel)
        .map_err(|e| format!("cannot read: {e}"))?;
    let text = FileText::decode(&bytes).map_err(|e| format!("{e}; cria only edits text files"))?;
    Ok(Working {
        abs: abs.to_path_buf(),
        rel,
        before: Some(bytes),
        original: Some(text.body.clone()),
        text: Some(text),
    })
}
