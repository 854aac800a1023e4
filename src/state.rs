//! Where cria keeps its own state (journals, undo records, caches): the user's XDG state and
//! cache directories, never inside the repository. `CRIA_STATE_DIR` / `CRIA_CACHE_DIR` override
//! them (tests use this).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

fn home() -> PathBuf {
    dirs::home_dir().unwrap_or_else(std::env::temp_dir)
}

pub fn state_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("CRIA_STATE_DIR") {
        return PathBuf::from(d);
    }
    dirs::state_dir()
        .unwrap_or_else(|| home().join(".local/state"))
        .join("cria")
}

pub fn cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("CRIA_CACHE_DIR") {
        return PathBuf::from(d);
    }
    dirs::cache_dir()
        .unwrap_or_else(|| home().join(".cache"))
        .join("cria")
}

/// A per-repository folder under the state directory, keyed by the root's canonical path.
pub fn repo_state_dir(root: &Path) -> PathBuf {
    repo_state_dir_under(&state_dir(), root)
}

/// [`repo_state_dir`] under the state directory `base`.
pub fn repo_state_dir_under(base: &Path, root: &Path) -> PathBuf {
    let digest = Sha256::digest(root.to_string_lossy().as_bytes());
    let key: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    let name = root
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    base.join("repos").join(format!("{name}-{key}"))
}
