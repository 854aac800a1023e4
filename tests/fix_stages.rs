//! The stages of `cria fix`, each on real fixture repositories with the scripted backend:
//! localization ranks the file the reference fix changes in the top 3 files it would change
//! (every task in fixtures/tasks, without a model); a reproduction test is kept only when it
//! fails for the reported reason, judges the fix and is reported; failed candidates are undone
//! and the passing one is kept; the summary says what was tried.

mod common;

use common::{events, fixture, Scratch};

/// `cria fix --json --script ... --repo ... ISSUE`.
fn fix(s: &Scratch, issue: &str, extra: &[&str], replies: &[&str]) -> Vec<serde_json::Value> {
    let script = s.script(replies);
    let out = s
        .cria()
        .arg("fix")
        .arg("--json")
        .args(extra)
        .arg("--script")
        .arg(&script)
        .arg("--repo")
        .arg(s.path())
        .arg(issue)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1 | 4)),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    events(&out.stdout)
}

fn statuses(ev: &[serde_json::Value]) -> Vec<String> {
    ev.iter()
        .filter(|e| e["type"] == "status")
        .map(|e| e["message"].as_str().unwrap().to_string())
        .collect()
}

/// The diff of a run that reproduced the issue with a test cria wrote in `path`, before any
/// model reply, and ended *fixed*.
fn fixed_on_a_test_cria_wrote(ev: &[serde_json::Value], path: &str) -> String {
    let st = statuses(ev);
    let said = format!("reproduced: the issue's case fails as a test in {path}");
    let reproduced = (st.iter().position(|m| *m == said)).unwrap_or_else(|| panic!("{st:#?}"));
    assert!(
        !st[..reproduced].iter().any(|m| m.starts_with("model is")),
        "no model reply before: {st:#?}"
    );
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "fixed", "{fin}");
    fin["diff"].as_str().unwrap().to_string()
}

/// Whether each test run of the events passed, in order.
fn test_runs(ev: &[serde_json::Value]) -> Vec<bool> {
    ev.iter()
        .filter(|e| e["type"] == "tests_run")
        .map(|e| e["run"]["passed"].as_bool().unwrap())
        .collect()
}

fn issue_of(task: &str) -> String {
    std::fs::read_to_string(fixture("tasks").join(task).join("ISSUE.md")).unwrap()
}

/// The py-roman report without its call in inline code: no case cria can write a test of
/// itself, so the model is asked for the reproduction test (the path these tests are about).
fn roman_issue_in_words() -> String {
    issue_of("py-roman").replace('`', "")
}

const ROMAN_TEST: &str = "```python\nclass TestIssue(unittest.TestCase):\n    def test_subtractive(self):\n        self.assertEqual(to_roman(4), \"IV\")\n        self.assertEqual(to_roman(9), \"IX\")\n```";

/// Every case the py-roman report states.
const ROMAN_ALL_TEST: &str = "```python\nclass TestIssue(unittest.TestCase):\n    def test_subtractive(self):\n        for n, s in [(4, \"IV\"), (9, \"IX\"), (40, \"XL\"), (90, \"XC\"), (400, \"CD\"), (900, \"CM\")]:\n            self.assertEqual(to_roman(n), s)\n```";

const ROMAN_PASSING_TEST: &str = "```python\nclass TestIssue(unittest.TestCase):\n    def test_three(self):\n        self.assertEqual(to_roman(3), \"III\")\n```";

const ROMAN_FIX: &str = "The symbol table lacks the subtractive pairs.\n\nnumerals/roman.py\n```python\n<<<<<<< SEARCH\n    (1000, \"M\"),\n    (500, \"D\"),\n    (100, \"C\"),\n    (50, \"L\"),\n    (10, \"X\"),\n    (5, \"V\"),\n    (1, \"I\"),\n=======\n    (1000, \"M\"),\n    (900, \"CM\"),\n    (500, \"D\"),\n    (400, \"CD\"),\n    (100, \"C\"),\n    (90, \"XC\"),\n    (50, \"L\"),\n    (40, \"XL\"),\n    (10, \"X\"),\n    (9, \"IX\"),\n    (5, \"V\"),\n    (4, \"IV\"),\n    (1, \"I\"),\n>>>>>>> REPLACE\n```\n";

/// Only 4 is handled: the new test (which also checks 9) still fails, so this is undone.
const ROMAN_HALF_FIX: &str = "numerals/roman.py\n```python\n<<<<<<< SEARCH\n    (5, \"V\"),\n    (1, \"I\"),\n=======\n    (5, \"V\"),\n    (4, \"IV\"),\n    (1, \"I\"),\n>>>>>>> REPLACE\n```\n";

#[test]
fn the_localizer_ranks_the_reference_files_in_the_top_3_for_every_task() {
    let mut misses = Vec::new();
    let mut tasks = 0;
    for entry in std::fs::read_dir(fixture("tasks")).unwrap() {
        let task = entry.unwrap().path();
        let Ok(want) = std::fs::read_to_string(task.join("FIXED_FILES")) else {
            continue;
        };
        tasks += 1;
        let s = Scratch::task(task.file_name().unwrap().to_str().unwrap());
        // The run up to the first model call: tests, then localization (the script is empty,
        // so the run ends with a backend error right after).
        let issue = std::fs::read_to_string(task.join("ISSUE.md")).unwrap();
        let (_, ev) = s.fix_json(&issue, &[]);
        // The top 3 of the files it would change: a test file is shown to the model as well,
        // as context, but no reference fix changes one.
        let top: Vec<String> = ev
            .iter()
            .find(|e| e["type"] == "localized")
            .map(|e| {
                (e["files"].as_array().unwrap().iter())
                    .map(|f| f.as_str().unwrap().to_string())
                    .filter(|f| !f.starts_with("tests/") && !f.contains(".test."))
                    .take(3)
                    .collect()
            })
            .unwrap_or_default();
        for f in want.lines().filter(|l| !l.trim().is_empty()) {
            if !top.contains(&f.to_string()) {
                misses.push(format!("{}: {f} not in {top:?}", task.display()));
            }
        }
    }
    assert!(tasks >= 15, "every task has FIXED_FILES ({tasks})");
    assert!(misses.is_empty(), "{misses:#?}");
}

