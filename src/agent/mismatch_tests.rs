use super::*;

fn pair(got: &str, want: &str) -> Mismatch {
    Mismatch {
        got: got.into(),
        want: want.into(),
    }
}

#[test]
fn each_runners_report_of_a_failed_comparison_is_read() {
    let pytest =
        "    def test_yen():\n>       assert str(Money.parse(\"1200\", \"JPY\")) == \"¥1,200\"\n\
                  E       AssertionError: assert '¥1,200.00' == '¥1,200'\n\
                  E         \n\
                  E         - ¥1,200\n";
    assert_eq!(mismatches(pytest), vec![pair("¥1,200.00", "¥1,200")]);
    let unittest = "Traceback (most recent call last):\n  File \"t.py\", line 9, in test_yen\n\
                    AssertionError: '15.00 JPY' != '1500 JPY'\n- 15.00 JPY\n+ 1500 JPY\n";
    assert_eq!(mismatches(unittest), vec![pair("15.00 JPY", "1500 JPY")]);
    let under_pytest = "E       AssertionError: '15.00 JPY' != '1500 JPY'\nE       - 15.00 JPY\n";
    assert_eq!(
        mismatches(under_pytest),
        vec![pair("15.00 JPY", "1500 JPY")]
    );
    let rust = "thread 'tabs' panicked at tests/t.rs:9:5:\nassertion `left == right` failed\n  \
                left: \"a       b\\n\"\n right: \"a   b\\n\"\n";
    assert_eq!(mismatches(rust), vec![pair("a       b\n", "a   b\n")]);
    let node = "  code: 'ERR_ASSERTION'\n  name: 'AssertionError'\n  expected: 'KRW 1,500'\n  \
                actual: '₩1,500.00'\n  operator: 'strictEqual'\n";
    assert_eq!(mismatches(node), vec![pair("₩1,500.00", "KRW 1,500")]);
    // Escapes and quotes inside, as each runner writes them.
    assert_eq!(
        mismatches("E       assert \"it's\" == 'a\\'b\\x41\\u00e9'"),
        vec![pair("it's", "a'bAé")]
    );
    assert_eq!(
        mismatches("  expected: 'it''s'\n  actual: \"its\""),
        vec![pair("its", "it's")]
    );
}

#[test]
fn what_is_no_comparison_of_two_whole_values_is_not_read() {
    // pytest cuts long values short; numbers and calls are not string values.
    let cut = format!(
        "E       AssertionError: assert '{}...{}' == 'abc'",
        "a".repeat(120),
        "b".repeat(117)
    );
    assert!(mismatches(&cut).is_empty());
    assert!(mismatches("E       assert 3 == 4").is_empty());
    assert!(mismatches("E       assert f(x) == 'a'").is_empty());
    // A YAML block scalar, and a `left:` with no `right:` after it.
    assert!(mismatches("  expected: |-\n    a\n  actual: 'b'").is_empty());
    assert!(mismatches("  left: \"a\"\n").is_empty());
    assert!(mismatches("E       assert 'a' == 'a'").is_empty());
}

#[test]
fn one_cases_correction_carries_to_another_that_went_wrong_the_same_way() {
    // Cents dropped at the end.
    assert_eq!(
        carried("¥1,200.00", "¥1,200", "₩1,500.00").as_deref(),
        Some("₩1,500")
    );
    // A separator put right at the same place from the start.
    assert_eq!(
        carried("2024-07-03", "2024-03-07", "2023-12-01"),
        None,
        "a swap is no one replacement that carries"
    );
    assert_eq!(
        carried("Total: 12", "Total: 12 EUR", "Total: 7").as_deref(),
        None,
        "an insertion with nothing shared after it stands where the first one did"
    );
    assert_eq!(
        carried("Sum 12", "Sum: 12", "Sum 7").as_deref(),
        Some("Sum: 7")
    );
    // Taken out in the middle, at the same place from the start, or wherever it stands once.
    assert_eq!(
        carried("1,200.00 JPY", "1,200 JPY", "1,500.00 KRW").as_deref(),
        Some("1,500 KRW")
    );
    assert_eq!(
        carried("[none] items", "[] items", "total: [none]").as_deref(),
        Some("total: []")
    );
    // A value put in place of another is the first case's own.
    assert_eq!(carried("21.5 °F", "21.5 °C", "294.6 °F"), None);
    assert_eq!(carried("ETA 1m 60s", "ETA 2m 00s", "ETA 59m 60s"), None);
    // Nothing to carry: what it removes is not there.
    assert_eq!(carried("a.00", "a", "b"), None);
    assert_eq!(carried("same", "same", "same"), None);
}

#[test]
fn a_value_is_written_back_as_a_literal_every_language_reads() {
    assert_eq!(quoted("₩1,500"), "\"₩1,500\"");
    assert_eq!(quoted("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"");
}
