//! Project instructions for the model, as Codex and opencode read them: `AGENTS.md` (and
//! `CONVENTIONS.md`, Aider's name) in the repository and in its parent folders up to the git
//! root, outermost first, so a subproject's rules come last and weigh most.

use std::path::{Path, PathBuf};

const FILES: &[&str] = &["AGENTS.md", "CONVENTIONS.md"];
/// Instructions are kept short: a small model's window is for the code.
const MAX_CHARS: usize = 6_000;

/// The instructions that apply in `root`, or `None` when there are none.
pub fn project_instructions(root: &Path) -> Option<String> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    for dir in root.ancestors() {
        dirs.push(dir.to_path_buf());
        if dir.join(".git").exists() {
            break;
        }
    }
    // Without a git root above, only the repository itself counts.
    if !dirs.last().is_some_and(|d| d.join(".git").exists()) {
        dirs.truncate(1);
    }
    let mut text = String::new();
    for dir in dirs.iter().rev() {
        for name in FILES {
            let Ok(body) = std::fs::read_to_string(dir.join(name)) else {
                continue;
            };
            let rel = dir
                .join(name)
                .strip_prefix(dirs.last().map(PathBuf::as_path).unwrap_or(root))
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| name.to_string());
            text.push_str(&format!("From {rel}:\n{}\n\n", body.trim()));
        }
    }
    if text.is_empty() {
        return None;
    }
    if text.chars().count() > MAX_CHARS {
        text = text.chars().take(MAX_CHARS).collect();
        text.push_str("\n[... cut]\n");
    }
    Some(format!(
        "# Project instructions\n\nThe repository's maintainers ask for this:\n\n{}",
        text.trim_end()
    ))
}

#[cfg(test)]
#[path = "instructions_tests.rs"]
mod tests;
