//! `cria fix` end to end on the real binary with the scripted backend: the loop reads, greps,
//! edits, runs the tests and stops at green; limits stop a looping model; malformed output is
//! answered, not fatal.

mod common;

use common::{events, Scratch};

const ISSUE: &str =
    "Applying a 10% discount to a cart worth 200.00 gives 190.00 instead of 180.00.";

/// `cria fix [extra] --script SCRIPT --repo REPO ISSUE`, run to completion.
fn fix(s: &Scratch, extra: &[&str], replies: &[&str]) -> std::process::Output {
    let script = s.script(replies);
    let mut cmd = s.cria();
    cmd.arg("fix")
        .args(extra)
        .arg("--script")
        .arg(&script)
        .arg("--repo")
        .arg(s.path());
    cmd.arg(ISSUE).output().unwrap()
}

/// The status lines among `ev`.
fn statuses(ev: &[serde_json::Value]) -> Vec<&str> {
    ev.iter()
        .filter(|e| e["type"] == "status")
        .map(|e| e["message"].as_str().unwrap())
        .collect()
}

const FIX: &str = "The discount is subtracted as an amount.\n\nshop/cart.py\n```python\n<<<<<<< SEARCH\n        return round(subtotal - self.discount_percent, 2)\n=======\n        return round(subtotal * (1 - self.discount_percent / 100), 2)\n>>>>>>> REPLACE\n```\n";

/// A test of the issue's example, as the model writes it when asked before "fixed" is said.
const ISSUE_TEST: &str = "```python\nclass TestIssue(unittest.TestCase):\n    def test_ten_percent(self):\n        cart = Cart()\n        cart.add(\"lamp\", 200.0, 1)\n        cart.apply_discount(10)\n        self.assertEqual(cart.total(), 180.0)\n```";

