//! The values of a table's entries a report names (`"JPY": 2` when the report or the failing
//! test names `JPY`): the one data value of a constant worth a test run each. The other entries
//! are data, too many to try.

use tree_sitter::Node;

use super::{between, built, off_by_one, parse, source, span, Change, Kind, Mutant};
use crate::agent::rewrite::Target;

/// The values of a table's entries that `named` names: each integer in `target` whose entry's
/// key — the last string literal before it on its line (`"JPY": 2`, `("JPY", 2)`) — it
/// accepts, changed to one more, one less and zero. The other values of a table are data, too
/// many to try; the one a report names (a currency, a unit, a field) is where a wrong figure
/// shows.
pub fn named_entries(target: &Target, file: &str, named: impl Fn(&str) -> bool) -> Vec<Mutant> {
    let (Some(range), Some((tree, _))) = (span(target, file), parse(&target.path, file)) else {
        return Vec::new();
    };
    let mut numbers = Vec::new();
    integers(tree.root_node(), range, &mut numbers);
    let mut edits = Vec::new();
    for node in numbers {
        let at = (node.start_byte(), node.end_byte());
        let line_start = file
            .get(..at.0)
            .map_or(0, |b| b.rfind('\n').map_or(0, |i| i + 1));
        let key = last_quoted(between(file, line_start, at.0));
        if !key.is_some_and(&named) {
            continue;
        }
        let value = source(file, node);
        let mut news = off_by_one(value);
        if value.parse::<u64>().is_ok_and(|n| n >= 2) {
            news.push("0".into());
        }
        for new in news {
            edits.push(Change {
                at,
                new,
                line: node.start_position().row + 1,
                kind: Kind::Token,
                literal: false,
                statement: None,
            });
        }
    }
    built(target, file, range, edits, &[])
}

/// The integer literals among `node` and its descendants that lie within `range`.
fn integers<'t>(node: Node<'t>, range: (usize, usize), out: &mut Vec<Node<'t>>) {
    if node.end_byte() <= range.0 || node.start_byte() >= range.1 {
        return;
    }
    if matches!(node.kind(), "integer" | "integer_literal" | "number") {
        out.push(node);
        return;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        integers(child, range, out);
    }
}

/// The text of the last complete `"…"` or `'…'` literal in `text`.
fn last_quoted(text: &str) -> Option<&str> {
    let end = text.rfind(['"', '\''])?;
    let quote = text.get(end..=end)?;
    let start = text.get(..end)?.rfind(quote)?;
    text.get(start + 1..end)
}
