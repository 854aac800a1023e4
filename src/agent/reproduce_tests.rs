use super::*;
use crate::protocol::TestRun;

fn run(passed: bool, output: &str) -> TestRun {
    TestRun {
        command: "python3 -m unittest".into(),
        passed,
        exit_code: Some(if passed { 0 } else { 1 }),
        timed_out: false,
        seconds: 0.1,
        output: output.into(),
    }
}

#[test]
fn concrete_cases_are_recognized() {
    assert!(states_expectation(
        "`to_roman(4)` returns \"IIII\" but it should return \"IV\"."
    ));
    assert!(states_expectation(
        "count_words(\"a  b\") gives 3 instead of 2"
    ));
    assert!(states_expectation(
        "With 59.6 seconds left the bar shows `ETA 60s` rather than `ETA 1m 00s`."
    ));
    // What comes out set against what is so, with no "should".
    assert!(states_expectation(
        "I logged `5 mi`, and the summary says\n\n    Loop: 8.45 km\n\nIt's 8.05 km."
    ));
    assert!(states_expectation(
        "The docs say `retries` is 3 when the file leaves it out."
    ));
    assert!(!states_expectation("The code is slow and hard to read."));
    assert!(!states_expectation("Please add a logo."));
}

#[test]
fn the_test_file_is_the_best_ranked_test() {
    let ranked = vec![
        Candidate {
            path: "numerals/roman.py".into(),
            score: 9.0,
            reasons: vec![],
        },
        Candidate {
            path: "tests/test_roman.py".into(),
            score: 4.0,
            reasons: vec![],
        },
    ];
    let files = vec![
        "tests/test_other.py".to_string(),
        "tests/test_roman.py".to_string(),
    ];
    assert_eq!(
        test_file(&ranked, &files).as_deref(),
        Some("tests/test_roman.py")
    );
    assert_eq!(
        test_file(&[], &files).as_deref(),
        Some("tests/test_other.py")
    );
    assert_eq!(test_file(&[], &["src/lib.rs".to_string()]), None);
    // A Rust library with its tests inside its source files: a new integration test.
    let library = ["Cargo.toml".to_string(), "src/lib.rs".to_string()];
    assert_eq!(test_file(&[], &library).as_deref(), Some(NEW_RUST_TEST));
    // A binary alone has no items an integration test could call.
    let binary = ["Cargo.toml".to_string(), "src/main.rs".to_string()];
    assert_eq!(test_file(&[], &binary), None);
}

#[test]
fn a_lone_python_method_is_wrapped_and_names_are_found() {
    let body = "import unittest\n\nclass T(unittest.TestCase):\n    pass\n";
    let code = test_code(
        "```python\n    def test_four(self):\n        self.assertEqual(to_roman(4), \"IV\")\n```",
        "tests/test_roman.py",
        body,
    )
    .unwrap();
    assert_eq!(
        code,
        "class TestIssue(unittest.TestCase):\n    def test_four(self):\n        self.assertEqual(to_roman(4), \"IV\")"
    );
    assert_eq!(test_name(&code).as_deref(), Some("test_four"));
    assert_eq!(
        test_name("#[test]\nfn counts_runs() {\n}").as_deref(),
        Some("counts_runs")
    );
    assert_eq!(
        test_name("test('clamps above max', () => {});").as_deref(),
        Some("clamps above max")
    );
}

#[test]
fn python_tests_go_before_the_main_block_others_at_the_end() {
    let body = "import unittest\n\nclass T(unittest.TestCase):\n    pass\n\n\nif __name__ == \"__main__\":\n    unittest.main()\n";
    let b = insertion(
        "tests/test_x.py",
        body,
        "class TestIssue(unittest.TestCase):\n    pass",
    );
    assert_eq!(
        b.search,
        "if __name__ == \"__main__\":\n    unittest.main()\n"
    );
    assert!(b.replace.starts_with("class TestIssue"));
    let rs = "#[test]\nfn a() {\n}\n\n#[test]\nfn b() {\n}\n";
    let b = insertion("tests/t.rs", rs, "#[test]\nfn c() {\n}");
    assert_eq!(rs.matches(b.search.as_str()).count(), 1, "{:?}", b.search);
    assert!(b.replace.ends_with("#[test]\nfn c() {\n}\n"));
    // A file with no text yet is created with the test alone.
    let b = insertion("tests/issue.rs", "", "#[test]\nfn c() {\n}");
    assert_eq!(
        (b.search.as_str(), b.replace.as_str()),
        ("", "#[test]\nfn c() {\n}\n")
    );
}

