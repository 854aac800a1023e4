//! `cria fix --endpoint` against an OpenAI-compatible server on loopback (a scripted stdlib
//! Python server, `tests/support/openai_mock.py`): streaming, a native tool call round trip,
//! retries on 500 and on a dropped stream, a stalled server, and no edit ever applied from a
//! broken response.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

use common::Scratch;
use serde_json::{json, Value};

const FIX: &str = "The discount is subtracted as an amount.\n\nshop/cart.py\n```python\n<<<<<<< SEARCH\n        return round(subtotal - self.discount_percent, 2)\n=======\n        return round(subtotal * (1 - self.discount_percent / 100), 2)\n>>>>>>> REPLACE\n```\n";
/// The first reply of a session is a diagnosis cut where code begins (as with the embedded
/// engine); the scripts open with a tool call, so the edit comes in a turn of its own.
fn read_cart() -> Value {
    json!({"text": "Let me read the cart.", "tool_calls": [
        {"name": "read_file", "arguments": {"path": "shop/cart.py"}}]})
}

const BROKEN: &str = "        return round(subtotal - self.discount_percent, 2)";

struct Server {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    fn start(dir: &Path, script: Value) -> Server {
        Server::start_as(dir, script, false)
    }

    /// A mock that answers its GETs as llama-server does when `llama_server`.
    fn start_as(dir: &Path, script: Value, llama_server: bool) -> Server {
        let script_path = dir.join("server-script.json");
        std::fs::write(&script_path, script.to_string()).unwrap();
        let log = dir.join("requests.jsonl");
        let port_file = dir.join("port");
        let child = Command::new("python3")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/openai_mock.py"))
            .arg(&script_path)
            .arg(&log)
            .arg(&port_file)
            .env("MOCK_LLAMA_SERVER", if llama_server { "1" } else { "0" })
            .spawn()
            .expect("python3 runs the mock server");
        let start = Instant::now();
        let port = loop {
            if let Ok(p) = std::fs::read_to_string(&port_file) {
                break p.trim().parse().unwrap();
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "mock server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        };
        Server { child, port, log }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }

    fn requests(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

fn fix(s: &Scratch, server: &Server, extra: &[&str]) -> Output {
    s.cria()
        .args(["fix", "--endpoint", &server.url(), "--max-steps", "3"])
        .arg("--repo")
        .arg(s.path())
        .args(extra)
        .arg("the discount is applied wrongly")
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_streamed_tool_call_round_trip_then_an_edit_fixes_the_bug() {
    let s = Scratch::task("py-cart-discount");
    s.write("AGENTS.md", "Keep the rounding to two places.\n");
    let server = Server::start(s.state.path(), json!([read_cart(), {"text": FIX}]));
    let out = fix(&s, &server, &["--model-name", "qwen-test"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!s.read("shop/cart.py").contains(BROKEN));
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let first = &requests[0];
    assert_eq!(first["stream"], true);
    assert_eq!(first["model"], "qwen-test");
    let tools: Vec<&str> = first["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    assert!(
        tools.contains(&"read_file") && tools.contains(&"shell"),
        "{tools:?}"
    );
    let system = first["messages"][0]["content"].as_str().unwrap();
    assert!(
        system.contains("Keep the rounding to two places."),
        "AGENTS.md reaches the model"
    );
    // The tool result went back, with the file's text, as the last message of the second turn.
    let last = requests[1]["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    let content = last["content"].as_str().unwrap();
    assert!(
        content.contains("<tool_response>") && content.contains("def total"),
        "{content}"
    );
}

#[test]
fn the_time_limit_cuts_a_reply_short_and_nothing_of_it_is_applied() {
    let s = Scratch::task("py-cart-discount");
    // Each reply streams for about thirteen seconds; the run has five. The diagnosis ends at
    // its first paragraph, early; the edit after it would fix the bug if it were let finish
    // (checking the limit only between steps, it was).
    let server = Server::start(s.state.path(), json!([{"text": FIX, "delay": 0.3}]));
    let out = fix(&s, &server, &["--max-seconds", "5"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}\n{}", stderr(&out));
    assert!(text.contains("time limit reached (5 s)"), "{text}");
    assert!(
        s.read("shop/cart.py").contains(BROKEN),
        "the cut reply was not applied"
    );
}

#[test]
fn the_time_limit_holds_while_the_server_is_silent() {
    let s = Scratch::task("py-cart-discount");
    // A server processing a long prompt sends nothing for a minute (the mock: headers, then
    // silence); no streamed piece comes to stop on, so the request itself is given only the
    // time the run has left.
    let server = Server::start(s.state.path(), json!([{"text": FIX, "stall_after": 0}]));
    let start = Instant::now();
    let out = fix(&s, &server, &["--max-seconds", "5"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}\n{}", stderr(&out));
    assert!(text.contains("time limit reached (5 s)"), "{text}");
    assert!(
        start.elapsed() < Duration::from_secs(30),
        "the run waited out the silence: {:?}",
        start.elapsed()
    );
    assert_eq!(server.requests().len(), 1, "no retry past the time limit");
    assert!(s.read("shop/cart.py").contains(BROKEN));
}

#[test]
fn a_500_is_retried_and_the_next_answer_is_used() {
    let s = Scratch::task("py-cart-discount");
    let server = Server::start(
        s.state.path(),
        json!([read_cart(), {"status": 500}, {"text": FIX}]),
    );
    let out = fix(&s, &server, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn a_server_that_keeps_failing_is_a_backend_error_with_nothing_applied() {
    let s = Scratch::task("py-cart-discount");
    let server = Server::start(s.state.path(), json!([{"status": 500}]));
    let out = fix(&s, &server, &[]);
    assert_eq!(out.status.code(), Some(3));
    assert!(stderr(&out).contains("500"), "{}", stderr(&out));
    assert!(s.read("shop/cart.py").contains(BROKEN));
    assert_eq!(server.requests().len(), 4, "one try and three retries");
}

#[test]
fn a_whole_edit_in_a_stream_that_never_finished_is_not_applied() {
    let s = Scratch::task("py-cart-discount");
    // Every delta of the fix arrives, then the connection drops before the finish and [DONE].
    let server = Server::start(
        s.state.path(),
        json!([read_cart(), {"text": FIX, "truncate": true}]),
    );
    let out = fix(&s, &server, &[]);
    assert_eq!(out.status.code(), Some(3));
    assert!(
        stderr(&out).contains("closed the stream"),
        "{}",
        stderr(&out)
    );
    assert!(s.read("shop/cart.py").contains(BROKEN));
}

#[test]
fn a_stream_dropped_once_is_retried() {
    let s = Scratch::task("py-cart-discount");
    let server = Server::start(
        s.state.path(),
        json!([read_cart(), {"text": FIX, "close_after": 4}, {"text": FIX}]),
    );
    let out = fix(&s, &server, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!s.read("shop/cart.py").contains(BROKEN));
}

#[test]
fn a_stalled_server_times_out_and_nothing_is_applied() {
    let s = Scratch::task("py-cart-discount");
    let server = Server::start(
        s.state.path(),
        json!([read_cart(), {"text": FIX, "stall_after": 3}]),
    );
    let start = Instant::now();
    let out = fix(&s, &server, &["--endpoint-timeout", "1"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(start.elapsed() < Duration::from_secs(50));
    assert!(s.read("shop/cart.py").contains(BROKEN));
}

#[test]
fn a_larger_repository_gets_a_repo_map_in_the_first_prompt() {
    let s = Scratch::task("py-cart-discount");
    for i in 0..30 {
        s.write(
            &format!("pkg/module_{i}.py"),
            &format!("def helper_{i}(value):\n    return value + {i}\n"),
        );
    }
    let server = Server::start(s.state.path(), json!([{"text": "I cannot tell."}]));
    let out = fix(&s, &server, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let requests = server.requests();
    let task = requests[0]["messages"][1]["content"].as_str().unwrap();
    let map = task
        .split("# Repository map (definitions by file)")
        .nth(1)
        .unwrap_or_else(|| panic!("no map in: {task}"));
    assert!(
        map.contains("pkg/module_7.py:\n     1│ def helper_7(value):"),
        "{map}"
    );
    assert!(
        !map.contains("shop/cart.py:"),
        "files shown whole are not mapped: {map}"
    );
    assert!(
        task.contains("def total(self)"),
        "the localized file is still shown whole"
    );
}

#[test]
fn escalation_hands_the_same_run_to_the_profiles_endpoint() {
    let s = Scratch::task("py-cart-discount");
    let server = Server::start(s.state.path(), json!([read_cart(), {"text": FIX}]));
    let config = s.state.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.big]\nendpoint = \"{}\"\nmodel_name = \"big-coder\"\n",
            server.url()
        ),
    )
    .unwrap();
    // The local model (a script) only ever proposes a change that does not help.
    let wrong = "shop/cart.py\n<<<<<<< SEARCH\n        return round(subtotal - self.discount_percent, 2)\n=======\n        return round(subtotal - self.discount_percent + 0, 2)\n>>>>>>> REPLACE\n";
    let script = s.script(&["The discount is wrong.", wrong, wrong, wrong]);
    let out = s
        .cria()
        .env("CRIA_CONFIG", &config)
        .args(["fix", "--script"])
        .arg(&script)
        .args(["--max-steps", "2", "--escalate", "big", "--repo"])
        .arg(s.path())
        .arg("the discount is applied wrongly")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}\n{}", stderr(&out));
    assert!(!s.read("shop/cart.py").contains(BROKEN));
    assert!(
        text.contains("found no verified fix in 2 step(s)") && text.contains("continued"),
        "{text}"
    );
    assert!(text.contains("The kept change was written by"), "{text}");
    // The endpoint continued the run: it was shown the local model's attempt and the tests.
    let requests = server.requests();
    assert_eq!(requests[0]["model"], "big-coder");
    let history = requests[0]["messages"].to_string();
    assert!(
        history.contains("Another, smaller model worked on this problem"),
        "{history}"
    );
    assert!(
        history.contains("The discount is wrong."),
        "the conversation carried over"
    );
}

#[test]
fn a_rewrite_is_sent_to_llama_server_as_a_grammar_and_unconstrained_elsewhere() {
    use cria::model::constrain::Constraints;
    use cria::model::openai::{OpenAiBackend, OpenAiOptions};
    use cria::model::{Backend, Flow, Request};
    use cria::protocol::Message;

    let reply = "```python\ndef total(self):\n    return 1\n```";
    for llama_server in [true, false] {
        let dir = tempfile::tempdir().unwrap();
        // llama-server refuses the first request (a grammar it cannot take): the reply comes
        // from the request sent again without it.
        let script = if llama_server {
            json!([{"status": 400}, {"text": reply}])
        } else {
            json!([{"text": reply}])
        };
        let server = Server::start_as(dir.path(), script, llama_server);
        let mut backend = OpenAiBackend::connect(OpenAiOptions {
            endpoint: server.url(),
            api_key: None,
            model_name: None,
            timeout: Duration::from_secs(20),
            retries: 0,
            fallback_ctx: 2048,
        })
        .unwrap();
        assert_eq!(backend.constrains().code_head, llama_server);
        assert!(!backend.constrains().search_lines && !backend.constrains().tool_calls);
        assert_eq!(
            backend.context_window(),
            8192,
            "read from /props or /models"
        );
        let constraints = Constraints {
            code_head: Some("def total".into()),
            ..Default::default()
        };
        let messages = [Message::user("Rewrite `total` with the bug fixed.")];
        let tools = cria::tools::specs();
        let request = Request {
            messages: &messages,
            tools: &tools,
            max_tokens: 64,
            temperature: 0.0,
            seed: 1,
            stop_after: &["```"],
            prefill: "",
            constraints: Some(&constraints),
            deadline: None,
        };
        let done = backend.complete(&request, &mut |_| Flow::Continue).unwrap();
        assert_eq!(done.text, reply);
        let sent = &server.requests()[0];
        if llama_server {
            let grammar = sent["grammar"].as_str().expect("a grammar was sent");
            assert!(grammar.contains("\"def total\""), "{grammar}");
            assert!(
                sent.get("tools").is_none(),
                "llama-server refuses tools beside a grammar"
            );
            let again = &server.requests()[1];
            assert!(again.get("grammar").is_none() && again.get("tools").is_none());
        } else {
            assert!(sent.get("grammar").is_none(), "{sent}");
            assert!(sent["tools"].is_array());
        }
    }
}