#[test]
fn a_reproduction_test_is_kept_when_it_fails_and_then_judges_the_fix() {
    let s = Scratch::task("py-roman");
    let ev = fix(
        &s,
        &roman_issue_in_words(),
        &[],
        &[
            ROMAN_TEST,
            "The cause is the table.",
            ROMAN_HALF_FIX,
            ROMAN_FIX,
        ],
    );
    let st = statuses(&ev);
    assert!(
        st.iter().any(|m| m
            .contains("reproduced: the new test `test_subtractive` in tests/test_roman.py fails")),
        "{st:#?}"
    );
    let runs = test_runs(&ev);
    // Passing at first, failing with the new test, still failing after the half fix, passing.
    assert_eq!(runs, [true, false, false, true], "{st:#?}");
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "fixed");
    let diff = fin["diff"].as_str().unwrap();
    assert!(
        diff.contains("+class TestIssue(unittest.TestCase):"),
        "{diff}"
    );
    assert!(diff.contains("+    (4, \"IV\"),"));
    let summary = fin["summary"].as_str().unwrap();
    assert!(
        summary.contains(
            "Added a test that reproduces the issue: tests/test_roman.py::test_subtractive"
        ),
        "{summary}"
    );
    assert!(
        summary.contains("Tried and undone: a change to numerals/roman.py"),
        "{summary}"
    );
    // The test stands before the main block, and the repository's tests pass with it.
    let test = s.read("tests/test_roman.py");
    assert!(test.find("class TestIssue").unwrap() < test.find("if __name__").unwrap());
}

/// A test that asserts the issue's expected value of inputs of its own (`to_roman(6)` is no
/// "IV"): on the code now it gives `VI`, not the `IIII` the issue reports, and after a right
/// fix it would fail too. It is not kept; the model's next test, of the issue's own call, is.
#[test]
fn a_test_whose_call_does_not_give_the_reported_output_is_not_kept() {
    let s = Scratch::task("py-roman");
    let own_inputs = "```python\nclass TestIssue(unittest.TestCase):\n    def test_six(self):\n        self.assertEqual(to_roman(6), \"IV\")\n```";
    let ev = fix(
        &s,
        &roman_issue_in_words(),
        &[],
        &[own_inputs, ROMAN_TEST, "The cause is the table.", ROMAN_FIX],
    );
    let st = statuses(&ev);
    assert!(
        st.iter().any(|m| m.starts_with(
            "the new test was not kept: on the code before the change it gives `VI` where the issue says `IIII` comes out"
        )),
        "{st:#?}"
    );
    assert!(
        st.iter()
            .any(|m| m.contains("reproduced: the new test `test_subtractive`")),
        "{st:#?}"
    );
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "fixed", "{fin}");
    assert!(!fin["diff"].as_str().unwrap().contains("test_six"));
}

/// A report that states its case in full (a call, what it gives, what it should give): cria
/// writes the test itself from those values, with no model call, and it judges the fix.
#[test]
fn the_issues_own_case_becomes_the_reproduction_test_without_a_model_call() {
    let s = Scratch::task("py-roman");
    let ev = fix(
        &s,
        "`to_roman(4)` returns \"IIII\" but it should return \"IV\".",
        &[],
        &["The cause is the table.", ROMAN_HALF_FIX],
    );
    let st = statuses(&ev);
    assert!(
        st.iter()
            .any(|m| m == "reproduced: the issue's cases fail as tests in tests/test_roman.py"),
        "{st:#?}"
    );
    let runs = test_runs(&ev);
    // Passing at first, failing with cria's test (tried alone, then kept), passing after.
    assert_eq!(runs, [true, false, false, true], "{st:#?}");
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "fixed", "{fin}");
    let diff = fin["diff"].as_str().unwrap();
    assert!(
        diff.contains(
            "+class TestIssueExample1(unittest.TestCase):\n+    def test_issue_example_1(self):\n\
             +        self.assertEqual(to_roman(4), \"IV\")"
        ),
        "{diff}"
    );
    assert!(fin["summary"]
        .as_str()
        .unwrap()
        .contains("tests/test_roman.py::test_issue_example_1"));
}

/// py-roman's whole report: cria's partial test reproduces the bug, and a change for 4 alone
/// passes it; then `rest`.
fn roman_half_fixed(rest: &[&str]) -> Vec<serde_json::Value> {
    let replies = ["The cause is the table.", ROMAN_HALF_FIX];
    let all: Vec<&str> = replies.iter().chain(rest).copied().collect();
    fix(&Scratch::task("py-roman"), &issue_of("py-roman"), &[], &all)
}

/// The report's 9, 40, 90… have no call cria can write: its own test checks 4 alone. It
/// reproduces the bug at once, with no model call (a test of the rest asked for now would cost
/// the fix a step); since a change for 4 alone passes it, the issue's examples are asked for
/// once the tests pass, and their failing test takes over as the judge.
#[test]
fn a_partial_own_test_still_asks_for_the_issues_examples() {
    let ev = roman_half_fixed(&[
        ROMAN_ALL_TEST,
        &ROMAN_FIX.replace(
            "    (5, \"V\"),\n    (1, \"I\"),\n=",
            "    (5, \"V\"),\n    (4, \"IV\"),\n    (1, \"I\"),\n=",
        ),
    ]);
    let st = statuses(&ev);
    let left_out = st
        .iter()
        .position(|m| m.starts_with("the tests cria wrote leave out `IX`"))
        .expect("cria's tests leave the rest out");
    let reproduced = st
        .iter()
        .position(|m| m == "reproduced: the issue's cases fail as tests in tests/test_roman.py")
        .unwrap();
    assert_eq!(reproduced, left_out + 1, "no model call between: {st:#?}");
    assert!(
        st.iter()
            .any(|m| m
                == "the change is incomplete: the issue's examples fail in `test_subtractive`"),
        "{st:#?}"
    );
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "fixed", "{fin}");
    assert!(fin["diff"]
        .as_str()
        .unwrap()
        .contains("+    (900, \"CM\"),"));
}