#[test]
fn only_a_test_that_fails_for_the_reported_reason_is_kept() {
    let issue = "`to_roman(4)` returns IIII but should return IV";
    assert!(judge(&run(true, "OK"), "test_four", issue).is_err());
    let broken = run(
        false,
        "ERROR: test_four\nNameError: name 'roman' is not defined",
    );
    assert!(judge(&broken, "test_four", issue)
        .unwrap_err()
        .contains("broken"));
    let elsewhere = run(false, "FAIL: test_other\nAssertionError: 1 != 2");
    assert!(judge(&elsewhere, "test_four", issue).is_err());
    let good = run(
        false,
        "FAIL: test_four (tests.test_roman.TestIssue)\nAssertionError: 'IIII' != 'IV'",
    );
    assert!(judge(&good, "test_four", issue).is_ok());
    // An error the issue itself reports is the bug, not a broken test.
    let crash = run(
        false,
        "ERROR: test_lookup\nNameError: name 'cfg' is not defined",
    );
    assert!(judge(
        &crash,
        "test_lookup",
        "load() raises NameError: name 'cfg' is not defined"
    )
    .is_ok());
}

#[test]
fn a_test_that_calls_the_code_wrongly_is_broken_unless_the_issue_reports_a_crash() {
    let output = "FAILED tests/test_bar.py::test_eta - TypeError: can't multiply sequence by \
                  non-int of type 'float'";
    let wrong_call = run(false, output);
    let issue = "`eta(119.7)` gives `1m 60s` instead of `2m 00s`.";
    assert!(judge(&wrong_call, "test_eta", issue)
        .unwrap_err()
        .contains("broken"));
    let crash = "`eta(None)` crashes the progress bar.";
    assert!(judge(&wrong_call, "test_eta", crash).is_ok());
    let js = run(false, "✕ eta (2 ms)\n TypeError: bar.eta is not a function");
    assert!(judge(&js, "eta", issue).is_err());
    let named = "`from_json('{\"date\": \"2024-03-17\"}')` fails: `ValueError: bad entry`";
    let dicts = run(
        false,
        "FAILED tests/test_runlog.py::test_issue_1 - AttributeError: 'dict' object has no attribute 'day'",
    );
    assert!(
        judge(&dicts, "test_issue_1", named)
            .unwrap_err()
            .contains("broken"),
        "the issue is about a ValueError: an AttributeError is the test's"
    );
    let raised = run(
        false,
        "FAILED tests/test_runlog.py::test_issue_1 - ValueError: bad entry",
    );
    assert!(judge(&raised, "test_issue_1", named).is_ok());
    assert!(judge(&wrong_call, "test_eta", "`eta(None)` raises TypeError").is_ok());
}

#[test]
fn stated_examples_are_the_quoted_literals_not_names_files_or_tracebacks() {
    let issue = "Step values like */15 aren't accepted\n\n    >>> Schedule(\"*/15 9-17 * * mon-fri\")\n    ValueError: bad minute field: '*/15'\n\nPlease support them: `*/15` in the minute field should mean 0, 15, 30, 45, and a step on a\nrange, like `9-17/2` for the hour, should mean 9, 11, 13, 15, 17. Lists should still work\naround them (`0-10/5,30` -> 0, 5, 10, 30), and `parse_field` in `cronlite/fields.py` is where `*/15` fails.";
    assert_eq!(stated_examples(issue), ["*/15", "9-17/2", "0-10/5,30"]);
    assert_eq!(
        stated_examples(
            "`slugify(\"Hello, World!\")` gives `hello,-world!`\n```\nTraceback `x1`\n```"
        ),
        ["slugify(\"Hello, World!\")", "hello,-world!"]
    );
}

