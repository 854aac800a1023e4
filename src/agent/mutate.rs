//! Mutants: the one-token changes most small bugs are — a comparison off at its boundary or facing
//! the wrong way, a range that leaves out its end, `+` for `-`, `/` for `//`, `and` for `or`, `in`
//! for `not in`, a `not` too many, a number off by one or a cycle's length for its start (`7` for
//! Sunday's `0`), the first item for the last, `true` for `false`, a power counted from the wrong
//! end (`2 ** n` for `2 ** (n - 1)`), the two sides of an ordering or a difference swapped, a
//! call's two arguments in the wrong order, the wrong one of a pair of functions (`min`/`max`,
//! `int`/`round`, `floor`/`ceil`, `starts_with`/`ends_with`, a string's bytes for its characters:
//! [`calls`]), a library call's arguments slipped (`sort()` with no comparator, `split(" ")`, a
//! sort's `reverse=True`: [`arguments`]), Python's list default shared by every call (`basket=[]`:
//! [`defaults`]), and last, one of the definition's own variables used where another was meant
//! ([`names`]). Each is made to one definition, found with the file's own grammar, so a comment or
//! a generic `<` is never touched, nor a string but for a date format's fields in the wrong order
//! (`%d-%m` for `%m-%d`: [`formats`]) or a number's field without its zero padding (`{}.{}` for
//! `{}.{:02}`: [`widths`]), made to every copy of the format at once as well ([`copies`]), or a
//! pattern's class too narrow (`\w+` for `[^)]+`: [`patterns`]); another variant of the file's own
//! enum (`Level::Error` for `Level::Warn`: [`variants`]); every outcome of an ordering facing the
//! wrong way at once (`Less` for `Greater` and `Greater` for `Less`, a comparator's `1` and `-1`:
//! [`mirrors`]); where the failing tests were seen passing a fraction or unstripped text, a
//! parameter used without `round(…)` or `.strip()` ([`wraps`]); and a value made and dropped — not
//! kept, not returned, not awaited ([`dropped`]). A run that shows the bug tests them before the
//! model's first reply (`stage/mutate.rs`): dozens of these cost less than the model's one rewrite,
//! and a small model is weakest at exactly these one-token fixes.

mod arguments;
mod calls;
mod copies;
mod defaults;
mod dropped;
mod entries;
mod formats;
mod mirrors;
mod names;
mod operands;
mod patterns;
mod variants;
mod widths;
mod wraps;

use tree_sitter::{Language, Node, Parser, Tree};

use super::rewrite::Target;
use operands::{
    passed_count, shifted_exponents, swapped_arguments, swapped_comparison, swapped_difference,
};

pub use copies::{everywhere, LineEdit};
pub use entries::{named_entries, names_word, numbers_in, stated_values};
pub(in crate::agent) use variants::variants as enum_variants;
pub use wraps::wraps;

/// What kind of change a mutant is; the likelier kind is tried first, over all the definitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// An operator, a literal or a function for another of its kind.
    Token,
    /// One of the definition's own variables for another (many more of these, each less likely).
    Name,
}

/// The languages whose syntax trees cria mutates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lang {
    Python,
    Rust,
    /// JavaScript and TypeScript.
    Script,
}

/// One changed copy of a definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Mutant {
    /// 1-based line in the file of the changed token.
    pub line: usize,
    /// What changed, as `old` → `new`.
    pub what: String,
    /// The definition with the change, in place of [`Target::code`].
    pub code: String,
    pub kind: Kind,
    /// On the line the tests singled out ([`Target::hint`]).
    pub hinted: bool,
    /// For a change inside a string literal, the literal before and after: the same literal
    /// elsewhere may need the same change (a format one function writes and another reads).
    pub literal: Option<(String, String)>,
    /// The lines (1-based, first and last) of the statement the change is in; `None` outside
    /// any statement of a body (a signature, a lambda), where no trace can say it did not run.
    pub statement: Option<(usize, usize)>,
}