/// ...and when no test of the other cases can be written, a change that passes cria's partial
/// test is not called fixed.
#[test]
fn a_partial_own_test_without_a_test_of_the_rest_is_unverified() {
    let ev = roman_half_fixed(&["I cannot write that."]);
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "unverified", "{fin}");
    assert!(
        fin["summary"]
            .as_str()
            .unwrap()
            .contains("no test of them could be written"),
        "{fin}"
    );
}

const WORDFREQ_FIX: &str = "wordfreq.py\n```python\n<<<<<<< SEARCH\n    counts = Counter(words(text))\n=======\n    counts = Counter(w.lower() for w in words(text))\n>>>>>>> REPLACE\n```\n";

/// A report whose cases cria can write in full has them checked by cria's own tests once the
/// project's tests pass: no model call, no test of the model's making.
#[test]
fn the_issues_examples_are_checked_by_tests_cria_writes_when_it_can_write_them_all() {
    let s = Scratch::task("py-wordfreq");
    let ev = fix(
        &s,
        &issue_of("py-wordfreq"),
        &[],
        &["The cause is the case.", WORDFREQ_FIX],
    );
    let st = statuses(&ev);
    assert!(
        st.iter().any(|m| m
            == "the issue's examples pass too (the tests cria wrote of them, `test_issue_example_1`…)"),
        "{st:#?}"
    );
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "fixed", "{fin}");
    assert!(fin["diff"].as_str().unwrap().contains(
        "+        self.assertEqual(top_words(\"The cat and the hat\", 1), [(\"the\", 2)])"
    ));
}

/// A change that passes the project's (narrower) test but not the issue's own case is
/// incomplete: cria's test of the case fails on it and before it, judges from then on, and the
/// whole fix passes it.
#[test]
fn a_change_the_issues_own_case_fails_on_is_incomplete() {
    let s = Scratch::task("py-wordfreq");
    s.write(
        "tests/test_wordfreq.py",
        "import unittest\n\nfrom wordfreq import top_words\n\n\nclass WordFreqTest(unittest.TestCase):\n    def test_a(self):\n        self.assertEqual(top_words(\"A a\", 1), [(\"a\", 2)])\n",
    );
    let only_a = "wordfreq.py\n```python\n<<<<<<< SEARCH\n    counts = Counter(words(text))\n=======\n    counts = Counter(\"a\" if w == \"A\" else w for w in words(text))\n>>>>>>> REPLACE\n```\n";
    let whole = "wordfreq.py\n```python\n<<<<<<< SEARCH\n    counts = Counter(\"a\" if w == \"A\" else w for w in words(text))\n=======\n    counts = Counter(w.lower() for w in words(text))\n>>>>>>> REPLACE\n```\n";
    let ev = fix(
        &s,
        &issue_of("py-wordfreq"),
        &[],
        &["The cause is the case.", only_a, whole],
    );
    let st = statuses(&ev);
    assert!(
        st.iter().any(|m| m
            == "the change is incomplete: the issue's examples fail in `test_issue_example_1`"),
        "{st:#?}"
    );
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "fixed", "{fin}");
    assert!(fin["diff"].as_str().unwrap().contains("w.lower()"));
}

/// A test cria wrote from the issue's own values is no model's guess: when it fails on the change
/// the project's test passed, it judges to the end — here the whole fix comes four model steps
/// after it, past the three a test the model wrote would judge.
#[test]
fn a_test_cria_wrote_of_the_issues_own_case_judges_to_the_end() {
    let s = Scratch::task("py-wordfreq");
    s.write(
        "tests/test_wordfreq.py",
        "import unittest\n\nfrom wordfreq import top_words\n\n\nclass WordFreqTest(unittest.TestCase):\n    def test_a(self):\n        self.assertEqual(top_words(\"A a\", 1), [(\"a\", 2)])\n",
    );
    let only_a = "wordfreq.py\n```python\n<<<<<<< SEARCH\n    counts = Counter(words(text))\n=======\n    counts = Counter(\"a\" if w == \"A\" else w for w in words(text))\n>>>>>>> REPLACE\n```\n";
    let from_only_a = |to: &str| {
        format!("wordfreq.py\n```python\n<<<<<<< SEARCH\n    counts = Counter(\"a\" if w == \"A\" else w for w in words(text))\n=======\n    counts = Counter({to})\n>>>>>>> REPLACE\n```\n")
    };
    let ev = fix(
        &s,
        &issue_of("py-wordfreq"),
        &["--max-steps", "12"],
        &[
            "The cause is the case.",
            only_a,
            &from_only_a("w.upper() for w in words(text)"),
            &from_only_a("w[:1] for w in words(text)"),
            &from_only_a("w + w for w in words(text)"),
            &from_only_a("w.lower() for w in words(text)"),
        ],
    );
    let st = statuses(&ev);
    assert!(
        st.iter().any(|m| m
            == "the change is incomplete: the issue's examples fail in `test_issue_example_1`"),
        "{st:#?}"
    );
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "fixed", "{fin}");
    assert_eq!(fin["steps"], 6, "{fin}");
    assert!(fin["diff"].as_str().unwrap().contains("w.lower()"));
}

