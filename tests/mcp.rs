//! MCP both ways, with real server processes and no mock of the protocol:
//! - cria's client against a stdio server written with rmcp for these tests
//!   (`mcp/fixture_server.rs`, this same binary started with `CRIA_TEST_MCP_SERVER`): tools
//!   listed (and kept from the model), called, approved, declined, a server that crashes
//!   mid-call, one that hangs, one that never starts, results defused and cut to size;
//! - cria's own `cria mcp serve`, driven by cria's client: `apply`, `undo`, `context`, `fix`.
//!
//! The binary has its own `main` (harness = false) so that it can also be the fixture server.

mod common;
#[path = "mcp/fixture_server.rs"]
mod fixture_server;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use common::Scratch;
use cria::agent::FixReport;
use cria::cli::{Cli, Command};
use cria::config::Config;
use cria::mcp::{CallError, Hub, Servers};
use cria::model::scripted::ScriptedBackend;
use cria::protocol::{ApprovalSubject, Decider, Event, Outcome};
use cria::sandbox::approval::Asker;
use serde_json::json;

const SERVER_ENV: &str = "CRIA_TEST_MCP_SERVER";
/// Set to a file name: serve streamable HTTP and write the port there.
const HTTP_SERVER_ENV: &str = "CRIA_TEST_MCP_HTTP";

const ISSUE: &str =
    "Applying a 10% discount to a cart worth 200.00 gives 190.00 instead of 180.00.";
const FIX: &str = "shop/cart.py\n<<<<<<< SEARCH\n        return round(subtotal - self.discount_percent, 2)\n=======\n        return round(subtotal * (1 - self.discount_percent / 100), 2)\n>>>>>>> REPLACE\n";

fn main() {
    if std::env::var_os(SERVER_ENV).is_some() {
        fixture_server::run();
        return;
    }
    if let Ok(port_file) = std::env::var(HTTP_SERVER_ENV) {
        fixture_server::run_http(&port_file);
        return;
    }
    let state = tempfile::tempdir().unwrap();
    std::env::set_var("CRIA_STATE_DIR", state.path());
    let tests: &[(&str, fn())] = &[
        (
            "list_shows_tools_state_and_cost",
            list_shows_tools_state_and_cost,
        ),
        (
            "a_repository_may_not_start_servers_until_trusted",
            a_repository_may_not_start_servers_until_trusted,
        ),
        (
            "a_trusted_servers_tool_is_called_and_the_model_reads_the_result",
            a_trusted_servers_tool_is_called_and_the_model_reads_the_result,
        ),
        (
            "an_untrusted_call_is_asked_and_a_no_means_not_called",
            an_untrusted_call_is_asked_and_a_no_means_not_called,
        ),
        ("a_yes_calls_it", a_yes_calls_it),
        (
            "a_server_that_crashes_mid_call_is_reported_and_the_run_goes_on",
            a_server_that_crashes_mid_call_is_reported_and_the_run_goes_on,
        ),
        (
            "a_hanging_call_times_out_and_the_server_stays",
            a_hanging_call_times_out_and_the_server_stays,
        ),
        (
            "results_are_defused_and_cut_to_head_and_tail",
            results_are_defused_and_cut_to_head_and_tail,
        ),
        (
            "a_tool_error_and_a_disabled_tool",
            a_tool_error_and_a_disabled_tool,
        ),
        (
            "an_http_server_gets_its_headers_and_token",
            an_http_server_gets_its_headers_and_token,
        ),
        (
            "cria_serves_apply_undo_and_context_to_its_own_client",
            cria_serves_apply_undo_and_context_to_its_own_client,
        ),
        (
            "cria_serves_fix_to_its_own_client",
            cria_serves_fix_to_its_own_client,
        ),
    ];
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    if std::env::args().any(|a| a == "--list") {
        for (name, _) in tests {
            println!("{name}: test");
        }
        return;
    }
    let mut failed = Vec::new();
    for (name, test) in tests {
        if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        println!("test {name} ...");
        if std::panic::catch_unwind(*test).is_err() {
            println!("test {name} ... FAILED");
            failed.push(*name);
        } else {
            println!("test {name} ... ok");
        }
    }
    if !failed.is_empty() {
        eprintln!("failed: {failed:?}");
        std::process::exit(101);
    }
}

