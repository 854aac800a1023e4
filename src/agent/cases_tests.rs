use super::*;

/// The assertions (and setup) of the pytest tests cria writes of `issue`'s cases.
fn checks(issue: &str) -> Vec<String> {
    cases(issue)
        .iter()
        .map(|c| {
            let code =
                crate::agent::case_test::test_code(c, 1, "tests/test_x.py", "import pytest\n")
                    .unwrap();
            code.lines()
                .skip(1)
                .map(str::trim)
                .collect::<Vec<_>>()
                .join("; ")
        })
        .collect()
}

#[test]
fn a_call_that_returns_one_value_but_should_return_another_is_asserted_equal_to_it() {
    assert_eq!(
        checks(
            r#"`to_roman(4)` returns "IIII" but it should return "IV"; likewise 9 should be "IX"."#
        ),
        [r#"assert to_roman(4) == "IV""#]
    );
    assert_eq!(
        checks("Counting should ignore case, so `top_words(\"The cat and the hat\", 1)` should give `[(\"the\", 2)]`."),
        [r#"assert top_words("The cat and the hat", 1) == [("the", 2)]"#]
    );
}

#[test]
fn text_quoted_as_printed_is_compared_with_the_calls_str() {
    assert_eq!(
        checks(r#"Worse: `str(Money(1500, "JPY"))` prints `¥15.00` instead of `¥1,500`."#),
        [r#"assert str(Money(1500, "JPY")) == "¥1,500""#]
    );
    assert_eq!(
        checks("`fmt_size(2048)` gives `2.0 kB` but it should be `2 KiB`."),
        [r#"assert str(fmt_size(2048)) == "2 KiB""#]
    );
}

#[test]
fn calls_that_should_be_false_are_each_asserted_to_be_false() {
    let issue =
        "Right now `satisfies(\"0.3.0\", \"^0.2.3\")` and `satisfies(\"0.0.4\", \"^0.0.3\")` \
                 are both True; both should be False.";
    assert_eq!(
        checks(issue),
        [
            r#"assert satisfies("0.3.0", "^0.2.3") is False"#,
            r#"assert satisfies("0.0.4", "^0.0.3") is False"#
        ]
    );
}

#[test]
fn a_session_output_takes_the_expected_text_that_replaces_its_wrong_part() {
    let issue = "ETA sometimes reads \"1m 60s\"\n\n\
        \x20   >>> show(5, 10, t=119.7)\n\
        \x20   '[#####.....]  50%  ETA 1m 60s'\n\
        \x20   >>> show(9, 10, t=32397)\n\
        \x20   '[#########.]  90%  ETA 59m 60s'\n\n\
        I expected `ETA 2m 00s` and `ETA 1h 00m`. With 59.6 seconds left it shows `ETA 60s` \
        rather than `ETA 1m 00s`.\n";
    assert_eq!(
        checks(issue),
        [
            r#"assert "ETA 2m 00s" in show(5, 10, t=119.7)"#,
            r#"assert "ETA 1h 00m" in show(9, 10, t=32397)"#
        ]
    );
}

#[test]
fn a_commented_output_takes_a_literal_of_its_kind_and_the_assignments_it_uses() {
    let issue = "My week:\n\n```python\nmon = [(\"09:00\", \"10:00\")]\nother = 3\n\
        gaps(mon)   # -> [('10:00', '12:00')]\n```\n\n\
        I expected `[('10:00', '17:00')]`.\n";
    assert_eq!(
        checks(issue),
        [r#"mon = [("09:00", "10:00")]; assert gaps(mon) == [('10:00', '17:00')]"#]
    );
}

#[test]
fn a_session_whose_expected_value_does_not_fit_its_output_is_left_out() {
    // A string output, and a list expected: which call it belongs to is a guess.
    let issue = "    >>> label(3)\n    'three'\n\nI expected `[3]`.\n";
    assert!(cases(issue).is_empty());
    // An expected value not quoted at all.
    let issue = "    >>> best([\"0.2.3\", \"0.4.1\"], \"^0.2.3\")\n    '0.4.1'\n\n\
        npm resolves the same range to 0.2.9.\n";
    assert!(cases(issue).is_empty());
}

#[test]
fn errors_negations_and_values_without_a_should_make_no_case() {
    for issue in [
        "The config parser crashes on empty input: `parse_config(\"\")` raises IndexError.",
        "`parse(\"\")` should raise `ValueError`.",
        "`lookup(\"x\")` should not return `None`.",
        "`median([1, 2, 3, 4])` returns 3, but the median of an even count is the mean, 2.5.",
        "`miles_to_km(10)` returns 16.0 but 10 miles are 16.09 km.",
        // What one call gives says nothing of what the next should.
        "`clamp(-5, 0, 10)` correctly gives 0 and `clamp(5, 0, 10)` gives 5.",
    ] {
        assert_eq!(cases(issue), [], "{issue}");
    }
}

#[test]
fn a_case_takes_the_assignments_its_own_assignments_use() {
    let issue = "```python\n>>> start = 9\n>>> unused = 1\n>>> day = [(start, 12)]\n\
        >>> gaps(day)\n[(12, 17)]\n```\nI expected `[(9, 17)]`.\n";
    let found = cases(issue);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].setup, ["start = 9", "day = [(start, 12)]"]);
}

#[test]
fn what_a_sentence_says_a_call_gives_now_is_kept_with_its_case() {
    let issue = "`busy(tue)` is off: it says `('09:00', '10:30')` instead of `('09:00', '12:00')`.";
    let found = cases(issue);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].shown.as_deref(), Some("('09:00', '10:30')"));
    assert_eq!(found[0].expect, Expect::Equals("('09:00', '12:00')".into()));
}

#[test]
fn a_failure_showing_a_list_where_the_issue_quotes_a_tuple_is_a_part() {
    let case = &cases("`busy(tue)` gives `('09:00', '10:30')` instead of `('09:00', '12:00')`.")[0];
    let pytest = "    def test_issue_example_1():\n>       assert busy(tue) == ('09:00', '12:00')\n\
        E       AssertionError: assert [('09:00', '10:30'), ('14:00', '15:00')] == ('09:00', '12:00')\n";
    assert!(quotes_a_part(case, pytest));
    let unittest = "AssertionError: [('09:00', '10:30')] != ('09:00', '12:00')\n";
    assert!(quotes_a_part(case, unittest));
    // The whole value, of the kind the issue quotes: a case of its own.
    let whole = "E       AssertionError: assert ('09:00', '10:30') == ('09:00', '12:00')\n";
    assert!(!quotes_a_part(case, whole));
}

#[test]
fn javascript_reports_give_cases_too() {
    let found = cases("`clamp(15, 0, 10)` returns 15 but it should return 10.");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].expect, Expect::Equals("10".into()));
    let found = cases("`isLeap(1900)` gives true; it should be false.");
    assert_eq!(found[0].expect, Expect::Is("false".into()));
    let issue = "```js\nconst day = [['09:00', '12:00']];\nfreeSlots(day); // => [['09:00', '17:00']]\n```\n\
        I expected `[['12:00', '17:00']]`.\n";
    let found = cases(issue);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].call, "freeSlots(day)");
    assert_eq!(found[0].setup, ["const day = [['09:00', '12:00']];"]);
    assert_eq!(
        found[0].expect,
        Expect::Equals("[['12:00', '17:00']]".into())
    );
}