#[test]
fn a_test_that_passes_is_not_kept_and_the_run_goes_on() {
    let s = Scratch::task("py-roman");
    let before = s.read("tests/test_roman.py");
    let ev = fix(
        &s,
        &roman_issue_in_words(),
        &[],
        &[
            ROMAN_PASSING_TEST,
            ROMAN_PASSING_TEST,
            "The cause is the table.",
            ROMAN_FIX,
        ],
    );
    let st = statuses(&ev);
    assert_eq!(
        st.iter()
            .filter(|m| m.starts_with("the new test was not kept: it passes"))
            .count(),
        1,
        "{st:#?}"
    );
    // The same test again is not run again.
    assert!(
        st.iter()
            .any(|m| m == "the new test was not kept: it is the same test as one tried already"),
        "{st:#?}"
    );
    assert!(st
        .iter()
        .any(|m| m.contains("could not reproduce the issue")));
    assert_eq!(
        s.read("tests/test_roman.py"),
        before,
        "the passing test is gone again"
    );
    let fin = ev.last().unwrap();
    assert!(!fin["diff"]
        .as_str()
        .unwrap()
        .contains("tests/test_roman.py"));
    // The tests passed before the fix too and nothing reproduced the bug: never "fixed".
    assert_eq!(fin["outcome"], "unverified", "{fin}");
    assert!(fin["summary"].as_str().unwrap().starts_with("Unverified: "));
}

/// The false "Fixed" seen on unseen reports: no reproduction test, then a "fix" that only adds
/// an import (refused unwritten: it is no candidate), then a real change that the passing
/// tests cannot judge (unverified, exit 4).
#[test]
fn without_a_failing_test_no_change_is_called_fixed() {
    let s = Scratch::task("py-roman");
    let doc = "\"\"\"Roman numerals for positive integers.\"\"\"";
    let import_only = format!(
        "numerals/roman.py\n```python\n<<<<<<< SEARCH\n{doc}\n=======\n{doc}\nimport unicodedata\n>>>>>>> REPLACE\n```\n"
    );
    assert!(s.read("numerals/roman.py").starts_with(doc));
    let ev = fix(
        &s,
        &roman_issue_in_words(),
        &[],
        &[
            ROMAN_PASSING_TEST,
            ROMAN_PASSING_TEST,
            "The cause is the table.",
            &import_only,
            ROMAN_HALF_FIX,
        ],
    );
    let refused = ev
        .iter()
        .find(|e| e["type"] == "edit_failed")
        .expect("the import-only edit is refused");
    assert_eq!(refused["kind"], "no_behaviour_change");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("cannot change what the code does"),
        "{refused}"
    );
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "unverified", "{fin}");
    assert!(!fin["diff"].as_str().unwrap().contains("unicodedata"));
    assert!(fin["diff"].as_str().unwrap().contains("+    (4, \"IV\"),"));
}

/// A model's test that forgets to import the function it calls is repaired, not thrown away.
#[test]
fn a_reproduction_test_missing_its_import_gets_it_added() {
    let s = Scratch::task("py-roman");
    // A test file that imports nothing from the project, so the model's test names an unknown.
    s.write(
        "tests/test_roman.py",
        "import unittest\n\n\nclass Smoke(unittest.TestCase):\n    def test_truth(self):\n        self.assertTrue(True)\n",
    );
    let no_import = "```python\ndef test_subtractive():\n    assert to_roman(4) == \"IV\"\n```";
    let ev = fix(
        &s,
        &roman_issue_in_words(),
        &["--test-cmd", "python3 -m pytest -q"],
        &[no_import, "The cause is the table.", ROMAN_FIX, ROMAN_FIX],
    );
    let st = statuses(&ev);
    assert!(
        !st.iter().any(|m| m.contains("cannot run here")),
        "pytest is missing: scripts/install-deps (make test) installs it"
    );
    assert!(
        st.iter()
            .any(|m| m.contains("adding `from numerals import to_roman`")),
        "{st:#?}"
    );
    assert!(
        st.iter()
            .any(|m| m.contains("reproduced: the new test `test_subtractive`")),
        "{st:#?}"
    );
    assert_eq!(ev.last().unwrap()["outcome"], "fixed");
}

/// When the project's own tests show the bug, an edit to them is no fix.
#[test]
fn an_edit_to_a_failing_project_test_is_undone() {
    let s = Scratch::task("py-cart-discount");
    let test_path = "tests/test_cart.py";
    let test = s.read(test_path);
    let line = test
        .lines()
        .find(|l| l.contains("assert"))
        .expect("an assertion")
        .to_string();
    let cheat = format!(
        "{test_path}\n```python\n<<<<<<< SEARCH\n{line}\n=======\n{}pass\n>>>>>>> REPLACE\n```\n",
        &line[..line.len() - line.trim_start().len()]
    );
    let ev = fix(
        &s,
        "the discount is wrong",
        &["--max-steps", "1"],
        &[&cheat],
    );
    assert!(
        ev.iter().any(|e| e["type"] == "edit_failed"
            && e["message"]
                .as_str()
                .unwrap()
                .contains("changed a test that judges the fix")),
        "{ev:#?}"
    );
    assert_eq!(s.read(test_path), test);
    assert_ne!(ev.last().unwrap()["outcome"], "fixed");
}

#[test]
fn drop_repro_test_leaves_only_the_fix_in_the_diff() {
    let s = Scratch::task("py-roman");
    let before = s.read("tests/test_roman.py");
    let ev = fix(
        &s,
        &roman_issue_in_words(),
        &["--drop-repro-test"],
        &[ROMAN_TEST, "The cause is the table.", ROMAN_FIX],
    );
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "fixed");
    let diff = fin["diff"].as_str().unwrap();
    assert!(!diff.contains("tests/test_roman.py"), "{diff}");
    assert!(diff.contains("numerals/roman.py"));
    assert_eq!(s.read("tests/test_roman.py"), before);
}

