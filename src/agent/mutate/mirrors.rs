//! A definition whose outcomes face the wrong way together: each `Ordering::Less` where
//! `Ordering::Greater` was meant and each `Greater` where `Less` was (a release sorted before
//! its own pre-releases), each `return 1` of a comparator where `return -1` was meant and the
//! other way round. Changing one of them alone leaves two branches that agree — an ordering no
//! sort can follow — so the mirror swaps every one of them at once: one change, made where the
//! definition holds both of a pair.

use tree_sitter::Node;

use super::{between, source, Change, Kind};

/// The outcome `node` stands for, and the one mirroring it: an `Ordering`'s variant (`Less`,
/// `Ordering::Less`, `std::cmp::Ordering::Less`), or `1`/`-1` as the whole value a branch
/// gives — returned, or one side of a conditional expression.
fn mirror(node: Node<'_>, file: &str) -> Option<(&'static str, &'static str)> {
    let text = source(file, node);
    let variant = text.rsplit("::").next().unwrap_or(text);
    // A bare `Less` (`use Ordering::*`), not the last segment of another path (`Size::Less`).
    let bare = node.kind() == "identifier"
        && text == variant
        && node
            .parent()
            .is_none_or(|p| p.kind() != "scoped_identifier");
    let scoped =
        node.kind() == "scoped_identifier" && text.ends_with(&format!("Ordering::{variant}"));
    if bare || scoped {
        return match variant {
            "Less" => Some(("Less", "Greater")),
            "Greater" => Some(("Greater", "Less")),
            _ => None,
        };
    }
    let unit = match text {
        "1" if matches!(node.kind(), "integer" | "number" | "integer_literal") => ("1", "-1"),
        "-1" if matches!(node.kind(), "unary_expression" | "unary_operator") => ("-1", "1"),
        _ => return None,
    };
    branch_value(node).then_some(unit)
}

/// Whether `node` is the whole value a branch gives: what a `return` returns, or one side of a
/// conditional expression (`a < b ? -1 : 1`, `-1 if a < b else 1`).
fn branch_value(node: Node<'_>) -> bool {
    let Some(parent) = node.parent() else {
        return false;
    };
    match parent.kind() {
        "return_statement" | "return_expression" => true,
        "ternary_expression" => ["consequence", "alternative"]
            .iter()
            .any(|f| parent.child_by_field_name(f) == Some(node)),
        // Python's `a if cond else b`: the condition is the middle child.
        "conditional_expression" => parent.child(2) != Some(node),
        _ => false,
    }
}

/// The mirror of the outcomes within `range` of `root`'s file `file`, added to `out` when the
/// range holds both outcomes of a pair.
pub(super) fn mirrored(root: Node<'_>, file: &str, range: (usize, usize), out: &mut Vec<Change>) {
    let mut found: Vec<(Node<'_>, &'static str, &'static str)> = Vec::new();
    outcomes(root, file, range, &mut found);
    for pair in [("Less", "Greater"), ("1", "-1")] {
        let swapped: Vec<&(Node<'_>, &str, &str)> = found
            .iter()
            .filter(|(_, from, to)| (*from, *to) == pair || (*to, *from) == pair)
            .collect();
        let both = swapped.iter().any(|(_, from, _)| *from == pair.0)
            && swapped.iter().any(|(_, from, _)| *from == pair.1);
        let (Some(first), Some(last)) = (swapped.first(), swapped.last()) else {
            continue;
        };
        if !both {
            continue;
        }
        // Whole lines, so that the change reads as the lines it changes.
        let start = file
            .get(..first.0.start_byte())
            .and_then(|head| head.rfind('\n'))
            .map_or(0, |n| n + 1)
            .max(range.0);
        let end = file
            .get(last.0.end_byte()..)
            .and_then(|tail| tail.find('\n'))
            .map_or(file.len(), |n| last.0.end_byte() + n)
            .min(range.1);
        let mut new = String::new();
        let mut at = start;
        for (node, from, to) in &swapped {
            new.push_str(between(file, at, node.start_byte()));
            let text = source(file, *node);
            new.push_str(text.strip_suffix(from).unwrap_or_default());
            new.push_str(to);
            at = node.end_byte();
        }
        new.push_str(between(file, at, end));
        out.push(Change {
            at: (start, end),
            new,
            line: first.0.start_position().row + 1,
            kind: Kind::Token,
            literal: false,
            statement: None,
        });
    }
}

/// The outcomes ([`mirror`]) within `range`, in order.
fn outcomes<'t>(
    node: Node<'t>,
    file: &str,
    range: (usize, usize),
    out: &mut Vec<(Node<'t>, &'static str, &'static str)>,
) {
    if node.end_byte() <= range.0 || node.start_byte() >= range.1 {
        return;
    }
    let inside = node.start_byte() >= range.0 && node.end_byte() <= range.1;
    if let (true, Some((from, to))) = (inside, mirror(node, file)) {
        out.push((node, from, to));
        return;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        outcomes(child, file, range, out);
    }
}

#[cfg(test)]
#[path = "mirrors_tests.rs"]
mod tests;
