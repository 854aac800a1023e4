use super::*;

#[test]
fn instead_of_splits_wrong_from_expected() {
    let s = stated("`slug(\"Crème\")` gives `cr-me` instead of `creme`.");
    assert_eq!(s.wrong, vec!["cr-me"]);
    assert_eq!(s.expected, vec!["creme"]);
}

#[test]
fn a_python_session_shows_the_wrong_output_and_prose_the_expected() {
    let issue = "Sizes are off:\n\n    >>> human(1023)\n    '1023.0 B'\n    >>> human(1024 ** 2)\n    '1024.0 KiB'\n\nI expected `1023 B` and `1.0 MiB`. With `2048` it shows `2048.0 B` rather than `2.0 KiB`.\n";
    let s = stated(issue);
    assert_eq!(s.wrong, vec!["1023.0 B", "1024.0 KiB", "2048.0 B"]);
    assert_eq!(s.expected, vec!["1023 B", "1.0 MiB", "2.0 KiB"]);
}

#[test]
fn what_the_docs_say_is_expected_and_what_the_program_says_is_not() {
    let s = stated(
        "The log shows `retry in 2s, 4s`, but the docs (and the setting) say the first retry \
         waits `base` seconds, doubling after that: `1s, 2s`.",
    );
    assert_eq!(s.wrong, vec!["retry in 2s, 4s"]);
    assert_eq!(s.expected, vec!["1s, 2s"]);
    let s = stated("The README says the default width is `80`; the program says `72`.");
    assert_eq!(
        (s.wrong, s.expected),
        (vec!["72".into()], vec!["80".to_string()])
    );
    // What the docs talk about is no value.
    assert_eq!(stated("The docs say `retries` is `3`.").expected, vec!["3"]);
    let s = stated("The summary says `Loop: 8.45 km`. It's `8.05 km`.");
    assert_eq!(s.wrong, vec!["Loop: 8.45 km"]);
}

#[test]
fn names_are_what_the_issue_talks_about_unless_a_cue_precedes_them() {
    let s = stated(
        "`Stack::peek` returns the bottom: `peek()` gives `Some(&1)` but it should give \
         `Some(&3)` (the element `pop` would return).",
    );
    assert_eq!(s.wrong, vec!["Some(&1)"]);
    assert_eq!(s.expected, vec!["Some(&3)"]);
}

#[test]
fn list_items_are_sentences_of_their_own() {
    let s = stated(
        "Importing:\n- `\"day\": 3` comes in as `4`\n- `\"day\": 9` fails with `KeyError`\n",
    );
    assert_eq!(s.wrong, vec!["4"]);
}

#[test]
fn a_comment_in_a_code_block_shows_the_output() {
    let issue = "```python\nmerge([(1, 5), (2, 3)])   # -> [(1, 3)]\nsplit(4)  # should be [2, 2]\n```\nI expected `[(1, 5)]`.\n";
    let s = stated(issue);
    assert_eq!(s.wrong, vec!["[(1, 3)]"]);
    assert_eq!(s.expected, vec!["[(1, 5)]"]);
}

#[test]
fn double_quoted_values_count_and_calls_are_inputs() {
    let s = stated("`to_roman(4)` returns \"IIII\" but it should return \"IV\".");
    assert_eq!(s.wrong, vec!["IIII"]);
    assert_eq!(s.expected, vec!["IV"]);
}

#[test]
fn a_value_quoted_both_ways_is_neither() {
    let s = stated("It prints `1.5`, `2.5`. Expected `1.5`, then `3.5`.");
    assert_eq!(s.wrong, vec!["2.5"]);
    assert_eq!(s.expected, vec!["3.5"]);
}

#[test]
fn a_full_stop_inside_inline_code_does_not_end_the_sentence() {
    let s = stated("`fmt(1500)` prints `$15.00` instead of `$1,500.00`. Odd.");
    assert_eq!(s.wrong, vec!["$15.00"]);
    assert_eq!(s.expected, vec!["$1,500.00"]);
}

#[test]
fn an_issue_without_quoted_values_states_nothing() {
    let s = stated("The report is slow and the colours are ugly.");
    assert_eq!(s, Stated::default());
    assert_eq!(s.hint(), None);
}

#[test]
fn the_hint_names_both_columns() {
    let s = stated("It returns `7` instead of `8`.");
    let hint = s.hint().unwrap_or_default();
    assert!(hint.contains("`7` as the wrong output"), "{hint}");
    assert!(hint.contains("expects `8`"), "{hint}");
}