#[test]
fn test_names_made_of_the_case_become_identifiers() {
    let code = "def test_*/15():\n    assert f(\"*/15\")\n\ndef test_9-17/2():\n    pass\n\ndef test_*/15():\n    pass\n    def helper(x):\n        return x";
    assert_eq!(
        tidy_names(code, ""),
        "def test___15():\n    assert f(\"*/15\")\n\ndef test_9_17_2():\n    pass\n\ndef test___15_issue():\n    pass\n    def helper(x):\n        return x"
    );
    assert_eq!(
        tidy_names("#[test]\nfn leap-day() {}", ""),
        "#[test]\nfn leap_day() {}"
    );
    assert_eq!(tidy_names("it('a b', () => {})", ""), "it('a b', () => {})");
    // A name the file already has would replace its test: the new one is renamed.
    let body = "def test_step_values():\n    assert f('*/15')\n";
    assert_eq!(
        tidy_names("def test_step_values():\n    pass", body),
        "def test_step_values_issue():\n    pass"
    );
    // So would a class of the file's name, with all the tests in it.
    let body = "class TestRoman(unittest.TestCase):\n    def test_one(self):\n        pass\n";
    assert_eq!(
        tidy_names(
            "class TestRoman(unittest.TestCase):\n    def test_four(self):",
            body
        ),
        "class TestRoman_issue(unittest.TestCase):\n    def test_four(self):"
    );
    assert_eq!(
        tidy_names("class TestRoman:\n    pass", body),
        "class TestRoman_issue:\n    pass"
    );
}

#[test]
fn a_test_of_the_examples_must_use_the_issues_own_inputs() {
    let issue = "Jobs with the same priority run newest-first\n\n    q.push(\"resize-1\", Priority::Normal);\n    q.push(\"resize-2\", Priority::Normal);\n    q.push(\"thumbnail\", Priority::High);\n    q.push(\"resize-3\", Priority::Normal);\n\nTraceback (most recent call last):\n  File \"/tmp/q.py\", line 3, in pop\n";
    assert_eq!(
        quoted_inputs(issue),
        ["resize-1", "resize-2", "thumbnail", "resize-3"]
    );
    // Two equal jobs of the model's own: they can come out in order by accident.
    let own = "fn t() {\n    q.push(\"resize\", Priority::Normal);\n    q.push(\"thumbnail\", Priority::Normal);\n}\n";
    assert_eq!(
        inputs_left_out(own, issue),
        ["resize-1", "resize-2", "resize-3"]
    );
    let issues = "fn t() {\n    q.push(\"resize-1\", N);\n    q.push(\"resize-2\", N);\n    q.push(\"thumbnail\", H);\n}\n";
    assert!(inputs_left_out(issues, issue).is_empty());
    // An issue that quotes one literal, or none, asks nothing of the test.
    assert!(inputs_left_out(own, "`to_roman(4)` returns IIII, expected IV").is_empty());
    assert!(inputs_left_out(own, "`parse(\"\")` crashes on \"x y\"").is_empty());
}

#[test]
fn quotes_are_paired_inside_a_span_and_output_quotes_nothing() {
    let issue = "Names with quotes break the export\n\n\
        A member named `Anna \"Annie\" Berg` comes out of `to_csv(rows)` like this:\n\n\
        \x20   7,\"Anna \"\"Annie\" Berg\"\",SE\n\n\
        Read back, `Bob \"Bobby\" Lee` gives `Bob \"Bobby Lee\"`. A name with one `\"`, like \
        `Al 5\" Ng`, is fine. The \"Notes\" column is right; its footer says \"ERR\" instead of \
        \"OK\".\n";
    // Not `" Berg"` across the line of output, nor `"Bobby Lee"` or "ERR" (what comes out,
    // wrong) or "OK" (what should), nor a pair of the `"` of two spans.
    assert_eq!(quoted_inputs(issue), ["Annie", "Bobby", "Notes"]);
    let own = "def test_q():\n    assert read(to_csv([row('Anna \"Annie\" Berg')])) == ...\n    \
        assert read(to_csv([row('Bob \"Bobby\" Lee')])) == ...\n";
    assert!(inputs_left_out(own, issue).is_empty());
}

#[test]
fn a_template_that_prints_the_values_is_no_input() {
    let issue = "    q.push(\"resize-1\", N);\n    while let Some(job) = q.pop() { println!(\"{job}\"); }\n    print(f\"{total:.2f}\")\n    label(\"{draft}\")\n";
    // A literal with braces passed to a call of the project's is an input like any other.
    assert_eq!(quoted_inputs(issue), ["resize-1", "{draft}"]);
}

