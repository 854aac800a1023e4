//! The agent loop in-process (`agent::fix` with the scripted backend, no binary): each stage
//! transition a run can take, from the first test run to its stop reason, and inputs that once
//! panicked it.

mod common;

use std::path::Path;
use std::sync::Once;

use clap::Parser;
use common::Scratch;
use cria::agent::FixReport;
use cria::cli::{Cli, Command};
use cria::config::Config;
use cria::model::scripted::ScriptedBackend;
use cria::protocol::{Event, Outcome};

/// cria's state goes to a scratch folder, set once before any test reads it.
fn isolate_state() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        std::env::set_var("CRIA_STATE_DIR", dir);
    });
}

fn config(repo: &Path, flags: &[&str]) -> Config {
    isolate_state();
    let repo = repo.to_string_lossy().into_owned();
    let argv = ["cria", "fix", "--repo", repo.as_str()]
        .into_iter()
        .chain(flags.iter().copied())
        .chain(["issue"]);
    let Some(Command::Fix { agent, .. }) = Cli::parse_from(argv).command else {
        unreachable!("parsed a fix command");
    };
    Config::resolve(&agent).unwrap()
}

/// Run the loop on `repo` with `replies`; the report and every event.
fn run(repo: &Path, flags: &[&str], issue: &str, replies: &[&str]) -> (FixReport, Vec<Event>) {
    run_on(scripted(replies), repo, flags, issue)
}

fn scripted(replies: &[&str]) -> ScriptedBackend {
    ScriptedBackend::new(replies.iter().map(|r| r.to_string()).collect())
}

fn run_on(
    mut backend: ScriptedBackend,
    repo: &Path,
    flags: &[&str],
    issue: &str,
) -> (FixReport, Vec<Event>) {
    let cfg = config(repo, flags);
    let mut events = Vec::new();
    let report = cria::agent::fix(&mut backend, &cfg.fix, issue, &mut |e: Event| {
        events.push(e)
    });
    let report = report.unwrap_or_else(|e| panic!("{e}; statuses: {:#?}", statuses(&events)));
    (report, events)
}

/// The run ended "fixed"; its summary and `statuses` are shown when not.
fn assert_fixed(report: &FixReport, statuses: &[String]) {
    assert_outcome(report, Outcome::Fixed, statuses);
}

fn assert_outcome(report: &FixReport, outcome: Outcome, statuses: &[String]) {
    assert_eq!(
        report.outcome,
        Some(outcome),
        "{}\n{statuses:#?}",
        report.summary
    );
}

fn statuses(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Status { message, .. } => Some(message.clone()),
            _ => None,
        })
        .collect()
}

const CART_ISSUE: &str =
    "Applying a 10% discount to a cart worth 200.00 gives 190.00 instead of 180.00.";
const CART_FIX: &str = "shop/cart.py\n<<<<<<< SEARCH\n        return round(subtotal - self.discount_percent, 2)\n=======\n        return round(subtotal * (1 - self.discount_percent / 100), 2)\n>>>>>>> REPLACE\n";
const CART_EXAMPLES: &str = "```python\nclass TestIssue(unittest.TestCase):\n    def test_ten_percent(self):\n        cart = Cart()\n        cart.add(\"lamp\", 200.0, 1)\n        cart.apply_discount(10)\n        self.assertEqual(cart.total(), 180.0)\n```";

/// Tests fail → localize → diagnose → edit → tests pass → the issue's examples pass → fixed.
/// The test of the examples is asked right after the task (which the model's cache holds), not
/// after the steps since.
#[test]
fn failing_tests_then_a_fix_then_the_issues_examples_end_fixed() {
    let s = Scratch::task("py-cart-discount");
    let backend = scripted(&["The cause is the discount.", CART_FIX, CART_EXAMPLES]);
    let prompts = backend.prompts();
    let (report, events) = run_on(backend, s.path(), &[], CART_ISSUE);
    assert_eq!(report.outcome, Some(Outcome::Fixed), "{}", report.summary);
    let prompts = prompts.lock().unwrap();
    let asked: Vec<&String> = (prompts.iter().filter(|p| !p.1)).map(|p| &p.0).collect();
    let [task, edit, examples] = asked[..] else {
        panic!("{asked:#?}");
    };
    assert!(edit.starts_with(task.as_str()) && edit.contains("The cause is the discount."));
    let request = examples
        .strip_prefix(task.as_str())
        .expect("follows the task");
    assert!(request.starts_with("A change was made to fix the problem above:"));
    assert!(request.contains("-        return round(subtotal - self.discount_percent, 2)"));
    assert!(matches!(events.first(), Some(Event::Status { .. })));
    assert!(events.iter().any(|e| matches!(e, Event::Localized { .. })));
    assert_eq!(report.steps, 3);
    assert!(report.tests_before.as_ref().is_some_and(|t| !t.passed));
    assert!(report.tests_after.as_ref().is_some_and(|t| t.passed));
    assert!(matches!(
        events.last(),
        Some(Event::Finished {
            outcome: Outcome::Fixed,
            ..
        })
    ));
}

/// No test command → a kept edit is unverified, never fixed.
#[test]
fn without_tests_an_edit_is_unverified() {
    let s = Scratch::task("py-cart-discount");
    let (report, _) = run(s.path(), &["--no-tests"], CART_ISSUE, &[CART_FIX]);
    assert_eq!(report.outcome, Some(Outcome::Unverified));
    assert!(
        report.summary.starts_with("Unverified: "),
        "{}",
        report.summary
    );
    assert_eq!(report.files_changed, ["shop/cart.py"]);
}

/// Tests pass → the issue states a case → a failing test is kept → the fix makes it pass.
#[test]
fn passing_tests_then_a_reproduction_then_a_fix_end_fixed() {
    let s = Scratch::task("py-roman");
    // In words, without the call in inline code: the model writes the test (see fix_stages for
    // the tests cria writes itself from the issue's cases).
    let issue = std::fs::read_to_string(common::fixture("tasks/py-roman/ISSUE.md"))
        .unwrap()
        .replace('`', "");
    let test = "```python\nclass TestIssue(unittest.TestCase):\n    def test_four(self):\n        self.assertEqual(to_roman(4), \"IV\")\n```";
    let fix = "numerals/roman.py\n<<<<<<< SEARCH\n    (5, \"V\"),\n    (1, \"I\"),\n=======\n    (5, \"V\"),\n    (4, \"IV\"),\n    (1, \"I\"),\n>>>>>>> REPLACE\n";
    let (report, events) = run(s.path(), &[], &issue, &[test, "The table.", fix]);
    assert!(statuses(&events)
        .iter()
        .any(|m| m.starts_with("reproduced:")));
    assert_eq!(report.outcome, Some(Outcome::Fixed), "{}", report.summary);
    assert_eq!(
        report.repro_test.as_deref(),
        Some("tests/test_roman.py::test_four")
    );
}

/// A scripted backend that keeps what each request asked for: its token budget and stops.
struct Recording {
    script: ScriptedBackend,
    asked: Vec<(usize, Vec<String>)>,
}

impl cria::model::Backend for Recording {
    fn name(&self) -> String {
        "recording".into()
    }
    fn context_window(&self) -> usize {
        32_768
    }
    fn count_tokens(&mut self, text: &str) -> usize {
        self.script.count_tokens(text)
    }
    fn complete(
        &mut self,
        request: &cria::model::Request<'_>,
        on_piece: &mut dyn FnMut(cria::model::Piece<'_>) -> cria::model::Flow,
    ) -> Result<cria::model::Completion, cria::model::BackendError> {
        let stops = request.stop_after.iter().map(|s| s.to_string()).collect();
        self.asked.push((request.max_tokens, stops));
        self.script.complete(request, on_piece)
    }
}

/// The edit stage's first reply is the diagnosis — one paragraph, stopped at a blank line or a
/// code fence, in a diagnosis's budget — also when a reproduction test was asked for first.
/// It once got an edit's budget and stops whenever any model call came before it, and a small
/// model wrote 768 tokens of "diagnosis".
#[test]
fn the_first_reply_after_a_reproduction_test_is_a_short_diagnosis() {
    let s = Scratch::task("py-roman");
    let issue = std::fs::read_to_string(common::fixture("tasks/py-roman/ISSUE.md"))
        .unwrap()
        .replace('`', "");
    let test = "```python\nclass TestIssue(unittest.TestCase):\n    def test_four(self):\n        self.assertEqual(to_roman(4), \"IV\")\n```";
    let fix = "numerals/roman.py\n<<<<<<< SEARCH\n    (5, \"V\"),\n    (1, \"I\"),\n=======\n    (5, \"V\"),\n    (4, \"IV\"),\n    (1, \"I\"),\n>>>>>>> REPLACE\n";
    let cfg = config(s.path(), &[]);
    let mut backend = Recording {
        script: scripted(&[test, "The table.", fix]),
        asked: Vec::new(),
    };
    let mut events = Vec::new();
    let report = cria::agent::fix(&mut backend, &cfg.fix, &issue, &mut |e: Event| {
        events.push(e)
    })
    .unwrap();
    assert_eq!(report.outcome, Some(Outcome::Fixed), "{}", report.summary);
    let asked = &backend.asked;
    assert_eq!(asked.len(), 3, "{asked:?}");
    let blank_line = |stops: &Vec<String>| stops.iter().any(|s| s == "\n\n");
    let (budget, stops) = &asked[1];
    assert!(blank_line(stops) && *budget <= 160, "{asked:?}");
    assert!(
        !blank_line(&asked[2].1),
        "an edit turn is not cut at a blank line: {asked:?}"
    );
}

/// A diagnosis with no edit → the rewrite stage → a whole definition put in place → fixed.
#[test]
fn a_diagnosis_without_an_edit_leads_to_the_rewrite_stage() {
    let s = Scratch::task("py-cart-discount");
    let rewrite = "```python\ndef total(self) -> float:\n    subtotal = self.subtotal()\n    return round(subtotal * (1 - self.discount_percent / 100), 2)\n```";
    let (report, events) = run(
        s.path(),
        &[],
        "the total is wrong",
        &["The cause is the total.", rewrite, CART_EXAMPLES],
    );
    let st = statuses(&events);
    assert!(
        st.iter()
            .any(|m| m.starts_with("asking for a rewrite of: total")),
        "{st:#?}"
    );
    assert_fixed(&report, &st);
}

/// The rewrite request shows what the failing tests called the definition with and what it gave
/// back, as the traced run wrote them down: the values a person would look at in a debugger.
#[test]
fn a_rewrite_request_shows_the_calls_the_failing_tests_made() {
    let s = Scratch::task("py-cart-discount");
    let rewrite = "```python\ndef total(self) -> float:\n    subtotal = self.subtotal()\n    return round(subtotal * (1 - self.discount_percent / 100), 2)\n```";
    let backend = scripted(&["The cause is the total.", rewrite, CART_EXAMPLES]);
    let told = backend.told();
    let (report, events) = run_on(backend, s.path(), &[], "the total is wrong");
    assert_fixed(&report, &statuses(&events));
    let told = told.lock().unwrap();
    let request = (told.iter())
        .find(|m| m.contains("Here is `total`"))
        .unwrap_or_else(|| panic!("{told:#?}"));
    let (_, calls) = request
        .split_once("When the failing tests ran, it was called like this:\n```\n")
        .unwrap_or_else(|| panic!("{request}"));
    let first = calls.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("total(self=Cart(items=[Item(name=")
            && first.ends_with(") returned 190.0"),
        "{request}"
    );
}

