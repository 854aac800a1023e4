//! Committing a verified fix, the way Aider users like it: only the files cria changed, with a
//! message written from the issue and the diff, on the current branch or a new one — and never
//! over changes the user had not committed in those files.
//!
//! git runs as the user (cria's own step, not the model's), with the repository's commit hooks
//! skipped (`--no-verify`): a hook is code from the repository, and the change was already
//! verified by its tests.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// Why nothing was committed.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("not a git repository (or git is missing): {0}")]
    NotARepository(String),
    #[error(
        "{} had uncommitted changes before cria ran; commit or stash them, then commit cria's \
         change yourself",
        .0.join(", ")
    )]
    DirtyBefore(Vec<String>),
    #[error("git {command}: {why}")]
    Failed { command: String, why: String },
}

/// What was committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    pub commit: String,
    pub branch: String,
    pub subject: String,
}

fn git(root: &Path, args: &[&str]) -> Result<String, GitError> {
    git_with_index(root, args, None)
}

/// `git` with its index file replaced by `index` when given (plumbing that must not touch the
/// user's own index).
fn git_with_index(root: &Path, args: &[&str], index: Option<&Path>) -> Result<String, GitError> {
    let mut command = Command::new("git");
    if let Some(index) = index {
        command.env("GIT_INDEX_FILE", index);
    }
    let out = command
        .arg("-C")
        .arg(root)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .map_err(|e| GitError::NotARepository(e.to_string()))?;
    if !out.status.success() {
        return Err(GitError::Failed {
            command: args.first().copied().unwrap_or_default().to_string(),
            why: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn top_level(root: &Path) -> Result<std::path::PathBuf, GitError> {
    let top = git(root, &["rev-parse", "--show-toplevel"])
        .map_err(|e| GitError::NotARepository(e.to_string()))?;
    Ok(std::path::PathBuf::from(top.trim()))
}

/// The files with changes git has not committed (staged or not, untracked too), relative to
/// the repository's top level; taken before the run so cria's own changes can be told apart.
pub fn dirty_files(root: &Path) -> Result<BTreeSet<String>, GitError> {
    let top = top_level(root)?;
    let out = git(
        &top,
        &["status", "--porcelain=v1", "-z", "--untracked-files=all"],
    )?;
    let mut files = BTreeSet::new();
    let mut entries = out.split('\0');
    while let Some(entry) = entries.next() {
        let (status, path) = (entry.get(..2).unwrap_or(""), entry.get(3..).unwrap_or(""));
        if !path.is_empty() {
            files.insert(path.to_string());
        }
        // A rename's entry is followed by its old path.
        if status.starts_with('R') || status.starts_with('C') {
            if let Some(old) = entries.next() {
                files.insert(old.to_string());
            }
        }
    }
    Ok(files)
}

/// A commit message: a conventional subject from the issue's first line, the issue in the
/// body, the files, and how the change was verified.
pub fn message(issue: &str, files: &[String], verified: &str, model: &str) -> (String, String) {
    let first = issue
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("a reported bug")
        .trim_start_matches('#')
        .trim();
    let mut subject: String = first.chars().take(64).collect();
    if subject.len() < first.len() {
        subject = subject
            .rsplit_once(' ')
            .map_or(subject.clone(), |(head, _)| head.to_string());
        subject.push('…');
    }
    let subject = format!("fix: {}", lowercase_first(subject.trim_end_matches('.')));
    let body = format!(
        "{}\n\nChanged: {}\nVerified: {verified}\n\nGenerated-by: cria ({model})",
        issue.trim(),
        files.join(", "),
    );
    (subject, body)
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        // Keep acronyms and names: only a capital followed by a lowercase letter is lowered.
        Some(c) if c.is_uppercase() && chars.clone().next().is_some_and(char::is_lowercase) => {
            c.to_lowercase().chain(chars).collect()
        }
        _ => s.to_string(),
    }
}

/// Commit `files` (repository-relative, cria's changes) alone, on a new branch `branch` when
/// given. `dirty_before` is [`dirty_files`] from before the run: a file in both is refused.
pub fn commit(
    root: &Path,
    files: &[String],
    dirty_before: &BTreeSet<String>,
    (subject, body): (&str, &str),
    branch: Option<&str>,
) -> Result<Committed, GitError> {
    let top = top_level(root)?;
    let top = top.as_path();
    // cria's paths are relative to `root`; git's to the top level.
    let prefix = git(root, &["rev-parse", "--show-prefix"])?;
    let paths: Vec<String> = files
        .iter()
        .map(|f| format!("{}{f}", prefix.trim()))
        .collect();
    let clash: Vec<String> = paths
        .iter()
        .filter(|p| dirty_before.contains(*p))
        .cloned()
        .collect();
    if !clash.is_empty() {
        return Err(GitError::DirtyBefore(clash));
    }
    if let Some(name) = branch {
        git(top, &["switch", "--create", name])?;
    }
    let mut add = vec!["add", "--"];
    add.extend(paths.iter().map(String::as_str));
    git(top, &add)?;
    let message = format!("{subject}\n\n{body}");
    let mut commit = vec![
        "commit",
        "--no-verify",
        "--only",
        "--message",
        &message,
        "--",
    ];
    commit.extend(paths.iter().map(String::as_str));
    git(top, &commit)?;
    let hash = git(top, &["rev-parse", "--short", "HEAD"])?;
    let branch = git(top, &["rev-parse", "--abbrev-ref", "HEAD"])?;
    Ok(Committed {
        commit: hash.trim().to_string(),
        branch: branch.trim().to_string(),
        subject: subject.to_string(),
    })
}

/// Write a new branch `name` in the repository at `root`: its HEAD with `files` (relative to
/// `root`) as they are in `work` (a missing file is deleted), committed with `message`. Plumbing
/// only, with an index of its own: the user's working tree, index and current branch are not
/// touched. Refused when the branch exists or one of the files had uncommitted changes (its
/// working-tree state would otherwise be committed as if cria wrote it).
pub fn branch_from(
    root: &Path,
    name: &str,
    work: &Path,
    files: &[String],
    (subject, body): (&str, &str),
) -> Result<String, GitError> {
    let top = top_level(root)?;
    let top = top.as_path();
    let prefix = git(root, &["rev-parse", "--show-prefix"])?;
    let prefix = prefix.trim();
    let dirty = dirty_files(root)?;
    let clash: Vec<String> = files
        .iter()
        .map(|f| format!("{prefix}{f}"))
        .filter(|p| dirty.contains(p))
        .collect();
    if !clash.is_empty() {
        return Err(GitError::DirtyBefore(clash));
    }
    git(top, &["check-ref-format", "--branch", name])?;
    let reference = format!("refs/heads/{name}");
    if git(top, &["rev-parse", "--verify", "--quiet", &reference]).is_ok() {
        return Err(GitError::Failed {
            command: "branch".into(),
            why: format!("a branch `{name}` exists already"),
        });
    }
    let head = git(top, &["rev-parse", "HEAD"])?;
    let head = head.trim();
    let scratch = tempfile::tempdir().map_err(|e| GitError::Failed {
        command: "index".into(),
        why: e.to_string(),
    })?;
    let index = scratch.path().join("index");
    let with_index = |args: &[&str]| git_with_index(top, args, Some(&index));
    with_index(&["read-tree", head])?;
    for rel in files {
        let path = format!("{prefix}{rel}");
        let file = work.join(rel);
        if !file.is_file() {
            with_index(&["update-index", "--force-remove", "--", &path])?;
            continue;
        }
        let file_arg = file.to_string_lossy();
        let blob = with_index(&["hash-object", "-w", "--path", &path, "--", &file_arg])?;
        let mode = if is_executable(&file) {
            "100755"
        } else {
            "100644"
        };
        let info = format!("{mode},{},{path}", blob.trim());
        with_index(&["update-index", "--add", "--cacheinfo", &info])?;
    }
    let tree = with_index(&["write-tree"])?;
    let message = format!("{subject}\n\n{body}");
    let commit = with_index(&["commit-tree", tree.trim(), "-p", head, "-m", &message])?;
    let commit = commit.trim();
    // The zero old value makes this a creation: it fails if the branch appeared meanwhile.
    git(
        top,
        &[
            "update-ref",
            &reference,
            commit,
            "0000000000000000000000000000000000000000",
        ],
    )?;
    Ok(commit.get(..12).unwrap_or(commit).to_string())
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

#[cfg(test)]
#[path = "git_tests.rs"]
mod tests;
