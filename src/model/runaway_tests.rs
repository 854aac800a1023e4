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

#[test]
fn a_block_written_out_three_times_is_a_loop_and_one_copy_is_kept() {
    let test = "test('titles with quotes', () => {\n  const csv = exportTickets([{ id: 512, title: 'Say \"Hi\"' }], {\n    columns: ['id', 'title'],\n  });\n  assert.equal(csv, '512,\"Say \"\"Hi\"\"\"\\r\\n');\n});\n";
    let head = "```javascript\n";
    for between in ["", "\n", "\n\n"] {
        let twice = format!("{head}{test}{between}{test}");
        assert_eq!(loop_cut(&twice), None, "two copies are not yet a loop");
        let text = format!("{twice}{between}{test}");
        let cut = loop_cut(&text).unwrap();
        assert_eq!(&text[..cut], format!("{head}{test}"));
    }
}

#[test]
fn blocks_that_differ_or_are_short_are_not_loops() {
    // Three tests alike but for their values: each is a case of its own.
    let tests: String = (1..=3)
        .map(|n| format!("def test_case_{n}():\n    result = render(500, 1000, elapsed=119.7)\n    assert result == \"[##########..........]  50%  500/1000  ETA {n}m 00s\"\n\n"))
        .collect();
    assert_eq!(loop_cut(&tests), None);
    // A short block, like a closing brace's lines, repeats in ordinary code.
    let closing = "        }\n    }\n}\n";
    assert_eq!(loop_cut(&closing.repeat(3)), None);
}

#[test]
fn a_stop_string_inside_the_last_piece_ends_the_reply_just_after_it() {
    // The token that closed the test went on into the next one.
    let text = "fn a() {\n    x();\n}\n\n#[";
    let before = "fn a() {\n    x();\n".len();
    assert_eq!(stop_cut(text, before, &["\n}\n"], 0), Some(before + 2));
    // The earliest of several, across the boundary of the last piece.
    let text = "The cause is x.\n\n```rust";
    assert_eq!(stop_cut(text, 15, &["```", "\n\n"], 0), Some(17));
    // Text before the last piece was looked at already; a stop before `from` does not count.
    assert_eq!(stop_cut("a\n\nb", 4, &["\n\n"], 0), None);
    assert_eq!(stop_cut("```py\n```", 5, &["```"], 1), Some(9));
    // Looking back from inside a character starts at its first byte.
    assert_eq!(stop_cut("naïve\n\n", 5, &["\n\n"], 0), Some(8));
}