/// Every mutant of `target`, whose file reads `file`, by [`Kind`]: in each, those on the line the
/// tests singled out ([`Target::hint`]) first, then in the order they appear; none twice, none
/// for a language without a grammar here or a definition not found in `file` as it is.
pub fn mutants(target: &Target, file: &str) -> Vec<Mutant> {
    let (Some(range), Some((tree, lang))) = (span(target, file), parse(&target.path, file)) else {
        return Vec::new();
    };
    let mut edits = Vec::new();
    collect(tree.root_node(), file, range, lang, &mut edits);
    mirrors::mirrored(tree.root_node(), file, range, &mut edits);
    names::swaps(tree.root_node(), file, range, &mut edits);
    let hinted: Vec<usize> = match target.hint.as_deref() {
        Some(hint) => (file.lines().enumerate())
            .filter(|(_, l)| l.trim() == hint)
            .map(|(i, _)| i + 1)
            .collect(),
        None => Vec::new(),
    };
    edits.sort_by_key(|e| (e.kind, !hinted.contains(&e.line), e.at.0));
    built(target, file, range, edits, &hinted)
}

/// The mutants `edits` make of `target` (its code at `range` of `file`), in their order; none
/// twice, none that leaves the code as it is.
fn built(
    target: &Target,
    file: &str,
    range: (usize, usize),
    edits: Vec<Change>,
    hinted: &[usize],
) -> Vec<Mutant> {
    let (start, end) = range;
    let mut out: Vec<Mutant> = Vec::new();
    for e in edits {
        let code = format!(
            "{}{}{}",
            between(file, start, e.at.0),
            e.new,
            between(file, e.at.1, end)
        );
        if code != target.code && !out.iter().any(|m| m.code == code) {
            let old = between(file, e.at.0, e.at.1);
            out.push(Mutant {
                line: e.line,
                what: what(old, &e.new),
                code,
                kind: e.kind,
                hinted: hinted.contains(&e.line),
                literal: e.literal.then(|| (old.to_string(), e.new.clone())),
                statement: e.statement,
            });
        }
    }
    out
}

/// A change as `old` → `new`; one over several lines by its first line, and the lines it adds —
/// or, when it adds none, by each line it changes.
fn what(old: &str, new: &str) -> String {
    let (before, after) = (old.lines().count(), new.lines().count());
    if before > 1 && before == after {
        let changed: Vec<String> = (old.lines().zip(new.lines()))
            .filter(|(o, n)| o != n)
            .map(|(o, n)| format!("`{}` → `{}`", o.trim(), n.trim()))
            .collect();
        return changed.join(" and ");
    }
    match (old.lines().next(), new.lines().next()) {
        (Some(o), Some(n)) if before > 1 || after > 1 => {
            let added = after.saturating_sub(before);
            let s = if added == 1 { "" } else { "s" };
            format!("`{o}` → `{n}` and {added} line{s} added")
        }
        _ => format!("`{old}` → `{new}`"),
    }
}

/// Where `target`'s code lies in `file` (bytes), if it is still there as it was.
fn span(target: &Target, file: &str) -> Option<(usize, usize)> {
    let start: usize = file
        .split_inclusive('\n')
        .take(target.line.saturating_sub(1))
        .map(str::len)
        .sum();
    let end = start + target.code.len();
    (file.get(start..end) == Some(target.code.as_str())).then_some((start, end))
}

/// `file`'s syntax tree, where cria knows `path`'s language (for other stages).
pub(super) fn syntax_tree(path: &str, file: &str) -> Option<Tree> {
    parse(path, file).map(|(tree, _)| tree)
}

/// `file`'s syntax tree, where cria knows `path`'s language.
fn parse(path: &str, file: &str) -> Option<(Tree, Lang)> {
    let (language, lang) = grammar(path)?;
    let mut parser = Parser::new();
    parser.set_language(&language).ok()?;
    Some((parser.parse(file, None)?, lang))
}

/// `file`'s bytes `from..to` (tree-sitter's offsets fall between characters).
fn between(file: &str, from: usize, to: usize) -> &str {
    file.get(from..to).unwrap_or_default()
}

/// The text of `node` in `file`.
fn source<'f>(file: &'f str, node: Node<'_>) -> &'f str {
    between(file, node.start_byte(), node.end_byte())
}

