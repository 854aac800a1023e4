use super::super::stated;

const BAR_ISSUE: &str = "Dashboard panics when a job does more steps than planned\n\n\
    A job past its total should just show a full bar and its real percentage, e.g.\n\
    `docs  [##########] 140%`.\n";

#[test]
fn a_value_written_from_memory_takes_the_issues_tokens_and_keeps_the_tests_spacing() {
    let code = "#[test]\nfn past_total() {\n    let jobs = [Job::new(\"docs\", 7, 5)];\n    \
                assert_eq!(dashboard(&jobs, narrow()), vec![\"docs [##########] 100%\"]);\n}\n";
    let fixed = stated(BAR_ISSUE).respelled(code).expect("a near copy");
    assert_eq!(fixed.was, "docs [##########] 100%");
    assert_eq!(fixed.now, "docs [##########] 140%");
    assert_eq!(
        fixed.code,
        code.replace("100%", "140%"),
        "only the value changes, and only in the assertion"
    );
}

#[test]
fn a_copy_of_the_wrong_output_is_put_right() {
    let issue = "Miles come out long\n\n`summary(trail)` prints `Loop: 8.45 km`; it should print \
                 `Loop: 8.05 km`.\n";
    let code =
        "def test_loop():\n    assert summary(Trail('Loop').add('5 mi')) == 'Loop: 8.45 km'\n";
    let fixed = stated(issue).respelled(code).expect("a near copy");
    assert_eq!(fixed.now, "Loop: 8.05 km");
    assert!(fixed.code.contains("== 'Loop: 8.05 km'"), "{}", fixed.code);
    assert!(
        fixed.code.contains("Trail('Loop').add('5 mi')"),
        "inputs untouched"
    );
}

#[test]
fn another_case_or_another_shape_is_left_alone() {
    let issue = "Miles come out long\n\nIt should print `Loop: 8.05 km`.\n";
    let said = stated(issue);
    let other_name = "def test_a():\n    assert summary(t) == 'Stairs: 0.30 km'\n";
    assert_eq!(
        said.respelled(other_name),
        None,
        "a word with letters differs"
    );
    let other_shape = "def test_a():\n    assert summary(t) == 'Loop: 8 km'\n";
    assert_eq!(said.respelled(other_shape), None, "8 is not 8.05's shape");
    let more_words = "def test_a():\n    assert summary(t) == 'Loop: 8.45 km total'\n";
    assert_eq!(said.respelled(more_words), None);
    let right = "def test_a():\n    assert summary(t) == 'Loop: 8.05 km'\n";
    assert_eq!(said.respelled(right), None, "nothing to put right");
}

#[test]
fn a_single_token_or_an_input_is_not_respelled() {
    let issue = "Percent is off\n\nA job past its total should show `140%`.\n";
    let code = "def test_a():\n    assert percent(7, 5) == '100%'\n";
    assert_eq!(
        stated(issue).respelled(code),
        None,
        "one token names no shape to copy"
    );
    let issue = "Totals are off\n\nIt should read `total: 12.50`.\n";
    let code = "def test_a():\n    assert render('total: 10.00') == 'ok'\n";
    assert_eq!(
        stated(issue).respelled(code),
        None,
        "a call's argument is an input"
    );
}

#[test]
fn a_value_the_issue_expects_or_a_copy_of_two_is_left_alone() {
    let issue = "`describe(3, 1, 3)` returns `'3 out'` instead of `'3 in'`. With a window from 5 \
                 to 9, the time 9 shows `9 out` rather than `9 in`.";
    let first = "def test_end():\n    assert describe(3, 1, 3) == '3 in'\n";
    assert_eq!(
        stated(issue).respelled(first),
        None,
        "`3 in` is the first case's own"
    );
    let other = "def test_five():\n    assert describe(5, 1, 5) == '5 in'\n";
    assert_eq!(
        stated(issue).respelled(other),
        None,
        "`3 in` or `9 in`: no telling"
    );
}
