//! Definitions and references in source files, from tree-sitter grammars and their own tags
//! queries (the queries GitHub's code navigation uses): Rust, Python, JavaScript, TypeScript, Go,
//! C, C++ and Java. A file in another language has no tags; it can still be shown whole or found
//! by its words.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use tree_sitter_tags::{TagsConfiguration, TagsContext};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub name: String,
    /// A definition (else a reference).
    pub def: bool,
    /// 0-based line.
    pub line: usize,
    /// For definitions: the defining line, trimmed (the map shows it as the signature).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub signature: String,
}

struct Language {
    extensions: &'static [&'static str],
    config: TagsConfiguration,
}

fn languages() -> &'static [Language] {
    static LANGS: OnceLock<Vec<Language>> = OnceLock::new();
    LANGS.get_or_init(|| {
        let ts_query = format!(
            "{}\n{}",
            tree_sitter_javascript::TAGS_QUERY,
            tree_sitter_typescript::TAGS_QUERY
        );
        let specs: Vec<(&'static [&'static str], Result<TagsConfiguration, _>)> = vec![
            (
                &["rs"],
                TagsConfiguration::new(
                    tree_sitter_rust::LANGUAGE.into(),
                    tree_sitter_rust::TAGS_QUERY,
                    "",
                ),
            ),
            (
                &["py", "pyi"],
                TagsConfiguration::new(
                    tree_sitter_python::LANGUAGE.into(),
                    tree_sitter_python::TAGS_QUERY,
                    "",
                ),
            ),
            (
                &["js", "jsx", "mjs", "cjs"],
                TagsConfiguration::new(
                    tree_sitter_javascript::LANGUAGE.into(),
                    tree_sitter_javascript::TAGS_QUERY,
                    tree_sitter_javascript::LOCALS_QUERY,
                ),
            ),
            (
                &["ts", "mts", "cts"],
                TagsConfiguration::new(
                    tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
                    &ts_query,
                    "",
                ),
            ),
            (
                &["tsx"],
                TagsConfiguration::new(tree_sitter_typescript::LANGUAGE_TSX.into(), &ts_query, ""),
            ),
            (
                &["go"],
                TagsConfiguration::new(
                    tree_sitter_go::LANGUAGE.into(),
                    tree_sitter_go::TAGS_QUERY,
                    "",
                ),
            ),
            (
                &["c", "h"],
                TagsConfiguration::new(
                    tree_sitter_c::LANGUAGE.into(),
                    tree_sitter_c::TAGS_QUERY,
                    "",
                ),
            ),
            (
                &["cc", "cpp", "cxx", "hpp", "hh", "hxx"],
                TagsConfiguration::new(
                    tree_sitter_cpp::LANGUAGE.into(),
                    tree_sitter_cpp::TAGS_QUERY,
                    "",
                ),
            ),
            (
                &["java"],
                TagsConfiguration::new(
                    tree_sitter_java::LANGUAGE.into(),
                    tree_sitter_java::TAGS_QUERY,
                    "",
                ),
            ),
        ];
        // A grammar whose query does not load leaves its files untagged, never the run broken.
        specs
            .into_iter()
            .filter_map(|(extensions, config)| {
                Some(Language {
                    extensions,
                    config: config.ok()?,
                })
            })
            .collect()
    })
}

/// Whether files named like `path` get tags.
pub fn supported(path: &str) -> bool {
    language_of(path).is_some()
}

fn language_of(path: &str) -> Option<&'static Language> {
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    languages()
        .iter()
        .find(|l| l.extensions.contains(&ext.as_str()))
}

/// The tags of one file (none when its language is unknown or it does not parse at all).
pub fn file_tags(path: &str, source: &[u8]) -> Vec<Tag> {
    let Some(lang) = language_of(path) else {
        return Vec::new();
    };
    thread_local! {
        static CONTEXT: std::cell::RefCell<TagsContext> = std::cell::RefCell::new(TagsContext::new());
    }
    CONTEXT.with(|ctx| {
        let mut ctx = ctx.borrow_mut();
        let Ok((tags, _)) = ctx.generate_tags(&lang.config, source, None) else {
            return Vec::new();
        };
        tags.filter_map(Result::ok)
            .filter_map(|t| {
                let name = std::str::from_utf8(source.get(t.name_range.clone())?)
                    .ok()?
                    .to_string();
                let signature = if t.is_definition {
                    let line = std::str::from_utf8(source.get(t.line_range.clone())?)
                        .ok()?
                        .trim();
                    line.chars().take(160).collect()
                } else {
                    String::new()
                };
                Some(Tag {
                    name,
                    def: t.is_definition,
                    line: t.span.start.row,
                    signature,
                })
            })
            .collect()
    })
}

#[cfg(test)]
#[path = "tags_tests.rs"]
mod tests;