#[test]
fn reads_greps_edits_tests_and_stops_at_green() {
    let s = Scratch::task("py-cart-discount");
    let out = fix(&s, &["--json"], &[
        "Let me look.\n<tool_call>\n{\"name\": \"grep\", \"arguments\": {\"pattern\": \"discount_percent\"}}\n</tool_call>",
        "<tool_call>\n{\"name\": \"read_file\", \"arguments\": {\"path\": \"shop/cart.py\", \"start_line\": 30}}\n</tool_call>",
        FIX,
        ISSUE_TEST,
        "this reply must never be requested",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ev = events(&out.stdout);
    let types: Vec<&str> = ev.iter().map(|e| e["type"].as_str().unwrap()).collect();
    let v = cria::protocol::EVENT_SCHEMA_VERSION;
    assert!(ev.iter().all(|e| e["v"] == v));
    let fin = ev.last().unwrap();
    assert_eq!(fin["stop"]["kind"], "tests_pass", "{fin}");
    // The fix, and the test of the issue's examples kept beside the project's tests.
    assert_eq!(
        ev.last().unwrap()["files"],
        serde_json::json!(["shop/cart.py", "tests/test_cart.py"])
    );
    let calls: Vec<&str> = ev
        .iter()
        .filter(|e| e["type"] == "tool_call")
        .map(|e| e["call"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(calls, ["grep", "read_file"]);
    let grep_result = ev.iter().find(|e| e["type"] == "tool_result").unwrap();
    assert!(grep_result["result"]["output"]
        .as_str()
        .unwrap()
        .contains("shop/cart.py:"));
    assert!(types.contains(&"edit_applied"));
    let tests: Vec<bool> = ev
        .iter()
        .filter(|e| e["type"] == "tests_run")
        .map(|e| e["run"]["passed"].as_bool().unwrap())
        .collect();
    assert_eq!(
        tests,
        [false, true, true],
        "tests fail before and pass after the edit, with a test of the issue's examples too"
    );
    let fin = ev.last().unwrap();
    assert_eq!(fin["type"], "finished");
    assert_eq!(fin["outcome"], "fixed");
    assert!(
        fin["reason"]
            .as_str()
            .unwrap()
            .contains("a test of the issue's examples"),
        "{fin}"
    );
    assert_eq!(fin["steps"], 4);
    assert!(fin["diff"]
        .as_str()
        .unwrap()
        .contains("+        return round(subtotal * (1 - self.discount_percent / 100), 2)"));
    assert!(s
        .read("shop/cart.py")
        .contains("(1 - self.discount_percent / 100)"));
}

#[test]
fn prints_diff_and_summary_without_json() {
    let s = Scratch::task("py-cart-discount");
    let out = fix(&s, &[], &[FIX]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("diff --git a/shop/cart.py b/shop/cart.py\n"),
        "{stdout}"
    );
    assert!(stdout.contains("Fixed: the tests pass."), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("tests fail") && stderr.contains("tests pass"),
        "{stderr}"
    );
}

#[test]
fn identical_tool_calls_stop_the_run() {
    let s = Scratch::task("py-cart-discount");
    let call = "<tool_call>\n{\"name\": \"list_files\", \"arguments\": {}}\n</tool_call>";
    let out = fix(&s, &["--json"], &[call, call, call, call, call]);
    assert_eq!(out.status.code(), Some(1));
    let fin = events(&out.stdout).pop().unwrap();
    assert_eq!(fin["outcome"], "not_fixed");
    assert!(
        fin["reason"]
            .as_str()
            .unwrap()
            .contains("same `list_files` call 3 times"),
        "{fin}"
    );
}

#[test]
fn step_limit_stops_a_wandering_model() {
    let s = Scratch::task("py-cart-discount");
    let replies: Vec<String> = (0..10)
        .map(|i| format!("<tool_call>{{\"name\": \"grep\", \"arguments\": {{\"pattern\": \"x{i}\"}}}}</tool_call>"))
        .collect();
    let refs: Vec<&str> = replies.iter().map(String::as_str).collect();
    let out = fix(&s, &["--json", "--max-steps", "4"], &refs);
    assert_eq!(out.status.code(), Some(1));
    let fin = events(&out.stdout).pop().unwrap();
    assert_eq!(fin["reason"], "step limit reached (4)");
    assert_eq!(fin["steps"], 4);
}

#[test]
fn malformed_tool_call_is_answered_not_fatal() {
    let s = Scratch::task("py-cart-discount");
    let out = fix(
        &s,
        &["--json"],
        &[
            "<tool_call>\n{\"name\": \"read_file\", \"arguments\": {\"path\": </tool_call>",
            "<tool_call>{\"name\": \"no_such_tool\", \"arguments\": {}}</tool_call>",
            FIX,
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let ev = events(&out.stdout);
    // A call that does not parse is its own event; a parsed call to no tool is a tool result.
    let malformed: Vec<&str> = ev
        .iter()
        .filter(|e| e["type"] == "tool_call_malformed")
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(malformed.len(), 1, "{malformed:?}");
    assert!(malformed[0].contains("could not read the tool call"));
    let errors: Vec<&str> = ev
        .iter()
        .filter(|e| e["type"] == "tool_result" && e["result"]["ok"] == false)
        .map(|e| e["result"]["output"].as_str().unwrap())
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains("unknown tool `no_such_tool`"));
}

#[test]
fn a_failed_edit_shows_the_real_lines_and_a_useless_edit_is_reverted() {
    let s = Scratch::task("py-cart-discount");
    let bad_search = "shop/cart.py\n<<<<<<< SEARCH\n        return round(subtotal - discount, 2)\n=======\n        return 0\n>>>>>>> REPLACE\n";
    let useless = "shop/cart.py\n<<<<<<< SEARCH\n    def subtotal(self) -> float:\n        return sum(item.subtotal() for item in self.items)\n=======\n    def subtotal(self) -> float:\n        return sum(item.subtotal() for item in self.items) + 0\n>>>>>>> REPLACE\n";
    let out = fix(&s, &["--json"], &[bad_search, useless, FIX]);
    assert_eq!(out.status.code(), Some(0));
    let ev = events(&out.stdout);
    let failed = ev.iter().find(|e| e["type"] == "edit_failed").unwrap();
    assert_eq!(failed["kind"], "not_applied");
    let msg = failed["message"].as_str().unwrap();
    assert!(msg.contains("closest lines"), "{msg}");
    assert!(
        msg.contains("return round(subtotal - self.discount_percent, 2)"),
        "{msg}"
    );
    let fin = ev.last().unwrap();
    let diff = fin["diff"].as_str().unwrap();
    assert!(
        !diff.contains("+ 0"),
        "the useless attempt was reverted: {diff}"
    );
    assert!(diff.contains("(1 - self.discount_percent / 100)"));
}

#[test]
fn code_block_without_markers_is_read_as_a_function_rewrite() {
    let s = Scratch::task("py-cart-discount");
    let reply = "The total is wrong. Here is the corrected method:\n```python\ndef total(self) -> float:\n    subtotal = self.subtotal()\n    return round(subtotal * (100 - self.discount_percent) / 100, 2)\n```";
    let out = fix(&s, &[], &[reply]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(s.read("shop/cart.py").contains("    def total(self) -> float:\n        subtotal = self.subtotal()\n        return round(subtotal * (100 - self.discount_percent) / 100, 2)\n"));
}

#[test]
fn running_out_of_script_is_a_backend_error() {
    let s = Scratch::task("py-cart-discount");
    let out = fix(&s, &[], &["I am not sure what to do."]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("the script has no reply left for model call 2"));
}

#[test]
fn a_repository_without_tests_keeps_the_edit_but_calls_it_unverified() {
    let s = Scratch::empty();
    s.write("greet.py", "def greet(name):\n    return 'Helo, ' + name\n");
    let reply = "greet.py\n<<<<<<< SEARCH\n    return 'Helo, ' + name\n=======\n    return 'Hello, ' + name\n>>>>>>> REPLACE";
    let script = s.script(&[reply]);
    let out = s
        .cria()
        .args(["fix", "--script"])
        .arg(&script)
        .arg("--repo")
        .arg(s.path())
        .arg("greeting misspelled")
        .output()
        .unwrap();
    // Nothing could show the bug, so nothing verifies the fix: exit 4, never "Fixed".
    assert_eq!(out.status.code(), Some(4));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Unverified: a change was applied, but no test command could run"),
        "{stdout}"
    );
    assert!(!stdout.contains("Fixed"), "{stdout}");
    assert_eq!(
        s.read("greet.py"),
        "def greet(name):\n    return 'Hello, ' + name\n"
    );
}

#[test]
fn fix_then_undo_restores_the_repository() {
    let s = Scratch::task("py-cart-discount");
    let before = s.read("shop/cart.py");
    let script = s.script(&[FIX]);
    s.cria()
        .args(["fix", "--script"])
        .arg(&script)
        .arg("--repo")
        .arg(s.path())
        .arg(ISSUE)
        .assert()
        .code(0);
    assert_ne!(s.read("shop/cart.py"), before);
    s.cria()
        .arg("undo")
        .arg("--repo")
        .arg(s.path())
        .assert()
        .code(0);
    assert_eq!(s.read("shop/cart.py"), before);
}

#[test]
fn usage_and_model_errors_have_their_exit_codes() {
    let s = Scratch::task("py-cart-discount");
    s.cria()
        .args(["fix", ""])
        .arg("--repo")
        .arg(s.path())
        .assert()
        .code(2);
    s.cria()
        .args(["fix", "x", "--repo", "/no/such/dir"])
        .assert()
        .code(2);
    let out = s
        .cria()
        .args(["fix", "x", "--model", "mini"])
        .arg("--repo")
        .arg(s.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("scripts/fetch-model mini"));
    s.write("notamodel.gguf", "hello");
    let out = s
        .cria()
        .args(["fix", "x", "--model"])
        .arg(s.path().join("notamodel.gguf"))
        .arg("--repo")
        .arg(s.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a GGUF model file"));
}

#[test]
fn the_tui_without_a_terminal_points_to_fix_and_help_lists_the_commands() {
    let s = Scratch::empty();
    let out = s.cria().arg("--repo").arg(s.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("needs a terminal; for scripts use `cria fix"));
    let help = s.cria().arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for cmd in ["fix", "batch", "apply", "eval", "bench", "context", "undo"] {
        assert!(help.contains(cmd), "--help lists {cmd}");
    }
}

#[test]
fn a_file_changed_on_disk_since_the_model_read_it_is_not_edited() {
    let s = Scratch::task("py-cart-discount");
    // The "model" runs a command that edits the file behind its own back, then edits it.
    let out = fix(&s, &["--json", "--max-steps", "2"], &[
        "<tool_call>{\"name\": \"run_tests\", \"arguments\": {\"command\": \"echo '# edited meanwhile' >> shop/cart.py\"}}</tool_call>",
        FIX,
    ]);
    assert_eq!(out.status.code(), Some(1));
    let ev = events(&out.stdout);
    let failed = ev
        .iter()
        .find(|e| e["type"] == "edit_failed")
        .expect("the edit was refused");
    assert!(
        failed["message"]
            .as_str()
            .unwrap()
            .contains("changed on disk since the model read it"),
        "{failed}"
    );
    assert!(s.read("shop/cart.py").ends_with("# edited meanwhile\n"));
    assert!(!s
        .read("shop/cart.py")
        .contains("(1 - self.discount_percent / 100)"));
}

#[test]
fn a_test_command_that_cannot_run_is_dropped_not_fixed() {
    let s = Scratch::task("py-cart-discount");
    let out = fix(
        &s,
        &["--json", "--test-cmd", "no-such-runner --quiet"],
        &[FIX],
    );
    assert_eq!(out.status.code(), Some(4));
    let ev = events(&out.stdout);
    assert_eq!(ev.last().unwrap()["outcome"], "unverified");
    assert!(ev.iter().any(|e| e["type"] == "status"
        && e["message"]
            .as_str()
            .unwrap()
            .contains("cannot run here (command not found)")));
    assert_eq!(
        ev.iter().filter(|e| e["type"] == "tests_run").count(),
        1,
        "no test run after the edit"
    );
    assert!(ev.last().unwrap()["summary"]
        .as_str()
        .unwrap()
        .contains("unverified"));
}

#[test]
fn an_edit_that_makes_the_tests_hang_costs_a_minute_not_ten() {
    let s = Scratch::task("py-cart-discount");
    let hang = "shop/cart.py\n<<<<<<< SEARCH\n        return round(subtotal - self.discount_percent, 2)\n=======\n        while True:\n            pass\n>>>>>>> REPLACE\n";
    // --test-timeout 2 stands for the configured limit; the tightened one is the smaller.
    let out = fix(
        &s,
        &["--json", "--max-steps", "1", "--test-timeout", "2"],
        &[hang],
    );
    assert_eq!(out.status.code(), Some(1));
    let ev = events(&out.stdout);
    let runs: Vec<bool> = ev
        .iter()
        .filter(|e| e["type"] == "tests_run")
        .map(|e| e["run"]["timed_out"].as_bool().unwrap())
        .collect();
    assert_eq!(runs, [false, true], "the hanging run was stopped");
    assert!(
        !s.read("shop/cart.py").contains("while True"),
        "the hanging attempt was reverted"
    );
}

/// A change that handles a 10% discount alone.
const ONLY_TEN: &str = "shop/cart.py\n```python\n<<<<<<< SEARCH\n        return round(subtotal - self.discount_percent, 2)\n=======\n        return round(subtotal * 0.9 if self.discount_percent == 10 else subtotal - self.discount_percent, 2)\n>>>>>>> REPLACE\n```\n";

/// [`FIX`], made after [`ONLY_TEN`].
fn fix_after_only_ten() -> String {
    FIX.replace(
        "        return round(subtotal - self.discount_percent, 2)",
        "        return round(subtotal * 0.9 if self.discount_percent == 10 else subtotal - self.discount_percent, 2)",
    )
}

/// A change that makes the project's failing test pass but not every case the issue states is
/// not "fixed": the test of the issue's examples fails, becomes the judge, and the run goes on.
#[test]
fn a_fix_that_misses_a_case_the_issue_states_is_not_fixed_yet() {
    let s = Scratch::task("py-cart-discount");
    let issue = "A 10% discount on a cart worth 200.00 gives 190.00 instead of 180.00, and a 25% \
                 discount on 200.00 should give 150.00.";
    let examples = "```python\nclass TestIssue(unittest.TestCase):\n    def test_examples(self):\n        cart = Cart()\n        cart.add(\"lamp\", 200.0)\n        cart.apply_discount(10)\n        self.assertEqual(cart.total(), 180.0)\n        cart = Cart()\n        cart.add(\"desk\", 200.0)\n        cart.apply_discount(25)\n        self.assertEqual(cart.total(), 150.0)\n```";
    let full = fix_after_only_ten();
    let (out, ev) = s.fix_json(
        issue,
        &["The cause is the discount.", ONLY_TEN, examples, &full],
    );
    let statuses = statuses(&ev);
    assert!(
        statuses.iter().any(|m| m
            .contains("the change is incomplete: the issue's examples fail in `test_examples`")),
        "{statuses:#?}"
    );
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "fixed", "{fin}");
    assert_eq!(out.status.code(), Some(0));
    let diff = fin["diff"].as_str().unwrap();
    assert!(
        diff.contains("subtotal * (1 - self.discount_percent / 100)"),
        "{diff}"
    );
    assert!(diff.contains("+    def test_examples(self):"), "{diff}");
}

/// A test of the issue's examples that asserts what the issue calls wrong (the model copied
/// the output the issue quotes): it fails on the fix and passes on the code before it, so it
/// judges nothing. It is removed, the fix stays in place, and with several stated cases left
/// unchecked the outcome is "unverified" — neither "fixed" nor a run sent after a wrong test.
#[test]
fn a_test_of_the_issue_examples_that_passes_on_the_buggy_code_judges_nothing() {
    let s = Scratch::task("py-cart-discount");
    let issue = "A 10% discount on a cart worth 200.00 gives `190.0` instead of `180.0`, and a \
                 25% discount on 200.00 should give `150.0`.";
    let copied = "```python\nclass TestIssue(unittest.TestCase):\n    def test_examples(self):\n        cart = Cart()\n        cart.add(\"lamp\", 200.0)\n        cart.apply_discount(10)\n        self.assertEqual(cart.total(), 190.0)\n```";
    let replies = [
        "The cause is the discount.",
        FIX,
        copied,
        "this reply must never be requested",
    ];
    let (out, ev) = s.fix_json(issue, &replies);
    let statuses = statuses(&ev);
    assert!(
        statuses
            .iter()
            .any(|m| m.contains("running `test_examples` on the code before the change")),
        "{statuses:#?}"
    );
    assert!(
        statuses
            .iter()
            .any(|m| m.contains("it passes on the code before the change too")),
        "{statuses:#?}"
    );
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "unverified", "{fin}");
    assert_eq!(out.status.code(), Some(4));
    // The fix was put back after the run without it; the copied test is gone.
    let cart = s.read("shop/cart.py");
    assert!(
        cart.contains("subtotal * (1 - self.discount_percent / 100)"),
        "{cart}"
    );
    assert!(!s.read("tests/test_cart.py").contains("test_examples"));
    assert!(fin["diff"]
        .as_str()
        .unwrap()
        .contains("subtotal * (1 - self.discount_percent / 100)"));
}

/// A test of the issue's examples that passes, but on inputs of the model's own making (the
/// issue's items are "desk" and "chair"; the test prices a "lamp"), verifies nothing the issue
/// states: equal items could pass by accident. The fix stays; with the issue's cases unchecked
/// the outcome is "unverified", not "fixed".
#[test]
fn a_test_of_the_examples_on_inputs_of_its_own_verifies_nothing() {
    let s = Scratch::task("py-cart-discount");
    let issue = "A 10% discount is taken off as 10.00:\n\n    cart.add(\"desk\", 150.0)\n    cart.add(\"chair\", 50.0)\n    cart.apply_discount(10)\n\ngives `190.0`; it should be `180.0`, and 25% should give `150.0`.";
    let (out, ev) = s.fix_json(
        issue,
        &[
            "The cause is the discount.",
            FIX,
            ISSUE_TEST,
            "this reply must never be requested",
        ],
    );
    let statuses = statuses(&ev);
    assert!(
        statuses
            .iter()
            .any(|m| m.contains("leaves out the issue's own inputs (\"desk\", \"chair\")")),
        "{statuses:#?}"
    );
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "unverified", "{fin}");
    assert_eq!(out.status.code(), Some(4));
    assert!(fin["diff"]
        .as_str()
        .unwrap()
        .contains("subtotal * (1 - self.discount_percent / 100)"));
    assert!(!s.read("tests/test_cart.py").contains("test_ten_percent"));
}

/// The issue says another case goes wrong the same way ("store credit has the same problem"),
/// and the test of its examples checks only the first: the model is asked for a test of that
/// case, and its tests (twice) pass on the code before the change too, so they check nothing.
/// The fix passes everything run, but "fixed" would vouch for a case nothing checked: the
/// outcome is "unverified", the change kept.
#[test]
fn a_case_the_issue_says_goes_wrong_the_same_way_left_unchecked_is_unverified() {
    let s = Scratch::task("py-cart-discount");
    let issue = "A 10% discount on a cart worth 200.00 gives 190.00 instead of 180.00. Store \
                 credit vouchers have the same problem.";
    let no_check = "```python\nclass TestStoreCredit(unittest.TestCase):\n    def test_store_credit_vouchers(self):\n        cart = Cart()\n        cart.add(\"voucher\", 20.0)\n        self.assertEqual(cart.total(), 20.0)\n```";
    let (out, ev) = s.fix_json(
        issue,
        &[
            "The cause is the discount.",
            FIX,
            ISSUE_TEST,
            no_check,
            no_check,
            "this reply must never be requested",
        ],
    );
    let statuses = statuses(&ev);
    assert!(
        statuses.iter().any(|m| m.contains(
            "leaves out \"Store credit vouchers have the same problem.\"; asking for a test of \
             that case"
        )),
        "{statuses:#?}"
    );
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "unverified", "{fin}");
    assert_eq!(out.status.code(), Some(4));
    let why = fin["stop"]["why"].as_str().unwrap_or_default();
    assert!(
        why.contains("Store credit vouchers have the same problem.")
            && why.contains("passes on the code before the change too"),
        "{fin}"
    );
    let diff = fin["diff"].as_str().unwrap();
    assert!(
        diff.contains("subtotal * (1 - self.discount_percent / 100)"),
        "{diff}"
    );
    assert!(!diff.contains("test_store_credit_vouchers"), "{diff}");
    // Without that sentence the same run is fixed, and asks for nothing more.
    let s = Scratch::task("py-cart-discount");
    let (out, ev) = s.fix_json(
        "A 10% discount on a cart worth 200.00 gives 190.00 instead of 180.00.",
        &[
            "The cause is the discount.",
            FIX,
            ISSUE_TEST,
            "this reply must never be requested",
        ],
    );
    assert_eq!(ev.last().unwrap()["outcome"], "fixed");
    assert_eq!(out.status.code(), Some(0));
}

/// The other case the issue names gets a test of its own, which fails on the code before the
/// change and passes on it: both cases are checked, and the fix is "fixed", the new test kept.
#[test]
fn a_case_the_issue_says_goes_wrong_the_same_way_is_checked_by_a_test_of_its_own() {
    let s = Scratch::task("py-cart-discount");
    let issue = "A 10% discount on a cart worth 200.00 gives 190.00 instead of 180.00. Carts \
                 with several items have the same problem.";
    let several = "```python\nclass TestSeveral(unittest.TestCase):\n    def test_several_items(self):\n        cart = Cart()\n        cart.add(\"desk\", 150.0)\n        cart.add(\"chair\", 50.0)\n        cart.apply_discount(10)\n        self.assertEqual(cart.total(), 180.0)\n```";
    let (out, ev) = s.fix_json(
        issue,
        &[
            "The cause is the discount.",
            FIX,
            ISSUE_TEST,
            several,
            "this reply must never be requested",
        ],
    );
    let statuses = statuses(&ev);
    assert!(
        statuses
            .iter()
            .any(|m| m.contains("running `test_several_items` on the code before the change")),
        "{statuses:#?}"
    );
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "fixed", "{fin}");
    assert_eq!(out.status.code(), Some(0));
    let diff = fin["diff"].as_str().unwrap();
    assert!(
        diff.contains("+    def test_several_items(self):"),
        "{diff}"
    );
    assert!(diff.contains("+    def test_ten_percent(self):"), "{diff}");
}

/// The test of the other case fails on a change that fixed the first case alone: the change is
/// incomplete, the test judges what follows, and the run goes on to the whole fix.
#[test]
fn a_fix_of_the_first_case_alone_is_not_fixed_when_the_other_case_fails() {
    let s = Scratch::task("py-cart-discount");
    let issue = "A 10% discount on a cart worth 200.00 gives 190.00 instead of 180.00. A quarter \
                 off has the same problem.";
    let quarter = "```python\nclass TestQuarter(unittest.TestCase):\n    def test_quarter_off(self):\n        cart = Cart()\n        cart.add(\"lamp\", 200.0)\n        cart.apply_discount(25)\n        self.assertEqual(cart.total(), 150.0)\n```";
    let full = fix_after_only_ten();
    let (out, ev) = s.fix_json(
        issue,
        &[
            "The cause is the discount.",
            ONLY_TEN,
            ISSUE_TEST,
            quarter,
            &full,
            "this reply must never be requested",
        ],
    );
    let statuses = statuses(&ev);
    assert!(
        statuses.iter().any(|m| m
            .contains("the change is incomplete: the issue's examples fail in `test_quarter_off`")),
        "{statuses:#?}"
    );
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "fixed", "{fin}");
    assert_eq!(out.status.code(), Some(0));
    let diff = fin["diff"].as_str().unwrap();
    assert!(
        diff.contains("subtotal * (1 - self.discount_percent / 100)"),
        "{diff}"
    );
    assert!(diff.contains("+    def test_quarter_off(self):"), "{diff}");
}

