//! A file as the model is shown it: its path and (possibly cut) text, rendered in a fence named
//! for its language. Shared by the context selection and the agent's prompts.

use serde::Serialize;

/// A file shown to the model in full (or in part, when large).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ShownFile {
    pub path: String,
    pub content: String,
}

pub fn fence_lang(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "py" => "python",
        "rs" => "rust",
        "js" | "jsx" => "javascript",
        "ts" | "tsx" => "typescript",
        "go" => "go",
        "c" | "h" => "c",
        "cc" | "cpp" | "hpp" => "cpp",
        "java" => "java",
        "rb" => "ruby",
        "toml" => "toml",
        _ => "",
    }
}

pub fn render_file(f: &ShownFile) -> String {
    format!(
        "{}\n```{}\n{}```\n\n",
        f.path,
        fence_lang(&f.path),
        ensure_nl(&f.content)
    )
}

fn ensure_nl(s: &str) -> String {
    if s.is_empty() || s.ends_with('\n') {
        s.to_string()
    } else {
        format!("{s}\n")
    }
}