/// The grammar for `path`'s language, where cria knows its syntax tree's node kinds.
fn grammar(path: &str) -> Option<(Language, Lang)> {
    let ext = path.rsplit_once('.')?.1;
    Some(match ext {
        "py" => (tree_sitter_python::LANGUAGE.into(), Lang::Python),
        "rs" => (tree_sitter_rust::LANGUAGE.into(), Lang::Rust),
        "js" | "jsx" | "mjs" | "cjs" => (tree_sitter_javascript::LANGUAGE.into(), Lang::Script),
        "ts" => (
            tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Lang::Script,
        ),
        "tsx" => (tree_sitter_typescript::LANGUAGE_TSX.into(), Lang::Script),
        _ => return None,
    })
}

/// A replacement of the file's bytes `at` by `new`.
struct Change {
    at: (usize, usize),
    new: String,
    line: usize,
    kind: Kind,
    /// `at` is a whole string literal.
    literal: bool,
    statement: Option<(usize, usize)>,
}

/// Nodes whose operator token may be swapped for another (Python, Rust, JavaScript/TypeScript).
const BINARY: &[&str] = &[
    "binary_expression",
    "binary_operator",
    "comparison_operator",
    "boolean_operator",
    "augmented_assignment",
    "augmented_assignment_expression",
    "compound_assignment_expr",
    "range_expression",
];

/// The operators an operator token is tried as instead.
fn operator_swaps(op: &str, lang: Lang) -> &'static [&'static str] {
    match op {
        // Python's floor division; elsewhere `//` starts a comment.
        "/" if lang == Lang::Python => &["//", "*"],
        "//" if lang == Lang::Python => &["/"],
        "/" => &["*"],
        "*" => &["/"],
        "in" if lang == Lang::Python => &["not in"],
        "is" if lang == Lang::Python => &["is not"],
        "<" => &["<=", ">"],
        "<=" => &["<", ">="],
        ">" => &[">=", "<"],
        ">=" => &[">", "<="],
        "==" => &["!="],
        "!=" => &["=="],
        "===" => &["!=="],
        "!==" => &["==="],
        "+" => &["-"],
        "-" => &["+"],
        "+=" => &["-="],
        "-=" => &["+="],
        "and" => &["or"],
        "or" => &["and"],
        "&&" => &["||"],
        "||" => &["&&"],
        ".." => &["..="],
        "..=" => &[".."],
        _ => &[],
    }
}