/// `[mcp_servers.fx]` for the fixture server, with `extra` TOML lines, logging calls to `log`.
fn fixture(extra: &str, log: &Path) -> String {
    let exe = std::env::current_exe().unwrap();
    format!(
        "[mcp_servers.fx]\ncommand = {exe:?}\nenv = {{ {SERVER_ENV} = \"1\", FIXTURE_LOG = {log:?} }}\n{extra}\n"
    )
}

fn servers(toml_text: &str) -> Servers {
    #[derive(serde::Deserialize)]
    struct File {
        mcp_servers: Servers,
    }
    toml::from_str::<File>(toml_text).unwrap().mcp_servers
}

fn calls(log: &Path) -> Vec<String> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect()
}

fn call(name: &str, arguments: serde_json::Value) -> String {
    let call = json!({"name": name, "arguments": arguments});
    format!("<tool_call>\n{call}\n</tool_call>")
}

/// The agent on the cart fixture with the servers of `toml_text` started, the model's
/// `replies`, and `answer` for whatever is asked: the report, the events, and what each model
/// call was told last.
fn run(
    s: &Scratch,
    toml_text: &str,
    answer: bool,
    replies: &[String],
) -> (FixReport, Vec<Event>, Vec<String>, Vec<String>) {
    let repo = s.path().to_string_lossy().into_owned();
    let Some(Command::Fix { agent, .. }) =
        Cli::parse_from(["cria", "fix", "--repo", repo.as_str(), "issue"]).command
    else {
        unreachable!()
    };
    let mut cfg = Config::resolve(&agent).unwrap();
    cfg.mcp_servers = servers(toml_text);
    let problems = cfg.start_mcp();
    cfg.fix.ask = Some(Asker(Arc::new(move |_| answer)));
    let mut backend = ScriptedBackend::new(replies.to_vec());
    let told = backend.told();
    let mut events = Vec::new();
    let report = cria::agent::fix(&mut backend, &cfg.fix, ISSUE, &mut |e: Event| {
        events.push(e)
    })
    .unwrap();
    let told = told.lock().unwrap().clone();
    (report, events, told, problems)
}

fn tool_results(events: &[Event]) -> Vec<(String, bool, String)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::ToolResult { result } => {
                Some((result.name.clone(), result.ok, result.output.clone()))
            }
            _ => None,
        })
        .collect()
}

/// `cria mcp list` in the scratch repository with `config` as the user's config file.
fn mcp_list(s: &Scratch, config: &Path, flags: &[&str]) -> std::process::Output {
    s.cria()
        .env("CRIA_CONFIG", config)
        .args(["mcp", "list", "--no-tests", "--repo"])
        .arg(s.path())
        .args(flags)
        .output()
        .unwrap()
}

fn list_shows_tools_state_and_cost() {
    let s = Scratch::empty();
    let log = s.state.path().join("calls.log");
    let config = s.state.path().join("config.toml");
    let text = format!(
        "{}\n[mcp_servers.gone]\ncommand = \"/nonexistent/server\"\n",
        fixture("disabled_tools = [\"secret\"]", &log)
    );
    std::fs::write(&config, text).unwrap();
    let out = mcp_list(&s, &config, &["--json"]);
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let fx = &v["servers"][0];
    assert_eq!(fx["name"], "fx");
    assert_eq!(fx["state"], "running", "{v:#}");
    let tools = fx["tools"].as_array().unwrap();
    assert_eq!(tools.len(), 6, "{tools:?}");
    assert!(tools.contains(&json!({"name": "fx__echo", "listed": true})));
    assert!(tools.contains(&json!({"name": "fx__secret", "listed": false})));
    assert!(fx["prompt_tokens"].as_u64().unwrap() > 50, "{fx}");
    let gone = &v["servers"][1];
    assert_eq!(gone["state"], "failed");
    assert!(gone["error"]
        .as_str()
        .unwrap()
        .contains("could not be started"));
    assert!(calls(&log).is_empty(), "listing calls nothing");

    // The words a person reads.
    let out = mcp_list(&s, &config, &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("fx: running") && text.contains("5 of 6 tools listed"),
        "{text}"
    );
    assert!(
        text.contains("  - fx__secret") && text.contains("  + fx__echo"),
        "{text}"
    );
    assert!(text.contains("gone: failed"), "{text}");
}

