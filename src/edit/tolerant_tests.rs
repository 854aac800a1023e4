//! Unit tests for `tolerant`.

use super::*;

fn lines(s: &str) -> Vec<&str> {
    s.split_inclusive('\n').collect()
}

#[test]
fn typographic_punctuation_folds_to_ascii() {
    assert_eq!(
        fold("a \u{2013} b \u{2011} \u{201C}c\u{201D} \u{2019}"),
        "a - b - \"c\" '"
    );
    assert_eq!(fold("plain - 'text'"), "plain - 'text'");
}

#[test]
fn kept_lines_keep_the_files_characters() {
    let file = lines("title = \u{201C}Tom\u{2019}s\u{201D}\nrange = 1\u{2013}5\n");
    let search = lines("title = \"Tom's\"\nrange = 1-5\n");
    let out = keep_file_lines(&file, &search, "title = \"Tom's\"\nrange = 1-9\n");
    assert_eq!(out, "title = \u{201C}Tom\u{2019}s\u{201D}\nrange = 1-9\n");
}

#[test]
fn new_lines_follow_the_files_indentation_line_by_line() {
    // The SEARCH is indented 2/4 where the file has 4/12: no uniform offset.
    let file = lines("    if x:\n            y()\n");
    let search = lines("  if x:\n    y()\n");
    let out = keep_file_lines(&file, &search, "  if x:\n    y()\n    z()\n");
    assert_eq!(out, "    if x:\n            y()\n            z()\n");
}

#[test]
fn a_kept_line_the_replace_indents_deeper_moves_with_it() {
    let file = lines("    a()\n");
    let search = lines("a()\n");
    let out = keep_file_lines(&file, &search, "if x:\n    a()\n");
    assert_eq!(out, "    if x:\n        a()\n");
}

#[test]
fn a_shallower_new_line_loses_indentation() {
    let file = lines("        a\n");
    let search = lines("    a\n");
    let out = keep_file_lines(&file, &search, "    a\nb\n");
    assert_eq!(out, "        a\n    b\n");
}
