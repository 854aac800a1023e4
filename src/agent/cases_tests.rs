use super::*;

fn checks(issue: &str) -> Vec<String> {
    cases(issue)
        .iter()
        .map(|c| {
            let code = test_code(c, "test_issue_example_1", "import pytest\n");
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
        "The config parser crashes on empty input: `parse_config(\"\")` raises IndexError. It should return an empty dict.",
        "`parse(\"\")` should raise `ValueError`.",
        "`lookup(\"x\")` should not return `None`.",
        "`median([1, 2, 3, 4])` returns 3, but the median of an even count is the mean, 2.5.",
        "`miles_to_km(10)` returns 16.0 but 10 miles are 16.09 km.",
    ] {
        assert_eq!(cases(issue), [], "{issue}");
    }
}

#[test]
fn a_unittest_file_gets_a_test_case_class() {
    let case = Case {
        setup: vec!["xs = [1, 2]".into()],
        call: "mean(xs)".into(),
        expect: Expect::Equals("1.5".into()),
    };
    assert_eq!(
        test_code(&case, "test_issue_example_2", "import unittest\n"),
        "class TestIssueExample2(unittest.TestCase):\n    def test_issue_example_2(self):\n        \
         xs = [1, 2]\n        self.assertEqual(mean(xs), 1.5)"
    );
}
