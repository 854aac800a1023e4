//! A value used as it came where it should first have been made whole or plain: a parameter the
//! failing tests passed a fraction (`seconds=119.7`) used where it should be rounded
//! (`divmod(round(seconds), 60)`, or "1m 60s" comes out), or text passed with spaces around it
//! used unstripped. The value is first tried made so once, before its first use (a value
//! rounded at one use and not at the next is half a fix: `seconds < 60` still sees 59.6), then
//! at each use alone. Which wrapping is tried comes from the
//! values the traced failing tests passed (Python's tracer writes them down,
//! [`crate::agent::spectrum::Call`]): a parameter never seen with such a value is never wrapped,
//! so the search grows by a few changes, and only where a value calls for them.

use tree_sitter::Node;

use super::{built, parse, source, span, statement, Change, Kind, Lang, Mutant};
use crate::agent::rewrite::Target;

/// Every use of a parameter of `target` (whose file reads `file`) wrapped as the value the
/// failing tests passed it calls for, one use at a time; `passed` holds `(parameter, value as
/// repr writes it)`. Python only: the tracer that sees values is Python's.
pub fn wraps(target: &Target, file: &str, passed: &[(String, String)]) -> Vec<Mutant> {
    let (Some(range), Some((tree, Lang::Python))) = (span(target, file), parse(&target.path, file))
    else {
        return Vec::new();
    };
    let declared = parameters(tree.root_node(), file, range);
    let mut once: Vec<Change> = Vec::new();
    let mut edits: Vec<Change> = Vec::new();
    for (name, value) in passed.iter().filter(|(name, _)| declared.contains(name)) {
        for wrap in wrappings(value) {
            let function = function_in(tree.root_node(), range);
            once.extend(function.and_then(|f| made_once(f, file, name, wrap)));
            uses(tree.root_node(), file, range, name, wrap, &mut edits);
        }
    }
    // Made so once first: a value rounded at one use and not the next is half a fix.
    once.extend(edits);
    built(target, file, range, once, &[])
}

/// `name` made as `wrap` says once, before the first statement of `function`'s body that uses
/// it past the docstring and any check of it against `None` (`seconds = round(seconds)`, so
/// that `seconds < 60` and `divmod(seconds, 60)` both see the whole number). `None` when it
/// is used once or not at all from there (the change at that use is tried anyway).
fn made_once(function: Node<'_>, file: &str, name: &str, wrap: &str) -> Option<Change> {
    let body = function.child_by_field_name("body")?;
    let statements: Vec<Node<'_>> = body.named_children(&mut body.walk()).collect();
    let none_checks = [
        format!("{name} is None"),
        format!("{name} is not None"),
        format!("{name} == None"),
    ];
    let used = |s: &Node<'_>| {
        let mut found = Vec::new();
        uses(
            *s,
            file,
            (s.start_byte(), s.end_byte()),
            name,
            wrap,
            &mut found,
        );
        found.len()
    };
    let at = statements.iter().position(|s| {
        let text = source(file, *s);
        used(s) > 0 && !none_checks.iter().any(|c| text.contains(c.as_str()))
    })?;
    // Used once from there, it is the change at that one use.
    if statements.get(at..)?.iter().map(used).sum::<usize>() < 2 {
        return None;
    }
    let first = *statements.get(at)?;
    let indent = " ".repeat(first.start_position().column);
    Some(Change {
        at: (first.start_byte(), first.end_byte()),
        new: format!(
            "{name} = {}\n{indent}{}",
            wrap.replace("{}", name),
            source(file, first)
        ),
        line: first.start_position().row + 1,
        kind: Kind::Token,
        literal: false,
        statement: statement(first),
    })
}

/// The names the parameters of the first function defined in `range` declare (and any a default
/// value names: only ever looked up).
fn parameters(root: Node<'_>, file: &str, range: (usize, usize)) -> Vec<String> {
    let mut out = Vec::new();
    let params = function_in(root, range).and_then(|f| f.child_by_field_name("parameters"));
    if let Some(params) = params {
        identifiers(params, file, &mut out);
    }
    out
}

