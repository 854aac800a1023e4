//! Finding the code a bug report is about, mostly without the model: files named in failing test
//! output and tracebacks, files and identifiers named in the issue (grepped), ranked together.

use std::collections::{BTreeMap, BTreeSet};

use regex::Regex;

use crate::sandbox::paths::Root;
use crate::tools::grep;

/// A file worth showing the model, with why.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Candidate {
    pub path: String,
    pub score: f64,
    pub reasons: Vec<String>,
}

const STOPWORDS: &[&str] = &[
    "the",
    "and",
    "for",
    "with",
    "that",
    "this",
    "when",
    "should",
    "return",
    "returns",
    "not",
    "but",
    "from",
    "into",
    "none",
    "true",
    "false",
    "self",
    "def",
    "class",
    "import",
    "test",
    "tests",
    "error",
    "function",
    "value",
    "values",
    "instead",
    "expected",
    "actual",
    "file",
    "code",
    "fix",
    "bug",
    "crash",
    "crashes",
    "wrong",
    "there",
    "what",
    "have",
    "does",
    "been",
    "which",
    "than",
    "then",
    "pub",
    "let",
    "mut",
    "impl",
    "struct",
    "use",
    "assert",
    "assertion",
];

/// Source files likely involved, best first.
pub fn rank(root: &Root, issue: &str, test_output: &str) -> Vec<Candidate> {
    let files = crate::context::scan::list_files(root.path());
    let known: BTreeSet<&str> = files.iter().map(String::as_str).collect();
    let mut scores: BTreeMap<String, Candidate> = BTreeMap::new();
    let mut add = |path: &str, score: f64, reason: String| {
        let c = scores.entry(path.to_string()).or_insert_with(|| Candidate {
            path: path.to_string(),
            score: 0.0,
            reasons: Vec::new(),
        });
        c.score += score;
        if c.reasons.len() < 4 && !c.reasons.contains(&reason) {
            c.reasons.push(reason);
        }
    };

    // Paths that appear in test output (tracebacks, compiler errors), nearer the failure = later.
    for (i, mentioned) in mentioned_paths(test_output, &files).iter().enumerate() {
        if known.contains(mentioned.as_str()) {
            add(
                mentioned,
                6.0 + (i as f64) * 0.1,
                "in the failing test output".into(),
            );
        }
    }
    // Paths or file names in the issue.
    for f in &files {
        let name = f.rsplit('/').next().unwrap_or(f);
        if issue.contains(f.as_str()) || (name.contains('.') && word_in(issue, name)) {
            add(f, 8.0, "named in the issue".into());
        }
    }
    // Identifiers from the issue and the failure, grepped.
    let mut words = identifiers(issue);
    for w in identifiers(&failure_lines(test_output)) {
        if !words.contains(&w) {
            words.push(w);
        }
    }
    for word in words.iter().take(12) {
        let pattern = regex::escape(word);
        let Ok(hits) = grep::search(root, &pattern, None, None, 200) else {
            continue;
        };
        let mut per_file: BTreeMap<&str, usize> = BTreeMap::new();
        for (p, _, line) in &hits {
            let weight = if is_definition(line, word) { 3 } else { 1 };
            *per_file.entry(p.as_str()).or_default() += weight;
        }
        let spread = per_file.len().max(1) as f64;
        for (p, n) in per_file {
            let s = (n as f64).ln_1p() * 2.0 / spread.sqrt();
            add(p, s, format!("mentions `{word}`"));
        }
    }
    // The code the best candidates import is next in line (a constant defined elsewhere).
    let mut best: Vec<(String, f64)> = scores
        .values()
        .filter(|c| is_source(&c.path) && !is_test_path(&c.path))
        .map(|c| (c.path.clone(), c.score))
        .collect();
    best.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (path, score) in best.into_iter().take(3) {
        for dep in imported_files(root, &path, &known) {
            let c = scores.entry(dep.clone()).or_insert_with(|| Candidate {
                path: dep,
                score: 0.0,
                reasons: Vec::new(),
            });
            c.score += score * 0.4;
            c.reasons.push(format!("imported by {path}"));
        }
    }
    let mut ranked: Vec<Candidate> = scores
        .into_values()
        .filter(|c| is_source(&c.path))
        .map(|mut c| {
            if is_test_path(&c.path) {
                c.score *= 0.5;
            }
            c
        })
        .collect();
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.path.cmp(&b.path)));
    if ranked.is_empty() {
        // Nothing to go on: small repositories still have few enough source files to show.
        ranked = files
            .iter()
            .filter(|f| is_source(f))
            .map(|f| Candidate {
                path: f.clone(),
                score: 0.0,
                reasons: vec!["source file".into()],
            })
            .collect();
    }
    ranked
}