#[test]
fn a_test_that_leaves_out_only_the_output_the_issue_calls_wrong_is_kept() {
    let issue = "Exported dates have day and month swapped\n\nMy run on 7 March 2024 is written by `to_json()` as `\"date\": \"2024-07-03\"`, and the app shows it on July 3rd.\n\nImporting the app's own export with `from_json()`:\n- `\"date\": \"2024-03-07\"` comes in as `datetime.date(2024, 7, 3)`\n- `\"date\": \"2024-03-17\"` fails: `ValueError: bad entry`\n";
    let right = "def test_dates():\n    assert to_json([run(date(2024, 3, 7))]) == '[{\"date\": \"2024-03-07\"}]'\n    assert from_json('[{\"date\": \"2024-03-17\"}]')[0].date == date(2024, 3, 17)\n";
    // It cannot hold `"2024-07-03"`, what the exporter writes now: one of four is not most.
    assert!(inputs_left_out(right, issue).is_empty());
}

#[test]
fn a_javascript_test_is_written_in_the_files_own_framework() {
    let node_test = "const test = require('node:test');\n\ntest('parses', () => {\n  assert.equal(parseCommit('fix: x').type, 'fix');\n  submit(runner.it('x'));\n});\n";
    assert_eq!(
        shape("tests/notes.test.js", node_test),
        "a new `test('...', () => { ... });` call",
        "`parseCommit(`, `submit(` and `runner.it(` are no `it(`"
    );
    let mocha = "describe('notes', () => {\n  it('renders', () => {});\n});\n";
    assert_eq!(
        shape("tests/notes.test.js", mocha),
        "a new `it('...', () => { ... });` block"
    );
    assert_eq!(
        shape("t.test.ts", "it('renders', () => {});\n"),
        "a new `it('...', () => { ... });` block"
    );
}

#[test]
fn a_reply_cut_off_inside_its_last_test_keeps_the_whole_tests_before_it() {
    let body = "from runlog import from_json\n\n\ndef test_old():\n    pass\n";
    let cut = "```python\ndef test_issue_1():\n    assert from_json(\"a\") == [1]\n\ndef test_issue_2():\n    assert from_json(\"b\") == [2]\n\ndef test_issue_3():\n    assert from_json(to_json([entry])) == [Run(date";
    assert_eq!(
        test_code(cut, "tests/test_runlog.py", body).as_deref(),
        Some("def test_issue_1():\n    assert from_json(\"a\") == [1]\n\ndef test_issue_2():\n    assert from_json(\"b\") == [2]")
    );
    let rust = "#[test]\nfn issue_one() {\n    assert_eq!(f(1), 2);\n}\n\n#[test]\nfn issue_two() {\n    assert_eq!(f(";
    assert_eq!(
        test_code(rust, "tests/f.rs", "").as_deref(),
        Some("#[test]\nfn issue_one() {\n    assert_eq!(f(1), 2);\n}"),
        "the cut test goes with its `#[test]`"
    );
    let broken_first =
        "def test_issue_1():\n    assert f(\n\ndef test_issue_2():\n    assert f(2) == 3\n";
    assert_eq!(
        test_code(broken_first, "tests/test_f.py", body).as_deref(),
        Some(broken_first.trim_end()),
        "no run of its first items parses: the test is left to show itself broken"
    );
    let class = "```python\nimport unittest\n\nfrom configparse import parse_config\n\n\nclass TestIssue(unittest.TestCase):\n    def test_empty(self):\n        self.assertEqual(parse_config(\"\"), {})\n\n    def test_comment(self):\n        self.assertEqual(parse_config(\"# c\\n\"), {})\n\n    def test_blank_line_and_comment_and_blank_line_and";
    assert_eq!(
        test_code(class, "tests/test_configparse.py", body).as_deref(),
        Some("import unittest\n\nfrom configparse import parse_config\n\n\nclass TestIssue(unittest.TestCase):\n    def test_empty(self):\n        self.assertEqual(parse_config(\"\"), {})\n\n    def test_comment(self):\n        self.assertEqual(parse_config(\"# c\\n\"), {})"),
        "a class cut inside its last method keeps its whole methods, not the imports alone"
    );
    let whole = "test('issue: quotes', () => {\n  assert.equal(f('\"'), '\"\"');\n});";
    assert_eq!(
        test_code(whole, "tests/f.test.js", "").as_deref(),
        Some(whole)
    );
}