/// A definition handed back as it was is one the model sees no bug in: the stage asks for the
/// next candidate at once rather than for the same one again.
#[test]
fn a_rewrite_handed_back_unchanged_moves_on_to_the_next_candidate() {
    let s = Scratch::task("py-cart-discount");
    let unchanged = "```python\ndef total(self) -> float:\n    subtotal = self.subtotal()\n    return round(subtotal - self.discount_percent, 2)\n```";
    let right = "```python\ndef apply_discount(self, percent: float) -> None:\n    if not 0 <= percent <= 100:\n        raise ValueError(\"discount must be between 0 and 100\")\n    self.discount_percent = self.subtotal() * percent / 100\n```";
    let backend = scripted(&["The cause is the total.", unchanged, right, CART_EXAMPLES]);
    let told = backend.told();
    let (report, events) = run_on(backend, s.path(), &[], "the total is wrong");
    let st = statuses(&events);
    assert_fixed(&report, &st);
    assert_eq!(report.steps, 3, "{st:#?}");
    let told = told.lock().unwrap();
    let asked: Vec<&String> = told
        .iter()
        .filter(|m| m.contains("`apply_discount`"))
        .collect();
    assert!(!asked.is_empty(), "{told:#?}");
    assert!(report.diff.contains("self.subtotal() * percent / 100"));
}

/// While steps and time are left, the rewrite stage goes on past its three passes over the
/// candidates, each later pass sampling new rewrites: a fix first written in the fourth pass is
/// still found. Where the steps run out, the stage stops after its three passes.
#[test]
fn the_rewrite_stage_goes_on_past_three_passes_while_steps_and_time_are_left() {
    let s = Scratch::task("py-cart-discount");
    let fix = "```python\ndef total(self) -> float:\n    subtotal = self.subtotal()\n    return round(subtotal * (1 - self.discount_percent / 100), 2)\n```";
    // Three candidates, each handed back with no code three times over; then `total` again.
    let mut replies = vec!["The cause is the total."];
    replies.extend(["```python\n```"; 9]);
    replies.push(fix);
    let (report, events) = run(s.path(), &[], "the total is wrong", &replies);
    let st = statuses(&events);
    let asked = st
        .iter()
        .find(|m| m.starts_with("asking for a rewrite of:"));
    assert_eq!(
        asked.map(|m| m.matches(" (shop/").count()),
        Some(3),
        "{st:#?}"
    );
    assert_fixed(&report, &st);
    // The diagnosis, nine rewrites, and the tenth, sampled in the fourth pass.
    assert_eq!(report.steps, 11, "{st:#?}");

    let s = Scratch::task("py-cart-discount");
    let (report, events) = run(
        s.path(),
        &["--max-steps", "10"],
        "the total is wrong",
        &replies,
    );
    assert_outcome(&report, Outcome::NotFixed, &statuses(&events));
    assert_eq!(
        report.stop,
        Some(cria::protocol::StopReason::RewritesExhausted { rewrites: 9 })
    );
}

/// A backend that decodes candidates together: the stage's first rewrite is the greedy one
/// alone; when it fails, the next definition gets four candidates in one step, judged in turn —
/// a duplicate once, each failure undone — until the last one fixes the bug.
#[test]
fn candidates_decoded_together_are_judged_in_turn_until_one_fixes_it() {
    let s = Scratch::task("py-cart-discount");
    let total = "```python\ndef total(self) -> float:\n    subtotal = self.subtotal()\n    return round(subtotal - self.discount_percent / 2, 2)\n```";
    let discount = |stored: &str| {
        format!(
            "```python\ndef apply_discount(self, percent: float) -> None:\n    if not 0 <= percent <= 100:\n        raise ValueError(\"discount must be between 0 and 100\")\n    self.discount_percent = {stored}\n```"
        )
    };
    let wrong = discount("percent * 3");
    let also_wrong = discount("percent + 1");
    let right = discount("self.subtotal() * percent / 100");
    let replies = [
        "The cause is the total.",
        total,
        &wrong,
        &wrong,
        &also_wrong,
        &right,
    ];
    let backend = scripted(&replies).with_parallel_width(4);
    let (report, events) = run_on(backend, s.path(), &[], "the total is wrong");
    let st = statuses(&events);
    assert_fixed(&report, &st);
    // The diagnosis, the greedy rewrite of `total` alone, then one step for four candidates of
    // the next definition.
    assert_eq!(report.steps, 3);
    let judged: Vec<&String> = st.iter().filter(|m| m.starts_with("judging")).collect();
    assert_eq!(
        judged,
        [
            "judging candidate 1 of 4",
            "judging candidate 3 of 4",
            "judging candidate 4 of 4"
        ]
    );
    assert_eq!(report.rejected.len(), 3, "{:#?}", report.rejected);
    assert!(report.diff.contains("self.subtotal() * percent / 100"));
    assert!(!report.diff.contains("percent * 3"));
}

/// When the stage comes back to a definition, the request shows the earlier rewrite of it and
/// what the tests said with it in place (a new error is a fix half made) — and, at the top, how
/// the code as it stands fails, not how the last undone attempt did.
#[test]
fn a_second_rewrite_of_a_definition_is_told_what_the_first_one_led_to() {
    let s = Scratch::task("py-cart-discount");
    let half = "```python\ndef total(self) -> float:\n    subtotal = self.subtotal()\n    return round(subtotal * (1 - self.discount_percent / 100), digits)\n```";
    let discount = "```python\ndef apply_discount(self, percent: float) -> None:\n    if not 0 <= percent <= 100:\n        raise ValueError(\"discount must be between 0 and 100\")\n    self.discount_percent = percent * 3\n```";
    let right = "```python\ndef total(self) -> float:\n    subtotal = self.subtotal()\n    return round(subtotal * (1 - self.discount_percent / 100), 2)\n```";
    let backend = scripted(&[
        "The cause is the total.",
        half,
        discount,
        // `add` is asked for next: a reply that rewrites another function is no rewrite of it.
        discount,
        right,
        CART_EXAMPLES,
    ]);
    let told = backend.told();
    let (report, events) = run_on(backend, s.path(), &[], "the total is wrong");
    let st = statuses(&events);
    assert_fixed(&report, &st);
    let told = told.lock().unwrap();
    let again: Vec<&String> = told
        .iter()
        .filter(|m| m.contains("Here is `total`") && m.contains("was tried and did NOT fix it"))
        .collect();
    assert_eq!(again.len(), 1, "{told:#?}");
    let (top, tried) = again[0].split_once("This version was tried").unwrap();
    assert!(
        tried.contains("With it, the tests failed with:") && tried.contains("NameError"),
        "{}",
        again[0]
    );
    // The code as it stands still computes 190 (the undone `apply_discount` made it 170).
    assert!(
        top.contains("AssertionError: 190.0 != 180.0"),
        "{}",
        again[0]
    );
    assert!(!top.contains("NameError"), "{}", again[0]);
}

/// A candidate that never returns holds the run no longer than its time limit: the test run is
/// cut at the time left (here 6 s, not the 60 s one test run may otherwise take), and the run
/// stops on the limit with the loop undone.
#[test]
fn a_candidate_that_loops_forever_is_cut_at_the_runs_time_limit() {
    let s = Scratch::task("py-cart-discount");
    let hangs = "```python\ndef total(self) -> float:\n    while True:\n        pass\n```";
    let (report, events) = run(
        s.path(),
        &["--max-seconds", "6", "--test-timeout", "60"],
        "the total is wrong",
        &["The cause is the total.", hangs, hangs, hangs],
    );
    let runs: Vec<&cria::protocol::TestRun> = events
        .iter()
        .filter_map(|e| match e {
            Event::TestsRun { run } => Some(run),
            _ => None,
        })
        .collect();
    let cut = runs.iter().find(|r| r.timed_out).expect("the loop was run");
    assert!(cut.seconds < 30.0, "{}", cut.seconds);
    assert_eq!(
        report.outcome,
        Some(Outcome::NotFixed),
        "{}",
        report.summary
    );
    assert!(report.reason.contains("time limit"), "{}", report.reason);
    assert!(!report.diff.contains("while True"), "{}", report.diff);
}

