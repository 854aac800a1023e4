//! Hooks in a real run (`agent::fix` with the scripted backend and real hook commands): a
//! blocking `PreToolUse` hook stops an edit and the model is told why; a `PostToolUse` hook
//! gets the diff; `UserPromptSubmit` can refuse a request or add to it; a `Stop` hook sends the
//! run back to work once.

mod common;

use std::path::Path;
use std::sync::Once;

use clap::Parser;
use common::Scratch;
use cria::agent::FixReport;
use cria::cli::{Cli, Command};
use cria::config::Config;
use cria::hooks::Hooks;
use cria::model::scripted::ScriptedBackend;
use cria::protocol::{Decider, EditFailure, Event, Outcome, StopReason};

fn isolate_state() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        std::env::set_var("CRIA_STATE_DIR", dir);
    });
}

const ISSUE: &str =
    "Applying a 10% discount to a cart worth 200.00 gives 190.00 instead of 180.00.";
const FIX: &str = "shop/cart.py\n<<<<<<< SEARCH\n        return round(subtotal - self.discount_percent, 2)\n=======\n        return round(subtotal * (1 - self.discount_percent / 100), 2)\n>>>>>>> REPLACE\n";
const EXAMPLES: &str = "```python\nclass TestIssue(unittest.TestCase):\n    def test_ten_percent(self):\n        cart = Cart()\n        cart.add(\"lamp\", 200.0, 1)\n        cart.apply_discount(10)\n        self.assertEqual(cart.total(), 180.0)\n```";

/// Run the agent on `repo` with `hooks` (TOML, as in a config file) and `replies`: the report,
/// the events, and what each model call was told last.
fn run(repo: &Path, hooks: &str, replies: &[&str]) -> (FixReport, Vec<Event>, Vec<String>) {
    isolate_state();
    let repo = repo.to_string_lossy().into_owned();
    let Some(Command::Fix { agent, .. }) =
        Cli::parse_from(["cria", "fix", "--repo", repo.as_str(), "issue"]).command
    else {
        unreachable!()
    };
    let mut cfg = Config::resolve(&agent).unwrap();
    #[derive(serde::Deserialize)]
    struct File {
        hooks: Hooks,
    }
    cfg.fix.hooks = toml::from_str::<File>(hooks).unwrap().hooks;
    let mut backend = ScriptedBackend::new(replies.iter().map(|r| r.to_string()).collect());
    let told = backend.told();
    let mut events = Vec::new();
    let report = cria::agent::fix(&mut backend, &cfg.fix, ISSUE, &mut |e: Event| {
        events.push(e)
    })
    .unwrap();
    let told = told.lock().unwrap().clone();
    (report, events, told)
}

#[test]
fn a_blocking_pre_tool_use_hook_stops_an_edit_and_the_model_sees_why() {
    let s = Scratch::task("py-cart-discount");
    let before = s.read("shop/cart.py");
    let hooks = r#"
        [[hooks.PreToolUse]]
        matcher = "edit"
        hooks = [{ type = "command", command = "cat > pre.json; echo 'shop/ is frozen until Friday' >&2; exit 2" }]
    "#;
    let replies = [FIX, FIX, FIX, FIX, FIX];
    let (report, events, told) = run(s.path(), hooks, &replies);
    assert_eq!(s.read("shop/cart.py"), before, "nothing written");
    assert_ne!(report.outcome, Some(Outcome::Fixed));
    assert!(events.iter().any(|e| matches!(e,
        Event::Approval { decision } if decision.by == Decider::Hook && !decision.approved)));
    assert!(events.iter().any(|e| matches!(e,
        Event::EditFailed { kind: EditFailure::Rejected, message } if message.contains("frozen until Friday"))));
    assert!(
        told.iter()
            .any(|t| t.contains("shop/ is frozen until Friday")),
        "the model is told: {told:#?}"
    );
    let input: serde_json::Value = serde_json::from_str(&s.read("pre.json")).unwrap();
    assert_eq!(input["hook_event_name"], "PreToolUse");
    assert_eq!(input["tool_name"], "edit");
    assert_eq!(
        input["tool_input"]["files"],
        serde_json::json!(["shop/cart.py"])
    );
}

#[test]
fn a_post_tool_use_hook_receives_the_diff() {
    let s = Scratch::task("py-cart-discount");
    let hooks = r#"
        [[hooks.PostToolUse]]
        matcher = "edit"
        hooks = [{ type = "command", command = "cat > post.json" }]
    "#;
    let (report, _, _) = run(
        s.path(),
        hooks,
        &["The cause is the discount.", FIX, EXAMPLES],
    );
    assert_eq!(report.outcome, Some(Outcome::Fixed), "{}", report.summary);
    let input: serde_json::Value = serde_json::from_str(&s.read("post.json")).unwrap();
    assert_eq!(input["hook_event_name"], "PostToolUse");
    let diff = input["tool_response"]["diff"].as_str().unwrap();
    assert!(
        diff.contains("+        return round(subtotal * (1 - self.discount_percent / 100), 2)"),
        "{diff}"
    );
}

#[test]
fn a_prompt_hook_refuses_a_request_or_adds_to_it() {
    let s = Scratch::task("py-cart-discount");
    let refuse = r#"
        [[hooks.UserPromptSubmit]]
        hooks = [{ type = "command", command = "grep -q discount && { echo 'ask the billing team' >&2; exit 2; }; exit 0" }]
    "#;
    let (report, _, told) = run(s.path(), refuse, &[]);
    assert_eq!(
        report.stop,
        Some(StopReason::HookRefused {
            why: "ask the billing team".into()
        })
    );
    assert!(told.is_empty(), "the model was never asked");

    let add = r#"
        [[hooks.UserPromptSubmit]]
        hooks = [{ type = "command", command = "echo 'Prices are in cents.'" }]
    "#;
    let (_, _, told) = run(
        s.path(),
        add,
        &["The cause is the discount.", FIX, EXAMPLES],
    );
    assert!(
        told.first()
            .is_some_and(|t| t.contains("Prices are in cents.")),
        "{told:#?}"
    );
}

#[test]
fn a_stop_hook_sends_the_run_back_once_with_its_words() {
    let s = Scratch::task("py-cart-discount");
    let hooks = r#"
        [[hooks.Stop]]
        hooks = [{ type = "command", command = "echo 'a discount over 100% must give 0, not a negative total' >&2; exit 2" }]
    "#;
    let floor = "shop/cart.py\n<<<<<<< SEARCH\n        return round(subtotal * (1 - self.discount_percent / 100), 2)\n=======\n        return round(max(0.0, subtotal * (1 - self.discount_percent / 100)), 2)\n>>>>>>> REPLACE\n";
    let (report, events, told) = run(
        s.path(),
        hooks,
        &["The cause is the discount.", FIX, EXAMPLES, floor],
    );
    assert!(
        told.iter()
            .any(|t| t.contains("must give 0, not a negative total")),
        "{told:#?}"
    );
    assert!(s.read("shop/cart.py").contains("max(0.0, "));
    assert_eq!(report.outcome, Some(Outcome::Fixed), "{}", report.summary);
    let objections = events
        .iter()
        .filter(|e| matches!(e, Event::Status { message, .. } if message.contains("Stop hook")))
        .count();
    assert_eq!(objections, 2, "sent back once, then only reported");
}