#[test]
fn a_test_whose_inputs_do_not_give_the_reported_output_is_not_kept() {
    let issue = "Summary says \"[object Promise] items\"\n\nWith three items in the cart, \
                 `await summary(cart)` gives `'[object Promise] items, 1 on sale'` instead of \
                 `'3 items, 1 on sale'`.";
    // node's report: its own cart gives another wrong output than the issue's.
    let own_inputs = run(
        false,
        "not ok 3 - summary\n  expected: '3 items, 1 on sale'\n  actual: '[object Promise] items, 2 on sale'\n",
    );
    let why = judge_before(&own_inputs, "summary", issue).unwrap_err();
    assert!(why.contains("[object Promise] items, 2 on sale"), "{why}");
    // The issue's own situation: the output it reports.
    let reported = run(
        false,
        "not ok 3 - summary\n  expected: '3 items, 1 on sale'\n  actual: '[object Promise] items, 1 on sale'\n",
    );
    assert!(judge_before(&reported, "summary", issue).is_ok());
    // A comparison of another value, or a crash, says nothing of the inputs.
    let other = run(
        false,
        "not ok 3 - summary\n  expected: 'x'\n  actual: 'y'\n",
    );
    assert!(judge_before(&other, "summary", issue).is_ok());
    // pytest's report; a fragment the issue quotes is found in a longer output.
    let issue = "`render(500, 1000)` shows `ETA 1m 60s`, I expected `[##..] 50% ETA 2m 00s`.";
    let pytest = |got: &str| {
        run(
            false,
            &format!("FAILED test_eta\nE       AssertionError: assert '{got}' == '[##..] 50% ETA 2m 00s'\n"),
        )
    };
    assert!(judge_before(&pytest("[##..] 50% ETA 1m 60s"), "test_eta", issue).is_ok());
    // Of several cases, the one the test asserts need not be the likeliest pair: `1024 B` is
    // the issue's output for `1.0 KB` although `1024.0 KB` shares more with it.
    let table = "| call | shows | expected |\n|---|---|---|\n| `size(1024)` | `1024 B` | `1.0 KB` |\n| `size(1048576)` | `1024.0 KB` | `1.0 MB` |\n";
    let node = |got: &str| {
        run(
            false,
            &format!("not ok 1 - size\n  expected: '1.0 KB'\n  actual: '{got}'\n"),
        )
    };
    assert!(judge_before(&node("1024 B"), "size", table).is_ok());
    assert!(judge_before(&node("1000 B"), "size", table).is_err());
    assert!(judge_before(&pytest("[#...] 25% ETA 3m 60s"), "test_eta", issue).is_err());
}

#[test]
fn the_failure_of_one_test_is_read_from_its_own_section() {
    let issue = "`to_roman(4)` returns \"IIII\" but it should return \"IV\".";
    // Another test, failing the way the issue reports, comes first in the output.
    let pytest = "\
________________________ Four.test_four ________________________
E       AssertionError: 'IIII' != 'IV'
________________________ TestIssue.test_six ________________________
E       AssertionError: 'VI' != 'IV'
=========================== short test summary info ============================
FAILED tests/test_roman.py::Four::test_four - AssertionError: 'IIII' != 'IV'
FAILED tests/test_roman.py::TestIssue::test_six - AssertionError: 'VI' != 'IV'
";
    let why = not_the_reported_output(pytest, "test_six", issue).expect("its own inputs");
    assert!(why.contains("gives `VI`"), "{why}");
    assert_eq!(not_the_reported_output(pytest, "test_four", issue), None);
    let cargo = "---- four stdout ----\nthread 'four' panicked at tests/t.rs:3:5:\nassertion `left == right` failed\n  left: \"IIII\"\n right: \"IV\"\n---- six stdout ----\nthread 'six' panicked at tests/t.rs:9:5:\nassertion `left == right` failed\n  left: \"VI\"\n right: \"IV\"\n";
    assert!(not_the_reported_output(cargo, "six", issue).is_some());
    assert_eq!(not_the_reported_output(cargo, "four", issue), None);
}