#[test]
fn a_call_after_a_value_starts_a_case_of_its_own() {
    let found = cases("`clamp(-5, 0, 10)` gives 0 and `clamp(15, 0, 10)` should give 10.");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].call, "clamp(15, 0, 10)");
    assert_eq!(found[0].shown, None);
}

#[test]
fn a_sentence_a_block_of_output_interrupts_goes_on_after_it() {
    let issue = "Tag counts split the same tag\n\nFor `count_tags([\"Python, rust\", \"RUST\"])` I get\n\n    {'Python': 1, ' rust': 1, 'RUST': 1}\n\nbut expected `{'python': 1, 'rust': 2}`: tags should be compared without case.\n";
    assert_eq!(
        checks(issue),
        [r#"assert count_tags(["Python, rust", "RUST"]) == {'python': 1, 'rust': 2}"#]
    );
    let stated = crate::agent::stated::stated(issue);
    assert_eq!(stated.shown, ["{'Python': 1, ' rust': 1, 'RUST': 1}"]);
    // A block after a finished sentence leaves the next one its own.
    let apart =
        "`count_tags([\"A\"])` is wrong.\n\n    {'A': 1}\n\nexpected `{'a': 1}` by the docs.\n";
    assert!(checks(apart).is_empty(), "{:?}", checks(apart));
}

#[test]
fn another_input_said_to_go_wrong_too_takes_a_verdict_cases_expectation() {
    let issue = "Students can't sign up: `register(\"Jo\", \"jo@uni.ac.uk\")` returns `{'email': 'bad'}` instead of `{}`. Addresses like `kim@studio.design` are refused too. `is_valid_email(\"jo@uni.ac.uk\")` should be True.";
    let stated = cases(issue);
    let sentence = "Addresses like `kim@studio.design` are refused too.";
    let calls: Vec<(String, Expect)> = analogous(&stated, sentence)
        .into_iter()
        .map(|c| (c.call, c.expect))
        .collect();
    assert_eq!(
        calls,
        [
            (
                "register(\"Jo\", \"kim@studio.design\")".to_string(),
                Expect::Equals("{}".into())
            ),
            (
                "is_valid_email(\"kim@studio.design\")".to_string(),
                Expect::Is("True".into())
            ),
        ]
    );
    // A value that depends on the input is not carried over; nor is a value of another shape.
    let roman = cases("`to_roman(\"IIII\")` gives 5 but should give 4. `IX` has the same problem.");
    assert!(analogous(&roman, "`IX` has the same problem.").is_empty());
    let other_shape = analogous(&stated, "Same with `Kim Lee`.");
    assert!(other_shape.is_empty(), "{other_shape:?}");
}

#[test]
fn a_rust_path_call_is_a_case_too() {
    let issue = "Prices print wrong: `Money::from_cents(105).to_string()` gives `\"1.5\"` instead \
                 of `\"1.05\"`, and `std::fs::read` is no call.";
    assert_eq!(
        cases(issue),
        vec![Case {
            setup: vec![],
            call: "Money::from_cents(105).to_string()".into(),
            shown: Some("\"1.5\"".into()),
            expect: Expect::Equals("\"1.05\"".into()),
        }]
    );
    assert!(!is_call("a:::b(1)") && !is_call("a::(1)"));
}

#[test]
fn a_second_call_that_goes_wrong_keeps_the_calls_before_it() {
    let issue = "\
Every new order has the previous customer's items on it:

    >>> add_line(\"tea\", 1, 350)
    [('tea', 1, 350)]
    >>> add_line(\"mug\", 2, 900)
    [('tea', 1, 350), ('mug', 2, 900)]

The second order should be just `[('mug', 2, 900)]`.
";
    // The expected value goes to the call whose output holds its item, after the first call.
    let found = cases(issue);
    assert_eq!(
        found,
        vec![Case {
            setup: vec!["add_line(\"tea\", 1, 350)".into()],
            call: "add_line(\"mug\", 2, 900)".into(),
            shown: Some("[('tea', 1, 350), ('mug', 2, 900)]".into()),
            expect: Expect::Equals("[('mug', 2, 900)]".into()),
        }]
    );
    let test = crate::agent::case_test::test_code(&found[0], 1, "tests/test_o.py", "").unwrap();
    assert_eq!(
        test,
        "def test_issue_example_1():\n    add_line(\"tea\", 1, 350)\n    \
         assert add_line(\"mug\", 2, 900) == [('mug', 2, 900)]"
    );
    let in_js = Case {
        expect: Expect::Equals("[['mug', 2, 900]]".into()),
        ..found[0].clone()
    };
    let js = crate::agent::case_test::test_code(
        &in_js,
        1,
        "t.test.js",
        "const assert = 1;\ntest('x', () => {});\n",
    )
    .unwrap();
    assert!(js.contains("  add_line(\"tea\", 1, 350);\n"), "{js}");
    let rs = crate::agent::case_test::test_code(&in_js, 1, "tests/t.rs", "").unwrap();
    assert!(
        rs.contains("    let _ = add_line(\"tea\", 1, 350);\n"),
        "{rs}"
    );

    // Calls in another block, or after a blank line, are not carried over.
    let apart = issue.replace("    >>> add_line(\"mug\"", "\n    >>> add_line(\"mug\"");
    assert_eq!(cases(&apart)[0].setup, Vec::<String>::new());
}

#[test]
fn a_call_whose_comment_says_what_it_gives_and_should_give_is_a_case() {
    let issue = "\
Counted things show decimals:

    format_amount(12.0, \"pcs\")  // gives \"12.00 pcs\", should be \"12 pcs\"
    to_roman(4)  # returns \"IIII\" but should return \"IV\"
    total(cart)  # a note, no case

They should never show decimals.";
    assert_eq!(
        cases(issue),
        vec![
            Case {
                setup: vec![],
                call: "format_amount(12.0, \"pcs\")".into(),
                shown: Some("\"12.00 pcs\"".into()),
                expect: Expect::Equals("\"12 pcs\"".into()),
            },
            Case {
                setup: vec![],
                call: "to_roman(4)".into(),
                shown: Some("\"IIII\"".into()),
                expect: Expect::Equals("\"IV\"".into()),
            }
        ]
    );
}

/// A comment that says what a call gives and should give in bare words: each value is the
/// one after its cue, and the first part, with none, is what it gives now.
#[test]
fn a_comments_bare_values_are_read_after_their_cues() {
    let issue = "\
```python
to_roman(4)    # IIII, expected IV
to_roman(9)    # returns 'VIIII' (expected: 'IX')
to_roman(40)   # should be XL; got XXXX
format_total(1500)  # gives 1,500.0, should be 1,500.00
to_roman(0)    # should raise ValueError
```
";
    let got = cases(issue);
    let seen: Vec<(&str, Option<&str>, &Expect)> = (got.iter())
        .map(|c| (c.call.as_str(), c.shown.as_deref(), &c.expect))
        .collect();
    assert_eq!(
        seen,
        [
            ("to_roman(4)", Some("IIII"), &Expect::Prints("IV".into())),
            (
                "to_roman(9)",
                Some("'VIIII'"),
                &Expect::Equals("'IX'".into())
            ),
            ("to_roman(40)", None, &Expect::Prints("XL".into())),
            (
                "format_total(1500)",
                Some("1,500.0"),
                &Expect::Prints("1,500.00".into())
            ),
        ],
        "{got:#?}"
    );
}

/// A Markdown table of calls and what they should give: each row is a case, as the sentence it
/// stands for would be.
#[test]
fn a_table_of_calls_and_what_they_should_give_states_cases() {
    let table = "\
Roman numerals come out wrong:

| call | we get | expected |
|------|--------|----------|
| `to_roman(4)` | `'IIII'` | `'IV'` |
| `to_roman(9)` | VIIII | IX |
| `total([1, 2])` |  | 3 |

Thanks.";
    let prose = "Roman numerals come out wrong: `to_roman(4)` gives `'IIII'` but should give \
                 `'IV'`. `to_roman(9)` gives `VIIII` but should give `IX`. `total([1, 2])` \
                 should give `3`.";
    let got = cases(table);
    assert_eq!(got.len(), 3, "{got:#?}");
    assert_eq!(got, cases(prose));
    // No column of calls, or none headed as what they should give: no cases.
    let inputs = "| n | expected |\n|---|---|\n| 4 | IV |\n";
    let unheaded = "| call | result |\n|---|---|\n| `to_roman(4)` | IV |\n";
    assert!(cases(inputs).is_empty() && cases(unheaded).is_empty());
}

/// A table of inputs under prose that names the call: the row's values are its arguments, by
/// the headers its parameters name, or as the one argument of a function named with none.
#[test]
fn a_table_of_inputs_under_the_call_it_names_states_cases() {
    let issue = "\
`to_roman(n)` gets the subtractive forms wrong:

| n | we get | expected |
|---|--------|----------|
| 4 | `'IIII'` | `'IV'` |
| 9 | VIIII | IX |
| nine | | IX |
";
    let prose = "`to_roman(4)` gives `'IIII'` but should give `'IV'`. `to_roman(9)` gives \
                 `VIIII` but should give `IX`.";
    let got = cases(issue);
    assert_eq!(got.len(), 2, "{got:#?}");
    assert_eq!(got, cases(prose));
    let calls = |issue: &str| -> Vec<String> { cases(issue).into_iter().map(|c| c.call).collect() };
    let bounds = "The bounds of clamp(value, low, high) are ignored.\n\n\
                  | high | value | low | expected |\n|---|---|---|---|\n| 10 | 15 | 0 | 10 |\n";
    assert_eq!(calls(bounds), ["clamp(15, 0, 10)"]);
    let one = "The `ordinal()` helper is wrong for the teens.\n\n\
               | number | expected |\n|---|---|\n| 11 | \"11th\" |\n| 12 | \"12th\" |\n";
    assert_eq!(calls(one), ["ordinal(11)", "ordinal(12)"]);
    // Two functions named: which one the table is of would be a guess.
    let two = "Both `ordinal()` and `cardinal()` are wrong.\n\n\
               | number | expected |\n|---|---|\n| 11 | \"11th\" |\n";
    assert!(cases(two).is_empty());
}

#[test]
fn a_tables_cells_keep_escaped_bars_and_bars_in_code() {
    let issue = "| call | expected |\n|---|---|\n| `pick(\"a|b\")` | `'a\\|b'` |\n";
    let got = cases(issue);
    assert_eq!(
        got.iter().map(|c| c.call.as_str()).collect::<Vec<_>>(),
        ["pick(\"a|b\")"],
        "{got:#?}"
    );
}

#[test]
fn an_input_shown_as_a_block_and_named_by_the_line_before_it_is_a_cases_setup() {
    let issue = "Warnings are reported as errors\n\nOn this log\n\n    \
        2024-05-01T10:00:00Z INFO started\n    2024-05-01T10:00:03Z WARN \"disk\" full\n\n\
        `counts(log)` says `[(Info, 1), (Error, 2)]` instead of `[(Info, 1), (Warn, 1), (Error, 1)]`.\n";
    let found = cases(issue);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0].setup,
        [r#"log = "2024-05-01T10:00:00Z INFO started\n2024-05-01T10:00:03Z WARN \"disk\" full\n""#]
    );
    let test = crate::agent::case_test::test_code(&found[0], 1, "tests/sieve.rs", "").unwrap();
    assert!(
        test.contains(r#"    let log = "2024-05-01T10:00:00Z INFO started\n"#),
        "{test}"
    );
    // A fenced block too; a block of code names nothing, nor does a word no call passes.
    let fenced = "With this config:\n```toml\n[job]\ntimeout = \"45s\"\n```\n\
        `load(config)` should give `45`, not `None`.\n";
    assert_eq!(
        cases(fenced)[0].setup,
        [r#"config = "[job]\ntimeout = \"45s\"\n""#]
    );
    let code = "On this log\n\n    >>> counts(\"x\")\n    []\n\n`counts(log)` should give `[]`.\n";
    assert!(
        cases(code).iter().all(|c| c.setup.is_empty()),
        "{:?}",
        cases(code)
    );
}

#[test]
fn a_value_the_prose_gives_a_call_by_its_place_goes_to_that_call() {
    let issue = "\
Notes pick up tags from earlier notes

    >>> book = Notebook()
    >>> book.add(\"Buy milk #errands\").tags
    ['errands']
    >>> book.add(\"Call mom #family\").tags
    ['errands', 'family']
    >>> book.add(\"Read a book\").tags
    ['errands', 'family']

The second should be `['family']` and the third `[]`.
";
    let found = cases(issue);
    let calls: Vec<(&str, &Expect)> = found.iter().map(|c| (c.call.as_str(), &c.expect)).collect();
    assert_eq!(
        calls,
        vec![
            (
                "book.add(\"Call mom #family\").tags",
                &Expect::Equals("['family']".into())
            ),
            (
                "book.add(\"Read a book\").tags",
                &Expect::Equals("[]".into())
            ),
        ],
        "the first call, right as it is, gets no value"
    );
    assert_eq!(
        found[1].setup,
        vec![
            "book = Notebook()".to_string(),
            "book.add(\"Buy milk #errands\").tags".into(),
            "book.add(\"Call mom #family\").tags".into()
        ]
    );
    // "last" is the last call; a place past the calls shown gives nothing.
    let last = issue.replace("the third `[]`", "the last `[]`");
    assert_eq!(
        cases(&last).get(1).map(|c| c.call.as_str()),
        Some("book.add(\"Read a book\").tags")
    );
    let past = issue.replace("the third `[]`", "the fifth `[]`");
    assert_eq!(cases(&past).len(), 1);
}

#[test]
fn an_empty_value_stated_in_words_is_its_literal() {
    assert_eq!(
        checks("`parse_config(\"\")` should return an empty dict."),
        [r#"assert parse_config("") == {}"#]
    );
    assert_eq!(
        checks("`split_words(\"  \")` gives `['']` but it should give an empty list."),
        [r#"assert split_words("  ") == []"#]
    );
    assert_eq!(
        checks("`strip_tags(\"<b></b>\")` returns None; it should return an Empty String."),
        [r#"assert strip_tags("<b></b>") == """#]
    );
    // An empty input the call is given, not a value it should give; an empty list printed.
    assert!(checks("`show(3)` should print an empty list.").is_empty());
    assert!(checks("`tokens(s)` should not crash on an empty string.").is_empty());
    assert!(checks("`load(path)` fails on an empty list and should handle it.").is_empty());
}

#[test]
fn a_sentence_that_begins_with_it_speaks_of_the_call_before_it() {
    let issue = "The config parser crashes on empty input: `parse_config(\"\")` raises \
                 IndexError.\nIt should return an empty dict. Blank lines should be ignored too.";
    assert_eq!(checks(issue), [r#"assert parse_config("") == {}"#]);
    // Only the sentence right after the call's, and only where it names no call of its own.
    let issue = "`parse_config(\"\")` raises IndexError. The docs are old. It should return 0.";
    assert!(checks(issue).is_empty());
    let issue = "`f(1)` gives 2. It should give 3, and `g(1)` should give 4.";
    assert_eq!(checks(issue), ["assert g(1) == 4"]);
}