fn collect(node: Node<'_>, file: &str, range: (usize, usize), lang: Lang, out: &mut Vec<Change>) {
    if node.end_byte() <= range.0 || node.start_byte() >= range.1 {
        return;
    }
    let text = |n: Node<'_>| source(file, n);
    let inside = node.start_byte() >= range.0 && node.end_byte() <= range.1;
    let line = node.start_position().row + 1;
    let at = (node.start_byte(), node.end_byte());
    let kind = node.kind();
    if inside && matches!(kind, "string" | "string_literal") && !interpolates(node) {
        for format in formats::date_formats(text(node)) {
            out.push(Change {
                at,
                new: format,
                line,
                kind: Kind::Token,
                literal: true,
                statement: statement(node),
            });
        }
    }
    // A pattern's repeated class too narrow for the text it must take.
    let pattern = match kind {
        "regex" => Some(true),
        "string" | "raw_string_literal" if !interpolates(node) => Some(false),
        _ => None,
    };
    if let (true, Some(regex_literal)) = (inside, pattern) {
        for widened in patterns::widened(text(node), regex_literal) {
            out.push(Change {
                at,
                new: widened,
                line,
                kind: Kind::Token,
                literal: true,
                statement: statement(node),
            });
        }
    }
    if inside {
        for padded in widths::zero_padded(node, file, lang) {
            out.push(Change {
                at,
                new: padded,
                line,
                kind: Kind::Token,
                literal: true,
                statement: statement(node),
            });
        }
    }
    let mut push = |at: (usize, usize), new: String| {
        out.push(Change {
            at,
            new,
            line,
            kind: Kind::Token,
            literal: false,
            statement: statement(node),
        })
    };
    if inside {
        let parent = node.parent().map(|p| p.kind()).unwrap_or_default();
        if node.child_count() == 0 && BINARY.contains(&parent) {
            for op in operator_swaps(text(node), lang) {
                push(at, op.to_string());
            }
        }
        if calls::callee(node) {
            for name in calls::swaps(text(node), lang) {
                push(at, name.to_string());
            }
        }
        match kind {
            "integer" | "integer_literal" | "number" => {
                for n in off_by_one(text(node))
                    .into_iter()
                    .chain(a_zero_off(text(node)))
                    .chain(cycle_start(text(node)))
                {
                    push(at, n);
                }
            }
            "true" | "false" => push(at, flipped(text(node)).to_string()),
            // Called or passed (`key=max`).
            "identifier" | "field_identifier" | "property_identifier" => match text(node) {
                "min" => push(at, "max".into()),
                "max" => push(at, "min".into()),
                _ => {}
            },
            // `Level::Error` → `Level::Warn`, another variant of the file's own enum.
            "scoped_identifier" if lang == Lang::Rust => {
                for (at, variant) in variants::other_variants(node, file) {
                    push(at, variant);
                }
            }
            // `a not in b` → `a in b`, `a is not b` → `a is b`.
            "not in" => push(at, "in".into()),
            "is not" => push(at, "is".into()),
            // `not x` → `x`, `!x` → `x`.
            "not_operator" | "unary_expression" => {
                let first = node.child(0);
                let argument = node.child_by_field_name("argument").or(node.child(1));
                if let (Some(op), Some(arg)) = (first, argument) {
                    if matches!(text(op), "not" | "!") {
                        push(at, text(arg).to_string());
                    }
                }
            }
            "binary_expression" | "binary_operator" => {
                if let Some(swapped) = swapped_difference(node, file) {
                    push(at, swapped);
                }
                for (at, shifted) in shifted_exponents(node, file) {
                    push(at, shifted);
                }
            }
            "call_expression" | "call" => {
                if let Some(awaited) = dropped::awaited(node, file) {
                    push(at, awaited);
                }
                if let Some(swapped) = swapped_comparison(node, file) {
                    push(at, swapped);
                }
                if let Some((at, swapped)) = swapped_arguments(node, file) {
                    push(at, swapped);
                }
                for (at, new) in arguments::slips(node, file, lang) {
                    push(at, new);
                }
                for (at, shifted) in shifted_exponents(node, file) {
                    push(at, shifted);
                }
                // A count or a position passed on, off by one: `pad(d.getMonth())` →
                // `pad(d.getMonth() + 1)`.
                if passed_count(node, file) {
                    for offset in ["+ 1", "- 1"] {
                        push(at, format!("{} {offset}", text(node)));
                    }
                }
            }
            // `value[1:-1]` alone on its line: kept, or returned.
            "expression_statement" => {
                for (at, new) in dropped::kept(node, file, lang) {
                    push(at, new);
                }
            }
            // `basket=[]`, one list shared by every call, made per call.
            "function_definition" => {
                for (at, new) in defaults::fresh_defaults(node, file) {
                    push(at, new);
                }
            }
            // The first item for the last: `xs[0]` → `xs[-1]`, `xs[-1]` → `xs[0]`.
            "subscript" if lang == Lang::Python => {
                let index = node.child_by_field_name("subscript");
                match index.map(|i| (i, text(i))) {
                    Some((i, "0")) => push((i.start_byte(), i.end_byte()), "-1".into()),
                    Some((i, "-1")) => push((i.start_byte(), i.end_byte()), "0".into()),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor).filter(|c| holds_code(node, *c)) {
        collect(child, file, range, lang, out);
    }
}

/// Nodes that start a function's or a class's own code: a change inside one, outside any of its
/// statements, is in a signature or an expression body.
const DEFINITIONS: &[&str] = &[
    "function_definition",
    "class_definition",
    "decorated_definition",
    "lambda",
    "function_item",
    "closure_expression",
    "impl_item",
    "function_declaration",
    "generator_function_declaration",
    "function_expression",
    "function",
    "arrow_function",
    "method_definition",
    "class_declaration",
];

/// The lines (1-based) of the innermost statement holding `node`, in a function's body: not in a
/// signature or an expression body (`None`), nor in a class's body or at a module's top level,
/// which run when the module is loaded, before any test (`None` too).
pub(super) fn statement(node: Node<'_>) -> Option<(usize, usize)> {
    let mut n = node;
    let mut found = None;
    loop {
        let kind = n.kind();
        if DEFINITIONS.contains(&kind) {
            let class = matches!(kind, "class_definition" | "class_declaration" | "impl_item");
            return found.filter(|_| !class);
        }
        if found.is_none() && (kind.ends_with("statement") || kind.ends_with("declaration")) {
            found = Some((n.start_position().row + 1, n.end_position().row + 1));
        }
        n = n.parent()?;
    }
}

/// Whether `node` is an f-string with something to interpolate (its text is no format).
fn interpolates(node: Node<'_>) -> bool {
    let mut cursor = node.walk();
    let found = node
        .children(&mut cursor)
        .any(|c| c.kind() == "interpolation");
    found
}

/// Whether `child` of `node` holds code: every child does, but a string's or a comment's, where
/// only what an f-string or a template string interpolates is code.
fn holds_code(node: Node<'_>, child: Node<'_>) -> bool {
    let kind = node.kind();
    let text = kind.contains("string") || kind.contains("comment");
    !text || matches!(child.kind(), "interpolation" | "template_substitution")
}

fn flipped(word: &str) -> &'static str {
    match word {
        "True" => "False",
        "False" => "True",
        "true" => "false",
        _ => "true",
    }
}

/// A decimal integer literal one more and one less (not below zero), its suffix kept
/// (`8usize` → `9usize`, `7usize`).
fn off_by_one(literal: &str) -> Vec<String> {
    let Some((n, suffix)) = decimal(literal) else {
        return Vec::new();
    };
    let mut out = vec![format!("{}{suffix}", n.saturating_add(1))];
    if n > 0 {
        out.push(format!("{}{suffix}", n - 1));
    }
    out
}

/// A decimal integer literal that is a multiple of ten with a zero more and a zero less (not
/// below ten), its suffix kept: `n % 10` for `n % 100`, `/ 1000` for `/ 100`.
fn a_zero_off(literal: &str) -> Vec<String> {
    let Some((n, suffix)) = decimal(literal) else {
        return Vec::new();
    };
    if n < 10 || n % 10 != 0 {
        return Vec::new();
    }
    let mut out: Vec<String> = (n.checked_mul(10).into_iter())
        .map(|m| format!("{m}{suffix}"))
        .collect();
    if n >= 100 {
        out.push(format!("{}{suffix}", n / 10));
    }
    out
}

/// A cycle's length for its first place: `7` → `0` (Sunday is day 0 of JavaScript's week, not
/// day 7), `12` → `0` (the hour after midnight, January of a 0-based month), `24` → `0`.
fn cycle_start(literal: &str) -> Option<String> {
    let (n, suffix) = decimal(literal)?;
    matches!(n, 7 | 12 | 24).then(|| format!("0{suffix}"))
}

/// A plain decimal integer literal's value and its type suffix (`3u8`: 3 and `u8`); `None` for
/// hex, octal, binary, floats, exponents, digit separators and leading zeros.
fn decimal(literal: &str) -> Option<(u64, &str)> {
    let digits = literal.len()
        - literal
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .len();
    let (number, suffix) = literal.split_at(digits);
    let n = number.parse::<u64>().ok()?;
    let not_decimal = suffix.starts_with(['x', 'o', 'b', '.', '_', 'e', 'E']);
    (!(number.len() > 1 && number.starts_with('0') || not_decimal)).then_some((n, suffix))
}

#[cfg(test)]
#[path = "mutate_call_tests.rs"]
mod call_tests;
#[cfg(test)]
#[path = "mutate_literal_tests.rs"]
mod literal_tests;
#[cfg(test)]
#[path = "mutate_tests.rs"]
mod tests;
