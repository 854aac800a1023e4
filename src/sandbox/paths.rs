//! Resolving a path the model (or a user's patch) names into a file inside the repository root,
//! refusing anything that would reach outside it: `..`, absolute paths elsewhere, symlinks that
//! resolve outside, `.git/` internals.

use std::path::{Component, Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("path `{0}` is empty")]
    Empty(String),
    #[error("path `{0}` leaves the repository")]
    Escapes(String),
    #[error("path `{0}` is inside .git/, which cria never touches")]
    GitDir(String),
    #[error("path `{0}` resolves through a symlink to outside the repository")]
    SymlinkEscape(String),
}

/// A repository root, canonicalized once.
#[derive(Debug, Clone)]
pub struct Root {
    canonical: PathBuf,
}

impl Root {
    pub fn new(dir: &Path) -> std::io::Result<Root> {
        Ok(Root {
            canonical: dir.canonicalize()?,
        })
    }

    pub fn path(&self) -> &Path {
        &self.canonical
    }

    /// Normalize `raw` to a relative path inside the root, lexically (no filesystem access).
    pub fn relative(&self, raw: &str) -> Result<PathBuf, PathError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(PathError::Empty(raw.to_string()));
        }
        let mut p = Path::new(trimmed);
        if p.is_absolute() {
            p = p
                .strip_prefix(&self.canonical)
                .map_err(|_| PathError::Escapes(raw.to_string()))?;
        }
        let mut out = PathBuf::new();
        for comp in p.components() {
            match comp {
                Component::Normal(c) => out.push(c),
                Component::CurDir => {}
                Component::ParentDir => {
                    if !out.pop() {
                        return Err(PathError::Escapes(raw.to_string()));
                    }
                }
                Component::RootDir | Component::Prefix(_) => {
                    return Err(PathError::Escapes(raw.to_string()))
                }
            }
        }
        if out.as_os_str().is_empty() {
            return Err(PathError::Empty(raw.to_string()));
        }
        if out.components().any(|c| c.as_os_str() == ".git") {
            return Err(PathError::GitDir(raw.to_string()));
        }
        Ok(out)
    }

    /// Resolve `raw` to an absolute path inside the root, following symlinks on whatever part of
    /// the path exists. The file itself need not exist.
    pub fn resolve(&self, raw: &str) -> Result<PathBuf, PathError> {
        let rel = self.relative(raw)?;
        let full = self.canonical.join(&rel);
        // Canonicalize the deepest existing ancestor; anything below it cannot be a link yet.
        let mut existing = full.as_path();
        let mut rest = Vec::new();
        while !existing.exists() && existing.symlink_metadata().is_err() {
            match (existing.parent(), existing.file_name()) {
                (Some(parent), Some(name)) => {
                    rest.push(name.to_os_string());
                    existing = parent;
                }
                _ => break,
            }
        }
        let mut real = existing
            .canonicalize()
            .map_err(|_| PathError::SymlinkEscape(raw.to_string()))?;
        if !real.starts_with(&self.canonical) {
            return Err(PathError::SymlinkEscape(raw.to_string()));
        }
        for name in rest.into_iter().rev() {
            real.push(name);
        }
        let inside = real.strip_prefix(&self.canonical).unwrap_or(Path::new(""));
        if inside.components().any(|c| c.as_os_str() == ".git") {
            return Err(PathError::GitDir(raw.to_string()));
        }
        Ok(real)
    }

    /// `abs` (inside the root) as a slash-separated relative string for messages and diffs.
    pub fn display(&self, abs: &Path) -> String {
        let rel = abs.strip_prefix(&self.canonical).unwrap_or(abs);
        rel.to_string_lossy().replace('\\', "/")
    }
}

#[cfg(test)]
#[path = "paths_tests.rs"]
mod tests;
