//! Unit tests for `testcmd`.

use super::*;

#[test]
fn failing_tests_are_named_as_each_runner_prints_them() {
    let cases: &[(&str, &[&str])] = &[
        // cargo test --quiet
        (
            "running 3 tests\n..F\nfailures:\n\n---- tests::wraps_long_lines stdout ----\nthread 'tests::wraps_long_lines' panicked at src/lib.rs:40:9:\n\nfailures:\n    tests::wraps_long_lines\n\ntest result: FAILED. 2 passed; 1 failed\n",
            &["wraps_long_lines"],
        ),
        // cargo test
        ("test parse::empty ... FAILED\ntest parse::one ... ok\n", &["empty"]),
        // pytest -q, a parametrized test
        (
            "F.\n=== short test summary info ===\nFAILED tests/test_calc.py::test_total[3-6] - assert 5 == 6\nFAILED tests/test_calc.py::Calc::test_zero\n1 failed\n",
            &["test_total", "test_zero"],
        ),
        // unittest, whose last line is no pytest summary line
        (
            "FAIL: test_round (test_money.MoneyTest.test_round)\n----\nAssertionError\n\nFAILED (failures=1)\n",
            &["test_round"],
        ),
        // node --test, TAP (not a terminal) and spec
        (
            "# Subtest: keeps breaking changes\nnot ok 6 - keeps breaking changes\n  ---\n",
            &["keeps breaking changes"],
        ),
        (
            "\u{2716} keeps breaking changes (1.2ms)\n\u{2714} parses a scope (0.3ms)\n",
            &["keeps breaking changes"],
        ),
        // jest
        (
            "  \u{25cf} notes \u{203a} keeps breaking changes\n\n    expect(received)\n",
            &["keeps breaking changes"],
        ),
        // go test
        ("--- FAIL: TestDetab (0.00s)\n", &["TestDetab"]),
        // nothing failed
        ("test result: ok. 3 passed; 0 failed\n", &[]),
    ];
    for (output, want) in cases {
        assert_eq!(failing_tests(output), *want, "{output}");
    }
}