/// py-slugify's fix as the model's edit: runs of separators collapse, no dash at either end.
const SLUG_FIX: &str = "textutil/slug.py\n```python\n<<<<<<< SEARCH\n    text = re.sub(r\"[^a-z0-9]\", \"-\", text)\n    return text\n=======\n    text = re.sub(r\"[^a-z0-9]+\", \"-\", text)\n    return text.strip(\"-\")\n>>>>>>> REPLACE\n```\n";

/// What cria says when it asserts the issue's values in a model's test instead of its own.
const REASSERTED: &str = "asserting the issue's values in what it gives instead";

/// The issue shows the wrong output as a block ("the page gets this slug:"); the model's test of
/// the issue's examples copies that block as the expected value. Such a test is not run, let
/// alone kept as the judge of the change (it fails on every version of the code, so it would
/// call a right fix incomplete): the fix stays, the examples stay unchecked, and the outcome is
/// "unverified".
#[test]
fn a_test_of_the_issue_that_expects_the_output_it_shows_as_wrong_is_not_run() {
    let s = Scratch::task("py-slugify");
    let issue = "For the title `Hello, World!` the page gets this slug:\n\n    hello--world-\n\nI expected `hello-world`, and `Rust & Go` should give `rust-go`.";
    let copied = "```python\nclass TestIssue(unittest.TestCase):\n    def test_examples(self):\n        self.assertEqual(slugify(\"Hello, World!\"), \"hello--world-\")\n        self.assertEqual(slugify(\"Rust & Go\"), \"rust-go\")\n```";
    let replies = [
        "The cause is in slugify.",
        SLUG_FIX,
        copied,
        "this reply must never be requested",
    ];
    let (out, ev) = s.fix_json(issue, &replies);
    let statuses = statuses(&ev);
    assert!(
        statuses.iter().any(|m| m
            .contains("it expects `hello--world-`, which the issue reports as the wrong output")),
        "{statuses:#?}"
    );
    assert!(
        !statuses
            .iter()
            .any(|m| m.contains("on the code before the change")),
        "{statuses:#?}"
    );
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "unverified", "{fin}");
    assert_eq!(out.status.code(), Some(4));
    assert!(s.read("textutil/slug.py").contains("text.strip(\"-\")"));
    assert!(!s.read("tests/test_slug.py").contains("test_examples"));
}

