//! Unit tests for `matching`.

use super::*;

#[test]
fn exact_then_trailing_whitespace() {
    let r = replace_unique("a\nb  \nc\n", "b\n", "B\n").unwrap();
    assert_eq!(r.body, "a\nB\nc\n");
    assert_eq!(r.level, Level::TrailingWhitespace);
}

#[test]
fn reindents_replacement() {
    let body = "def f():\n    if x:\n        return 1\n";
    let r = replace_unique(body, "if x:\n    return 1\n", "if x:\n    return 2\n").unwrap();
    assert_eq!(r.body, "def f():\n    if x:\n        return 2\n");
    assert_eq!(r.level, Level::Indentation);
}

#[test]
fn fragment_of_one_line() {
    let r = replace_unique("    return a - b\n", "a - b\n", "a + b\n").unwrap();
    assert_eq!(r.body, "    return a + b\n");
}

#[test]
fn ambiguous_names_lines() {
    let e = replace_unique("x = 1\ny\nx = 1\n", "x = 1\n", "x = 2\n").unwrap_err();
    assert_eq!(e, MatchError::Ambiguous { lines: vec![1, 3] });
}

#[test]
fn not_found_shows_closest_region() {
    let body = "def add(a, b):\n    return a - b\n\ndef sub(a, b):\n    return a - b + 0\n";
    let e = replace_unique(body, "def add(a, b):\n    return a-b\n", "x\n").unwrap_err();
    assert_eq!(e, MatchError::NotFound);
    let hint = closest(body, "def add(a, b):\n    return a-b\n");
    assert!(hint.contains("1 | def add(a, b):"), "{hint}");
}

#[test]
fn strips_copied_line_numbers() {
    let r = replace_unique("a\nb\n", "1 | a\n2 | b\n", "1 | a\n2 | c\n").unwrap();
    assert_eq!(r.body, "a\nc\n");
}