#[test]
fn an_edit_to_the_reproduction_test_is_undone() {
    let s = Scratch::task("py-roman");
    let cheat = "tests/test_roman.py\n```python\n<<<<<<< SEARCH\n        self.assertEqual(to_roman(4), \"IV\")\n=======\n        self.assertEqual(to_roman(4), \"IIII\")\n>>>>>>> REPLACE\n```\n";
    let ev = fix(
        &s,
        &roman_issue_in_words(),
        &[],
        &[ROMAN_TEST, "The cause is the test.", cheat, ROMAN_FIX],
    );
    assert!(
        ev.iter().any(|e| e["type"] == "edit_failed"
            && e["message"]
                .as_str()
                .unwrap()
                .contains("changed a test that judges the fix; reverted")),
        "{ev:#?}"
    );
    assert_eq!(ev.last().unwrap()["outcome"], "fixed");
    assert!(s
        .read("tests/test_roman.py")
        .contains("to_roman(4), \"IV\""));
}

#[test]
fn two_failed_halves_in_different_files_are_tried_together() {
    let s = Scratch::task("py-two-files");
    let factor = "geo/units.py\n```python\n<<<<<<< SEARCH\nKM_PER_MILE = 1.6\n=======\nKM_PER_MILE = 1.609344\n>>>>>>> REPLACE\n```\n";
    let rounding = "geo/distance.py\n```python\n<<<<<<< SEARCH\n    return round(miles * KM_PER_MILE)\n=======\n    return round(miles * KM_PER_MILE, 2)\n>>>>>>> REPLACE\n```\n";
    let ev = fix(
        &s,
        &issue_of("py-two-files"),
        &[],
        &["The cause is the factor.", factor, rounding],
    );
    let st = statuses(&ev);
    assert!(
        st.iter()
            .any(|m| m.contains("together with an earlier one")),
        "{st:#?}"
    );
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "fixed", "{st:#?}");
    assert_eq!(fin["reason"], "the tests pass (two candidates combined)");
    let diff = fin["diff"].as_str().unwrap();
    assert!(
        diff.contains("+KM_PER_MILE = 1.609344") && diff.contains("round(miles * KM_PER_MILE, 2)"),
        "{diff}"
    );
    assert!(s.read("geo/units.py").contains("1.609344"));
}

/// The fix of py-size-sum: a size and its unit, with or without a space between them.
const SIZE_FIX: &str = "sizes.py\n```python\n<<<<<<< SEARCH\n    number, unit = text.split()\n=======\n    text = text.strip()\n    digits = text.rstrip(\"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\")\n    number, unit = digits, text[len(digits):].strip()\n>>>>>>> REPLACE\n```\n";

/// The small model's usual "fix" of a crash: catch the error and give 0.
const SIZE_SWALLOW: &str = "sizes.py\n```python\n<<<<<<< SEARCH\n    number, unit = text.split()\n=======\n    try:\n        number, unit = text.split()\n    except ValueError:\n        return 0\n>>>>>>> REPLACE\n```\n";

/// The fix, written on top of [`SIZE_SWALLOW`].
const SIZE_FIX_AFTER_SWALLOW: &str = "sizes.py\n```python\n<<<<<<< SEARCH\n    try:\n        number, unit = text.split()\n    except ValueError:\n        return 0\n=======\n    text = text.strip()\n    digits = text.rstrip(\"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz\")\n    number, unit = digits, text[len(digits):].strip()\n>>>>>>> REPLACE\n```\n";

const SIZE_VALUE_TEST: &str = "```python\nclass TestIssue(unittest.TestCase):\n    def test_no_space(self):\n        self.assertEqual(parse_size(\"512B\"), 512)\n```";

/// A crash the project's tests miss, shown by a traceback: cria calls the functions it names
/// with the value the report quotes and keeps the call that fails with the report's own error
/// as the reproduction test (no model call). Not crashing is not the whole fix: a change that
/// catches the error and gives 0 passes it, so the issue's examples are asked for, their test
/// fails on that change (and before it), and judges until the real fix.
#[test]
fn a_reported_crash_is_reproduced_by_calling_the_traceback_with_the_quoted_value() {
    let s = Scratch::task("py-size-sum");
    let ev = fix(
        &s,
        &issue_of("py-size-sum"),
        &[],
        &[
            "The split needs a space.",
            SIZE_SWALLOW,
            SIZE_VALUE_TEST,
            SIZE_FIX_AFTER_SWALLOW,
        ],
    );
    let st = statuses(&ev);
    assert!(
        st.iter()
            .any(|m| m == "reproduced: the issue's cases fail as tests in tests/test_sizes.py"),
        "{st:#?}"
    );
    assert!(
        st.iter()
            .any(|m| m == "the change is incomplete: the issue's examples fail in `test_no_space`"),
        "{st:#?}"
    );
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "fixed", "{fin}");
    let diff = fin["diff"].as_str().unwrap();
    assert!(
        diff.contains("+        parse_size(\"512B\")"),
        "the innermost function, with the quoted size: {diff}"
    );
    assert!(!diff.contains("total_size(\"512B\")"), "{diff}");
    assert!(!diff.contains("return 0"), "{diff}");
}

/// The same crash when the project's tests already fail on it: once they pass, the reported
/// call is checked too — on the code before the change (where it must fail with the report's
/// error) and on the change (where it must not).
#[test]
fn a_reported_crash_is_checked_before_and_after_the_change() {
    let s = Scratch::task("py-size-sum");
    let tests = s.read("tests/test_sizes.py");
    s.write(
        "tests/test_sizes.py",
        &tests.replace(
            "        self.assertEqual(parse_size(\"1.5 gb\"), 1_500_000_000)\n",
            "        self.assertEqual(parse_size(\"1.5 gb\"), 1_500_000_000)\n        self.assertEqual(parse_size(\"3KB\"), 3_000)\n",
        ),
    );
    let ev = fix(
        &s,
        &issue_of("py-size-sum"),
        &[],
        &["The split needs a space.", SIZE_FIX],
    );
    let st = statuses(&ev);
    assert!(
        st.iter().any(|m| m
            == "the issue's crash is gone: `parse_size(\"512B\")` failed with it before the change and passes now"),
        "{st:#?}"
    );
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "fixed", "{fin}");
}