#[test]
fn a_test_that_expects_the_wrong_output_is_found() {
    let s = stated("`human(1023)` gives `1023.0 B` instead of `1023 B`.");
    let copies = "def test_it():\n    assert human(1023) == '1023.0 B'\n";
    assert_eq!(s.asserted_wrong(copies), Some("1023.0 B"));
    let right = "def test_it():\n    assert human(1023) == '1023 B'\n";
    assert_eq!(s.asserted_wrong(right), None);
    let negated = "def test_it():\n    assert human(1023) != '1023.0 B'\n";
    assert_eq!(s.asserted_wrong(negated), None);
    let rust = "#[test]\nfn it() { assert_eq!(human(1023), \"1023.0 B\"); }\n";
    assert_eq!(s.asserted_wrong(rust), Some("1023.0 B"));
}

#[test]
fn a_whole_line_holding_the_wrong_fragment_is_found() {
    let s = stated("The footer reads `Total: 3 itemss` rather than `Total: 3 items`.");
    let code = "assert footer(3) == 'Page 1 | Total: 3 itemss'\n";
    assert_eq!(s.asserted_wrong(code), Some("Total: 3 itemss"));
}

#[test]
fn another_case_said_to_go_wrong_the_same_way_is_found() {
    let issue = "`fmt(1500, \"EUR\")` prints `15.00 €` instead of `1,500 €`.\nSwiss francs have the same problem. Same with `fmt_short()`.\nIt is the same output as before. Addresses like `kim@studio.design` are refused too. The list is too long. Single quotes are the same.\n";
    assert_eq!(
        other_cases(issue),
        vec![
            "Swiss francs have the same problem.",
            "Same with `fmt_short()`.",
            "Addresses like `kim@studio.design` are refused too.",
            "Single quotes are the same."
        ]
    );
}

#[test]
fn a_test_touches_a_case_by_a_span_a_name_in_it_or_a_word() {
    let francs = "Swiss francs have the same problem.";
    assert!(!touches("assert fmt(1500, 'EUR') == '1,500 €'", francs));
    assert!(touches(
        "assert fmt(1500, 'CHF') == '1,500 CHF'  # swiss",
        francs
    ));
    let short = "Same with `Table::render()` from the library.";
    assert!(touches(
        "assert_eq!(Table::new(rows).render(), want);",
        short
    ));
    assert!(!touches("assert_eq!(layout(&rows), want);", short));
    // A span of punctuation is in any test; the case's own values are not.
    let paths = "It breaks paths as well: `DATA_DIR='/srv/data'` ends up as a folder named `'`.";
    let test = "assert parse_line('GREETING=\"hello world\"') == ('GREETING', 'hello world')";
    assert!(!touches(test, paths));
    assert!(touches(
        "assert parse_line(\"DATA_DIR='/srv/data'\")[1] == '/srv/data'",
        paths
    ));
}

#[test]
fn a_block_the_line_before_says_came_out_is_the_wrong_output() {
    let issue = "After `export(tickets)` the file has this line:\n\n    512,\"Say \"\"Hi\" now\",open\n\nReading it back breaks the title.";
    assert_eq!(stated(issue).wrong, ["512,\"Say \"\"Hi\" now\",open"]);
    // A command and code in such a block are not output; the output lines keep their spaces.
    let shell = "`--tabs 4` gives the same output as none:\n\n    $ detab --tabs 4 < main.go\n    func main() {\n            if ok {\n";
    assert_eq!(
        stated(shell).wrong,
        ["func main() {\n        if ok {"],
        "{shell}"
    );
    let code = "Our worker gets them reversed:\n\n    q.push(\"a\", 1);\n    drain(q)\n";
    assert!(stated(code).wrong.is_empty());
}

#[test]
fn a_block_of_inputs_or_of_what_is_expected_is_not_wrong() {
    for issue in [
        "For 3.4.0 our commits were:\n\n    feat(api/v2): add search\n    fix(parser): tabs\n",
        "Expected output:\n\n    Total: 3 items\n",
        "The file should have this line:\n\n```\n512,open\n```\n",
    ] {
        assert!(stated(issue).wrong.is_empty(), "{issue}");
    }
}

