//! Unit tests for `cosmetic`.

use super::*;

fn change(rel: &str, before: &str, after: &str) -> FileChange {
    FileChange {
        abs: std::path::PathBuf::from(rel),
        rel: rel.into(),
        before: Some(before.as_bytes().to_vec()),
        after: Some(after.as_bytes().to_vec()),
    }
}

fn cosmetic(rel: &str, before: &str, after: &str) -> bool {
    is_cosmetic(&[change(rel, before, after)])
}

const SLUG: &str = "import re\n\n\ndef slugify(s):\n    return re.sub(r'\\W+', '-', s)  # dash\n";

#[test]
fn an_added_import_and_dropped_blank_lines_change_nothing() {
    let after =
        "import re\nimport unicodedata\n\ndef slugify(s):\n    return re.sub(r'\\W+', '-', s)\n";
    assert!(cosmetic("slug.py", SLUG, after));
}

#[test]
fn a_changed_expression_is_behaviour() {
    let after = SLUG.replace("'-'", "'_'");
    assert!(!cosmetic("slug.py", SLUG, &after));
}

#[test]
fn python_indentation_is_behaviour() {
    let before = "def f(x):\n    if x:\n        a()\n    b()\n";
    let after = "def f(x):\n    if x:\n        a()\n        b()\n";
    assert!(!cosmetic("f.py", before, after));
}

#[test]
fn a_removed_or_changed_import_is_behaviour() {
    assert!(!cosmetic("m.py", "import a\nx = 1\n", "x = 1\n"));
    assert!(!cosmetic(
        "m.py",
        "from a import f\nx = f()\n",
        "from b import f\nx = f()\n"
    ));
}

#[test]
fn a_hash_inside_a_string_is_code() {
    assert!(!cosmetic("m.py", "x = '#a'\n", "x = '#b'\n"));
}

#[test]
fn rust_comments_and_formatting_change_nothing() {
    let before = "fn f(a: u8) -> u8 {\n    a + 1 // one more\n}\n";
    let after = "use std::fmt;\n/* a note */\nfn f(a: u8) -> u8 {\n    a +   1\n}\n";
    assert!(cosmetic("src/lib.rs", before, after));
    assert!(!cosmetic(
        "src/lib.rs",
        before,
        &before.replace("+ 1", "+ 2")
    ));
}

#[test]
fn a_comment_marker_in_a_url_string_is_kept() {
    let before = "let u = \"http://a\";\n";
    let after = "let u = \"http://b\";\n";
    assert!(!cosmetic("a.rs", before, after));
}

#[test]
fn created_and_deleted_files_are_behaviour() {
    let mut c = change("new.py", "", "x = 1\n");
    c.before = None;
    assert!(!is_cosmetic(&[c]));
    assert!(!is_cosmetic(&[]));
}

#[test]
fn one_real_change_in_a_set_makes_it_behaviour() {
    let set = [
        change("a.py", "x = 1\n", "x = 1\n\n"),
        change("b.py", "y = 1\n", "y = 2\n"),
    ];
    assert!(!is_cosmetic(&set));
}