fn a_repository_may_not_start_servers_until_trusted() {
    let s = Scratch::empty();
    let log = s.state.path().join("calls.log");
    s.write(".cria.toml", &fixture("", &log));
    let config = s.state.path().join("config.toml");
    std::fs::write(&config, "").unwrap();
    let out = mcp_list(&s, &config, &["--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["servers"], json!([]), "{v}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("mcp_servers"), "the notice names it: {err}");
}

fn a_trusted_servers_tool_is_called_and_the_model_reads_the_result() {
    let s = Scratch::task("py-cart-discount");
    let log = s.state.path().join("calls.log");
    let replies = [call("fx__echo", json!({"text": "hello"})), FIX.to_string()];
    let (report, events, told, problems) =
        run(&s, &fixture("trusted = true", &log), false, &replies);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(calls(&log), ["echo hello"]);
    let results = tool_results(&events);
    assert_eq!(results[0].0, "fx__echo");
    assert!(
        results[0].1 && results[0].2.contains("fixture heard: hello"),
        "{results:?}"
    );
    assert!(
        told[1].contains("fixture heard: hello"),
        "the model reads it: {told:#?}"
    );
    assert!(events.iter().any(|e| matches!(e, Event::Approval { decision }
        if decision.approved && decision.by == Decider::Policy
            && matches!(&decision.subject, ApprovalSubject::Tool { name, .. } if name == "fx__echo"))));
    assert_eq!(report.outcome, Some(Outcome::Fixed));
}

fn an_untrusted_call_is_asked_and_a_no_means_not_called() {
    let s = Scratch::task("py-cart-discount");
    let log = s.state.path().join("calls.log");
    let replies = [call("fx__echo", json!({"text": "hello"})), FIX.to_string()];
    let (report, events, told, _) = run(&s, &fixture("", &log), false, &replies);
    assert!(calls(&log).is_empty(), "declined: not called");
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::Approval { decision }
        if !decision.approved && decision.by == Decider::User)));
    assert!(
        told[1].contains("the user declined this tool call"),
        "{told:#?}"
    );
    assert_eq!(report.outcome, Some(Outcome::Fixed), "the run goes on");
}

fn a_yes_calls_it() {
    let s = Scratch::task("py-cart-discount");
    let log = s.state.path().join("calls.log");
    let replies = [call("fx__echo", json!({"text": "yes"})), FIX.to_string()];
    let (_, events, _, _) = run(&s, &fixture("", &log), true, &replies);
    assert_eq!(calls(&log), ["echo yes"]);
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::Approval { decision }
        if decision.approved && decision.by == Decider::User)));
}

fn a_server_that_crashes_mid_call_is_reported_and_the_run_goes_on() {
    let s = Scratch::task("py-cart-discount");
    let log = s.state.path().join("calls.log");
    let replies = [
        call("fx__crash", json!({})),
        call("fx__echo", json!({"text": "after"})),
        FIX.to_string(),
    ];
    let (report, events, _, _) = run(&s, &fixture("trusted = true", &log), false, &replies);
    assert_eq!(calls(&log), ["crash"], "nothing reached it after the crash");
    let results = tool_results(&events);
    assert!(!results[0].1, "{results:?}");
    assert!(
        results[0].2.contains("stopped during the call"),
        "{results:?}"
    );
    assert!(
        results[0].2.contains("crashing on purpose"),
        "its last words: {results:?}"
    );
    assert!(results[1].2.contains("is not running"), "{results:?}");
    assert!(
        events
            .iter()
            .any(|e| matches!(e, Event::Status { message, .. }
        if message.contains("stopped during the call"))),
        "said to the user"
    );
    assert_eq!(report.outcome, Some(Outcome::Fixed), "the session went on");
}

fn a_hanging_call_times_out_and_the_server_stays() {
    let s = Scratch::task("py-cart-discount");
    let log = s.state.path().join("calls.log");
    let replies = [
        call("fx__sleep", json!({"seconds": 60})),
        call("fx__echo", json!({"text": "still here"})),
        FIX.to_string(),
    ];
    let start = Instant::now();
    let (_, events, _, _) = run(
        &s,
        &fixture("trusted = true\ntool_timeout_sec = 1", &log),
        false,
        &replies,
    );
    assert!(
        start.elapsed() < Duration::from_secs(40),
        "not the full minute"
    );
    let results = tool_results(&events);
    assert!(
        results[0].2.contains("did not answer within 1 s"),
        "{results:?}"
    );
    assert!(
        results[1].2.contains("fixture heard: still here"),
        "{results:?}"
    );
}