/// Repository files that `path` imports (Python imports, JavaScript `require`/`import from`,
/// Rust `mod`/`use crate::`, C `#include "..."`), as far as they resolve to known files.
pub fn imported_files(root: &Root, path: &str, known: &BTreeSet<&str>) -> Vec<String> {
    let Some(text) = crate::sandbox::beneath::read(root.path(), path)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
    else {
        return Vec::new();
    };
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    let join = |rel: &str| -> String {
        let mut parts: Vec<&str> = if dir.is_empty() {
            vec![]
        } else {
            dir.split('/').collect()
        };
        for piece in rel.split('/') {
            match piece {
                "." | "" => {}
                ".." => {
                    parts.pop();
                }
                p => parts.push(p),
            }
        }
        parts.join("/")
    };
    let mut stems: Vec<String> = Vec::new();
    // (pattern, how its capture is tagged for resolution below)
    type Tag = fn(&str) -> String;
    let patterns: [(&str, Tag); 5] = [
        (r"(?m)^\s*from\s+([\w.]+)\s+import", |m| m.to_string()),
        (r"(?m)^\s*import\s+([\w.]+)", |m| m.to_string()),
        (r#"(?:require\(\s*|from\s+)['"](\.{1,2}/[^'"]+)['"]"#, |m| {
            format!("@{m}")
        }),
        (r"(?m)^\s*(?:pub\s+)?mod\s+(\w+)\s*;", |m| {
            format!("mod:{m}")
        }),
        (r#"(?m)^\s*#include\s+"([^"]+)""#, |m| format!("@./{m}")),
    ];
    for (pattern, tag) in patterns {
        let Ok(re) = Regex::new(pattern) else {
            continue;
        };
        for c in re.captures_iter(&text) {
            stems.push(tag(&c[1]));
        }
    }
    let mut found = Vec::new();
    for stem in stems {
        let tries: Vec<String> = if let Some(rel) = stem.strip_prefix('@') {
            let base = join(rel);
            ["", ".js", ".ts", ".jsx", ".tsx", "/index.js", "/index.ts"]
                .iter()
                .map(|ext| format!("{base}{ext}"))
                .collect()
        } else if let Some(name) = stem.strip_prefix("mod:") {
            vec![join(&format!("{name}.rs")), join(&format!("{name}/mod.rs"))]
        } else {
            let rel = stem.trim_start_matches('.').replace('.', "/");
            let local = if stem.starts_with('.') {
                join(&rel)
            } else {
                rel.clone()
            };
            vec![
                format!("{local}.py"),
                format!("{local}/__init__.py"),
                join(&format!("{rel}.py")),
            ]
        };
        if let Some(hit) = tries
            .into_iter()
            .find(|t| known.contains(t.as_str()) && t != path)
        {
            if !found.contains(&hit) {
                found.push(hit);
            }
        }
    }
    found
}

fn word_in(text: &str, word: &str) -> bool {
    text.split(|c: char| c.is_whitespace() || "`'\"(),:;".contains(c))
        .any(|w| w == word)
}

/// Repository files mentioned in `output`, in order of last mention.
pub fn mentioned_paths(output: &str, files: &[String]) -> Vec<String> {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    // A literal pattern, compiled by every test that reads a traceback.
    #[allow(clippy::expect_used)]
    let re = RE.get_or_init(|| {
        Regex::new(r#"([A-Za-z0-9_./\\-]+\.[A-Za-z0-9]{1,5})(?:"|:\d+|, line \d+)"#)
            .expect("static regex")
    });
    let mut seen: Vec<String> = Vec::new();
    for cap in re.captures_iter(output) {
        let raw = cap[1].replace('\\', "/");
        let raw = raw.trim_start_matches("./");
        let hit = files
            .iter()
            .find(|f| raw == f.as_str() || raw.ends_with(&format!("/{f}")));
        if let Some(f) = hit {
            seen.retain(|s| s != f);
            seen.push(f.clone());
        }
    }
    seen
}

/// Lines of test output that carry the failure (assertions, errors, panics).
fn failure_lines(output: &str) -> String {
    output
        .lines()
        .filter(|l| {
            let l = l.trim_start();
            l.starts_with("E ")
                || l.starts_with('>')
                || l.contains("Error")
                || l.contains("panicked")
                || l.contains("assert")
                || l.starts_with("FAILED")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Identifier-like words worth grepping: snake_case, CamelCase, dotted names, quoted code.
pub fn identifiers(text: &str) -> Vec<String> {
    static RE: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    // A literal pattern, compiled by every localizer test.
    #[allow(clippy::expect_used)]
    let re = RE.get_or_init(|| Regex::new(r"[A-Za-z_][A-Za-z0-9_]{2,}").expect("static regex"));
    let mut out: Vec<String> = Vec::new();
    for m in re.find_iter(text) {
        let w = m.as_str();
        let lower = w.to_ascii_lowercase();
        if STOPWORDS.contains(&lower.as_str()) {
            continue;
        }
        let codeish = w.contains('_') || w.chars().skip(1).any(|c| c.is_ascii_uppercase());
        let before = text.get(..m.start()).unwrap_or_default();
        let quoted = before.ends_with('`') || before.ends_with('(');
        if (codeish || quoted || w.len() >= 6) && !out.iter().any(|o| o == w) {
            out.push(w.to_string());
        }
    }
    // Code-looking words first.
    out.sort_by_key(|w| !(w.contains('_') || w.chars().skip(1).any(|c| c.is_ascii_uppercase())));
    out
}

fn is_definition(line: &str, word: &str) -> bool {
    let t = line.trim_start();
    [
        "def ",
        "class ",
        "fn ",
        "pub fn ",
        "struct ",
        "enum ",
        "function ",
        "func ",
        "impl ",
        "pub struct ",
    ]
    .iter()
    .any(|k| t.starts_with(k) && t.contains(word))
}

pub fn is_source(path: &str) -> bool {
    const EXT: &[&str] = &[
        "py", "rs", "js", "ts", "jsx", "tsx", "go", "c", "h", "cc", "cpp", "hpp", "java", "rb",
        "php", "cs", "kt", "swift", "scala", "lua", "sh", "toml", "cfg", "ini", "json", "yaml",
        "yml",
    ];
    let ext = path.rsplit('.').next().unwrap_or("");
    EXT.contains(&ext) && !path.ends_with(".lock") && !path.contains("node_modules/")
}

pub fn is_test_path(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    path.starts_with("tests/")
        || path.contains("/tests/")
        || path.starts_with("test/")
        || name.starts_with("test_")
        || name.ends_with("_test.py")
        || name.ends_with("_test.go")
        || name.contains(".test.")
        || name.contains(".spec.")
}

#[cfg(test)]
#[path = "localize_tests.rs"]
mod tests;
