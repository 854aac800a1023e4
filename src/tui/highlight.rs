//! Syntax highlighting for code in the transcript, with tree-sitter-highlight and the grammars
//! the repo map already links (Rust, Python, JavaScript, TypeScript, Go, C, C++, Java). A
//! language without a grammar, or code that fails to highlight, is shown plain.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use tree_sitter_highlight::{HighlightConfiguration, HighlightEvent, Highlighter};

/// Capture names the palette knows, most specific first within a family.
const NAMES: &[&str] = &[
    "keyword",
    "function",
    "function.method",
    "function.macro",
    "type",
    "type.builtin",
    "constructor",
    "string",
    "escape",
    "comment",
    "number",
    "constant",
    "constant.builtin",
    "boolean",
    "attribute",
    "property",
    "label",
    "operator",
    "variable.builtin",
    "tag",
];

fn style_of(name: &str) -> Style {
    let family = name.split('.').next().unwrap_or(name);
    match (name, family) {
        (_, "keyword") => Style::new().fg(Color::Magenta),
        ("function.macro", _) => Style::new().fg(Color::Cyan),
        (_, "function") => Style::new().fg(Color::Blue),
        (_, "type") | (_, "constructor") => Style::new().fg(Color::Yellow),
        (_, "string") | (_, "escape") => Style::new().fg(Color::Green),
        (_, "comment") => Style::new()
            .fg(Color::DarkGray)
            .add_modifier(Modifier::ITALIC),
        (_, "number") | (_, "constant") | (_, "boolean") => Style::new().fg(Color::LightRed),
        (_, "attribute") | (_, "label") | (_, "tag") => Style::new().fg(Color::Cyan),
        (_, "variable") => Style::new().fg(Color::LightRed),
        _ => Style::new(),
    }
}

fn config(
    language: tree_sitter::Language,
    name: &str,
    query: &str,
) -> Option<HighlightConfiguration> {
    let mut c = HighlightConfiguration::new(language, name, query, "", "").ok()?;
    c.configure(NAMES);
    Some(c)
}

/// The canonical language for a code fence's info string.
fn canonical(lang: &str) -> Option<&'static str> {
    Some(match lang {
        "rust" | "rs" => "rust",
        "python" | "py" | "python3" => "python",
        "javascript" | "js" | "jsx" | "mjs" => "javascript",
        "typescript" | "ts" | "tsx" => "typescript",
        "go" | "golang" => "go",
        "c" | "h" => "c",
        "cpp" | "c++" | "cc" | "hpp" | "cxx" => "cpp",
        "java" => "java",
        _ => return None,
    })
}

fn build(lang: &str) -> Option<HighlightConfiguration> {
    let both = |a: &str, b: &str| format!("{a}\n{b}");
    match lang {
        "rust" => config(
            tree_sitter_rust::LANGUAGE.into(),
            lang,
            tree_sitter_rust::HIGHLIGHTS_QUERY,
        ),
        "python" => config(
            tree_sitter_python::LANGUAGE.into(),
            lang,
            tree_sitter_python::HIGHLIGHTS_QUERY,
        ),
        "javascript" => config(
            tree_sitter_javascript::LANGUAGE.into(),
            lang,
            tree_sitter_javascript::HIGHLIGHT_QUERY,
        ),
        "typescript" => config(
            tree_sitter_typescript::LANGUAGE_TSX.into(),
            lang,
            &both(
                tree_sitter_typescript::HIGHLIGHTS_QUERY,
                tree_sitter_javascript::HIGHLIGHT_QUERY,
            ),
        ),
        "go" => config(
            tree_sitter_go::LANGUAGE.into(),
            lang,
            tree_sitter_go::HIGHLIGHTS_QUERY,
        ),
        "c" => config(
            tree_sitter_c::LANGUAGE.into(),
            lang,
            tree_sitter_c::HIGHLIGHT_QUERY,
        ),
        "cpp" => config(
            tree_sitter_cpp::LANGUAGE.into(),
            lang,
            &both(
                tree_sitter_c::HIGHLIGHT_QUERY,
                tree_sitter_cpp::HIGHLIGHT_QUERY,
            ),
        ),
        "java" => config(
            tree_sitter_java::LANGUAGE.into(),
            lang,
            tree_sitter_java::HIGHLIGHTS_QUERY,
        ),
        _ => None,
    }
}

/// The configuration for `lang`, compiled on first use (queries take a while to compile).
fn config_for(lang: &str) -> Option<&'static HighlightConfiguration> {
    type Cache = Mutex<HashMap<&'static str, Option<&'static HighlightConfiguration>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let lang = canonical(lang)?;
    let mut cache = CACHE.get_or_init(Default::default).lock().ok()?;
    *cache
        .entry(lang)
        // Leaked once per language for the life of the process: a `'static` borrow for the
        // highlighter without a lock held while highlighting.
        .or_insert_with(|| build(lang).map(|c| &*Box::leak(Box::new(c))))
}

/// `code` as styled lines; plain when `lang` has no grammar here.
pub fn highlight(code: &str, lang: &str) -> Vec<Line<'static>> {
    let lang = lang.trim().to_ascii_lowercase();
    let plain = || code.lines().map(|l| Line::from(l.to_string())).collect();
    let Some(config) = config_for(&lang) else {
        return plain();
    };
    let mut highlighter = Highlighter::new();
    let Ok(events) = highlighter.highlight(config, code.as_bytes(), None, None, |_| None) else {
        return plain();
    };
    let mut lines = vec![Line::default()];
    let mut stack: Vec<Style> = Vec::new();
    for event in events {
        match event {
            Ok(HighlightEvent::HighlightStart(h)) => {
                stack.push(NAMES.get(h.0).map_or_else(Style::default, |n| style_of(n)))
            }
            Ok(HighlightEvent::HighlightEnd) => {
                stack.pop();
            }
            Ok(HighlightEvent::Source { start, end }) => {
                let style = stack.last().copied().unwrap_or_default();
                let text = code.get(start..end).unwrap_or_default();
                for (i, piece) in text.split('\n').enumerate() {
                    if i > 0 {
                        lines.push(Line::default());
                    }
                    if !piece.is_empty() {
                        if let Some(line) = lines.last_mut() {
                            line.spans.push(Span::styled(piece.to_string(), style));
                        }
                    }
                }
            }
            Err(_) => return plain(),
        }
    }
    if code.ends_with('\n') {
        lines.pop();
    }
    lines
}