fn results_are_defused_and_cut_to_head_and_tail() {
    let s = Scratch::task("py-cart-discount");
    let log = s.state.path().join("calls.log");
    let replies = [call("fx__big", json!({"size": 50_000})), FIX.to_string()];
    let (_, events, told, _) = run(&s, &fixture("trusted = true", &log), false, &replies);
    let told = &told[1];
    assert!(
        told.contains("BEGIN") && told.contains("END"),
        "head and tail"
    );
    let start: String = told.chars().take(300).collect();
    assert!(told.contains("the beginning and the end shown"), "{start}");
    assert!(told.len() < 8_000, "{} characters", told.len());
    assert!(
        !told.contains("<tool_call>") && !told.contains("<|im_start|>"),
        "defused"
    );
    let shell_ran = events
        .iter()
        .any(|e| matches!(e, Event::ToolCall { call } if call.name == "shell"));
    assert!(!shell_ran, "text in a result is not a call");
}

fn a_tool_error_and_a_disabled_tool() {
    let s = Scratch::task("py-cart-discount");
    let log = s.state.path().join("calls.log");
    let replies = [
        call("fx__fail", json!({})),
        call("fx__secret", json!({})),
        FIX.to_string(),
    ];
    let (_, events, _, _) = run(
        &s,
        &fixture("trusted = true\ndisabled_tools = [\"secret\"]", &log),
        false,
        &replies,
    );
    let results = tool_results(&events);
    assert!(
        !results[0].1 && results[0].2.contains("the widget is broken"),
        "{results:?}"
    );
    assert!(
        !results[1].1 && results[1].2.contains("unknown tool"),
        "{results:?}"
    );
    assert_eq!(
        calls(&log),
        ["fail"],
        "the disabled tool never reached the server"
    );
}