#[test]
fn a_javascript_test_expecting_the_wrong_output_is_found() {
    let issue =
        "After `exportTickets(t)` the file has this line:\n\n    512,\"Say \"\"Hi\" now\",open\n";
    let s = stated(issue);
    let copies = "test('quotes', () => {\n  assert.equal(exportTickets(t), '512,\"Say \"\"Hi\" now\",open\\r\\n');\n});\n";
    assert_eq!(
        s.asserted_wrong(copies),
        Some("512,\"Say \"\"Hi\" now\",open")
    );
    let deep = "  assert.deepStrictEqual(rows(t), ['512,\"Say \"\"Hi\" now\",open']);\n";
    assert_eq!(
        s.asserted_wrong(deep),
        Some("512,\"Say \"\"Hi\" now\",open")
    );
    let negated = "  assert.notEqual(exportTickets(t), '512,\"Say \"\"Hi\" now\",open');\n";
    assert_eq!(s.asserted_wrong(negated), None);
}

#[test]
fn a_wrong_value_passed_to_a_call_in_the_assertion_is_an_input() {
    // The title comes back unchanged: the wrong output is also the input.
    let s = stated("`slugify(title)` returns `Hello World` unchanged instead of `hello-world`.");
    let right = "    self.assertEqual(slugify(\"Hello World\"), \"hello-world\")\n";
    assert_eq!(s.asserted_wrong(right), None);
    let jest = "  expect(slugify('Hello World')).toBe('hello-world');\n";
    assert_eq!(s.asserted_wrong(jest), None);
    let copies = "  expect(slugify('Hello World')).toBe('Hello World');\n";
    assert_eq!(s.asserted_wrong(copies), Some("Hello World"));
    let python = "    assert slugify('Hello World') == 'Hello World'\n";
    assert_eq!(s.asserted_wrong(python), Some("Hello World"));
}

#[test]
fn the_hint_leaves_out_a_block_of_output_but_the_check_still_knows_it() {
    let issue = "Invoices come out like this:\n\n    Ramen   2 x  ¥1,200.00\n    Total        ¥2,400.00\n\n`str(Money(1500, \"JPY\"))` prints `¥15.00` instead of `¥1,500`.";
    let s = stated(issue);
    let hint = s.hint().expect("both columns");
    assert!(hint.contains("`¥15.00` as the wrong output"), "{hint}");
    assert!(!hint.contains("Ramen"), "{hint}");
    let copies = "    assert render(inv) == 'Ramen   2 x  ¥1,200.00\\nTotal        ¥2,400.00'\n";
    assert!(s
        .asserted_wrong(copies)
        .is_some_and(|w| w.starts_with("Ramen")));
}

#[test]
fn the_sentences_that_say_what_should_happen_are_picked_in_the_issues_words() {
    let issue = "Undo skips a step\n\nAfter typing a, b, c and pressing undo twice I get \
                 `a`.\n\n    ed.undo()\n    # should be handled\n\nI expected `ab`, then \
                 `a` after the second undo. Redo is fine.\n\n- It must not drop the \
                 redo stack either.\n";
    assert_eq!(
        expectations(issue),
        [
            "I expected `ab`, then `a` after the second undo.",
            "It must not drop the redo stack either."
        ]
    );
    assert!(expectations("The totals are off by one.").is_empty());
}

/// An issue that shows a table the code prints, one column too narrow, and says what it should be.
const TABLE_ISSUE: &str = "`render(&rows)` prints this:\n\n    | name | qty |\n    | café | 2 |\n\nThe second row's cells should line up with the header.\n";

#[test]
fn a_wrong_table_asserted_over_several_lines_is_found() {
    let s = stated(TABLE_ISSUE);
    assert_eq!(s.wrong, ["| name | qty |\n| café | 2 |"]);
    // Rust: a string continued with `\` (the next line's leading space is not in the value).
    let rust = "#[test]\nfn table() {\n    assert_eq!(\n        render(&rows),\n        \"| name | qty |\\n\\\n         | café | 2 |\\n\"\n    );\n}\n";
    assert_eq!(s.asserted_wrong(rust), Some(s.wrong[0].as_str()));
    // Python: a triple-quoted string, and literals side by side in brackets.
    let triple = "def test_table():\n    assert render(rows) == \"\"\"| name | qty |\n| café | 2 |\n\"\"\"\n";
    assert_eq!(s.asserted_wrong(triple), Some(s.wrong[0].as_str()));
    let side_by_side = "def test_table():\n    assert render(rows) == (\n        \"| name | qty |\\n\"\n        \"| café | 2 |\\n\"\n    )\n";
    assert_eq!(s.asserted_wrong(side_by_side), Some(s.wrong[0].as_str()));
    // JavaScript, the expected value on the assertion's second line.
    let js = "test('table', () => {\n  assert.strictEqual(\n    render(rows),\n    '| name | qty |\\n| café | 2 |\\n'\n  );\n});\n";
    assert_eq!(s.asserted_wrong(js), Some(s.wrong[0].as_str()));
}

