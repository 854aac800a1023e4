//! The values of a table's entries a report names (`"JPY": 2` when the report or the failing
//! test names `JPY`): the one data value of a constant worth a test run each. The other entries
//! are data, too many to try. And a named value the report gives a number ("the docs say
//! `retries` is 3"): `retries: 0` tried as `3`.

use regex::Regex;
use tree_sitter::Node;

use super::{between, built, off_by_one, parse, source, span, Change, Kind, Mutant};
use crate::agent::rewrite::Target;
use crate::agent::stated;

/// The values of a table's entries that `named` names: each number in `target` whose entry's
/// key — the last string literal before it on its line (`"JPY": 2`, `("JPY", 2)`) — it
/// accepts, an integer changed to one more, one less and zero, and any number with two
/// neighbouring digits swapped. The other values of a table are data, too many to try; the one
/// a report names (a currency, a unit, a field) is where a wrong figure shows.
pub fn named_entries(target: &Target, file: &str, named: impl Fn(&str) -> bool) -> Vec<Mutant> {
    each_number(target, file, |before, value| {
        if !last_quoted(before).is_some_and(&named) {
            return Vec::new();
        }
        let mut news = off_by_one(value);
        if value.parse::<u64>().is_ok_and(|n| n >= 2) {
            news.push("0".into());
        }
        news.extend(transposed(value));
        news
    })
}

/// A number literal with two neighbouring digits of one part swapped (`1690.344` → `6190.344`,
/// `1960.344`, `1609.344`, `1690.434`): the slip a hand makes copying a figure. The digits
/// must differ, and no swap puts a zero first.
pub(super) fn transposed(literal: &str) -> Vec<String> {
    let digits = literal.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    if !digits || literal.matches('.').count() > 1 {
        return Vec::new();
    }
    let bytes = literal.as_bytes();
    let mut out = Vec::new();
    for (i, pair) in bytes.windows(2).enumerate() {
        let [a, b] = pair else { continue };
        let leading_zero = i == 0 && *b == b'0';
        if a == b || !a.is_ascii_digit() || !b.is_ascii_digit() || leading_zero {
            continue;
        }
        let mut swapped = bytes.to_vec();
        swapped.swap(i, i + 1);
        if let Ok(text) = String::from_utf8(swapped) {
            out.push(text);
        }
    }
    out
}

/// Numbers an issue gives a name at most, each tried in the named value's place.
const STATED: usize = 4;

/// The numbers `target` gives a name — a field, a key, a keyword argument, a constant: the
/// name before the `:` or `=` the number follows on its line (`retries: 0`, `"mi": 1690.344`,
/// `timeout=30`) — each changed to a number of the same kind (integer or decimal) that a
/// sentence of `issue` naming it states ("The docs say `retries` is 3 when the file leaves it
/// out"). A default, a factor or a limit the report gives is where a wrong figure is fixed.
pub fn stated_values(target: &Target, file: &str, issue: &str) -> Vec<Mutant> {
    let Ok(key) = Regex::new(r#"([A-Za-z_]\w*)["']?\s*(?::|=)\s*$"#) else {
        return Vec::new();
    };
    let (prose, _) = stated::split_sessions(issue);
    let sentences = stated::sentences(&prose);
    each_number(target, file, |before, value| {
        let Some(name) = key.captures(before).and_then(|c| c.get(1)) else {
            return Vec::new();
        };
        let decimal = value.contains('.');
        let stated = (sentences.iter())
            .filter(|s| names_word(s, name.as_str()))
            .flat_map(|s| numbers_in(s))
            .filter(|n| n.contains('.') == decimal && n.as_str() != value);
        let mut news: Vec<String> = Vec::new();
        for n in stated {
            if !news.contains(&n) && news.len() < STATED {
                news.push(n);
            }
        }
        news
    })
}

/// The mutants of `target` that change one of its number literals to each of the values
/// `news` gives it, from the text of its line before it and its own text.
fn each_number(
    target: &Target,
    file: &str,
    mut news: impl FnMut(&str, &str) -> Vec<String>,
) -> Vec<Mutant> {
    let (Some(range), Some((tree, _))) = (span(target, file), parse(&target.path, file)) else {
        return Vec::new();
    };
    let mut numbers = Vec::new();
    number_literals(tree.root_node(), range, &mut numbers);
    let mut edits = Vec::new();
    for node in numbers {
        let at = (node.start_byte(), node.end_byte());
        let line_start = file
            .get(..at.0)
            .map_or(0, |b| b.rfind('\n').map_or(0, |i| i + 1));
        for new in news(between(file, line_start, at.0), source(file, node)) {
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

/// Whether `sentence` names `name` as a word of its own, in any case (`SUNDAY`, "Sunday"); a
/// name of one letter names nothing.
pub fn names_word(sentence: &str, name: &str) -> bool {
    name.chars().count() >= 2
        && sentence
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .any(|w| w.eq_ignore_ascii_case(name))
}

/// The numbers `sentence` states: whole tokens (`3`, `8.05`, `30s` is not one), not parts of a
/// date, a time, a version or a name (`2026-03-08`, `10:30`, `v1.2`).
pub fn numbers_in(sentence: &str) -> Vec<String> {
    let Ok(number) = Regex::new(r"\d+(?:\.\d+)?") else {
        return Vec::new();
    };
    number
        .find_iter(sentence)
        .filter(|m| {
            let before = sentence.get(..m.start()).and_then(|b| b.chars().last());
            let after: Vec<char> = sentence
                .get(m.end()..)
                .unwrap_or("")
                .chars()
                .take(2)
                .collect();
            let glued = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | ':' | '/' | '.');
            let ends = match after.as_slice() {
                [] => true,
                ['.', next, ..] => next.is_whitespace(),
                ['.'] => true,
                [c, ..] => !glued(*c),
            };
            !before.is_some_and(glued) && ends
        })
        .map(|m| m.as_str().to_string())
        .collect()
}

/// The number literals among `node` and its descendants that lie within `range`.
fn number_literals<'t>(node: Node<'t>, range: (usize, usize), out: &mut Vec<Node<'t>>) {
    if node.end_byte() <= range.0 || node.start_byte() >= range.1 {
        return;
    }
    if matches!(
        node.kind(),
        "integer" | "integer_literal" | "number" | "float" | "float_literal"
    ) {
        out.push(node);
        return;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        number_literals(child, range, out);
    }
}

/// The text of the last complete `"…"` or `'…'` literal in `text`.
fn last_quoted(text: &str) -> Option<&str> {
    let end = text.rfind(['"', '\''])?;
    let quote = text.get(end..=end)?;
    let start = text.get(..end)?.rfind(quote)?;
    text.get(start + 1..end)
}