/// The model's test of the issue sets the example up right but expects an output that leaves out
/// the value the issue says should come out (written from memory). The issue's own value is
/// asserted in what its call gives instead: that test passes with the fix and fails without
/// it, so it is kept and the fix is verified — where before the model's test failed on every
/// version of the code and the right fix ended unverified. (The value is said of the page, not
/// of the call, so cria cannot write the case itself.)
#[test]
fn a_model_test_that_leaves_out_the_issues_expected_value_is_checked_by_that_value() {
    let s = Scratch::task("py-slugify");
    let issue = "`slugify(\"Hello, World!\")` gives `hello--world-` on the page. The page should give `hello-world`.";
    let misremembered = "```python\nclass TestIssue(unittest.TestCase):\n    def test_page_slug(self):\n        slug = slugify(\"Hello, World!\")\n        self.assertEqual(slug, \"Hello-World\")\n```";
    let (out, ev) = s.fix_json(
        issue,
        &["The cause is in slugify.", SLUG_FIX, misremembered],
    );
    let statuses = statuses(&ev);
    for said in [
        REASSERTED,
        "running `test_page_slug` on the code before the change",
    ] {
        assert!(statuses.iter().any(|m| m.contains(said)), "{statuses:#?}");
    }
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "fixed", "{fin}");
    assert_eq!(out.status.code(), Some(0));
    let test = s.read("tests/test_slug.py");
    assert!(
        test.contains("        slug = slugify(\"Hello, World!\")\n"),
        "{test}"
    );
    assert!(
        test.contains("assert \"hello-world\" in issue_got"),
        "{test}"
    );
    assert!(!test.contains("\"Hello-World\""), "{test}");
}