/// The py-roman fixture with a project test of `to_roman(4)` that fails: the run starts from
/// a failing test, and the issue's other values are checked once it passes.
fn roman_failing_at_four() -> Scratch {
    let s = Scratch::task("py-roman");
    s.write(
        "tests/test_roman.py",
        &s.read("tests/test_roman.py").replacen(
            "class",
            "class Four(unittest.TestCase):\n    def test_four(self):\n        self.assertEqual(to_roman(4), \"IV\")\n\n\nclass",
            1,
        ),
    );
    s
}

/// The py-roman report on [`roman_failing_at_four`]: the half fix passes the project's tests,
/// and the model answers the request for a test of the issue's examples, and the request
/// again, with `test`.
fn half_fixed_then_twice(s: &Scratch, test: &str) -> Vec<serde_json::Value> {
    fix(
        s,
        &issue_of("py-roman"),
        &[],
        &["The cause is the table.", ROMAN_HALF_FIX, test, test],
    )
}

/// A test of the issue's examples that passes on the change and on the code before it shows
/// nothing (here: that each result starts right): it is no check, and not kept as one; with
/// six values the issue expects unchecked, the change is unverified.
#[test]
fn an_examples_test_that_passes_before_the_change_too_is_no_check() {
    let s = roman_failing_at_four();
    let tautology = "```python\nclass TestIssue(unittest.TestCase):\n    def test_subtractive(self):\n        for n, s in [(4, \"IV\"), (9, \"IX\"), (40, \"XL\"), (90, \"XC\"), (400, \"CD\"), (900, \"CM\")]:\n            self.assertTrue(to_roman(n).startswith(s[0]) or to_roman(n) != \"IIII\")\n```";
    let ev = half_fixed_then_twice(&s, tautology);
    let st = statuses(&ev);
    // Asked once more, told why, and the same again.
    assert!(
        st.iter().any(|m| m
            == "the test of the issue's examples was not kept: `test_subtractive` passes on the code before the change too: it does not show the bug; asking once more"),
        "{st:#?}"
    );
    assert!(
        st.iter().any(|m| m
            == "no test of the issue's examples: `test_subtractive` passes on the code before the change too: it does not show the bug"),
        "{st:#?}"
    );
    let fin = ev.last().unwrap();
    // The issue expects six values; the project's failing test checked one.
    assert_eq!(fin["outcome"], "unverified", "{fin}");
    assert!(!fin["diff"].as_str().unwrap().contains("test_subtractive"));
    assert!(!fin["summary"]
        .as_str()
        .unwrap()
        .contains("reproduces the issue"));
}

/// A test of the issue's examples that fails on the change and before it, but of inputs of its
/// own (`to_roman(6)` is no "IV": it gives `VI` before the change, not the `IIII` the issue
/// reports): it would fail after a right change too, so it does not judge this one
/// incomplete; it is no check.
#[test]
fn an_examples_test_of_its_own_inputs_does_not_judge_the_change() {
    let s = roman_failing_at_four();
    // The issue's numerals, each after a number of the model's own.
    let own_inputs = "```python\nclass TestIssue(unittest.TestCase):\n    def test_six(self):\n        for n, s in [(6, \"IV\"), (11, \"IX\"), (60, \"XL\"), (110, \"XC\"), (600, \"CD\"), (1100, \"CM\")]:\n            self.assertEqual(to_roman(n), s)\n```";
    let ev = half_fixed_then_twice(&s, own_inputs);
    let st = statuses(&ev);
    assert!(
        st.iter().any(
            |m| m.starts_with("the test of the issue's examples was not kept: ")
                && m.contains("before the change it gives `VI` where the issue says `IIII`")
        ),
        "{st:#?}"
    );
    assert!(
        !st.iter().any(|m| m.contains("the change is incomplete")),
        "{st:#?}"
    );
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "unverified", "{fin} {st:#?}");
    assert!(!fin["diff"].as_str().unwrap().contains("test_six"));
}

/// A Rust report's calls and values become `#[test]` functions in the crate's integration test
/// file, with the import the build asks for (the test file imports other functions only); they
/// reproduce the bug with no model call and judge the fix.
#[test]
fn a_rust_issues_own_cases_become_tests_with_the_import_they_need() {
    let s = Scratch::task("rs-word-count");
    let tests = std::fs::read_to_string(s.path().join("tests/counts.rs")).unwrap();
    s.write(
        "tests/counts.rs",
        &tests.replace(
            "use textstat::{count_lines, count_words, longest_word};",
            "use textstat::{count_lines, longest_word};",
        ).replace("    assert_eq!(count_words(\"one two three\"), 3);\n    assert_eq!(count_words(\"\"), 0);\n", ""),
    );
    let fix_it = "src/count.rs\n```rust\n<<<<<<< SEARCH\n    text.split(' ').count()\n=======\n    text.split_whitespace().count()\n>>>>>>> REPLACE\n```\n";
    let ev = fix(
        &s,
        &issue_of("rs-word-count"),
        &[],
        &["Runs of spaces are split into empty words.", fix_it],
    );
    let st = statuses(&ev);
    assert!(
        st.iter()
            .any(|m| m == "reproduced: the issue's cases fail as tests in tests/counts.rs"),
        "{st:#?}"
    );
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "fixed", "{fin}");
    let diff = fin["diff"].as_str().unwrap();
    for added in [
        "+use textstat::count_words;",
        "+    assert_eq!(count_words(\"  hello   world \"), 2);",
        "+    assert_eq!(count_words(\"a\\tb\\nc\"), 3);",
        "+    assert_eq!(count_words(\"   \"), 0);",
    ] {
        assert!(diff.contains(added), "{added} in {diff}");
    }
}

