//! Plan mode: the model reads, greps and lists, and ends with a plan; nothing is edited or run
//! until the plan is accepted, and an accepted plan reaches the fix.

mod common;

use std::sync::Arc;

use clap::Parser;
use common::Scratch;
use cria::cli::{Cli, Command};
use cria::config::Config;
use cria::model::scripted::ScriptedBackend;
use cria::protocol::Event;
use cria::sandbox::approval::Asker;
use serde_json::json;

const FIX: &str = "shop/cart.py\n<<<<<<< SEARCH\n        return round(subtotal - self.discount_percent, 2)\n=======\n        return round(subtotal * (1 - self.discount_percent / 100), 2)\n>>>>>>> REPLACE\n";
const PLAN: &str = "The total subtracts the percentage.\n\nPlan:\n1. shop/cart.py `total`: multiply by (1 - percent / 100) instead of subtracting.";

fn call(name: &str, arguments: serde_json::Value) -> String {
    format!(
        "<tool_call>\n{}\n</tool_call>",
        json!({"name": name, "arguments": arguments})
    )
}

fn config(s: &Scratch) -> Config {
    std::env::set_var("CRIA_STATE_DIR", s.state.path());
    let repo = s.path().to_string_lossy().into_owned();
    let Some(Command::Fix { agent, .. }) =
        Cli::parse_from(["cria", "fix", "--repo", repo.as_str(), "issue"]).command
    else {
        unreachable!()
    };
    Config::resolve(&agent).unwrap()
}

#[test]
fn a_plan_reads_and_ends_with_steps_and_changes_nothing() {
    let s = Scratch::task("py-cart-discount");
    let before = s.read("shop/cart.py");
    let cfg = config(&s);
    let replies = vec![
        call("grep", json!({"pattern": "discount_percent"})),
        call("shell", json!({"command": "touch pwned"})),
        call(
            "edit",
            json!({"path": "shop/cart.py", "search": "return", "replace": "pass"}),
        ),
        PLAN.to_string(),
    ];
    let mut backend = ScriptedBackend::new(replies);
    let mut events = Vec::new();
    let plan = cria::agent::plan(
        &mut backend,
        &cfg.fix,
        "the discount is wrong",
        &mut |e: Event| events.push(e),
    )
    .unwrap();
    assert!(
        plan.text.starts_with("Plan:\n1. shop/cart.py"),
        "{}",
        plan.text
    );
    assert_eq!(plan.steps, 4);
    assert_eq!(s.read("shop/cart.py"), before, "nothing edited");
    assert!(!s.path().join("pwned").exists(), "nothing run");
    let results: Vec<(String, bool, String)> = events
        .iter()
        .filter_map(|e| match e {
            Event::ToolResult { result } => {
                Some((result.name.clone(), result.ok, result.output.clone()))
            }
            _ => None,
        })
        .collect();
    assert!(
        results[0].1 && results[0].2.contains("shop/cart.py"),
        "grep ran: {results:?}"
    );
    for refused in &results[1..] {
        assert!(
            !refused.1 && refused.2.contains("not available while planning"),
            "{refused:?}"
        );
    }
    let accepted = cria::agent::with_plan("the discount is wrong", &plan);
    assert!(accepted.contains("The user accepted this plan") && accepted.contains("multiply"));
}

#[test]
fn a_reply_without_steps_is_sent_back_once() {
    let s = Scratch::task("py-cart-discount");
    let cfg = config(&s);
    let mut backend = ScriptedBackend::new(vec!["I think it is the total.".into(), PLAN.into()]);
    let told = backend.told();
    let plan = cria::agent::plan(
        &mut backend,
        &cfg.fix,
        "the discount is wrong",
        &mut |_: Event| {},
    )
    .unwrap();
    assert_eq!(plan.steps, 2);
    assert!(told.lock().unwrap()[1].contains("End your reply with the plan"));
}

#[test]
fn fix_plan_without_a_terminal_stops_after_the_plan() {
    let s = Scratch::task("py-cart-discount");
    let before = s.read("shop/cart.py");
    let script = s.script(&[PLAN, FIX]);
    let out = s
        .cria()
        .args(["fix", "--plan", "--script"])
        .arg(&script)
        .arg("--repo")
        .arg(s.path())
        .arg("the discount is wrong")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Plan:\n1. shop/cart.py"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no terminal") && stderr.contains("nothing was changed"),
        "{stderr}"
    );
    assert_eq!(s.read("shop/cart.py"), before);
}

#[test]
fn an_accepted_plan_goes_on_to_the_fix_with_the_plan_in_it() {
    let s = Scratch::task("py-cart-discount");
    let mut cfg = config(&s);
    let script = s.script(&[PLAN, "The discount is subtracted.", FIX]);
    cfg.model = cria::config::ModelSource::Script(script);
    let asked = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = asked.clone();
    cfg.fix.ask = Some(Asker(Arc::new(move |q| {
        seen.lock().unwrap().push(q.to_string());
        true
    })));
    let opts = cria::exec::fix::FixOptions {
        plan: true,
        ..Default::default()
    };
    let code = cria::exec::fix::run(&cfg, "the discount is wrong", &opts);
    assert_eq!(code, cria::exit::ExitCode::Fixed);
    assert!(s.read("shop/cart.py").contains("discount_percent / 100"));
    let asked = asked.lock().unwrap();
    assert!(asked[0].contains("carry out this plan?") && asked[0].contains("1. shop/cart.py"));
}
