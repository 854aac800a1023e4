//! Unit tests for `localize`.

use super::*;

#[test]
fn finds_traceback_paths() {
    let files = vec!["shop/cart.py".to_string(), "tests/test_cart.py".to_string()];
    let out = "File \"/tmp/x/shop/cart.py\", line 12, in total\n  tests/test_cart.py:4: in test";
    assert_eq!(
        mentioned_paths(out, &files),
        vec!["shop/cart.py", "tests/test_cart.py"]
    );
}

#[test]
fn identifiers_prefer_code_words() {
    let ids = identifiers("`apply_discount` returns wrong totals for CartItem objects");
    assert_eq!(ids[0], "apply_discount");
    assert!(ids.contains(&"CartItem".to_string()));
    assert!(!ids.contains(&"returns".to_string()));
}