/// rs-range-sum with its tests only inside the library, fixed with `extra` arguments: the
/// `tests/` file cria needs for the issue's case it creates, importing what the case calls.
fn range_sum_fixed_without_tests(extra: &[&str]) -> (Scratch, Vec<serde_json::Value>) {
    let s = Scratch::task("rs-range-sum");
    std::fs::remove_dir_all(s.path().join("tests")).unwrap();
    let fix_it = "src/lib.rs\n```rust\n<<<<<<< SEARCH\n    (start..end).sum()\n=======\n    (start..=end).sum()\n>>>>>>> REPLACE\n```\n";
    let ev = fix(
        &s,
        &issue_of("rs-range-sum"),
        extra,
        &["The range leaves out its end.", fix_it],
    );
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "fixed", "{fin}");
    (s, ev)
}

#[test]
fn a_rust_library_without_integration_tests_gets_one_for_the_issues_case() {
    let (s, ev) = range_sum_fixed_without_tests(&[]);
    let st = statuses(&ev);
    assert!(
        st.iter()
            .any(|m| m == "reproduced: the issue's cases fail as tests in tests/issue.rs"),
        "{st:#?}"
    );
    assert_eq!(
        s.read("tests/issue.rs"),
        "use mathutil::sum_inclusive;\n#[test]\nfn test_issue_example_1() {\n    \
         assert_eq!(sum_inclusive(1, 5), 15);\n}\n"
    );
}

#[test]
fn drop_repro_test_removes_a_test_file_cria_created() {
    let (s, ev) = range_sum_fixed_without_tests(&["--drop-repro-test"]);
    assert!(
        !s.path().join("tests").exists(),
        "the folder cria made goes too"
    );
    let diff = ev.last().unwrap()["diff"].as_str().unwrap();
    assert!(!diff.contains("tests/issue.rs"), "{diff}");
    assert!(diff.contains("(start..=end)"), "{diff}");
}

/// py-timesheet's report names a second case by a function of the project ("The overtime figure
/// on the weekly report has the same problem"). cria's own test of the first case leaves it out,
/// so the model is asked for a test of that case: one named after it that never calls `overtime`
/// checks nothing of it and is sent back; the corrected one fails on the code before the change
/// and passes on it, and the fix is "fixed".
#[test]
fn a_test_of_a_case_named_by_a_function_must_call_it() {
    let s = Scratch::task("py-timesheet");
    let rewrite = "```python\ndef parse_hours(entry):\n    \"\"\"Hours in an \"H:MM\" entry, as a number: \"8:00\" is 8.0.\"\"\"\n    hours, minutes = entry.strip().split(\":\")\n    if not minutes.isdigit() or len(minutes) != 2 or int(minutes) > 59:\n        raise ValueError(f\"not an H:MM entry: {entry!r}\")\n    return int(hours) + int(minutes) / 60\n```";
    // Named after the case, and calling something else.
    let first_case_again = "```python\nclass TestIssue(unittest.TestCase):\n    def test_overtime(self):\n        self.assertEqual(parse_hours(\"7:30\"), 7.5)\n```";
    let overtime = "```python\nclass TestOvertime(unittest.TestCase):\n    def test_overtime_with_minutes(self):\n        self.assertEqual(overtime([\"8:30\"] * 5), 2.5)\n```";
    let ev = fix(
        &s,
        &issue_of("py-timesheet"),
        &[],
        &[
            "The minutes are divided by 100.",
            rewrite,
            first_case_again,
            overtime,
            "this reply must never be requested",
        ],
    );
    let st = statuses(&ev);
    assert!(
        st.iter().any(|m| m
            .contains("was not kept: the test written does not call `overtime`; asking once more")),
        "{st:#?}"
    );
    assert!(
        st.iter()
            .any(|m| m
                .contains("running `test_overtime_with_minutes` on the code before the change")),
        "{st:#?}"
    );
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "fixed", "{fin}");
    let diff = fin["diff"].as_str().unwrap();
    assert!(
        diff.contains("+    def test_overtime_with_minutes(self):"),
        "{diff}"
    );
    assert!(!diff.contains("def test_overtime(self)"), "{diff}");
}

/// A small project whose duration helper rounds after it splits off the minutes: 119.7 s
/// reads "1m 60s", and 59.6 s reads "60s". The project's tests pass.
fn eta_project() -> Scratch {
    let s = Scratch::empty();
    s.write(
        "ticker/__init__.py",
        "from .bar import render\nfrom .timefmt import format_duration\n",
    );
    s.write(
        "ticker/timefmt.py",
        "def format_duration(seconds):\n    if seconds < 60:\n        return f\"{round(seconds)}s\"\n    \
         minutes, secs = divmod(seconds, 60)\n    return f\"{int(minutes)}m {round(secs):02d}s\"\n",
    );
    s.write(
        "ticker/bar.py",
        "from .timefmt import format_duration\n\n\ndef render(remaining):\n    \
         return f\"ETA {format_duration(remaining)}\"\n",
    );
    s.write(
        "tests/test_ticker.py",
        "from ticker import format_duration, render\n\n\ndef test_seconds():\n    \
         assert format_duration(45) == \"45s\"\n\n\ndef test_render():\n    \
         assert render(65) == \"ETA 1m 05s\"\n",
    );
    s
}

/// The report's session holds one case; its second (`with 59.6 seconds left`) is prose, with
/// no call.
fn eta_issue(prose_case: &str) -> String {
    format!(
        "ETA sometimes reads \"1m 60s\"\n\n    >>> render(119.7)\n    'ETA 1m 60s'\n\n\
         I expected `ETA 2m 00s`. Just under a minute looks odd too: {prose_case}\n"
    )
}

const ETA_FIX: &str = "ticker/timefmt.py\n```python\n<<<<<<< SEARCH\ndef format_duration(seconds):\n=======\ndef format_duration(seconds):\n    seconds = round(seconds)\n>>>>>>> REPLACE\n```\n";