/// The step limit ends a run that never edits, with that reason.
#[test]
fn the_step_limit_stops_a_run() {
    let s = Scratch::task("py-cart-discount");
    let look = r#"<tool_call>{"name": "list_files", "arguments": {}}</tool_call>"#;
    let grep = r#"<tool_call>{"name": "grep", "arguments": {"pattern": "discount"}}</tool_call>"#;
    let (report, _) = run(
        s.path(),
        &["--max-steps", "2"],
        "the total is wrong",
        &[look, grep],
    );
    assert_eq!(report.outcome, Some(Outcome::NotFixed));
    assert!(report.reason.contains("step limit"), "{}", report.reason);
}

/// A backend that answers its first request from a script and then says each next reply could
/// not be done in time (as the embedded engine does when a prompt's processing alone would
/// outlast the time left), counting the requests.
struct OutOfTimeAfterOne {
    script: ScriptedBackend,
    calls: usize,
}

impl cria::model::Backend for OutOfTimeAfterOne {
    fn name(&self) -> String {
        "out-of-time".into()
    }
    fn context_window(&self) -> usize {
        32_768
    }
    fn count_tokens(&mut self, text: &str) -> usize {
        self.script.count_tokens(text)
    }
    fn complete(
        &mut self,
        request: &cria::model::Request<'_>,
        on_piece: &mut dyn FnMut(cria::model::Piece<'_>) -> cria::model::Flow,
    ) -> Result<cria::model::Completion, cria::model::BackendError> {
        self.calls += 1;
        assert!(
            request.deadline.is_some(),
            "a fix run's request has a deadline"
        );
        if self.calls > 1 {
            return Err(cria::model::BackendError::OutOfTime);
        }
        self.script.complete(request, on_piece)
    }
}

/// A backend that says its reply would not be done before the deadline ends the run on the
/// time limit there and then, long before the clock reaches it: no further step is asked of a
/// model that cannot answer in time (each such step once came back at once, empty, until the
/// step limit).
#[test]
fn a_reply_that_cannot_be_done_in_time_ends_the_run_on_the_time_limit() {
    let s = Scratch::task("py-cart-discount");
    let cfg = config(s.path(), &["--max-seconds", "600"]);
    let mut backend = OutOfTimeAfterOne {
        script: scripted(&["The cause is the total."]),
        calls: 0,
    };
    let mut events = Vec::new();
    let report = cria::agent::fix(&mut backend, &cfg.fix, CART_ISSUE, &mut |e: Event| {
        events.push(e)
    })
    .unwrap();
    let st = statuses(&events);
    assert_eq!(
        report.stop,
        Some(cria::protocol::StopReason::TimeLimit { seconds: 600 }),
        "{st:#?}"
    );
    assert_eq!(backend.calls, 2, "{st:#?}");
    assert!(
        st.iter()
            .any(|m| m.starts_with("the model's next reply would not be done in the")),
        "{st:#?}"
    );
    assert!(s
        .read("shop/cart.py")
        .contains("subtotal - self.discount_percent"));
}

/// A cancelled run ends at once, says so, and changes nothing.
#[test]
fn a_cancelled_run_stops_before_the_model_is_asked() {
    let s = Scratch::task("py-cart-discount");
    let cfg = config(s.path(), &[]);
    cfg.fix.cancel.request();
    let mut backend = ScriptedBackend::new(vec![]);
    let report = cria::agent::fix(&mut backend, &cfg.fix, CART_ISSUE, &mut |_: Event| {}).unwrap();
    assert_eq!(report.outcome, Some(Outcome::NotFixed));
    assert_eq!(report.stop, Some(cria::protocol::StopReason::Cancelled));
    assert_eq!(report.reason, "cancelled by the user");
    assert!(report.files_changed.is_empty());
}

/// Regression: `read_file` with `end_line` before `start_line` sliced backwards and panicked.
#[test]
fn read_file_with_end_before_start_is_an_error_not_a_panic() {
    let s = Scratch::task("py-cart-discount");
    let call = r#"<tool_call>{"name": "read_file", "arguments": {"path": "shop/cart.py", "start_line": 4, "end_line": 2}}</tool_call>"#;
    let (_, events) = run(s.path(), &["--max-steps", "1"], "x", &[call]);
    let result = events.iter().find_map(|e| match e {
        Event::ToolResult { result } => Some(result.clone()),
        _ => None,
    });
    let result = result.expect("the call got an answer");
    assert!(!result.ok);
    assert!(
        result.output.contains("before start_line"),
        "{}",
        result.output
    );
}

/// Regression: a large file of non-ASCII text, cut to fit the prompt at a byte index computed
/// from a token ratio, panicked inside a character.
#[test]
fn a_large_non_ascii_file_is_cut_at_a_line_not_inside_a_character() {
    let s = Scratch::empty();
    let line = "привет = 'мир' # ünïcödé ✓ текст\n";
    s.write("big.py", &line.repeat(2_000));
    let (report, events) = run(
        s.path(),
        &["--no-tests", "--max-steps", "1", "--context-tokens", "300"],
        "big.py prints the wrong greeting",
        &["No idea."],
    );
    assert_eq!(report.outcome, Some(Outcome::NotFixed));
    assert!(statuses(&events).iter().any(|m| m.contains("big.py")));
}

/// A test of the issue's examples that is itself broken is removed, and the project's passing
/// tests stay the verdict (and the last word in the report). With one stated case, which the
/// failing test checked, it is not asked for again: the outcome does not hang on it.
#[test]
fn a_broken_test_of_the_issues_examples_leaves_the_projects_verdict() {
    let s = Scratch::task("py-cart-discount");
    let broken = "```python\nclass TestIssue(unittest.TestCase):\n    def test_ten(self):\n        self.assertEqual(cart.total(, 180.0)\n```";
    let (report, events) = run(
        s.path(),
        &[],
        CART_ISSUE,
        &["The cause is the discount.", CART_FIX, broken],
    );
    let st = statuses(&events);
    assert!(
        !st.iter().any(|m| m.ends_with("; asking once more")),
        "{st:#?}"
    );
    assert!(st
        .iter()
        .any(|m| m.starts_with("no test of the issue's examples: the test itself is broken")));
    assert_eq!(report.outcome, Some(Outcome::Fixed), "{}", report.summary);
    assert!(report.tests_after.as_ref().is_some_and(|t| t.passed));
    assert!(
        report.summary.contains("failing before, passing after"),
        "{}",
        report.summary
    );
    assert_eq!(report.files_changed, ["shop/cart.py"]);
}

/// A test of the issue's examples that asserts what the code did before the change (the value
/// the issue calls wrong, as a number the check of quoted values cannot catch) is no check;
/// with several values stated, the change would be unverified without one. The model is told
/// so, with the issue's words for what should happen, and its corrected test verifies the fix.
#[test]
fn an_examples_test_that_asserts_the_old_output_is_corrected_once() {
    let s = Scratch::task("py-cart-discount");
    let issue = "Discounts are taken off as amounts\n\nApplying a `10%` discount to a cart worth \
                 `200.00` gives `190.00`. It should take 10% off, so the total ought to be \
                 `180.00`.";
    let old = CART_EXAMPLES.replace("180.0", "190.0");
    let backend = scripted(&["The cause is the discount.", CART_FIX, &old, CART_EXAMPLES]);
    let told = backend.told();
    let (report, events) = run_on(backend, s.path(), &[], issue);
    let st = statuses(&events);
    assert_fixed(&report, &st);
    assert!(
        st.iter().any(|m| m
            == "the test of the issue's examples was not kept: it passes on the code before the change too: it asserts what the issue calls wrong; asking once more"),
        "{st:#?}"
    );
    assert!(
        st.iter()
            .any(|m| m == "the issue's examples pass too (`test_ten_percent`)"),
        "{st:#?}"
    );
    let told = told.lock().unwrap();
    let retry = told.last().unwrap();
    assert!(
        retry.starts_with("That test cannot be kept: it passes on the code before"),
        "{retry}"
    );
    assert!(
        retry.contains(
            "The issue says: \"It should take 10% off, so the total ought to be `180.00`.\""
        ),
        "{retry}"
    );
    assert!(s
        .read("tests/test_cart.py")
        .contains("def test_ten_percent"));
}

/// A JavaScript project under node's own runner: the failing test calls `summary`, the bug is in
/// `cents` (rounding before scaling: no one-token change fixes it), a helper in another file
/// that only the failing test reaches. Tracing the tests brings
/// `cents` into the rewrite candidates (by the issue's words and the shown files alone the
/// candidates would be `summary` and its neighbours), and its rewrite fixes it.
#[test]
fn the_helper_a_failing_javascript_test_reaches_is_a_rewrite_candidate() {
    let s = Scratch::empty();
    s.write(
        "package.json",
        "{\"name\": \"shop\", \"scripts\": {\"test\": \"node --test\"}}\n",
    );
    s.write(
        "src/money.js",
        "function cents(amount) {\n  return Math.round(amount) * 10;\n}\n\nfunction euros(n) {\n  return `${n} EUR`;\n}\n\nmodule.exports = { cents, euros };\n",
    );
    s.write(
        "src/report.js",
        "const { cents } = require('./money');\n\nfunction header(title) {\n  return `# ${title}`;\n}\n\nfunction footer(note) {\n  return `-- ${note}`;\n}\n\nfunction summary(items) {\n  const total = items.reduce((sum, item) => sum + cents(item.price), 0);\n  return `total: ${total}`;\n}\n\nmodule.exports = { header, footer, summary };\n",
    );
    s.write(
        "tests/report.test.js",
        "const test = require('node:test');\nconst assert = require('node:assert');\nconst { header, footer, summary } = require('../src/report');\n\ntest('adds up the prices', () => {\n  assert.strictEqual(summary([{ price: 1.5 }, { price: 2 }]), 'total: 350');\n});\n\ntest('titles the report', () => {\n  assert.strictEqual(header('May'), '# May');\n});\n\ntest('signs the report', () => {\n  assert.strictEqual(footer('ok'), '-- ok');\n});\n",
    );
    let summary = "```javascript\nfunction summary(items) {\n  const total = items.reduce((sum, item) => sum + cents(item.price), 0);\n  return 'total: ' + total;\n}\n```";
    let cents =
        "```javascript\nfunction cents(amount) {\n  return Math.round(amount * 100);\n}\n```";
    let (report, events) = run(
        s.path(),
        &[],
        "The report's summary line is wrong: prices of 1.50 and 2.00 add up to 35 instead of 350.",
        &["The cause is in summary.", summary, cents],
    );
    let st = statuses(&events);
    let asked = st
        .iter()
        .find(|m| m.starts_with("asking for a rewrite of:"))
        .unwrap_or_else(|| panic!("{st:#?}"));
    assert!(asked.contains("cents (src/money.js)"), "{st:#?}");
    assert_fixed(&report, &st);
    assert!(s.read("src/money.js").contains("amount * 100"));
}

/// A rewrite that gives a helper the parameter it lacked is half of the fix; the other half is
/// its caller, in another file, passing it. cria completes the call itself — with the value the
/// caller has beside the argument it already passes (`opts.bullet` → `opts.width`) — and the
/// two are judged as one change.
#[test]
fn a_new_parameter_is_passed_by_the_callers_in_other_files() {
    let s = Scratch::empty();
    s.write("pad/__init__.py", "");
    s.write(
        "pad/layout.py",
        "\"\"\"Indenting list items.\"\"\"\n\nWIDTH = 4\n\n\ndef indent(line, bullet):\n    return \" \" * WIDTH + bullet + \" \" + line\n",
    );
    s.write(
        "pad/cli.py",
        "\"\"\"Rendering a list as the options say.\"\"\"\n\nfrom .layout import indent\n\n\nclass Options:\n    def __init__(self, width=4, bullet=\"*\"):\n        self.width = width\n        self.bullet = bullet\n\n\ndef render(opts, lines):\n    return \"\\n\".join(indent(line, opts.bullet) for line in lines)\n",
    );
    s.write(
        "tests/test_pad.py",
        "import unittest\n\nfrom pad.cli import Options, render\n\n\nclass TestRender(unittest.TestCase):\n    def test_default(self):\n        self.assertEqual(render(Options(), [\"a\"]), \"    * a\")\n\n    def test_width(self):\n        self.assertEqual(render(Options(width=2), [\"a\", \"b\"]), \"  * a\\n  * b\")\n",
    );
    let indent = "```python\ndef indent(line, width, bullet):\n    return \" \" * width + bullet + \" \" + line\n```";
    let examples = "```python\nclass TestIssue(unittest.TestCase):\n    def test_narrow(self):\n        self.assertEqual(render(Options(width=1), [\"x\"]), \" * x\")\n```";
    let (report, events) = run(
        s.path(),
        &[],
        "The width option is ignored: every item is indented by four spaces whatever the width says.",
        &["The cause is in indent.", indent, examples],
    );
    let st = statuses(&events);
    assert!(
        st.iter()
            .any(|m| m == "`indent` takes `width` now: passed at 1 call(s)"),
        "{st:#?}"
    );
    assert_fixed(&report, &st);
    assert!(
        s.read("pad/cli.py")
            .contains("indent(line, opts.width, opts.bullet)"),
        "{}",
        s.read("pad/cli.py")
    );
}

/// A project whose helper gets an end of its range wrong (`both_open`: both ends), called by
/// the function the report names; its tests fail on it.
fn window_repo(inside: &str) -> Scratch {
    python_repo(
        "slots/window.py",
        &format!(
            "def inside(t, start, end):\n    \"\"\"Whether t falls in [start, end], both ends included.\"\"\"\n    return {inside}\n\n\ndef count_inside(times, start, end):\n    \"\"\"How many of `times` fall in [start, end].\"\"\"\n    return sum(1 for t in times if inside(t, start, end))\n"
        ),
        "tests/test_window.py",
        "import unittest\n\nfrom slots.window import count_inside\n\n\nclass TestWindow(unittest.TestCase):\n    def test_both_ends_count(self):\n        self.assertEqual(count_inside([1, 2, 3], 1, 2), 2)\n\n    def test_outside_is_left_out(self):\n        self.assertEqual(count_inside([0, 5, 10], 1, 9), 1)\n",
    )
}

/// A Python project of one package holding `module` (its text `code`) and its tests in `test`.
fn python_repo(module: &str, code: &str, test: &str, tests: &str) -> Scratch {
    let s = Scratch::empty();
    let package = module.split_once('/').map_or("", |(package, _)| package);
    s.write(&format!("{package}/__init__.py"), "");
    s.write(module, code);
    s.write("tests/__init__.py", "");
    s.write(test, tests);
    s
}

const WINDOW_ISSUE: &str = "inside() leaves out times at the ends of the window.";

const WINDOW_REWRITE: &str = "```python\ndef inside(t, start, end):\n    \"\"\"Whether t falls in [start, end], both ends included.\"\"\"\n    return start <= t <= end\n```";

/// The end of a range off by one: before the model says a word, cria's one-token changes to
/// the suspects find the change that makes the tests pass; it is judged as an edit (one
/// applied, none undone in the report) and is the whole diff.
#[test]
fn a_one_token_bug_is_fixed_by_a_mutant_before_any_rewrite() {
    let s = window_repo("start <= t < end");
    let (report, events) = run(s.path(), &[], WINDOW_ISSUE, &["The cause is inside."]);
    let st = statuses(&events);
    assert_fixed(&report, &st);
    assert!(
        st.iter()
            .any(|m| m.starts_with("trying ") && m.contains("one-token changes to `inside`")),
        "{st:#?}"
    );
    assert!(
        st.iter()
            .any(|m| m == "`<` → `<=` in `inside` (slots/window.py:3) makes the tests pass"),
        "{st:#?}"
    );
    assert_eq!(report.steps, 0, "no model call at all");
    assert_eq!(
        report.mutant_passed.as_deref(),
        Some("`<` → `<=` in `inside` (slots/window.py:3)")
    );
    assert!(report.mutants_tried >= 1);
    assert_eq!(report.edits_applied, 1);
    assert!(report.rejected.is_empty(), "{:#?}", report.rejected);
    assert!(
        s.read("slots/window.py")
            .contains("    return start <= t <= end\n"),
        "{}",
        s.read("slots/window.py")
    );
    let changed: Vec<&str> = report
        .diff
        .lines()
        .filter(|l| l.starts_with(['+', '-']) && !l.starts_with("+++") && !l.starts_with("---"))
        .collect();
    assert_eq!(
        changed,
        [
            "-    return start <= t < end",
            "+    return start <= t <= end"
        ]
    );
}

/// A table with two wrong entries, the report naming one and saying another "has the same
/// problem": the first search changes the entry the failing test names; the test of the other
/// case fails on that change, and a search on top of it changes the second entry, before the
/// model writes any code.
#[test]
fn a_second_entry_the_examples_name_is_found_by_a_search_on_top_of_the_first() {
    let s = table_repo();
    let issue = "Yen amounts come out with cents: `show(1500, \"JPY\")` gives `15.00 JPY` instead of `1500 JPY`. Won amounts have the same problem.";
    let won = "```python\nclass TestIssue(unittest.TestCase):\n    def test_won(self):\n        self.assertEqual(show(1500, \"KRW\"), \"1500 KRW\")\n```";
    let (report, events) = run(s.path(), &[], issue, &[won, won]);
    let st = statuses(&events);
    assert_fixed(&report, &st);
    let passed: Vec<&String> = st
        .iter()
        .filter(|m| m.ends_with("makes the tests pass"))
        .collect();
    assert_eq!(
        passed,
        [
            "`2` → `0` in `DIGITS` (units/table.py:2) makes the tests pass",
            "`2` → `0` in `DIGITS` (units/table.py:2) makes the tests pass"
        ],
        "{st:#?}"
    );
    assert!(
        s.read("units/table.py")
            .contains("\"EUR\": 2, \"JPY\": 0, \"KRW\": 0, \"USD\": 2,"),
        "{}",
        s.read("units/table.py")
    );
    assert!(s
        .read("tests/test_table.py")
        .contains("def test_won(self):"));
}

/// The same, but the model's test of the other case expects a value of its own making (`₩1500`):
/// the issue states none for that case, only that it goes wrong the same way — so the first
/// case's correction (`15.00 JPY` → `1500 JPY`: the point taken out) is made to what the case
/// gives (`15.00 KRW` → `1500 KRW`) and asserted instead, and the search on top finds the entry.
#[test]
fn another_case_with_the_same_problem_is_held_to_the_first_cases_correction() {
    let s = table_repo();
    let issue = "Yen amounts come out with cents: `show(1500, \"JPY\")` gives `15.00 JPY` instead of `1500 JPY`. Won amounts have the same problem.";
    let won = "```python\nclass TestIssue(unittest.TestCase):\n    def test_won(self):\n        self.assertEqual(show(1500, \"KRW\"), \"₩1500\")\n```";
    let (report, events) = run(s.path(), &[], issue, &[won, won]);
    let st = statuses(&events);
    assert_fixed(&report, &st);
    assert!(
        st.iter().any(|m| m.ends_with(
            "where the issue says it goes wrong as `15.00 JPY` did, which should have been \
             `1500 JPY`: asserting `1500 KRW` instead"
        )),
        "{st:#?}"
    );
    assert!(
        s.read("units/table.py")
            .contains("\"EUR\": 2, \"JPY\": 0, \"KRW\": 0, \"USD\": 2,"),
        "{}",
        s.read("units/table.py")
    );
    let test = s.read("tests/test_table.py");
    assert!(
        test.contains("\"1500 KRW\"") && !test.contains("₩"),
        "{test}"
    );
}

/// A report with a case cria writes as a test itself and a second expected value it cannot place
/// (no call goes with it); a one-token change passes the tests. A test of the issue's examples
/// that checks only the first case verifies nothing more than cria's own: it is not kept, and
/// the change is unverified, never fixed. One that checks the second value makes it fixed.
#[test]
fn a_value_no_test_checks_keeps_a_change_unverified_until_a_test_checks_it() {
    let issue = "`describe(3, 1, 3)` returns `'3 out'` instead of `'3 in'`. With a window from 5 \
                 to 9, the time 9 shows `9 out` rather than `9 in`.";
    let first_again = "```python\nclass TestIssue(unittest.TestCase):\n    def test_end(self):\n        self.assertEqual(describe(3, 1, 3), \"3 in\")\n```";
    let s = describe_repo();
    let (report, events) = run(s.path(), &[], issue, &[first_again, first_again]);
    let st = statuses(&events);
    assert_outcome(&report, Outcome::Unverified, &st);
    assert!(
        st.iter()
            .any(|m| m.contains("leaves out what the issue says should come out (`9 in`)")),
        "{st:#?}"
    );
    let second = "```python\nclass TestIssue(unittest.TestCase):\n    def test_nine(self):\n        self.assertEqual(describe(9, 5, 9), \"9 in\")\n```";
    let s = describe_repo();
    let (report, events) = run(s.path(), &[], issue, &[second]);
    assert_fixed(&report, &statuses(&events));
}

/// A helper that leaves the end of its window out; its one test passes.
fn describe_repo() -> Scratch {
    python_repo(
        "slots/window.py",
        "def describe(t, start, end):\n    \"\"\"'T in' when start <= t <= end (both ends in), else 'T out'.\"\"\"\n    if start <= t < end:\n        return f\"{t} in\"\n    return f\"{t} out\"\n",
        "tests/test_window.py",
        "import unittest\n\nfrom slots.window import describe\n\n\nclass TestWindow(unittest.TestCase):\n    def test_outside(self):\n        self.assertEqual(describe(0, 1, 3), \"0 out\")\n",
    )
}

/// The project's failing test passes with the change, and the report quotes no value but says
/// another case goes wrong the same way: nothing has checked that case, so a test of it is
/// asked for; when none comes, the change is unverified, never fixed.
#[test]
fn a_case_said_to_have_the_same_problem_is_checked_even_with_no_values_stated() {
    let s = table_repo();
    let issue = "Yen amounts come out with cents, so the yen test fails. Won amounts have the same problem.";
    let (report, events) = run(s.path(), &[], issue, &["I can't write that test."]);
    let st = statuses(&events);
    assert_outcome(&report, Outcome::Unverified, &st);
    assert!(
        st.iter().any(|m| m.ends_with("makes the tests pass")),
        "{st:#?}"
    );
    assert!(s.read("units/table.py").contains("\"KRW\": 2"));
}

/// A table of currencies' decimal digits with two entries wrong (yen and won), the project's
/// test of yen failing.
fn table_repo() -> Scratch {
    python_repo(
        "units/table.py",
        "DIGITS = {\n    \"EUR\": 2, \"JPY\": 2, \"KRW\": 2, \"USD\": 2,\n}\n\n\ndef show(amount, code):\n    digits = DIGITS[code]\n    return f\"{amount / 10 ** digits:.{digits}f} {code}\"\n",
        "tests/test_table.py",
        "import unittest\n\nfrom units.table import show\n\n\nclass TestShow(unittest.TestCase):\n    def test_euro(self):\n        self.assertEqual(show(1500, \"EUR\"), \"15.00 EUR\")\n\n    def test_yen(self):\n        self.assertEqual(show(1500, \"JPY\"), \"1500 JPY\")\n",
    )
}

/// A one-token change passes before the model has said a word: the test of the issue's examples
/// is asked in a conversation of its own, shorter than the task the model has not processed.
#[test]
fn the_examples_after_a_passing_mutant_are_asked_on_their_own() {
    let s = window_repo("start <= t < end");
    let examples = "```python
class TestIssue(unittest.TestCase):\n    def test_ends(self):\n        self.assertEqual(count_inside([1, 2, 3], 1, 3), 3)\n```";
    let backend = scripted(&[examples]);
    let prompts = backend.prompts();
    let issue = "count_inside() leaves out times at the ends of the window: a time equal to the end of the window should be counted.";
    let (report, events) = run_on(backend, s.path(), &[], issue);
    let st = statuses(&events);
    assert!(report.mutant_passed.is_some(), "{st:#?}");
    let prompts = prompts.lock().unwrap();
    let asked: Vec<&String> = (prompts.iter().filter(|p| !p.1)).map(|p| &p.0).collect();
    let [request] = asked[..] else {
        panic!("{asked:#?}\n{st:#?}");
    };
    assert!(request.contains("This issue was reported:"), "{request}");
    assert!(!request.contains("# Problem to fix"), "{request}");
}

/// A Python test reply that opens with its imports and PEP 8's two blank lines reaches the stop
/// meant for the end of its test before any test began: it goes on from there, in the same
/// conversation, instead of being refused as holding no test.
#[test]
fn a_test_reply_stopped_after_its_imports_goes_on_to_its_test() {
    let s = window_repo("start <= t < end");
    let imports = "import unittest\n\nfrom slots.window import count_inside\n\n\n";
    let test = "class TestIssue(unittest.TestCase):\n    def test_ends(self):\n        self.assertEqual(count_inside([1, 2, 3], 1, 3), 3)\n```";
    let backend = scripted(&[imports, test]).honouring_prefill();
    let prompts = backend.prompts();
    let issue = "count_inside() leaves out times at the ends of the window: a time equal to the end of the window should be counted.";
    let (report, events) = run_on(backend, s.path(), &[], issue);
    let st = statuses(&events);
    assert_fixed(&report, &st);
    assert!(
        st.iter()
            .any(|m| m == "the issue's examples pass too (`test_ends`)"),
        "{st:#?}"
    );
    assert!(
        !st.iter().any(|m| m.contains("no test function")),
        "{st:#?}"
    );
    // The second reply continues the first: the conversation it answers is the same.
    let prompts = prompts.lock().unwrap();
    let asked: Vec<&String> = (prompts.iter().filter(|p| !p.1)).map(|p| &p.0).collect();
    let [first, second] = asked[..] else {
        panic!("{asked:#?}\n{st:#?}");
    };
    assert_eq!(first, second);
}

/// A test of the issue's examples that repeats the file's own test checks nothing the project's
/// tests do not: it is refused, and the correction begins inside a new test cria opens, told the
/// issue's own words again. The corrected test checks the issue's case and verifies the change.
#[test]
fn a_test_that_copies_the_files_own_is_corrected_from_inside_a_new_one() {
    let s = window_repo("start <= t < end");
    let copy = "class TestIssue(unittest.TestCase):\n    def test_ends(self):\n        self.assertEqual(count_inside([1, 2, 3], 1, 2), 2)\n```";
    let body = "        self.assertEqual(count_inside([1, 2, 3], 1, 3), 3)\n```";
    let backend = scripted(&[copy, body]).honouring_prefill();
    let prompts = backend.prompts();
    let issue = "count_inside() leaves out times at the ends of the window: with `1` to `3`, a time of `3` should be counted.";
    let (report, events) = run_on(backend, s.path(), &[], issue);
    let st = statuses(&events);
    assert_fixed(&report, &st);
    assert!(
        st.iter()
            .any(|m| m.contains("it repeats a test the file already has")),
        "{st:#?}"
    );
    assert!(
        st.iter()
            .any(|m| m == "the issue's examples pass too (`test_issue_example`)"),
        "{st:#?}"
    );
    let test = s.read("tests/test_window.py");
    assert!(
        test.contains("class TestIssueExample(unittest.TestCase):\n    def test_issue_example(self):\n        self.assertEqual(count_inside([1, 2, 3], 1, 3), 3)\n"),
        "{test}"
    );
    let prompts = prompts.lock().unwrap();
    let asked: Vec<&String> = (prompts.iter().filter(|p| !p.1)).map(|p| &p.0).collect();
    let [_, correction] = asked[..] else {
        panic!("{asked:#?}\n{st:#?}");
    };
    assert!(
        correction.contains("The issue says: \"count_inside() leaves out times at the ends of the window: with `1` to `3`, a time of `3` should be counted.\""),
        "{correction}"
    );
}

/// A variable used where another was meant (`start` for `end`): the token changes fail first,
/// then the helper's own variables swapped find it, still before the model says a word.
#[test]
fn a_variable_mixed_up_is_found_after_the_token_changes() {
    let s = window_repo("start <= t <= start");
    let (report, events) = run(s.path(), &[], WINDOW_ISSUE, &["The cause is inside."]);
    let st = statuses(&events);
    assert_fixed(&report, &st);
    assert_eq!(report.steps, 0, "no model call at all");
    assert_eq!(
        report.mutant_passed.as_deref(),
        Some("`start` → `end` in `inside` (slots/window.py:3)")
    );
    // `<=` → `<` and `<=` → `>=`, twice each, at least, came first and failed.
    assert!(report.mutants_tried > 4, "{}", report.mutants_tried);
    assert!(
        s.read("slots/window.py")
            .contains("    return start <= t <= end\n"),
        "{}",
        s.read("slots/window.py")
    );
}

/// The same slip in two helpers, each failing its own test: no one-token change passes, so the
/// one that makes a failing test pass (and none fail that passed) is kept, and the search on top
/// of it finds the other, before the model says a word. The diff is the two changes.
#[test]
fn a_slip_in_two_places_is_found_by_a_search_on_top_of_the_first_change() {
    let test = "\n    def test_the_start_is_not_before(self):\n        self.assertEqual(count_before([0, 1, 2], 1), 1)\n";
    assert_two_slips_found(&two_slips_repo(test));
}

/// The same two slips checked by one test, an assertion each: a change that fixes one gets the
/// test past its first assertion, and that is enough to keep it and search on top.
#[test]
fn a_slip_in_two_places_one_test_checks_is_found_past_its_first_assertion() {
    let test = "\n    def test_both_windows(self):\n        self.assertEqual(count_inside([1, 2, 3], 1, 2), 2)\n        self.assertEqual(count_before([0, 1, 2], 1), 1)\n";
    let s = two_slips_repo(test);
    s.write(
        "tests/test_window.py",
        &s.read("tests/test_window.py").replace(
            "    def test_both_ends_count(self):\n        self.assertEqual(count_inside([1, 2, 3], 1, 2), 2)\n",
            "",
        ),
    );
    assert_two_slips_found(&s);
}

/// `window_repo` with the end of `inside`'s range left out and a second helper, `before`, that
/// counts the window's start; `test` added to its tests.
fn two_slips_repo(test: &str) -> Scratch {
    let s = window_repo("start <= t < end");
    s.write(
        "slots/window.py",
        &(s.read("slots/window.py")
            + "\n\ndef before(t, start):\n    \"\"\"Whether t comes before a window that starts at `start`.\"\"\"\n    return t <= start\n\n\ndef count_before(times, start):\n    \"\"\"How many of `times` come before a window that starts at `start`.\"\"\"\n    return sum(1 for t in times if before(t, start))\n"),
    );
    s.write(
        "tests/test_window.py",
        &(s.read("tests/test_window.py").replace(
            "from slots.window import count_inside\n",
            "from slots.window import count_before, count_inside\n",
        ) + test),
    );
    s
}

fn assert_two_slips_found(s: &Scratch) {
    let issue = "Both ends of a window are off: count_inside() leaves out a time at the end of \
                 the window, and count_before() counts a time at its start.";
    let (report, events) = run(s.path(), &[], issue, &["The cause is inside."]);
    let st = statuses(&events);
    assert_fixed(&report, &st);
    assert_eq!(report.steps, 0, "no model call at all: {st:#?}");
    assert!(
        st.iter()
            .any(|m| m.ends_with("gets the failing tests further; kept, to search on top of it")),
        "{st:#?}"
    );
    let passed = report.mutant_passed.as_deref().unwrap_or_default();
    assert!(passed.contains(", on top of "), "{passed}");
    let changed: Vec<&str> = (report.diff.lines())
        .filter(|l| l.starts_with(['+', '-']) && !l.starts_with("+++") && !l.starts_with("---"))
        .collect();
    assert_eq!(changed.len(), 4, "two lines changed: {changed:#?}");
    assert!(
        s.read("slots/window.py")
            .contains("    return start <= t <= end\n"),
        "{}",
        s.read("slots/window.py")
    );
}

/// A date format written by one module and parsed by another, wrong in both: changed in the
/// writer alone, the round trip breaks, so cria changes every copy of the literal at once —
/// tried before the writer alone — and the tests pass with no model call.
#[test]
fn a_format_wrong_in_two_files_is_changed_in_both_at_once() {
    let s = Scratch::empty();
    s.write("runs/__init__.py", "");
    s.write(
        "runs/export.py",
        "import json\n\n\ndef dump(day):\n    return json.dumps({\"day\": day.strftime(\"%Y-%d-%m\")})\n",
    );
    s.write("runs/load.py", LOAD);
    s.write("tests/__init__.py", "");
    s.write(
        "tests/test_runs.py",
        "import unittest\nfrom datetime import date\n\nfrom runs.export import dump\nfrom runs.load import load\n\n\nclass TestRuns(unittest.TestCase):\n    def test_iso_day(self):\n        self.assertEqual(dump(date(2024, 3, 7)), '{\"day\": \"2024-03-07\"}')\n\n    def test_round_trip(self):\n        day = date(2024, 3, 17)\n        self.assertEqual(load(dump(day)), day)\n",
    );
    let (report, events) = run(
        s.path(),
        &[],
        "dump() writes the day where the month belongs.",
        &["The cause is dump."],
    );
    let st = statuses(&events);
    assert_fixed(&report, &st);
    assert_eq!(report.steps, 0, "no model call at all: {st:#?}");
    assert_eq!(
        report.mutant_passed.as_deref(),
        Some("`\"%Y-%d-%m\"` → `\"%Y-%m-%d\"` in `dump` (runs/export.py:5) and at runs/load.py:6")
    );
    assert!(s.read("runs/export.py").contains("strftime(\"%Y-%m-%d\")"));
    assert_eq!(
        s.read("runs/load.py"),
        LOAD.replace("\"%Y-%d-%m\")", "\"%Y-%m-%d\")"),
        "that line alone changed"
    );
}

const LOAD: &str = "import json\nfrom datetime import datetime\n\n\ndef load(text):\n    return datetime.strptime(json.loads(text)[\"day\"], \"%Y-%d-%m\").date()\n\n\ndef days(texts):\n    return [load(t) for t in texts]\n";

/// Where the failing tests were traced, a change to a line none of them ran is not tried: it
/// cannot make them pass (here the swapped-ends branch, which no test takes).
#[test]
fn changes_to_lines_no_failing_test_ran_are_left_out() {
    let s = window_repo("start <= t < end");
    s.write(
        "slots/window.py",
        &s.read("slots/window.py").replace(
            "    return start <= t < end\n",
            "    if end < start:\n        return inside(t, end + 1, start - 1)\n    return start <= t < end\n",
        ),
    );
    let (report, events) = run(s.path(), &[], WINDOW_ISSUE, &["The cause is inside."]);
    let st = statuses(&events);
    assert_fixed(&report, &st);
    assert_eq!(
        report.mutant_passed.as_deref(),
        Some("`<` → `<=` in `inside` (slots/window.py:5)")
    );
    // `end + 1`, `start - 1` and the call's own changes are on the line no test ran.
    let left_out = st.iter().find_map(|m| {
        m.strip_prefix("left out ")?
            .strip_suffix(" one-token changes to lines no failing test ran")
    });
    let n: usize = left_out.expect("some were left out").parse().unwrap();
    assert!(n >= 4, "{n}: {st:#?}");
}

/// Both ends wrong: no one-token change passes, each is undone without a trace, and the
/// model's rewrite is judged on the code as it was. The model began on its first prompt while
/// the changes ran (the search does not change that prompt).
#[test]
fn mutants_that_fail_leave_the_code_as_it_was_for_the_model() {
    let s = window_repo("start < t < end");
    let before = s.read("slots/window.py");
    let backend = scripted(&["The cause is inside.", WINDOW_REWRITE]);
    let prompts = backend.prompts();
    let (report, events) = run_on(backend, s.path(), &[], WINDOW_ISSUE);
    let st = statuses(&events);
    assert_fixed(&report, &st);
    // The first step's prompt was begun while the mutants ran: warmed once, then asked as it was.
    let prompts = prompts.lock().unwrap();
    let warmed: Vec<usize> = (0..prompts.len()).filter(|&k| prompts[k].1).collect();
    assert_eq!(warmed, [0], "{prompts:#?}");
    assert_eq!(
        prompts.get(1).map(|p| (&p.0, p.1)),
        Some((&prompts[0].0, false))
    );
    assert!(
        st.iter()
            .any(|m| m.starts_with("none of ")
                && m.contains("one-token changes made the tests pass")),
        "{st:#?}"
    );
    assert_eq!(report.edits_applied, 1, "only the model's rewrite counts");
    assert_eq!(report.mutant_passed, None);
    let said = format!("none of {} one-token changes", report.mutants_tried);
    assert!(st.iter().any(|m| m.starts_with(&said)), "{said}: {st:#?}");
    assert_eq!(
        s.read("slots/window.py"),
        before.replace("start < t < end", "start <= t <= end")
    );
}

/// With every change asked about (`--approval ask`), no mutant is tried: a person would be
/// asked about dozens of changes made only to be undone. (No one answers here, so the model's
/// rewrite is refused too, and the step limit ends the run.)
#[test]
fn no_mutants_are_tried_when_each_change_is_asked_about() {
    let s = window_repo("start <= t < end");
    let (_, events) = run(
        s.path(),
        &["--approval", "ask", "--max-steps", "2"],
        WINDOW_ISSUE,
        &["The cause is inside.", WINDOW_REWRITE],
    );
    let st = statuses(&events);
    assert!(
        !st.iter().any(|m| m.contains("one-token changes")),
        "{st:#?}"
    );
}

/// A corrected test of the issue's examples is decoded beside freer candidates where the backend
/// decodes several at once: a greedy correction that repeats the test it corrects (one that
/// showed nothing on the code before the change), one with no test in it and one that fails
/// with the change as well as without it (a corrected test is never a judge) give way to the
/// next, and the first that fails before the change and passes with it counts.
#[test]
fn a_corrected_examples_test_that_repeats_the_first_gives_way_to_another_candidate() {
    let s = Scratch::task("py-timesheet");
    let issue = std::fs::read_to_string(common::fixture("tasks/py-timesheet/ISSUE.md")).unwrap();
    let rewrite = "```python\ndef parse_hours(entry):\n    \"\"\"Hours in an \"H:MM\" entry, as a number: \"8:00\" is 8.0.\"\"\"\n    hours, minutes = entry.strip().split(\":\")\n    if not minutes.isdigit() or len(minutes) != 2 or int(minutes) > 59:\n        raise ValueError(f\"not an H:MM entry: {entry!r}\")\n    return int(hours) + int(minutes) / 60\n```";
    // A week without minutes: no overtime before the fix or after it.
    let shows_nothing = "```python\nclass TestOvertime(unittest.TestCase):\n    def test_overtime(self):\n        self.assertEqual(overtime([\"8:00\"] * 5), 0)\n```";
    let overtime = "```python\nclass TestOvertime(unittest.TestCase):\n    def test_overtime_with_minutes(self):\n        self.assertEqual(overtime([\"8:30\"] * 5), 2.5)\n```";
    let backend = scripted(&[
        "The minutes are divided by 100.",
        rewrite,
        shows_nothing,
        // The correction, four candidates at once: the same test, prose, a wrong value, the
        // right one.
        shows_nothing,
        "I would check the overtime.",
        &overtime.replace("2.5", "3.0"),
        overtime,
    ])
    .with_parallel_width(4);
    let (report, events) = run_on(backend, s.path(), &[], &issue);
    let st = statuses(&events);
    assert_fixed(&report, &st);
    let skipped: Vec<&String> = st
        .iter()
        .filter(|m| m.starts_with("a candidate test was not kept"))
        .collect();
    assert_eq!(
        skipped,
        [
            "a candidate test was not kept: it repeats a test already tried",
            "a candidate test was not kept: it has no test function cria can recognize",
            "a candidate test was not kept: the corrected test `test_overtime_with_minutes` fails on the change too",
        ],
        "{st:#?}"
    );
    assert!(
        st.iter()
            .any(|m| m
                .contains("running `test_overtime_with_minutes` on the code before the change")),
        "{st:#?}"
    );
    assert_eq!(report.steps, 4, "the correction's candidates are one step");
    assert!(report
        .diff
        .contains("def test_overtime_with_minutes(self):"));
}

/// The model's rewrite special-cases a table's key in the code that reads the table (`if unit
/// == "h"`): the tests pass with it, but the table stays wrong for every other reader. The
/// table's entry set to the special case's value passes them alone, and is kept in its place.
#[test]
fn a_special_case_of_a_tables_key_is_moved_into_the_table() {
    let s = python_repo(
        "spans/units.py",
        "UNITS = {\"s\": 1, \"m\": 60, \"h\": 60, \"d\": 86400}\n\n\ndef seconds_in(unit):\n    return UNITS[unit]\n",
        "tests/test_spans.py",
        "import unittest\n\nfrom spans.parse import parse_duration\n\n\nclass TestSpans(unittest.TestCase):\n    def test_minutes(self):\n        self.assertEqual(parse_duration(\"1m30s\"), 90)\n\n    def test_hours(self):\n        self.assertEqual(parse_duration(\"2h\"), 7200)\n",
    );
    s.write(
        "spans/parse.py",
        "import re\n\nfrom .units import seconds_in\n\n\ndef parse_duration(text):\n    total = 0\n    for number, unit in re.findall(r\"(\\d+)([smhd])\", text):\n        total += int(number) * seconds_in(unit)\n    return total\n",
    );
    let special = "```python\ndef parse_duration(text):\n    total = 0\n    for number, unit in re.findall(r\"(\\d+)([smhd])\", text):\n        if unit == \"h\":\n            total += int(number) * 3600\n        else:\n            total += int(number) * seconds_in(unit)\n    return total\n```";
    let issue = "Hours count as minutes: `parse_duration(\"2h\")` gives 120 instead of 7200.";
    let (report, events) = run(
        s.path(),
        &[],
        issue,
        &["The cause is parse_duration.", special, special],
    );
    let st = statuses(&events);
    assert_fixed(&report, &st);
    assert!(
        st.iter()
            .any(|m| m.starts_with("the change special-cased `h`; its entry at spans/units.py:1")),
        "{st:#?}"
    );
    assert!(
        s.read("spans/units.py")
            .starts_with("UNITS = {\"s\": 1, \"m\": 60, \"h\": 3600, \"d\": 86400}\n"),
        "{}",
        s.read("spans/units.py")
    );
    assert!(
        !s.read("spans/parse.py").contains("if unit"),
        "{}",
        s.read("spans/parse.py")
    );
    assert!(!report.diff.contains("spans/parse.py"), "{}", report.diff);
}

/// "Addresses like `kim@studio.design` are refused too": cria writes that case itself, as the
/// issue's stated case with the other address. A change that lets the first address through
/// alone fails it, and is not called fixed; the one that lets both through is.
#[test]
fn another_input_said_to_be_refused_too_is_checked_as_the_stated_case_is() {
    let s = python_repo(
        "signup/validate.py",
        "import re\n\nEMAIL = re.compile(r\"^[\\w.+-]+@[\\w-]+\\.[a-z]{2,3}$\")\n\n\ndef is_valid_email(text):\n    return bool(EMAIL.match(text))\n",
        "tests/test_validate.py",
        "import unittest\n\nfrom signup.validate import is_valid_email\n\n\nclass TestValidate(unittest.TestCase):\n    def test_plain(self):\n        self.assertTrue(is_valid_email(\"ada@example.com\"))\n\n    def test_junk(self):\n        self.assertFalse(is_valid_email(\"ada@\"))\n",
    );
    let issue = "University addresses are refused: `is_valid_email(\"jo@uni.ac.uk\")` returns False instead of True. Addresses like `kim@studio.design` are refused too.";
    let first = "```python\nEMAIL = re.compile(r\"^[\\w.+-]+@[\\w.-]+\\.[a-z]{2,3}$\")\n```";
    let both =
        "```python\nEMAIL = re.compile(r\"^[\\w.+-]+@[\\w-]+(\\.[\\w-]+)*\\.[a-z]{2,}$\")\n```";
    let (report, events) = run(
        s.path(),
        &[],
        issue,
        &["The cause is EMAIL.", first, first, both, both, both],
    );
    let st = statuses(&events);
    assert!(
        st.iter().any(|m| m.starts_with(
            "writing \"Addresses like `kim@studio.design` are refused too.\" as the issue's own cases, as `is_valid_email(\"kim@studio.design\")`"
        )),
        "{st:#?}"
    );
    assert!(
        st.iter()
            .any(|m| m.starts_with("the change is incomplete: the issue's other case fails in")),
        "{st:#?}"
    );
    assert_fixed(&report, &st);
    assert!(
        s.read("signup/validate.py").contains("[a-z]{2,}$"),
        "{}",
        s.read("signup/validate.py")
    );
    assert!(report.diff.contains("kim@studio.design"), "{}", report.diff);
}

/// A rewrite that calls `math.sqrt` in a module that never imported `math`: its test run fails
/// with a `NameError`, cria adds the import the change needs, and the candidate — the fix —
/// is judged again with it, instead of being thrown away.
#[test]
fn a_rewrite_that_forgot_an_import_gets_it_and_is_kept() {
    let s = python_repo(
        "geo/plane.py",
        "def hypotenuse(a, b):\n    \"\"\"The long side of a right triangle with sides a and b.\"\"\"\n    return a + b\n",
        "tests/test_plane.py",
        "import unittest\n\nfrom geo.plane import hypotenuse\n\n\nclass TestPlane(unittest.TestCase):\n    def test_three_four_five(self):\n        self.assertEqual(hypotenuse(3, 4), 5.0)\n",
    );
    let rewrite = "```python\ndef hypotenuse(a, b):\n    \"\"\"The long side of a right triangle with sides a and b.\"\"\"\n    return math.sqrt(a * a + b * b)\n```";
    let issue = "`hypotenuse(3, 4)` returns 7 instead of 5.0.";
    let (report, events) = run(
        s.path(),
        &[],
        issue,
        &["The cause is the formula.", rewrite],
    );
    let st = statuses(&events);
    assert_fixed(&report, &st);
    assert!(
        st.iter()
            .any(|m| m
                == "the change uses a name geo/plane.py does not import: adding `import math`"),
        "{st:#?}"
    );
    assert_eq!(
        s.read("geo/plane.py"),
        "import math\n\ndef hypotenuse(a, b):\n    \"\"\"The long side of a right triangle with sides a and b.\"\"\"\n    return math.sqrt(a * a + b * b)\n"
    );
    assert!(report.diff.contains("+import math\n"), "{}", report.diff);
}

/// Where the backend decodes several replies at once, the reproduce stage asks for four
/// candidate tests in one step and runs them in turn: a test of what already works, prose and a
/// repeat of the first give way to the test that fails for the issue's reason, kept after a
/// single model step — where one reply a step would have spent three.
#[test]
fn candidate_reproduction_tests_decoded_together_are_tried_until_one_shows_the_bug() {
    let s = Scratch::task("py-roman");
    let issue = std::fs::read_to_string(common::fixture("tasks/py-roman/ISSUE.md"))
        .unwrap()
        .replace('`', "");
    let passing = "```python\nclass TestIssue(unittest.TestCase):\n    def test_three(self):\n        self.assertEqual(to_roman(3), \"III\")\n```";
    let failing = "```python\nclass TestIssue(unittest.TestCase):\n    def test_subtractive(self):\n        self.assertEqual(to_roman(4), \"IV\")\n        self.assertEqual(to_roman(9), \"IX\")\n```";
    let fix = "The symbol table lacks the subtractive pairs.\n\nnumerals/roman.py\n```python\n<<<<<<< SEARCH\n    (1000, \"M\"),\n    (500, \"D\"),\n    (100, \"C\"),\n    (50, \"L\"),\n    (10, \"X\"),\n    (5, \"V\"),\n    (1, \"I\"),\n=======\n    (1000, \"M\"),\n    (900, \"CM\"),\n    (500, \"D\"),\n    (400, \"CD\"),\n    (100, \"C\"),\n    (90, \"XC\"),\n    (50, \"L\"),\n    (40, \"XL\"),\n    (10, \"X\"),\n    (9, \"IX\"),\n    (5, \"V\"),\n    (4, \"IV\"),\n    (1, \"I\"),\n>>>>>>> REPLACE\n```\n";
    let backend = scripted(&[
        passing,
        "I would test the numerals.",
        passing,
        failing,
        "The cause is the table.",
        fix,
    ])
    .with_parallel_width(4);
    let (report, events) = run_on(backend, s.path(), &[], &issue);
    let st = statuses(&events);
    let asked = st
        .iter()
        .position(|m| m.starts_with("the tests pass, but the issue states a case"))
        .unwrap_or_else(|| panic!("{st:#?}"));
    let reproduced = st
        .iter()
        .position(|m| {
            m == "reproduced: the new test `test_subtractive` in tests/test_roman.py fails"
        })
        .unwrap_or_else(|| panic!("{st:#?}"));
    let between = &st[asked..reproduced];
    assert_eq!(
        between.iter().filter(|m| m.starts_with("model is")).count(),
        1,
        "the four candidates are one step: {st:#?}"
    );
    assert_eq!(
        between
            .iter()
            .filter(|m| m.starts_with("the new test was not kept: it passes"))
            .count(),
        1,
        "the repeat of the passing test is not run again: {st:#?}"
    );
    assert_fixed(&report, &st);
    assert!(
        report.diff.contains("def test_subtractive(self):"),
        "{}",
        report.diff
    );
    assert!(!report.diff.contains("test_three"), "{}", report.diff);
}

/// A greedy test that fails on a case and answer of its own (`to_roman(14)`, which the issue
/// never states) is kept only when no candidate of either try fails on the issue's values — then
/// it is, with a line that says so.
#[test]
fn a_test_failing_on_its_own_values_is_kept_only_when_no_candidate_fails_on_the_issues() {
    let s = Scratch::task("py-roman");
    let issue = std::fs::read_to_string(common::fixture("tasks/py-roman/ISSUE.md")).unwrap();
    let own = "```python\nclass TestIssue(unittest.TestCase):\n    def test_fourteen(self):\n        self.assertEqual(to_roman(14), \"XIV\")\n```";
    let fix = "numerals/roman.py\n```python\n<<<<<<< SEARCH\n    (1000, \"M\"),\n    (500, \"D\"),\n    (100, \"C\"),\n    (50, \"L\"),\n    (10, \"X\"),\n    (5, \"V\"),\n    (1, \"I\"),\n=======\n    (1000, \"M\"),\n    (900, \"CM\"),\n    (500, \"D\"),\n    (400, \"CD\"),\n    (100, \"C\"),\n    (90, \"XC\"),\n    (50, \"L\"),\n    (40, \"XL\"),\n    (10, \"X\"),\n    (9, \"IX\"),\n    (5, \"V\"),\n    (4, \"IV\"),\n    (1, \"I\"),\n>>>>>>> REPLACE\n```\n";
    let prose = "I would test the numerals.";
    let backend = scripted(&[
        own,
        prose,
        prose,
        prose, // the first try
        prose,
        prose,
        prose,
        prose, // the second
        "The cause is the table.",
        fix,
    ])
    .with_parallel_width(4);
    let (report, events) = run_on(backend, s.path(), &[], &issue.replace('`', ""));
    let st = statuses(&events);
    assert!(
        st.iter().any(|m| m.starts_with(
            "the new test was not kept: it fails, but neither on a value the issue states"
        )),
        "{st:#?}"
    );
    let kept = st
        .iter()
        .position(|m| {
            m.starts_with(
                "no candidate failed on a value the issue states; keeping `test_fourteen`",
            )
        })
        .unwrap_or_else(|| panic!("{st:#?}"));
    assert_eq!(
        st.get(kept + 1).map(String::as_str),
        Some("reproduced: the new test `test_fourteen` in tests/test_roman.py fails"),
        "{st:#?}"
    );
    assert_fixed(&report, &st);
}

/// No candidate test fails on a value the issue states: the greedy one mixes the issue's input
/// with another answer (`delays(5, 2) == [1, 2]`, which no change can pass) and a sampled one
/// checks a case of its own (`delays(3, 3)`). Both stand together while the one-token search
/// runs; the change that makes the second pass, and nothing else fail, tells which one the issue
/// means: the first is taken out, and the change is fixed only once a test of the issue's own
/// example agrees.
#[test]
fn candidate_tests_that_fail_on_no_stated_value_stand_together_until_a_change_tells_them_apart() {
    let s = backoff_repo("    return [base * 2 ** (n + 1) for n in range(attempts)]\n");
    let mixed = &doubling_test(MIXED);
    let own = &doubling_test("delays(3, 3), [3, 6, 12]");
    let example = "```python\nclass TestIssueExample(unittest.TestCase):\n    def test_issue_example(self):\n        self.assertEqual(delays(5, 3), [5, 10, 20])\n```";
    let prose = "I would test the delays.";
    let backend = scripted(&[
        mixed, own, prose, prose, // the first try
        mixed, prose, prose, prose, // the second
        example, example, example, example,
    ])
    .with_parallel_width(4);
    let (report, events) = run_on(backend, s.path(), &[], BACKOFF_ISSUE);
    let st = statuses(&events);
    let pooled = st
        .iter()
        .position(|m| {
            m.starts_with("no candidate failed on a value the issue states; keeping the 2 that fail (`test_doubling`, `test_doubling_issue`)")
        })
        .unwrap_or_else(|| panic!("{st:#?}"));
    let told = st
        .iter()
        .position(|m| m.contains("makes `test_doubling_issue` pass; of the tests, only the other candidate tests still fail"))
        .unwrap_or_else(|| panic!("{st:#?}"));
    assert!(pooled < told, "{st:#?}");
    assert_eq!((report.pooled_tests, report.pool_told), (2, true));
    assert!(
        st.iter()
            .any(|m| m.starts_with("taking out the 1 other candidate tests")),
        "{st:#?}"
    );
    assert_fixed(&report, &st);
    let tests = s.read("tests/test_backoff.py");
    assert!(tests.contains("delays(3, 3), [3, 6, 12]"), "{tests}");
    assert!(
        !tests.contains("[1, 2]"),
        "the mixed test is taken out: {tests}"
    );
    assert!(tests.contains("def test_no_attempts"), "{tests}");
    assert!(!s.read("retry/backoff.py").contains("n + 1"));
}

/// The doubling written out in a loop: the pool settles on the greedy test alone when no
/// one-token change passes either candidate (as a run kept it before), and a change that passes
/// the sampled one by making every wait the base is no fix without the issue's own example.
#[test]
fn candidate_tests_no_change_tells_apart_settle_on_the_greedy_one() {
    let (report, st, tests) = doubling_loop("delays(3, 2), [3, 6]");
    assert!(
        st.iter().any(|m| m == "no one-token change told which candidate test the issue means; keeping `test_doubling`, the first that fails"),
        "{st:#?}"
    );
    assert!(!tests.contains("delays(3, 2)"), "{tests}");
    assert_eq!((report.pooled_tests, report.pool_told), (2, false));
    assert_eq!(
        report.repro_test.as_deref(),
        Some("tests/test_backoff.py::test_doubling")
    );
    assert_ne!(report.outcome, Some(Outcome::Fixed), "{st:#?}");

    let (report, st, tests) = doubling_loop("delays(3, 1), [3]");
    assert!(
        st.iter().any(|m| m.contains("makes `test_doubling_issue` pass; of the tests, only the other candidate tests still fail")),
        "{st:#?}"
    );
    assert!(tests.contains("delays(3, 1), [3]"), "{tests}");
    assert_eq!(report.outcome, Some(Outcome::Unverified), "{st:#?}");
}

/// A run on `delays` written as a loop that doubles before it appends, where the model's
/// candidate tests are one that mixes the issue's input with another answer and one asserting
/// `own`, and prose after; its report, statuses and test file.
fn doubling_loop(own: &str) -> (FixReport, Vec<String>, String) {
    let s = backoff_repo(
        "    out = []\n    wait = base\n    for _ in range(attempts):\n        wait = wait * 2\n        out.append(wait)\n    return out\n",
    );
    let (mixed, own) = (doubling_test(MIXED), doubling_test(own));
    let prose = "I would test the delays.";
    let mut replies = vec![&*mixed, &own, prose, prose, &mixed, prose, prose, prose];
    replies.extend([prose; 64]);
    let backend = scripted(&replies).with_parallel_width(4);
    let (report, events) = run_on(backend, s.path(), &[], BACKOFF_ISSUE);
    let st = statuses(&events);
    assert!(
        st.iter().any(|m| m.starts_with(
            "no candidate failed on a value the issue states; keeping the 2 that fail"
        )),
        "{st:#?}"
    );
    (report, st, s.read("tests/test_backoff.py"))
}

const BACKOFF_ISSUE: &str = "Retries wait twice as long as configured. With a base of 5 seconds \
                             and three attempts the waits should be 5, 10 and 20 seconds, but \
                             the log shows 10, 20 and 40.";

/// What a candidate test asserts where it mixes the issue's input with another answer.
const MIXED: &str = "delays(5, 2), [1, 2]";

/// A project whose `delays(base, attempts)` has `body`, tested only without attempts.
fn backoff_repo(body: &str) -> Scratch {
    python_repo(
        "retry/backoff.py",
        &format!("def delays(base, attempts):\n    \"\"\"Seconds to wait before each retry: base, then doubling.\"\"\"\n{body}"),
        "tests/test_backoff.py",
        "import unittest\n\nfrom retry.backoff import delays\n\n\nclass TestBackoff(unittest.TestCase):\n    def test_no_attempts(self):\n        self.assertEqual(delays(5, 0), [])\n",
    )
}

/// The model's reply: a test `test_doubling` asserting `equal` (two arguments of `assertEqual`).
fn doubling_test(equal: &str) -> String {
    format!("```python\nclass TestBackoff(unittest.TestCase):\n    def test_doubling(self):\n        self.assertEqual({equal})\n```")
}