#[test]
fn the_right_table_over_several_lines_is_not_the_wrong_one() {
    let s = stated(TABLE_ISSUE);
    let rust = "#[test]\nfn table() {\n    assert_eq!(\n        render(&rows),\n        \"| name | qty |\\n\\\n         | café | 2   |\\n\"\n    );\n}\n";
    assert_eq!(s.asserted_wrong(rust), None);
    // Only the leading space differs: a Python continuation keeps it, so it is another table.
    let issue = "`indent(src)` gives this:\n\n    if x:\n     y\n\nThe body should be indented by four spaces.\n";
    let s = stated(issue);
    assert_eq!(s.wrong, ["if x:\n y"]);
    let right = "def test_indent():\n    assert indent(src) == \"if x:\\n\\\n    y\"\n";
    assert_eq!(s.asserted_wrong(right), None);
    let copies = "def test_indent():\n    assert indent(src) == \"if x:\\n\\\n y\"\n";
    assert_eq!(s.asserted_wrong(copies), Some("if x:\n y"));
    // A negated assertion over several lines is no claim that the output is right.
    let negated = "    assert_ne!(\n        render(&rows),\n        \"| name | qty |\\n| café | 2 |\"\n    );\n";
    assert_eq!(stated(TABLE_ISSUE).asserted_wrong(negated), None);
}

#[test]
fn an_unclosed_assertion_is_read_line_by_line() {
    let s = stated("`human(1023)` gives `1023.0 B` instead of `1023 B`.");
    let code =
        "    assert human(1023) == '1023.0 B'  # it's what it gives\n    assert human(1) == (\n";
    assert_eq!(s.asserted_wrong(code), Some("1023.0 B"));
}

#[test]
fn output_the_issue_shows_is_named_even_with_no_expected_value() {
    let issue = "Exporting the list, the report has this row:\n\n    7,\"Tom \"\"Jr\" Smith\",42\n\nI want names to survive a round trip.";
    let s = stated(issue);
    assert_eq!(s.shown, ["7,\"Tom \"\"Jr\" Smith\",42"]);
    let hint = s.hint().expect("the shown output is named");
    assert!(
        hint.contains("`7,\"Tom \"\"Jr\" Smith\",42` as what the code gives now"),
        "{hint}"
    );
    assert!(hint.contains("must not expect it"), "{hint}");
    // A session's output too.
    let s = stated("```\n>>> pad('ab', 4)\n'ab'\n```\n\nIt ignores the width.");
    assert!(
        s.hint().is_some_and(|h| h.contains("`ab`")),
        "{:?}",
        s.hint()
    );
    // A value with a cue of one kind alone in prose is not named: it may be an input.
    let s = stated("`9-17/2` gives hours that are off.");
    assert_eq!(s.hint(), None);
}

/// A table of cases: its column of what comes out now is wrong, its expected column expected
/// — not whatever a sentence run across its cells would take them for.
#[test]
fn a_tables_columns_say_which_values_are_wrong_and_which_expected() {
    let issue = "Exact sizes are shown in the unit below:\n\n\
                 | call | shows | expected |\n|---|---|---|\n\
                 | `formatBytes(1024)` | `1024 B` | `1.0 KB` |\n\
                 | `formatBytes(1048576)` | `1024.0 KB` | `1.0 MB` |\n";
    let got = stated(issue);
    assert_eq!(got.wrong, ["1024 B", "1024.0 KB"], "{got:#?}");
    assert_eq!(got.expected, ["1.0 KB", "1.0 MB"], "{got:#?}");
}

#[test]
fn an_abbreviations_period_ends_no_sentence() {
    let said = stated(
        "A job past its total should show a full bar and its percentage, e.g.\n`docs [###] 140%`.\n",
    );
    assert_eq!(said.expected, vec!["docs [###] 140%"]);
    let cut = sentences("Units (i.e. km) are right. Miles are not.");
    assert_eq!(
        cut.get(..2),
        Some(
            &[
                "Units (i.e. km) are right.".to_string(),
                " Miles are not.".into()
            ][..]
        )
    );
}