#[test]
fn a_test_failing_alike_before_and_after_on_an_error_the_issue_never_names_is_its_own() {
    let issue = "A job file with `timeout = 45s` crashes the loader:\n\n    KeyError: 's'\n\n\
                 `45s` should give 45 seconds.";
    let run = |error: &str| {
        format!(
            "____ TestIssue.test_timeout_45s ____\n\n>   raise ConfigError(msg)\nE   {error}\n\n\
             jobs/config.py:21: {}\n____ TestIssue.test_other ____\nE   KeyError: 's'\n",
            error.split(':').next().unwrap_or_default()
        )
    };
    let setup = run("jobs.config.ConfigError: line 1: setting outside a [job]");
    let why = own_error(&setup, &setup, "test_timeout_45s", issue).expect("its own error");
    assert!(
        why.contains("`ConfigError: line 1: setting outside a [job]`"),
        "{why}"
    );
    // The issue's own error, alike before and after: the change may be incomplete.
    let reported = run("KeyError: 's'");
    assert_eq!(
        own_error(&reported, &reported, "test_timeout_45s", issue),
        None
    );
    // Another error after the change: the change reached what the test runs.
    let other = run("ValueError: bad duration: '45s'");
    assert_eq!(own_error(&setup, &other, "test_timeout_45s", issue), None);
    // An assertion's failure is a comparison of values, not an error of the setup's.
    let compared = run("AssertionError: 600.0 != 45");
    assert_eq!(
        own_error(&compared, &compared, "test_timeout_45s", issue),
        None
    );
    // The issue quotes the error's message, not its kind: it is the reported one.
    let quoted = "Loading `timeout = 1h30m` says invalid duration, but it should give 5400.";
    let invalid = run("ValueError: invalid duration: '1h30m'");
    assert_eq!(
        own_error(&invalid, &invalid, "test_timeout_45s", quoted),
        None
    );
    // A crash reported without its error's name: any error may be the one.
    let unnamed = "The loader crashes on `timeout = 45s`.";
    assert_eq!(own_error(&setup, &setup, "test_timeout_45s", unnamed), None);
}

/// A freely sampled candidate test is kept only when its failure is the issue's: the value it
/// got is the wrong one the issue reports, the value it wanted is one the issue expects, or the
/// error the issue quotes. One that invents its own case and answer fails for nothing.
#[test]
fn a_sampled_test_must_fail_on_what_the_issue_states() {
    let issue = "Pager counts one page too few\n\nWith 23 hits it shows `page 1 of 2` where it \
                 should show `page 1 of 3`.\n";
    let cargo = |left: &str, right: &str| {
        format!(
            "---- counts stdout ----\nthread 'counts' panicked at tests/pager.rs:5:5:\nassertion \
             `left == right` failed\n  left: {left}\n right: {right}\n\nfailures:\n    counts\n"
        )
    };
    let invented = run(false, &cargo("2", "1"));
    assert!(judge_before(&invented, "counts", issue).is_ok());
    assert!(judge_anchored(&invented, "counts", issue).is_err());
    let got_wrong = run(false, &cargo("\"page 1 of 2\"", "\"page 1 of 4\""));
    assert!(judge_anchored(&got_wrong, "counts", issue).is_ok());
    let only_expected = "Pager counts one page too few\n\nWith 23 hits it should show `page 1 \
                         of 3`.\n";
    let wants_expected = run(false, &cargo("\"page 1 of 2\"", "\"page 1 of 3\""));
    assert!(judge_anchored(&wants_expected, "counts", only_expected).is_ok());
    assert!(judge_anchored(&invented, "counts", only_expected).is_err());

    let crash = "Dashboard panics\n\n    thread 'main' panicked at src/bar.rs:38:17:\n    attempt \
                 to subtract with overflow\n\nIt should show a full bar.\n";
    let panicked = run(
        false,
        "---- past_total stdout ----\nthread 'past_total' panicked at src/bar.rs:38:17:\nattempt \
         to subtract with overflow\n\nfailures:\n    past_total\n",
    );
    assert!(judge_anchored(&panicked, "past_total", crash).is_ok());
}

