//! Saved sessions, for `cria --resume`: the transcript, the input history, the session's earlier
//! requests and its change sets, written (atomically) after every step to the repository's
//! state folder — never into the repository.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::cells::Cell;

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Saved {
    pub cells: Vec<Cell>,
    pub history: Vec<String>,
    /// One line per earlier request and how it ended.
    pub earlier: Vec<String>,
    /// Each request's net diff, oldest first (`/diff` shows them, `/undo` drops the last).
    pub diffs: Vec<String>,
}

pub fn path(root: &Path) -> PathBuf {
    crate::state::repo_state_dir(root).join("last-session.json")
}

/// Why `--resume` has nothing to resume.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("no saved session for this repository")]
    None,
    #[error("{}: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        source: serde_json::Error,
    },
}

pub fn load(root: &Path) -> Result<Saved, LoadError> {
    let file = path(root);
    let text = std::fs::read_to_string(&file).map_err(|_| LoadError::None)?;
    serde_json::from_str(&text).map_err(|source| LoadError::Unreadable { path: file, source })
}

pub fn save(root: &Path, saved: &Saved) -> std::io::Result<()> {
    let file = path(root);
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let json = serde_json::to_vec(saved).map_err(std::io::Error::other)?;
    crate::edit::commit::write_atomic(&file, &json)
}