/// The prose case is put to the functions the failing test ran whose result was the wrong
/// output or part of it (`render` gave `'ETA 1m 60s'`, `format_duration` `'1m 60s'`): with the
/// number the sentence names, one gives the wrong value before the change and the right one
/// with it, so every case the issue states is checked and the fix is verified — no test of
/// the model's making.
#[test]
fn a_case_stated_in_prose_is_checked_through_a_function_the_failing_test_ran() {
    let s = eta_project();
    let issue = eta_issue("with 59.6 seconds left it shows `ETA 60s` rather than `ETA 1m 00s`.");
    let ev = fix(&s, &issue, &[], &["The cause is the rounding.", ETA_FIX]);
    let st = statuses(&ev);
    // The one-token search rounds what render is given: render, not format_duration, now
    // gives the right value; render gave all of a wrong value, so all of the right one is
    // asserted.
    assert!(
        st.iter().any(|m| {
            m
            == "`render(59.6)` gives 'ETA 60s' before the change and what the issue expects with it"
        }),
        "{st:#?}"
    );
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "fixed", "{fin}");
    let diff = fin["diff"].as_str().unwrap();
    assert!(
        diff.contains("+    assert render(59.6) == \"ETA 1m 00s\""),
        "{diff}"
    );
    assert_eq!(
        diff.matches("render(119.7)").count(),
        1,
        "the stated case is not written twice: {diff}"
    );
}

/// A sentence whose wrong value the code before the change does not give (60.6 s already reads
/// "1m 01s") is no check of anything: the probe is not kept, and without a test of that case
/// the change is unverified.
#[test]
fn a_prose_case_the_code_before_does_not_get_wrong_is_not_kept_as_a_check() {
    let s = eta_project();
    let issue = eta_issue("with 60.6 seconds left it shows `ETA 61s` rather than `ETA 1m 01s`.");
    let ev = fix(
        &s,
        &issue,
        &[],
        &[
            "The cause is the rounding.",
            ETA_FIX,
            "I cannot write that.",
        ],
    );
    let st = statuses(&ev);
    assert!(
        st.iter()
            .any(|m| m.starts_with("the issue states `ETA 1m 01s` with no call")),
        "{st:#?}"
    );
    assert!(!st
        .iter()
        .any(|m| m.contains("before the change and what the issue expects")));
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "unverified", "{fin}");
}

/// With no call in the report at all and the project's tests passing, the prose case is put to
/// the functions the passing tests call (traced), on the code as it is: the call that gives the
/// wrong part is the reproduction test — no model reply — and the fix is judged by it.
#[test]
fn a_case_stated_only_in_prose_is_reproduced_through_the_functions_the_tests_call() {
    let s = eta_project();
    let issue = "ETA reads 60s just under a minute\n\nWith 59.6 seconds left the bar shows \
                 `ETA 60s` rather than `ETA 1m 00s`.\n";
    let ev = fix(&s, issue, &[], &["The cause is the rounding.", ETA_FIX]);
    let st = statuses(&ev);
    assert!(
        st.iter()
            .any(|m| m.starts_with("the issue states `ETA 1m 00s` with no call")),
        "{st:#?}"
    );
    let diff = fixed_on_a_test_cria_wrote(&ev, "tests/test_ticker.py");
    assert!(
        diff.contains("== \"ETA 1m 00s\"") || diff.contains("== \"1m 00s\""),
        "{diff}"
    );
}

/// py-dutree-boundary states two cases in one sentence, in prose only: each becomes a test of
/// its own name (two of one name would leave only the last to run, and a change that fixes the
/// MiB case alone — `/= 1023` — would pass), the one-token search is judged by both, and the
/// fix needs no model reply.
#[test]
fn two_prose_cases_of_one_sentence_are_two_tests_that_both_judge_the_fix() {
    let s = Scratch::task("py-dutree-boundary");
    let ev = fix(
        &s,
        &issue_of("py-dutree-boundary"),
        &[],
        &["I cannot tell."],
    );
    let st = statuses(&ev);
    assert!(
        st.iter().any(|m| m == "`human_size(1024)` gives '1024 B'"),
        "{st:#?}"
    );
    assert!(
        st.iter()
            .any(|m| m == "`human_size(1048576)` gives '1024.0 KiB'"),
        "{st:#?}"
    );
    assert!(!st.iter().any(|m| m.starts_with("model is")), "{st:#?}");
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "fixed", "{fin}");
    let diff = fin["diff"].as_str().unwrap();
    assert!(diff.contains("+        if value < 1024 or"), "{diff}");
    let names: Vec<&str> = diff
        .lines()
        .filter_map(|l| l.strip_prefix("+def "))
        .collect();
    assert_eq!(names.len(), 2, "{diff}");
    assert_ne!(names[0], names[1], "{diff}");
}

/// py-refund-sign states its case in prose only, and the one function that gives the wrong
/// value takes two arguments: the sentence's number goes in the one of its kind (the cents),
/// the currency stays as the passing test gave it, so the case is reproduced with no model
/// reply, and the model's fix is judged by that test.
#[test]
fn a_prose_case_is_put_to_a_function_of_two_arguments_through_its_one_of_the_inputs_kind() {
    let s = Scratch::task("py-refund-sign");
    let fix_sign = "tilly/money.py\n```python\n<<<<<<< SEARCH\n    amount = cents / 100\n    \
                    return f\"{symbol}{amount:,.2f}\"\n=======\n    sign = \"-\" if cents < 0 else \"\"\n    \
                    amount = abs(cents) / 100\n    return f\"{sign}{symbol}{amount:,.2f}\"\n\
                    >>>>>>> REPLACE\n```\n";
    let ev = fix(
        &s,
        &issue_of("py-refund-sign"),
        &[],
        &["The sign is printed after the symbol.", fix_sign],
    );
    let diff = fixed_on_a_test_cria_wrote(&ev, "tests/test_tilly.py");
    assert!(
        diff.contains("+    assert price_label(cents=-1250, currency='USD') == \"-$12.50\""),
        "{diff}"
    );
}
