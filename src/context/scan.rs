//! Walking a repository the way a person thinks of it: `.gitignore` (also outside git) and
//! `.criaignore` respected, `.git` never entered, and build output, caches and vendored trees
//! skipped even when nothing ignores them (a fixture without a `.gitignore` still has a
//! `target/` after one `cargo test`).

use std::path::Path;

use ignore::WalkBuilder;

/// Directory names that hold generated or vendored files, never the code to fix.
pub const SKIPPED_DIRS: &[&str] = &[
    ".git",
    "target",
    "node_modules",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".gradle",
    ".idea",
    ".vscode",
    "dist",
    "build",
    ".next",
    "vendor",
    ".cargo",
];

/// A walker over `root` with cria's rules.
pub fn walker(root: &Path) -> WalkBuilder {
    let mut b = WalkBuilder::new(root);
    b.hidden(false)
        .require_git(false)
        .add_custom_ignore_filename(".criaignore")
        .filter_entry(|e| {
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            if is_dir {
                !SKIPPED_DIRS.iter().any(|d| e.file_name() == *d)
            } else {
                !is_secret(&e.file_name().to_string_lossy()) && !hard_linked(e)
            }
        });
    b
}

/// A file with more than one name: another name may be a hidden one (`creds.txt` linked as
/// `notes.txt`), so it is hidden under every name.
fn hard_linked(e: &ignore::DirEntry) -> bool {
    use std::os::unix::fs::MetadataExt;
    e.file_type().is_some_and(|t| t.is_file()) && e.metadata().is_ok_and(|m| m.nlink() > 1)
}

/// Whether the file at `abs` (inside `root`) is one the walker would list: the one visibility
/// rule for every tool (`read_file` as well as `list_files` and `grep`).
pub fn visible(root: &Path, abs: &Path) -> bool {
    let Ok(rel) = abs.strip_prefix(root) else {
        return false;
    };
    if rel
        .components()
        .any(|c| SKIPPED_DIRS.iter().any(|d| c.as_os_str() == *d))
    {
        return false;
    }
    let Some(dir) = abs.parent() else {
        return false;
    };
    walker(dir)
        .max_depth(Some(1))
        .build()
        .filter_map(Result::ok)
        .any(|e| e.path() == abs)
}

/// Files that hold credentials by convention (`.env`, keys, `.netrc`…): never listed, searched
/// or shown to the model, ignored by git or not. Templates such as `.env.example` are fine.
pub fn is_secret(file_name: &str) -> bool {
    let name = file_name.to_ascii_lowercase();
    if name == ".env" || name.starts_with(".env.") {
        return !["example", "sample", "template", "dist", "defaults"]
            .iter()
            .any(|t| name.ends_with(t));
    }
    const NAMES: &[&str] = &[
        ".netrc",
        ".pgpass",
        ".npmrc",
        ".pypirc",
        "credentials",
        "credentials.json",
        "id_rsa",
        "id_dsa",
        "id_ecdsa",
        "id_ed25519",
    ];
    const EXTENSIONS: &[&str] = &[".pem", ".key", ".p12", ".pfx", ".keystore", ".jks"];
    NAMES.contains(&name.as_str()) || EXTENSIONS.iter().any(|e| name.ends_with(e))
}

/// Every file under `root` that the rules keep, relative with `/`, sorted.
pub fn list_files(root: &Path) -> Vec<String> {
    let mut out: Vec<String> = walker(root)
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter_map(|e| {
            e.path()
                .strip_prefix(root)
                .ok()
                .map(|p| p.to_string_lossy().replace('\\', "/"))
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
#[path = "scan_tests.rs"]
mod tests;
