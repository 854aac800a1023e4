//! The import a changed file forgot. A small model's rewrite often uses a name its file never
//! imports — `Ordering` in a comparator, `math.radians` in a formula — and the candidate fails
//! to compile, or with a `NameError`, though its logic may be the fix. cria adds the import the
//! way the language's own tools would: rustc's "consider importing" suggestion, or for Python a
//! standard-library module or class by its usual import, or the project's own definition.

use regex::Regex;
use tree_sitter::Node;

use super::mutate::syntax_tree;
use super::prompt::fence_lang;
use super::repro_imports::{import_line, undefined_name};

/// Standard-library modules a Python rewrite may use by name (`math.floor`) without importing.
const PY_MODULES: &[&str] = &[
    "abc",
    "base64",
    "bisect",
    "calendar",
    "collections",
    "copy",
    "csv",
    "datetime",
    "decimal",
    "difflib",
    "enum",
    "fnmatch",
    "fractions",
    "functools",
    "glob",
    "hashlib",
    "heapq",
    "html",
    "io",
    "itertools",
    "json",
    "locale",
    "logging",
    "math",
    "operator",
    "os",
    "pathlib",
    "random",
    "re",
    "shlex",
    "statistics",
    "string",
    "struct",
    "sys",
    "textwrap",
    "time",
    "typing",
    "unicodedata",
    "uuid",
];

/// Standard-library names a Python rewrite may use bare, and the module each comes from.
const PY_NAMES: &[(&str, &str)] = &[
    ("Counter", "collections"),
    ("Decimal", "decimal"),
    ("Enum", "enum"),
    ("Fraction", "fractions"),
    ("InvalidOperation", "decimal"),
    ("OrderedDict", "collections"),
    ("Path", "pathlib"),
    ("ROUND_HALF_UP", "decimal"),
    ("dataclass", "dataclasses"),
    ("defaultdict", "collections"),
    ("deque", "collections"),
    ("lru_cache", "functools"),
    ("namedtuple", "collections"),
    ("partial", "functools"),
    ("reduce", "functools"),
    ("timedelta", "datetime"),
    ("timezone", "datetime"),
];

/// The import one of the `changed` files (path, text) lacks, as `output` (a test run with the
/// change) reports it and `before` (the run without it) did not: the file and the line to add.
/// `files` gives the project's files as (path, text), where a Python name may be defined: read
/// only when a name is looked for there.
pub fn forgotten(
    output: &str,
    before: &str,
    changed: &[(String, String)],
    files: impl FnOnce() -> Vec<(String, String)>,
) -> Option<(String, String)> {
    rust_suggestion(output, before, changed)
        .or_else(|| python_import(output, before, changed, files))
}

/// rustc's own suggestion for a name a changed file uses without importing it: the error's
/// `--> src/tags.rs:8:17`, then `help: consider importing …` and its first `+ use …;` line.
fn rust_suggestion(
    output: &str,
    before: &str,
    changed: &[(String, String)],
) -> Option<(String, String)> {
    if !output.contains("consider importing") {
        return None;
    }
    let error = Regex::new(
        r"^error\[E04(?:12|22|23|25|33)\]: (?:cannot find .* in this scope|failed to resolve: use of undeclared .*)$",
    )
    .ok()?;
    let location = Regex::new(r"^\s*--> ([^:]+):\d+:\d+").ok()?;
    let suggested = Regex::new(r"^\s*\d*\s*\+\s*(use [\w:]+(?:::\{[\w, :]+\})?;)\s*$").ok()?;
    let mut lines = output.lines().peekable();
    while let Some(line) = lines.next() {
        if !error.is_match(line) || before.contains(line) {
            continue;
        }
        let mut file = None;
        while let Some(next) = lines.next_if(|l| !l.starts_with("error")) {
            if let Some(c) = location.captures(next).filter(|_| file.is_none()) {
                file = c.get(1).map(|m| m.as_str().to_string());
            }
            if let (Some(f), Some(c)) = (&file, suggested.captures(next)) {
                let rel = changed.iter().find(|(p, _)| p == f)?;
                return Some((rel.0.clone(), c.get(1)?.as_str().to_string()));
            }
        }
    }
    None
}

/// The import for a Python `NameError` a changed file raises: its standard-library module or
/// class, or the project's definition of it in another file.
fn python_import(
    output: &str,
    before: &str,
    changed: &[(String, String)],
    files: impl FnOnce() -> Vec<(String, String)>,
) -> Option<(String, String)> {
    if !output.contains("NameError") {
        return None;
    }
    let name = undefined_name(output)?;
    let name = name.as_str();
    if before.contains(&format!("name '{name}' is not defined")) {
        return None;
    }
    // The innermost frame of a changed file's: where the name was used.
    // unittest's `File "…/m.py", line 9, in f`; pytest's `m.py:9: NameError`.
    let frame = Regex::new(r#"File "([^"]+)", line \d+|(?m)^([\w./-]+\.py):\d+: "#).ok()?;
    let path = frame
        .captures_iter(output)
        .filter_map(|c| c.get(1).or(c.get(2)))
        .filter_map(|m| {
            changed
                .iter()
                .find(|(p, _)| m.as_str().ends_with(p.as_str()))
        })
        .last()?;
    let line = if PY_MODULES.contains(&name) {
        format!("import {name}")
    } else if let Some((_, module)) = PY_NAMES.iter().find(|(n, _)| *n == name) {
        format!("from {module} import {name}")
    } else {
        let elsewhere: Vec<(String, String)> =
            files().into_iter().filter(|(p, _)| p != &path.0).collect();
        import_line(name, &path.0, &path.1, &elsewhere)?
    };
    Some((path.0.clone(), line))
}

/// `text` (the file `path`) with `line` added after its last top-level import, or after its
/// docstring and inner attributes when it has none; `None` when the file already has that line
/// or cria does not know its language.
pub fn with_import(path: &str, text: &str, line: &str) -> Option<String> {
    if text.lines().any(|l| l.trim() == line) {
        return None;
    }
    let lang = fence_lang(path);
    let tree = syntax_tree(path, text)?;
    let root = tree.root_node();
    let (mut after, mut header) = (None, None);
    // Still in the comments, attributes and docstring a file opens with.
    let mut opening = true;
    let mut cursor = root.walk();
    for (i, node) in root.children(&mut cursor).enumerate() {
        match (lang, node.kind()) {
            (
                "python",
                "import_statement" | "import_from_statement" | "future_import_statement",
            )
            | ("rust", "use_declaration") => after = Some(node.end_byte()),
            ("python", "expression_statement") if i == 0 && docstring(node) => {
                header = Some(node.end_byte())
            }
            ("python", "comment") | ("rust", "inner_attribute_item" | "line_comment")
                if opening =>
            {
                header = Some(node.end_byte())
            }
            ("python" | "rust", _) => opening = false,
            _ => return None,
        }
    }
    Some(match after.or(header) {
        Some(at) => format!("{}\n{line}{}", text.get(..at)?, text.get(at..)?),
        None => format!("{line}\n\n{text}"),
    })
}

/// Whether `node` is a string alone: a module's docstring when it comes first.
fn docstring(node: Node<'_>) -> bool {
    node.named_child(0).is_some_and(|c| c.kind() == "string") && node.named_child_count() == 1
}

#[cfg(test)]
#[path = "imports_tests.rs"]
mod tests;
