use super::*;

fn run(passed: bool, output: &str) -> TestRun {
    TestRun {
        command: "python3 -m pytest -q".into(),
        passed,
        exit_code: Some(i32::from(!passed)),
        timed_out: false,
        seconds: 0.1,
        output: output.into(),
    }
}

fn member(name: &str) -> Unanchored {
    Unanchored {
        code: format!("def {name}():\n    assert backoff(1) == [1, 2, 4]"),
        name: name.into(),
        run: run(
            false,
            &format!("FAILED tests/test_retry.py::{name}\n1 failed, 4 passed"),
        ),
    }
}

fn pool(names: &[&str]) -> Pool {
    let members: Vec<Unanchored> = names.iter().map(|n| member(n)).collect();
    Pool {
        path: "tests/test_retry.py".into(),
        together: joined("tests/test_retry.py", &members),
        members,
        run: run(false, ""),
    }
}

fn names(passing: Option<Vec<&Unanchored>>) -> Option<Vec<&str>> {
    passing.map(|ms| ms.iter().map(|m| m.name.as_str()).collect())
}

#[test]
fn a_change_tells_the_members_apart_only_where_nothing_but_members_fails() {
    let p = pool(&["test_base_one", "test_base_five", "test_mixed"]);
    let two_fail = "FAILED tests/test_retry.py::test_base_five - assert [5, 10] == [1, 2]\n\
                    FAILED tests/test_retry.py::test_mixed - assert [5, 10] == [1, 2]\n\
                    2 failed, 5 passed in 0.04s";
    assert_eq!(
        names(p.passing_in(&run(false, two_fail))),
        Some(vec!["test_base_one"])
    );
    // unittest names them its own way, and counts them.
    let unittest = "FAIL: test_mixed (tests.test_retry.TestIssue.test_mixed)\n\
                    ----\nFAILED (failures=1)";
    assert_eq!(
        names(p.passing_in(&run(false, unittest))),
        Some(vec!["test_base_one", "test_base_five"])
    );
    // All of them still fail: nothing told.
    let all =
        "FAILED tests/test_retry.py::test_base_one\nFAILED tests/test_retry.py::test_base_five\n\
               FAILED tests/test_retry.py::test_mixed\n3 failed, 4 passed";
    assert_eq!(names(p.passing_in(&run(false, all))), None);
    // A project test the change broke: the change is no fix of anything.
    let broke =
        "FAILED tests/test_retry.py::test_mixed\nFAILED tests/test_retry.py::test_no_retries\n\
                 2 failed, 5 passed";
    assert_eq!(names(p.passing_in(&run(false, broke))), None);
    // More failures counted than named (a module that no longer imports): not told either.
    let unnamed = "FAILED tests/test_retry.py::test_mixed\n1 failed, 1 error";
    assert_eq!(names(p.passing_in(&run(false, unnamed))), None);
    // Nothing named at all, a timeout, or every test passing: the search judges those.
    assert_eq!(names(p.passing_in(&run(false, "Segmentation fault"))), None);
    let mut slow = run(false, two_fail);
    slow.timed_out = true;
    assert_eq!(names(p.passing_in(&slow)), None);
    assert_eq!(names(p.passing_in(&run(true, "7 passed"))), None);
}

#[test]
fn candidates_standing_together_get_names_apart_and_a_repeated_title_is_left_out() {
    let body = "def test_no_retries():\n    assert backoff(0) == []\n";
    let first = member("test_backoff");
    let same_name = member("test_backoff");
    let other = member("test_no_retries");
    let together = distinct("tests/test_retry.py", body, &first, vec![same_name, other]);
    let names: Vec<&str> = together.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "test_backoff",
            "test_backoff_issue",
            "test_no_retries_issue"
        ]
    );
    assert!(together[1].code.starts_with("def test_backoff_issue():"));
    // At most four, the first (greedy) one first.
    let many: Vec<Unanchored> = (0..6).map(|i| member(&format!("test_case_{i}"))).collect();
    let kept = distinct("tests/test_retry.py", body, &first, many);
    assert_eq!(kept.len(), POOLED);
    assert_eq!(kept[0].name, "test_backoff");
    // A JavaScript test is named by its title: a title used already gets a number.
    let js = |title: &str| Unanchored {
        code: format!("test('{title}', () => {{\n  assert.deepEqual(delays(1), [1, 2]);\n}});"),
        name: title.into(),
        run: run(false, ""),
    };
    let body = "test('starts at base', () => {});\n";
    let kept = distinct(
        "test/backoff.test.js",
        body,
        &js("doubles each delay"),
        vec![
            js("doubles each delay"),
            js("starts at base"),
            js("doubles each delay"),
        ],
    );
    let titles: Vec<&str> = kept.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(
        titles,
        [
            "doubles each delay",
            "doubles each delay (2)",
            "starts at base (2)",
            "doubles each delay (3)"
        ]
    );
    assert!(kept[1]
        .code
        .starts_with("test('doubles each delay (2)', () => {"));
}

#[test]
fn python_candidates_stand_two_blank_lines_apart() {
    let members = [member("test_a"), member("test_b")];
    let text = joined("tests/test_retry.py", &members);
    assert!(text.contains("[1, 2, 4]\n\n\ndef test_b():"), "{text}");
    let rust = joined("src/lib.rs", &members);
    assert!(rust.contains("[1, 2, 4]\n\ndef test_b():"), "{rust}");
}
