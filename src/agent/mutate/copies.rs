//! The same string literal in several places: a date format one function writes with and
//! another parses with, a key two modules share. When such a literal is wrong, it is wrong in
//! every copy, and a test of the round trip fails until all change together — one change alone
//! makes the writer right and the reader wrong. [`everywhere`] makes a literal's change to each
//! of its copies in the project.

use tree_sitter::Node;

use super::{between, holds_code, parse, source, span, Mutant};
use crate::agent::rewrite::Target;

/// A whole line, its line break included, changed outside the mutated definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineEdit {
    pub path: String,
    /// 1-based.
    pub line: usize,
    pub old: String,
    pub new: String,
}

/// `mutant`'s change to a string literal made to every copy of the literal: the mutant with the
/// copies in its own definition changed too (its `what` says so), and the lines changed
/// elsewhere in `files` (`(path, text)`, the target's file among them). `None` when the literal
/// has no other copy, or `mutant` changes no literal.
pub fn everywhere(
    target: &Target,
    mutant: &Mutant,
    files: &[(String, String)],
) -> Option<(Mutant, Vec<LineEdit>)> {
    let (old, new) = mutant.literal.as_ref()?;
    let mut code = None;
    let mut more = false;
    let mut elsewhere = Vec::new();
    for (path, file) in files {
        let mut found = copies(path, file, old);
        // A literal over several lines is no format or key (and no whole line holds it).
        if found
            .iter()
            .any(|&(a, b)| between(file, a, b).contains('\n'))
        {
            return None;
        }
        if *path == target.path {
            let (start, end) = span(target, file)?;
            let inside = |at: &(usize, usize)| at.0 >= start && at.1 <= end;
            let within: Vec<(usize, usize)> = found.iter().copied().filter(inside).collect();
            found.retain(|at| !inside(at));
            more = within.len() > 1;
            let shifted: Vec<_> = within.iter().map(|(a, b)| (a - start, b - start)).collect();
            code = Some(replaced(&target.code, &shifted, new));
        }
        elsewhere.extend(line_edits(path, file, &found, new));
    }
    let code = code?;
    if elsewhere.is_empty() && !more {
        return None;
    }
    let what = if more {
        format!("{} (each copy)", mutant.what)
    } else {
        mutant.what.clone()
    };
    let twin = Mutant {
        what,
        code,
        ..mutant.clone()
    };
    Some((twin, elsewhere))
}

/// The byte ranges of the string literals in `file` whose text is `literal`.
fn copies(path: &str, file: &str, literal: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if !file.contains(literal) {
        return out;
    }
    if let Some((tree, _)) = parse(path, file) {
        walk(tree.root_node(), file, literal, &mut out);
    }
    out
}

fn walk(node: Node<'_>, file: &str, literal: &str, out: &mut Vec<(usize, usize)>) {
    if matches!(node.kind(), "string" | "string_literal") && source(file, node) == literal {
        out.push((node.start_byte(), node.end_byte()));
        return;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor).filter(|c| holds_code(node, *c)) {
        walk(child, file, literal, out);
    }
}

/// `text` with each of the byte ranges `at` (in order, not overlapping) replaced by `new`.
fn replaced(text: &str, at: &[(usize, usize)], new: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for &(a, b) in at {
        out.push_str(between(text, from, a));
        out.push_str(new);
        from = b;
    }
    out.push_str(between(text, from, text.len()));
    out
}

/// The lines of `file` holding the ranges `at`, each with its copies replaced by `new`.
fn line_edits(path: &str, file: &str, at: &[(usize, usize)], new: &str) -> Vec<LineEdit> {
    let mut out: Vec<LineEdit> = Vec::new();
    let mut start = 0;
    for (i, line) in file.split_inclusive('\n').enumerate() {
        let end = start + line.len();
        let here: Vec<(usize, usize)> = (at.iter())
            .filter(|(a, b)| *a >= start && *b <= end)
            .map(|(a, b)| (a - start, b - start))
            .collect();
        if !here.is_empty() {
            out.push(LineEdit {
                path: path.to_string(),
                line: i + 1,
                old: line.to_string(),
                new: replaced(line, &here, new),
            });
        }
        start = end;
    }
    out
}