/// A reply with a new test begins with a test of its own, in the file's framework, named as no
/// test of the file is; a new file begins with its imports, so with the fence alone.
#[test]
fn a_new_test_begins_with_an_opening_the_file_does_not_use_yet() {
    let pytest = "from shop import total\n\n\ndef test_total():\n    assert total([]) == 0\n";
    assert_eq!(
        test_head("tests/test_shop.py", pytest),
        "```python\ndef test_issue_example():\n"
    );
    let taken = format!("{pytest}\n\ndef test_issue_example():\n    assert total([1]) == 1\n");
    assert_eq!(
        test_head("tests/test_shop.py", &taken),
        "```python\ndef test_issue_example_2():\n"
    );
    let unit = "import unittest\n\nclass TestShop(unittest.TestCase):\n    def test_total(self):\n        pass\n";
    assert_eq!(
        test_head("tests/test_shop.py", unit),
        "```python\nclass TestIssueExample(unittest.TestCase):\n    def test_issue_example(self):\n"
    );
    let rust = "use jobq::JobQueue;\n\n#[test]\nfn pops() {\n    assert!(JobQueue::new().pop().is_none());\n}\n";
    assert_eq!(
        test_head("tests/queue.rs", rust),
        "```rust\n#[test]\nfn issue_example() {\n"
    );
    let js = "const assert = require('node:assert');\nconst { it } = require('node:test');\n\nit('adds', () => {\n  assert.equal(1 + 1, 2);\n});\n";
    assert_eq!(
        test_head("tests/add.test.js", js),
        "```javascript\nit('issue example', () => {\n"
    );
    // A regex's `.test(s)` is no runner: the fence alone.
    assert_eq!(
        test_head("tests/re.test.js", "assert.ok(/a/.test('a'));\n"),
        "```javascript\n"
    );
    assert_eq!(test_head("tests/issue.rs", ""), "```rust\n");
}

/// The issue's code blocks (fenced or indented, not a traceback) and what it says should happen
/// are told again for a model whose test was a copy; an issue with neither adds nothing.
#[test]
fn the_issues_example_is_told_again_in_its_own_words() {
    let issue = "Jobs with the same priority run newest-first\n\nOur worker gets them reversed:\n\n    q.push(\"a\", Priority::Normal);\n    q.push(\"b\", Priority::Normal);\n\nprints `#2 b`, `#1 a`. It should print a first.\n\n```\nTraceback (most recent call last):\n  File \"x.py\", line 1\nValueError: no\n```\n";
    let again = restated(issue);
    assert_eq!(
        again,
        "\n\nThe issue's example:\n```\nq.push(\"a\", Priority::Normal);\nq.push(\"b\", Priority::Normal);\n```\nThe issue says: \"It should print a first.\"",
        "{again}"
    );
    assert_eq!(restated("The total is wrong."), "");
    // A long block is cut: an example, not a log.
    let long: String = (0..40).map(|i| format!("    line {i}\n")).collect();
    let cut = restated(&long);
    assert!(
        cut.contains("line 15\n```") && !cut.contains("line 16"),
        "{cut}"
    );
}

/// A new test whose every line stands in the test file already is a copy of the file's own
/// test, whatever its name; one line of its own makes it a test of its own.
#[test]
fn a_test_made_of_the_files_own_lines_is_a_copy() {
    let body = "import unittest\n\nfrom slots.window import count_inside\n\n\nclass TestWindow(unittest.TestCase):\n    def test_both_ends_count(self):\n        self.assertEqual(count_inside([1, 2, 3], 1, 2), 2)\n";
    let copy = "class TestIssue(unittest.TestCase):\n    def test_ends(self):\n        self.assertEqual(count_inside([1, 2, 3], 1, 2), 2)";
    assert!(copied(copy, body));
    let own = "class TestIssue(unittest.TestCase):\n    def test_ends(self):\n        self.assertEqual(count_inside([1, 2, 3], 1, 3), 3)";
    assert!(!copied(own, body));
    let rust = "#[test]\nfn pops() {\n    let mut q = JobQueue::new();\n    q.push(\"a\", Priority::Low);\n    assert_eq!(names(&mut q), [\"a\"]);\n}\n";
    let again = "#[test]\nfn issue_example() {\n    let mut q = JobQueue::new();\n    q.push(\"a\", Priority::Low);\n    assert_eq!(names(&mut q), [\"a\"]);\n}";
    assert!(copied(again, rust));
    let more = again.replace(
        "    assert_eq!",
        "    q.push(\"b\", Priority::Low);\n    assert_eq!",
    );
    assert!(!copied(&more, rust));
    // A test with no body of its own is no copy (it is refused for holding nothing else).
    assert!(!copied("#[test]\nfn empty() {\n}", rust));
}
