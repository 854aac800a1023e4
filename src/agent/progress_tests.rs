use std::path::Path;

use super::Failing;

const ROOT: &str = "/work/repo";

fn files() -> Vec<String> {
    [
        "slots/window.py",
        "tests/test_window.py",
        "src/board.rs",
        "tests/board.rs",
    ]
    .map(String::from)
    .to_vec()
}

fn of(output: &str) -> Failing {
    Failing::of(output, Path::new(ROOT), &files())
}

/// unittest's report of `failed`, each a failing test's name and the line of
/// tests/test_window.py its assertion is on, out of three tests.
fn unittest(failed: &[(&str, usize)]) -> String {
    let mut out = String::new();
    for (name, line) in failed {
        out.push_str(&format!(
            "======================================================================\nFAIL: {name} (tests.test_window.TestWindow.{name})\n----------------------------------------------------------------------\nTraceback (most recent call last):\n  File \"{ROOT}/tests/test_window.py\", line {line}, in {name}\n    self.assertEqual(count_inside([1, 2, 3], 1, 2), 2)\nAssertionError: 1 != 2\n\n"
        ));
    }
    out + &format!(
        "----------------------------------------------------------------------\nRan 3 tests in 0.001s\n\nFAILED (failures={})\n",
        failed.len()
    )
}

/// cargo's report of the one test `ties` failing at `line` of tests/board.rs.
fn cargo(line: usize) -> String {
    format!(
        "running 2 tests\n.F\nfailures:\n\n---- ties stdout ----\n\nthread 'ties' panicked at tests/board.rs:{line}:5:\nassertion `left == right` failed\n  left: 3\n right: 1\n\nfailures:\n    ties\n\ntest result: FAILED. 1 passed; 1 failed; 0 ignored\n"
    )
}

#[test]
fn one_of_two_failing_tests_passing_is_further() {
    let before = of(&unittest(&[("test_before", 20), ("test_ends", 9)]));
    assert!(of(&unittest(&[("test_ends", 9)])).further_than(&before, true));
    let pytest = "F.\n=== short test summary info ===\nFAILED tests/test_window.py::test_ends - assert 1 == 2\n1 failed, 2 passed in 0.01s\n";
    assert!(of(pytest).further_than(&before, true));
}

/// One test checks two things, and the change fixed the first: the same test fails, at a later
/// assertion.
#[test]
fn the_same_test_failing_at_a_later_line_is_further() {
    assert!(of(&cargo(29)).further_than(&of(&cargo(28)), true));
    let before = of(&unittest(&[("test_ends", 9)]));
    assert!(of(&unittest(&[("test_ends", 10)])).further_than(&before, true));
    assert!(!of(&unittest(&[("test_ends", 8)])).further_than(&before, true));
    assert!(
        !of(&cargo(28)).further_than(&of(&cargo(28)), true),
        "the same"
    );
    assert!(
        !of(&cargo(29)).further_than(&of(&cargo(28)), false),
        "only where later lines count"
    );
}

/// A test that passed and fails now, as many failing at the same places, a failure that moved
/// into the code under test (a panic there): none of them is further.
#[test]
fn a_new_failure_or_a_failure_moved_out_of_the_test_is_not_further() {
    let before = of(&unittest(&[("test_before", 20), ("test_ends", 9)]));
    assert!(!of(&unittest(&[("test_outside", 14)])).further_than(&before, true));
    assert!(!of(&unittest(&[("test_before", 20), ("test_ends", 9)])).further_than(&before, true));
    let panicked = "failures:\n\n---- ties stdout ----\nthread 'ties' panicked at src/board.rs:30:9:\nattempt to subtract with overflow\n\nfailures:\n    ties\n\ntest result: FAILED. 1 passed; 1 failed; 0 ignored\n";
    assert!(!of(panicked).further_than(&of(&cargo(28)), true));
}

/// Output that names no failing test where the run before named one (a build error), or that
/// gives no count, is not further, whatever it says.
#[test]
fn a_run_whose_failures_cannot_be_read_is_not_further() {
    let before = of(&cargo(28));
    let build = "error[E0308]: mismatched types\n --> src/board.rs:30:9\nerror: could not compile `scoreboard` (lib) due to 1 previous error\n";
    assert!(!of(build).further_than(&before, true));
    assert!(!of("test result: FAILED\n").further_than(&before, true));
    // A runner whose names cannot be read: its counts decide.
    assert!(of("1 failed\n").further_than(&of("2 failed\n"), true));
    assert!(!of("2 failed\n").further_than(&of("2 failed\n"), true));
}
