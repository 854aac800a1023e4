//! Unit tests for `runaway`.

use super::*;

#[test]
fn a_line_said_four_times_is_a_loop_and_one_copy_is_kept() {
    let text =
        "The cause is x.\nCheck the total.\nCheck the total.\nCheck the total.\nCheck the total.\n";
    let cut = loop_cut(text).unwrap();
    assert_eq!(&text[..cut], "The cause is x.\nCheck the total.\n");
}

#[test]
fn a_phrase_repeated_without_line_breaks_is_a_loop() {
    let text = format!("Because {}", "the discount is applied twice, ".repeat(5));
    let cut = loop_cut(&text).unwrap();
    assert_eq!(&text[..cut], "Because the discount is applied twice, ");
}

#[test]
fn ordinary_code_and_dividers_are_not_loops() {
    let code =
        "def f(x):\n    if x:\n        return 1\n    return 2\n\n\ndef g(y):\n    return y\n";
    assert_eq!(loop_cut(code), None);
    assert_eq!(loop_cut(&format!("# {}\n", "-".repeat(80))), None);
    assert_eq!(loop_cut("    }\n    }\n    }\n    }\n"), None);
    let table = "    (1000, \"M\"),\n    (900, \"CM\"),\n    (500, \"D\"),\n    (400, \"CD\"),\n";
    assert_eq!(loop_cut(table), None);
    assert_eq!(loop_cut("ab"), None);
}