/// The same test when the issue's value is in the output before the fix too: asserting it
/// would check nothing, so the model's own test goes back in and judges, as before.
#[test]
fn an_issue_value_the_code_gave_before_the_change_is_no_check() {
    let s = Scratch::task("py-slugify");
    let issue = "`slugify(\"Hello, World!\")` gives `hello--world-` on the page. The page should give `world` at least.";
    let misremembered = "```python\nclass TestIssue(unittest.TestCase):\n    def test_page_slug(self):\n        self.assertEqual(slugify(\"Hello, World!\"), \"Hello-World\")\n```";
    let (_, ev) = s.fix_json(
        issue,
        &["The cause is in slugify.", SLUG_FIX, misremembered],
    );
    let statuses = statuses(&ev);
    for said in [REASSERTED, "the issue's examples fail in `test_page_slug`"] {
        assert!(statuses.iter().any(|m| m.contains(said)), "{statuses:#?}");
    }
    let fin = ev.last().unwrap();
    assert_ne!(fin["outcome"], "fixed", "{fin}");
}

/// The change the project's tests passed, then the model's test of the issue's example that
/// fails on it (it expects the total as text), then changes that all fail: the model's test
/// judges for three model steps, not to the step limit, and the run ends on the change,
/// unverified, the test taken out. Before, it chased the test to the limit (three minutes and
/// more on two cores).
#[test]
fn a_test_the_model_wrote_that_fails_on_the_change_judges_three_steps_not_to_the_limit() {
    let s = Scratch::task("py-cart-discount");
    let as_text = ISSUE_TEST.replace("180.0)", "\"180.00\")");
    let fixed = "        return round(subtotal * (1 - self.discount_percent / 100), 2)";
    let wrong = |by: &str| {
        format!(
            "shop/cart.py\n```python\n<<<<<<< SEARCH\n{fixed}\n=======\n{}\n>>>>>>> REPLACE\n```\n",
            fixed.replace("/ 100", by)
        )
    };
    let (a, b, c) = (wrong("/ 10"), wrong("/ 1000"), wrong("/ 50"));
    let (out, ev) = s.fix_json_with(
        &["--max-steps", "12"],
        ISSUE,
        &[
            "The cause is the discount.",
            FIX,
            &as_text,
            &a,
            &b,
            &c,
            &wrong("/ 20"),
            &wrong("/ 40"),
            &wrong("/ 60"),
        ],
    );
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "unverified", "{fin}");
    assert_eq!(fin["stop"]["kind"], "own_test_disagrees", "{fin}");
    assert_eq!(
        fin["stop"]["then"], "no change in the 3 model steps after it made it pass",
        "{fin}"
    );
    assert_eq!(fin["steps"], 6, "{fin}");
    assert_eq!(out.status.code(), Some(4));
    assert!(!s.read("tests/test_cart.py").contains("test_ten_percent"));
    assert!(s.read("shop/cart.py").contains(fixed));
}

