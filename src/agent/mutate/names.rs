//! One of a definition's own variables used where another was meant: `return value` for
//! `return limit`, `width` for `height`. The variables are its parameters and the names it
//! binds (`x = …`, `let x`, `const x`, a loop's variable); a use of one is tried as each other
//! bound before it. There are many more of these than of the other mutants, and each is less
//! likely, so they come last ([`super::Kind::Name`]).

use std::collections::HashSet;

use tree_sitter::Node;

use super::{source, statement, Change, Kind};

/// Nodes holding a definition's parameters (Python, Rust, JavaScript/TypeScript, closures).
const PARAMETERS: &[&str] = &[
    "parameters",
    "formal_parameters",
    "lambda_parameters",
    "closure_parameters",
];

/// Fields of a parameter that hold no name it binds: its type, its default.
const NOT_BOUND: &[&str] = &["type", "value", "right", "default", "return_type"];

/// Statements that bind a name, and the field holding it.
const BINDERS: &[(&str, &str)] = &[
    ("assignment", "left"),
    ("for_statement", "left"),
    ("for_in_clause", "left"),
    ("let_declaration", "pattern"),
    ("for_expression", "pattern"),
    ("variable_declarator", "name"),
    ("for_in_statement", "left"),
];

/// Names too general to be mixed up with another (`self`), or meant to be ignored (`_`).
const NEVER: &[&str] = &["self", "cls", "_"];

/// The name swaps within `range` of `root`'s file `file`, added to `out`.
pub(super) fn swaps(root: Node<'_>, file: &str, range: (usize, usize), out: &mut Vec<Change>) {
    let mut bound: Vec<(String, usize)> = Vec::new();
    let mut at: HashSet<usize> = HashSet::new();
    bindings(root, file, range, &mut bound, &mut at);
    if bound.len() < 2 {
        return;
    }
    let mut uses = Vec::new();
    find_uses(root, range, &mut uses);
    for node in uses {
        let name = source(file, node);
        if at.contains(&node.start_byte()) || !bound.iter().any(|(n, _)| n == name) {
            continue;
        }
        for (other, from) in &bound {
            if other != name && *from < node.start_byte() {
                out.push(Change {
                    at: (node.start_byte(), node.end_byte()),
                    new: other.clone(),
                    line: node.start_position().row + 1,
                    kind: Kind::Name,
                    literal: false,
                    statement: statement(node),
                });
            }
        }
    }
}

/// The names bound within `range` (each with where it may first be used), and where each
/// binding occurrence starts (a binding is no use to swap).
fn bindings(
    node: Node<'_>,
    file: &str,
    range: (usize, usize),
    bound: &mut Vec<(String, usize)>,
    at: &mut HashSet<usize>,
) {
    if node.end_byte() <= range.0 || node.start_byte() >= range.1 {
        return;
    }
    let mut found = Vec::new();
    if PARAMETERS.contains(&node.kind()) {
        parameter_names(node, &mut found);
    } else if let Some((_, field)) = BINDERS.iter().find(|(kind, _)| *kind == node.kind()) {
        if let Some(target) = node.child_by_field_name(field) {
            pattern_names(target, &mut found);
        }
    }
    // A name is there to be used once its binding is over (`low = max(value, low)` reads the
    // old `low`, if any), or inside the loop it is the variable of.
    let from = node
        .child_by_field_name("body")
        .map_or(node.end_byte(), |body| body.start_byte());
    for name in found {
        let text = source(file, name);
        at.insert(name.start_byte());
        if !NEVER.contains(&text) && !bound.iter().any(|(n, _)| n == text) {
            bound.push((text.to_string(), from));
        }
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        bindings(child, file, range, bound, at);
    }
}

/// The identifiers a parameter list binds: not its types or its default values.
fn parameter_names<'t>(node: Node<'t>, out: &mut Vec<Node<'t>>) {
    let mut cursor = node.walk();
    if !cursor.goto_first_child() {
        return;
    }
    loop {
        let child = cursor.node();
        let skipped = cursor.field_name().is_some_and(|f| NOT_BOUND.contains(&f));
        if !skipped {
            if child.kind() == "identifier" {
                out.push(child);
            } else {
                parameter_names(child, out);
            }
        }
        if !cursor.goto_next_sibling() {
            break;
        }
    }
}

/// The identifiers a binding's target names: `x`, or each of `a, b`; not `self.x` or `xs[0]`.
fn pattern_names<'t>(node: Node<'t>, out: &mut Vec<Node<'t>>) {
    match node.kind() {
        "identifier" => out.push(node),
        "pattern_list" | "tuple_pattern" | "list_pattern" | "tuple" | "mut_pattern"
        | "array_pattern" => {
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                pattern_names(child, out);
            }
        }
        _ => {}
    }
}

/// The identifiers within `range` that read a variable: not an attribute's or a keyword
/// argument's name.
fn find_uses<'t>(node: Node<'t>, range: (usize, usize), out: &mut Vec<Node<'t>>) {
    if node.end_byte() <= range.0 || node.start_byte() >= range.1 {
        return;
    }
    let kind = node.kind();
    if kind.contains("string") || kind.contains("comment") {
        return;
    }
    if kind == "identifier" && node.start_byte() >= range.0 && node.end_byte() <= range.1 {
        let named_by_parent = node.parent().is_some_and(|p| {
            let field = match p.kind() {
                "attribute" => "attribute",
                "keyword_argument" => "name",
                _ => return false,
            };
            p.child_by_field_name(field) == Some(node)
        });
        if !named_by_parent {
            out.push(node);
        }
        return;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        find_uses(child, range, out);
    }
}