fn an_http_server_gets_its_headers_and_token() {
    let dir = tempfile::tempdir().unwrap();
    let port_file = dir.path().join("port");
    let mut server = std::process::Command::new(std::env::current_exe().unwrap())
        .env(HTTP_SERVER_ENV, &port_file)
        .spawn()
        .unwrap();
    let start = Instant::now();
    let port = loop {
        if let Some(p) = std::fs::read_to_string(&port_file)
            .ok()
            .filter(|p| !p.is_empty())
        {
            break p;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the HTTP fixture did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    std::env::set_var("FIXTURE_TOKEN", "s3cret");
    let url = format!("http://127.0.0.1:{port}/mcp");
    let good = format!(
        "[mcp_servers.web]\nurl = {url:?}\nheaders = {{ X-Fixture = \"yes\" }}\nbearer_token_env_var = \"FIXTURE_TOKEN\"\ntrusted = true\n"
    );
    let hub = Hub::start(&servers(&good), dir.path()).unwrap();
    assert!(hub.problems().is_empty(), "{:?}", hub.problems());
    let reply = hub
        .call(
            "web__echo",
            &json!({"text": "over http"}),
            &Default::default(),
        )
        .unwrap();
    assert_eq!(reply.text, "fixture heard: over http");
    drop(hub);
    // Without the header the server refuses, and that is reported, not fatal.
    let bad = format!("[mcp_servers.web]\nurl = {url:?}\n");
    let hub = Hub::start(&servers(&bad), dir.path()).unwrap();
    let problems = hub.problems();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(hub.specs().is_empty());
    let missing = "[mcp_servers.web]\nurl = \"http://127.0.0.1:1/mcp\"\nbearer_token_env_var = \"CRIA_NO_SUCH_VAR\"\n";
    let hub = Hub::start(&servers(missing), dir.path()).unwrap();
    assert!(
        hub.problems()[0].contains("CRIA_NO_SUCH_VAR is not set"),
        "{:?}",
        hub.problems()
    );
    let _ = server.kill();
    let _ = server.wait();
}

/// `cria mcp serve` (with `extra` flags) as the server `cria`.
fn cria_server(s: &Scratch, extra: &[&str]) -> Hub {
    let exe = std::path::PathBuf::from(env!("CARGO_BIN_EXE_cria"));
    let mut args = vec![
        "mcp".to_string(),
        "serve".into(),
        "--kv-cache-mb".into(),
        "0".into(),
    ];
    args.extend(extra.iter().map(|a| a.to_string()));
    let text = format!(
        "[mcp_servers.cria]\ncommand = {exe:?}\nargs = {args:?}\ntrusted = true\nstartup_timeout_sec = 30\ntool_timeout_sec = 120\nenv = {{ CRIA_STATE_DIR = {:?} }}\n",
        s.state.path()
    );
    let hub = Hub::start(&servers(&text), s.path()).unwrap();
    assert!(hub.problems().is_empty(), "{:?}", hub.problems());
    hub
}

fn cria_serves_apply_undo_and_context_to_its_own_client() {
    let s = Scratch::task("py-cart-discount");
    let hub = cria_server(&s, &[]);
    let names: Vec<String> = hub
        .specs()
        .iter()
        .map(|v| v["function"]["name"].as_str().unwrap().to_string())
        .collect();
    for tool in ["cria__fix", "cria__apply", "cria__context", "cria__undo"] {
        assert!(names.iter().any(|n| n == tool), "{tool} in {names:?}");
    }
    let repo = s.path().to_string_lossy().into_owned();
    let before = s.read("shop/cart.py");
    let cancel = Default::default();

    let bad = FIX.replace("subtotal - self", "subtotal + self");
    let refused = hub
        .call("cria__apply", &json!({"repo": repo, "reply": bad}), &cancel)
        .unwrap();
    assert!(
        refused.is_error && refused.text.contains("nothing was written"),
        "{refused:?}"
    );
    assert_eq!(s.read("shop/cart.py"), before);

    let applied = hub
        .call("cria__apply", &json!({"repo": repo, "reply": FIX}), &cancel)
        .unwrap();
    assert!(!applied.is_error, "{applied:?}");
    let v: serde_json::Value = serde_json::from_str(&applied.text).unwrap();
    assert_eq!(v["changed"], json!(["shop/cart.py"]));
    assert!(v["diff"]
        .as_str()
        .unwrap()
        .contains("+        return round(subtotal * (1"));
    assert_ne!(s.read("shop/cart.py"), before);

    let undone = hub
        .call("cria__undo", &json!({"repo": repo}), &cancel)
        .unwrap();
    assert!(!undone.is_error, "{undone:?}");
    assert_eq!(s.read("shop/cart.py"), before, "undone");

    let context = hub
        .call(
            "cria__context",
            &json!({"repo": repo, "task": ISSUE}),
            &cancel,
        )
        .unwrap();
    assert!(context.text.contains("shop/cart.py"), "{}", context.text);

    let missing = hub
        .call("cria__undo", &json!({"repo": "/nonexistent/repo"}), &cancel)
        .unwrap();
    assert!(
        missing.is_error && missing.text.contains("not a directory"),
        "{missing:?}"
    );
}

fn cria_serves_fix_to_its_own_client() {
    let s = Scratch::task("py-cart-discount");
    let script = s.script(&["The discount is subtracted as an amount.", FIX]);
    let script = script.to_string_lossy().into_owned();
    let hub = cria_server(&s, &["--script", &script]);
    let repo = s.path().to_string_lossy().into_owned();
    let reply = hub
        .call(
            "cria__fix",
            &json!({"repo": repo, "issue": ISSUE}),
            &Default::default(),
        )
        .unwrap();
    assert!(!reply.is_error, "{reply:?}");
    let v: serde_json::Value = serde_json::from_str(&reply.text).unwrap();
    assert_eq!(v["outcome"], "fixed", "{v:#}");
    assert_eq!(v["files_changed"], json!(["shop/cart.py"]));
    assert!(v["diff"]
        .as_str()
        .unwrap()
        .contains("discount_percent / 100"));
    assert!(s.read("shop/cart.py").contains("discount_percent / 100"));
    // A call for a tool the server does not have is the client's error, not the server's.
    assert!(matches!(
        hub.call("cria__nope", &json!({}), &Default::default()),
        Err(CallError::Unknown(_))
    ));
}
