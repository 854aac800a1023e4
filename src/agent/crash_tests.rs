use super::*;

/// The calls of the crash cases cria would try for `issue`.
fn crash_calls(issue: &str) -> Vec<String> {
    crash_cases(issue).into_iter().map(|c| c.call).collect()
}

#[test]
fn a_python_crash_tries_the_quoted_values_on_the_innermost_functions_first() {
    let issue = "The importer dies on `name;;42`, a row with an empty column:

    Traceback (most recent call last):
      File \"/usr/lib/python3.11/runpy.py\", line 198, in _run_module_as_main
      File \"/home/me/app/importer.py\", line 31, in load
        rows.append(parse_row(text))
      File \"/home/me/app/rows.py\", line 12, in parse_row
        return Row(name, int(fields[1]))
    ValueError: invalid literal for int() with base 10: ''

An empty column should be skipped.";
    let cases = crash_cases(issue);
    assert_eq!(
        crash_calls(issue),
        [r#"parse_row("name;;42")"#, r#"load("name;;42")"#]
    );
    assert!(cases.iter().all(|c| c.expect == Expect::Completes
        && c.shown.as_deref() == Some("ValueError: invalid literal for int() with base 10: ''")));
    let test = crate::agent::case_test::test_code(&cases[0], 1, "tests/test_rows.py", "").unwrap();
    assert_eq!(
        test,
        "def test_issue_example_1():\n    parse_row(\"name;;42\")"
    );
}

#[test]
fn a_javascript_stack_and_a_quoted_call_make_crash_cases() {
    let issue = "Formatting an order without items throws:

```
TypeError: Cannot read properties of undefined (reading 'map')
    at formatLines (/srv/shop/src/format.js:14:22)
    at Object.render (/srv/shop/src/render.js:8:10)
    at node:internal/main/run_main_module:28:49
```

`render({ id: 3 })` should print an empty list, and so should `{ id: 4, items: null }`.";
    assert_eq!(
        crash_calls(issue),
        [
            "render({ id: 3 })",
            "formatLines({ id: 4, items: null })",
            "render({ id: 4, items: null })"
        ]
    );
    let case = &crash_cases(issue)[0];
    let body = "const assert = require('assert');\ntest('x', () => {});\n";
    let test = crate::agent::case_test::test_code(case, 2, "test/format.test.js", body).unwrap();
    assert_eq!(
        test,
        "test('issue example 2', () => {\n  render({ id: 3 });\n});"
    );
}

#[test]
fn a_crash_the_prose_quotes_with_a_call_is_a_case() {
    let issue = "`mean([])` raises `ZeroDivisionError: division by zero`; it should return 0.";
    assert_eq!(crash_calls(issue), ["mean([])"]);
}

#[test]
fn no_error_no_crash_cases() {
    assert!(crash_cases("`parse(\"\")` returns 0 but it should return None.").is_empty());
    assert!(
        crash_cases("The `--tabs` option is ignored:\n\n    File \"a.py\", line 3, in main\n")
            .is_empty()
    );
}

#[test]
fn a_crash_is_shown_by_a_run_that_ends_in_the_issues_error_only() {
    let case = Case {
        setup: Vec::new(),
        call: "parse_row(\"a;;1\")".into(),
        shown: Some("ValueError: invalid literal for int() with base 10: ''".into()),
        expect: Expect::Completes,
    };
    let same = "E       ValueError: invalid literal for int() with base 10: ''\n1 failed";
    let other = "E       IndexError: list index out of range\n1 failed";
    let other_message = "E       ValueError: not enough values to unpack\n1 failed";
    assert!(shows_crash(&case, same));
    assert!(!shows_crash(&case, other));
    assert!(!shows_crash(&case, other_message));
}

#[test]
fn commands_and_options_are_not_tried_as_inputs() {
    for span in [
        "python3 -m report data.csv",
        "du-sum report.txt",
        "--tabs",
        "logstat",
        "$ make check",
    ] {
        assert!(is_command(span), "{span}");
    }
    for span in [
        "512B",
        "10.0.0.1 - - [x] \"GET /\" 200 -",
        "name;;42",
        "{ id: 4 }",
        "hello world",
    ] {
        assert!(!is_command(span), "{span}");
    }
}
