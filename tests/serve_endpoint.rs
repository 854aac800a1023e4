//! A real OpenAI-compatible server on loopback: `cria serve` with the nano model, spoken to by
//! cria's own endpoint client — the server's context window, a streamed reply whose native tool
//! call comes back as a call, and the next turn reusing the server's KV cache.

#![cfg(feature = "llama")]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use cria::model::openai::{OpenAiBackend, OpenAiOptions};
use cria::model::{Backend, Completion, Flow, Request};
use cria::protocol::Message;

struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start `cria serve` on a free port; its API base.
fn serve(state: &std::path::Path) -> (Serve, String) {
    let model = common::model("nano");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cria"))
        .env("CRIA_STATE_DIR", state)
        .env("CRIA_CACHE_DIR", state.join("cache"))
        .arg("--model")
        .arg(&model)
        .args(["--ctx", "4096", "serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .last()
        .unwrap_or_default()
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");
    (Serve(child), url)
}

fn ask(
    client: &mut OpenAiBackend,
    messages: &[Message],
    tools: &[serde_json::Value],
    max_tokens: usize,
) -> Completion {
    let request = Request {
        messages,
        tools,
        max_tokens,
        temperature: 0.0,
        seed: 1,
        stop_after: &[],
        prefill: "",
        constraints: None,
        deadline: None,
    };
    client.complete(&request, &mut |_| Flow::Continue).unwrap()
}

#[test]
fn cria_serve_streams_native_tool_calls_and_reuses_its_cache() {
    let state = tempfile::tempdir().unwrap();
    let (_server, url) = serve(state.path());
    let mut client = OpenAiBackend::connect(OpenAiOptions {
        endpoint: url,
        api_key: None,
        model_name: None,
        timeout: Duration::from_secs(300),
        retries: 0,
        fallback_ctx: 1024,
    })
    .unwrap();
    assert_eq!(client.context_window(), 4096, "the server's window is used");

    let tools = cria::tools::specs();
    let mut messages = vec![
        Message::system("You are a coding assistant working in a repository."),
        Message::user(
            "Which files does this repository have? Use the list_files tool to find out.",
        ),
    ];
    let first = ask(&mut client, &messages, &tools, 64);
    let calls = cria::toolcall::parse(&first.text).calls;
    assert_eq!(calls.len(), 1, "{}", first.text);
    assert_eq!(calls[0].name, "list_files");
    assert!(first.prompt_tokens > 100);

    messages.push(Message::assistant(first.text.clone()));
    messages.push(Message::tool("src/main.rs\nREADME.md"));
    let second = ask(&mut client, &messages, &tools, 24);
    assert!(!second.text.trim().is_empty());
    assert!(
        second.reused_tokens >= first.prompt_tokens - 1,
        "turn 2 reused {} of the first turn's {} prompt tokens",
        second.reused_tokens,
        first.prompt_tokens
    );
}