/// The first function defined in `range`, outermost first.
fn function_in<'t>(node: Node<'t>, range: (usize, usize)) -> Option<Node<'t>> {
    if node.end_byte() <= range.0 || node.start_byte() >= range.1 {
        return None;
    }
    if node.kind() == "function_definition" && node.start_byte() >= range.0 {
        return Some(node);
    }
    let mut cursor = node.walk();
    let children: Vec<Node<'t>> = node.children(&mut cursor).collect();
    children
        .into_iter()
        .find_map(|child| function_in(child, range))
}

fn identifiers(node: Node<'_>, file: &str, out: &mut Vec<String>) {
    if node.kind() == "identifier" {
        out.push(source(file, node).to_string());
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        identifiers(child, file, out);
    }
}

/// How a value, as `repr` writes it, may need wrapping before use: `{}` stands for the name.
fn wrappings(value: &str) -> Vec<&'static str> {
    let fraction = value.split_once('.').is_some_and(|(whole, part)| {
        let whole = whole.strip_prefix('-').unwrap_or(whole);
        !whole.is_empty()
            && whole.bytes().all(|b| b.is_ascii_digit())
            && !part.is_empty()
            && part.bytes().all(|b| b.is_ascii_digit())
            && part.bytes().any(|b| b != b'0')
    });
    if fraction {
        return vec!["round({})"];
    }
    let text = ['\'', '"'].into_iter().find_map(|q| {
        value
            .strip_prefix(q)
            .and_then(|v| v.strip_suffix(q))
            .filter(|v| !v.is_empty())
    });
    let Some(text) = text else {
        return Vec::new();
    };
    // `repr` writes a newline or tab at either end as an escape. (Capitals are left alone:
    // lowering text changes what it says more often than it mends a comparison.)
    let padded = text.starts_with([' ', '\\']) || text.ends_with(' ') || text.ends_with("\\n");
    if padded {
        vec!["{}.strip()"]
    } else {
        Vec::new()
    }
}

/// Push, for each use of `name` as a value inside `range`, the change that wraps it in `wrap`.
fn uses(
    node: Node<'_>,
    file: &str,
    range: (usize, usize),
    name: &str,
    wrap: &str,
    out: &mut Vec<Change>,
) {
    if node.end_byte() <= range.0 || node.start_byte() >= range.1 {
        return;
    }
    let inside = node.start_byte() >= range.0 && node.end_byte() <= range.1;
    if inside
        && node.kind() == "identifier"
        && source(file, node) == name
        && is_value(node, file, wrap)
    {
        out.push(Change {
            at: (node.start_byte(), node.end_byte()),
            new: wrap.replace("{}", name),
            line: node.start_position().row + 1,
            kind: Kind::Token,
            literal: false,
            statement: statement(node),
        });
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        uses(child, file, range, name, wrap, out);
    }
}

/// Whether the identifier `node` is read as a value, not declared, assigned, named as a keyword
/// or an attribute, or already wrapped the way `wrap` would (`round(x)`, `x.strip()`).
fn is_value(node: Node<'_>, file: &str, wrap: &str) -> bool {
    let Some(parent) = node.parent() else {
        return false;
    };
    let field_of = |field: &str| parent.child_by_field_name(field) == Some(node);
    match parent.kind() {
        "parameters"
        | "default_parameter"
        | "typed_parameter"
        | "typed_default_parameter"
        | "lambda_parameters" => false,
        "assignment" | "augmented_assignment" | "for_statement" | "for_in_clause" => {
            !field_of("left")
        }
        "pattern_list" | "tuple_pattern" | "list_pattern" => false,
        "keyword_argument" => !field_of("name"),
        "attribute" => {
            // `x.strip()` already: its call is the wrap; `a.x`: an attribute, not the parameter.
            let method = (parent.child_by_field_name("attribute")).map(|n| source(file, n));
            field_of("object") && method.is_none_or(|m| !wrap.ends_with(&format!(".{m}()")))
        }
        "argument_list" => {
            let function = (parent.parent())
                .and_then(|call| call.child_by_field_name("function"))
                .map(|f| source(file, f));
            function.is_none_or(|f| !wrap.starts_with(&format!("{f}(")))
        }
        _ => true,
    }
}

#[cfg(test)]
#[path = "wraps_tests.rs"]
mod tests;