/// The project's failing test passes with the fix, and the model's test of the issue's example
/// fails on it — and on the code before it — for a reason of its own (it expects the total as
/// text). The test judges what follows; when nothing better comes before the step limit, the run
/// ends on the change the project's tests passed: the test is taken out, and the outcome is
/// "unverified", neither "fixed" (cria's own check disagrees) nor "not fixed" with a change the
/// tests that showed the bug pass.
#[test]
fn a_change_only_cria_own_test_disagrees_with_is_unverified_not_unfixed() {
    let s = Scratch::task("py-cart-discount");
    let as_text = ISSUE_TEST.replace("180.0)", "\"180.00\")");
    let said = "The total is computed correctly now.";
    let (out, ev) = s.fix_json_with(
        &["--max-steps", "4"],
        ISSUE,
        &[
            "The cause is the discount.",
            FIX,
            &as_text,
            said,
            said,
            said,
            said,
        ],
    );
    let statuses = statuses(&ev);
    assert!(
        statuses.iter().any(|m| m
            .contains("the change is incomplete: the issue's examples fail in `test_ten_percent`")),
        "{statuses:#?}"
    );
    let fin = ev.last().unwrap();
    assert_eq!(fin["outcome"], "unverified", "{fin}");
    assert_eq!(fin["stop"]["kind"], "own_test_disagrees", "{fin}");
    assert_eq!(out.status.code(), Some(4));
    assert!(!s.read("tests/test_cart.py").contains("test_ten_percent"));
    let diff = fin["diff"].as_str().unwrap();
    assert!(
        diff.contains("subtotal * (1 - self.discount_percent / 100)"),
        "{diff}"
    );
    assert!(!diff.contains("test_ten_percent"), "{diff}");
}
