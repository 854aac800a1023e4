use super::*;

#[test]
fn a_unittest_file_gets_a_test_case_class() {
    let case = Case {
        shown: None,
        setup: vec!["xs = [1, 2]".into()],
        call: "mean(xs)".into(),
        expect: Expect::Equals("1.5".into()),
    };
    assert_eq!(
        test_code(&case, 2, "tests/test_x.py", "import unittest\n\nclass T(unittest.TestCase):\n"),
        Some(
            "class TestIssueExample2(unittest.TestCase):\n    def test_issue_example_2(self):\n        \
         xs = [1, 2]\n        self.assertEqual(mean(xs), 1.5)"
                .to_string()
        )
    );
}

#[test]
fn a_file_that_imports_test_case_by_name_gets_that_name() {
    let case = Case {
        shown: None,
        setup: Vec::new(),
        call: "f(1)".into(),
        expect: Expect::Is("None".into()),
    };
    let body = "from unittest import TestCase\n\nclass T(TestCase):\n    pass\n";
    assert!(test_code(&case, 1, "t.py", body)
        .unwrap()
        .starts_with("class TestIssueExample1(TestCase):"));
    // unittest.mock alone is no TestCase style.
    let body = "from unittest import mock\n\ndef test_a():\n    assert True\n";
    assert_eq!(
        test_code(&case, 1, "t.py", body).as_deref(),
        Some("def test_issue_example_1():\n    assert f(1) is None")
    );
}

#[test]
fn a_javascript_case_is_a_test_call_with_nodes_assert() {
    let case = Case {
        shown: None,
        setup: vec!["tue = [['09:00', '12:00']]".into()],
        call: "freeSlots(tue)".into(),
        expect: Expect::Equals("[['12:00', '17:00']]".into()),
    };
    let body = "const test = require('node:test');\nconst assert = require('node:assert');\n\n\
                test('adds', () => {\n  assert.strictEqual(1 + 1, 2);\n});\n";
    assert_eq!(
        test_code(&case, 1, "test/slots.test.js", body).as_deref(),
        Some(
            "test('issue example 1', () => {\n  const tue = [['09:00', '12:00']];\n  \
             assert.deepStrictEqual(freeSlots(tue), [['12:00', '17:00']]);\n});"
        )
    );
    // Python's keywords become JavaScript's, and back; strings are left alone.
    let is = Case {
        expect: Expect::Is("False".into()),
        ..case.clone()
    };
    assert!(test_code(&is, 1, "t.test.js", body)
        .unwrap()
        .contains("assert.strictEqual(freeSlots(tue), false);"));
    let list = Case {
        expect: Expect::Equals("[true, 'true', null]".into()),
        ..case.clone()
    };
    assert!(test_code(&list, 1, "t.py", "")
        .unwrap()
        .contains("== [True, 'true', None]"));
    // A tuple has no JavaScript form; a file without node's assert gets no test.
    let tuple = Case {
        expect: Expect::Equals("('a', 1)".into()),
        ..case.clone()
    };
    assert_eq!(test_code(&tuple, 1, "t.test.js", body), None);
    assert_eq!(
        test_code(&case, 1, "t.test.js", "test('x', () => {});"),
        None
    );
}

#[test]
fn the_runner_is_the_one_the_file_calls() {
    let case = Case {
        shown: None,
        setup: Vec::new(),
        call: "isLeap(2000)".into(),
        expect: Expect::Is("true".into()),
    };
    // `/a/.test('a')` is a regex's method, not node's runner.
    let body =
        "const assert = require('assert');\ndescribe('leap', () => {\n  it('works', () => {\n    \
                assert.ok(/a/.test('a'));\n  });\n});\n";
    assert_eq!(
        test_code(&case, 1, "test/leap.test.js", body).as_deref(),
        Some("it('issue example 1', () => {\n  assert.strictEqual(isLeap(2000), true);\n});")
    );
}

#[test]
fn an_item_of_what_a_call_gives_is_checked_with_in() {
    let case = Case {
        shown: Some("('09:00', '10:30')".into()),
        setup: Vec::new(),
        call: "busy(tue)".into(),
        expect: Expect::Equals("('09:00', '12:00')".into()),
    };
    let part = crate::agent::cases::as_part(&case).unwrap();
    assert_eq!(
        test_code(&part, 1, "t.py", "").as_deref(),
        Some("def test_issue_example_1():\n    assert ('09:00', '12:00') in busy(tue)")
    );
    assert_eq!(
        test_code(
            &part,
            1,
            "t.test.js",
            "const assert = 1;\ntest('a', () => {});"
        ),
        None
    );
}

#[test]
fn a_rust_case_is_a_test_function_with_assert_eq() {
    let case = |call: &str, expect: Expect| Case {
        shown: None,
        setup: Vec::new(),
        call: call.into(),
        expect,
    };
    let count = case(
        "count_words(\"  hello   world \")",
        Expect::Equals("2".into()),
    );
    assert_eq!(
        test_code(&count, 1, "tests/counts.rs", "").as_deref(),
        Some(
            "#[test]\nfn test_issue_example_1() {\n    \
             assert_eq!(count_words(\"  hello   world \"), 2);\n}"
        )
    );
    // Python's words become Rust's: keywords, a string in single quotes; a char stays one.
    let is = case("is_leap(2024)", Expect::Is("True".into()));
    assert!(test_code(&is, 2, "tests/t.rs", "")
        .unwrap()
        .contains("assert_eq!(is_leap(2024), true);"));
    let quoted = case("pad('ab', 'x')", Expect::Equals("'xab'".into()));
    assert!(test_code(&quoted, 3, "tests/t.rs", "")
        .unwrap()
        .contains("assert_eq!(pad(\"ab\", 'x'), \"xab\");"));
    let with_setup = Case {
        setup: vec!["xs = [1, 2, 3]".into()],
        ..case("total(&xs)", Expect::Equals("6".into()))
    };
    assert!(test_code(&with_setup, 4, "tests/t.rs", "")
        .unwrap()
        .contains("    let xs = [1, 2, 3];\n    assert_eq!(total(&xs), 6);"));
    // A dict has no Rust literal: no test.
    let dict = case("counts(\"a a\")", Expect::Equals("{'a': 2}".into()));
    assert_eq!(test_code(&dict, 5, "tests/t.rs", ""), None);
    // An empty list, map or string is asked whether it is empty; an empty tuple is no test.
    for empty in ["[]", "{}", "\"\""] {
        let none = case("counts(\"\")", Expect::Equals(empty.into()));
        assert!(test_code(&none, 6, "tests/t.rs", "")
            .unwrap()
            .contains("assert!(counts(\"\").is_empty());"));
    }
    let unit = case("pair()", Expect::Equals("()".into()));
    assert_eq!(test_code(&unit, 7, "tests/t.rs", ""), None);
}
