//! Unit tests for `parse`.

use super::*;

#[test]
fn plain_block() {
    let b = parse_search_replace("a.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n")
        .unwrap();
    assert_eq!(b.len(), 1);
    assert_eq!(b[0].path, "a.py");
    assert_eq!(b[0].search, "x = 1\n");
    assert_eq!(b[0].replace, "x = 2\n");
}

#[test]
fn fenced_with_decorated_path_and_prose() {
    let text = "Here is the fix:\n\n**src/lib.rs**\n```rust\n<<<<<<< SEARCH\nfn a() {}\n=======\nfn b() {}\n>>>>>>> REPLACE\n```\nDone.";
    let b = parse_search_replace(text).unwrap();
    assert_eq!(b[0].path, "src/lib.rs");
    assert_eq!(b[0].replace, "fn b() {}\n");
}

#[test]
fn path_inside_fence_and_reused_path() {
    let text = "```\n# app/util.py\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n<<<<<<< SEARCH\nc\n=======\nd\n>>>>>>> REPLACE\n```";
    let b = parse_search_replace(text).unwrap();
    assert_eq!(b.len(), 2);
    assert_eq!(b[1].path, "app/util.py");
}

#[test]
fn truncated_reply_closes_last_block() {
    let b = parse_search_replace("f.py\n<<<<<<< SEARCH\na\n=======\nb").unwrap();
    assert_eq!(b[0].replace, "b\n");
}

#[test]
fn missing_path_is_left_empty() {
    let b = parse_search_replace("<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n").unwrap();
    assert_eq!(b[0].path, "");
}

#[test]
fn code_line_is_not_a_path() {
    assert_eq!(clean_path_line("x = foo.bar()"), None);
    assert_eq!(clean_path_line("`cart.py`:"), Some("cart.py".into()));
    assert_eq!(
        clean_path_line("File: src/main.rs"),
        Some("src/main.rs".into())
    );
}
