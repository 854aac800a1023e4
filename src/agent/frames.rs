//! Where the failure happened, from the places a failing run prints: a Rust panic's location
//! (`panicked at src/lib.rs:40:9`) and backtrace, a JavaScript stack (`at fmt (/repo/src/x.js:
//! 12:5)`), a Python traceback (`File "/repo/app/x.py", line 12`). A place in the project's own
//! non-test code names the definition around it — where a crash is, or the last of the
//! project's functions a failing assertion went through.

use std::path::Path;
use std::sync::OnceLock;

use super::rewrite::definitions;
use super::spectrum::Suspect;
use crate::context::localize::is_test_path;

/// The `(path, 1-based line)` places in `output` that are files of `files` (relative to
/// `root`), outside tests, in the order printed, each once.
pub fn places(output: &str, root: &Path, files: &[String]) -> Vec<(String, usize)> {
    let mut out = printed(output, root, files);
    out.retain(|(path, _)| !is_test_path(path));
    out
}

/// The `(path, 1-based line)` places in `output` that are files of `files` (relative to
/// `root`), tests too, in the order printed, each once.
pub fn printed(output: &str, root: &Path, files: &[String]) -> Vec<(String, usize)> {
    static RE: OnceLock<Option<regex::Regex>> = OnceLock::new();
    let Some(re) = RE
        .get_or_init(|| {
            regex::Regex::new(
                r#"((?:file://)?[A-Za-z0-9_./-]*[A-Za-z0-9_-]\.[A-Za-z]{1,4})(?::|", line )(\d+)"#,
            )
            .ok()
        })
        .as_ref()
    else {
        return Vec::new();
    };
    let root = root.to_string_lossy();
    let mut out: Vec<(String, usize)> = Vec::new();
    for cap in re.captures_iter(output) {
        let (Some(path), Some(line)) = (cap.get(1), cap.get(2)) else {
            continue;
        };
        let Ok(line) = line.as_str().parse::<usize>() else {
            continue;
        };
        let Some(path) = project_path(path.as_str(), &root, files) else {
            continue;
        };
        if !out.iter().any(|(p, l)| *p == path && *l == line) {
            out.push((path, line));
        }
    }
    out
}

/// `printed` as one of `files`: absolute under `root`, `./`-relative, a `file://` URL, or
/// relative to a folder below the root (a workspace member's tests print `src/lib.rs`) when
/// exactly one file's path ends so.
fn project_path(printed: &str, root: &str, files: &[String]) -> Option<String> {
    let p = printed.strip_prefix("file://").unwrap_or(printed);
    let relative = match p.strip_prefix(root) {
        Some(rest) => rest.trim_start_matches('/'),
        None if p.starts_with('/') => return None,
        None => p.trim_start_matches("./"),
    };
    if files.iter().any(|f| f == relative) {
        return Some(relative.to_string());
    }
    let tail = format!("/{relative}");
    let mut below = files.iter().filter(|f| f.ends_with(&tail));
    match (below.next(), below.next()) {
        (Some(only), None) => Some(only.clone()),
        _ => None,
    }
}

/// The definitions around `places`, first place first, each once; all equally suspicious
/// (1.0): running the code put the failure there.
pub fn suspects(places: &[(String, usize)], files: &[(String, String)]) -> Vec<Suspect> {
    let mut out: Vec<Suspect> = Vec::new();
    for (path, line) in places {
        let Some((_, text)) = files.iter().find(|(p, _)| p == path) else {
            continue;
        };
        let around = definitions(path, text)
            .into_iter()
            .filter(|d| (d.line..d.line + d.code.lines().count()).contains(line))
            // Nested definitions: the innermost holds the line.
            .max_by_key(|d| d.line);
        if let Some(d) = around {
            if !out.iter().any(|s| s.path == d.path && s.name == d.name) {
                out.push(Suspect {
                    path: d.path,
                    name: d.name,
                    score: 1.0,
                    line: Some(*line),
                });
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "frames_tests.rs"]
mod tests;
