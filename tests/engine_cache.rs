//! The engine's "never process a token twice" features on a real model (the 0.5B nano tier: the
//! 135M model's logits are so close that batch shape alone flips its greedy choices):
//! a prompt prefix saved to disk and restored by the next process, a corrupt entry rebuilt
//! rather than trusted, prompt lookup giving exactly plain decoding's text, and `cria bench`'s
//! report. Speeds are reported by `cria bench`, never asserted here.

#![cfg(feature = "llama")]

mod common;

use std::path::{Path, PathBuf};

use common::model;

use cria::model::llama::{LlamaBackendHandle, LlamaOptions};
use cria::model::{Backend, Completion, Flow, Request};
use cria::protocol::Message;

fn load(cache: Option<&Path>) -> LlamaBackendHandle {
    let mut opts = LlamaOptions::new(model("nano"));
    opts.max_ctx = 4096;
    opts.kv_cache = cache.map(|c| (c.to_path_buf(), 1 << 30));
    LlamaBackendHandle::load(opts, Box::new(|_| {})).expect("model loads")
}

/// A conversation whose prompt is well over the disk cache's minimum.
fn long_question() -> Vec<Message> {
    let code = include_str!("../src/edit/matching.rs");
    let code: String = code.lines().take(120).collect::<Vec<_>>().join("\n");
    vec![
        Message::system("You are a helpful assistant."),
        Message::user(format!("{code}\n\nWhat does this code do?")),
    ]
}

/// A greedy request of `messages` for at most `max_tokens`.
fn greedy(messages: &[Message], max_tokens: usize) -> Request<'_> {
    Request {
        messages,
        tools: &[],
        max_tokens,
        temperature: 0.0,
        seed: 1,
        stop_after: &[],
        prefill: "",
        constraints: None,
        deadline: None,
    }
}

fn ask(b: &mut LlamaBackendHandle, messages: &[Message], max_tokens: usize) -> Completion {
    b.complete(&greedy(messages, max_tokens), &mut |_| Flow::Continue)
        .unwrap()
}

fn entries(dir: &Path, ext: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|it| {
            it.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == ext))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn a_saved_prefix_is_restored_by_the_next_process_with_the_same_answer() {
    let cache = tempfile::tempdir().unwrap();
    let question = long_question();
    let first = {
        let mut b = load(Some(cache.path()));
        ask(&mut b, &question, 24)
    };
    assert!(first.prompt_tokens > 600, "{} tokens", first.prompt_tokens);
    assert_eq!(first.reused_tokens, 0);
    assert_eq!(entries(cache.path(), "kv").len(), 1);
    assert_eq!(entries(cache.path(), "tok").len(), 1);

    let mut b = load(Some(cache.path()));
    let second = ask(&mut b, &question, 24);
    assert_eq!(second.reused_tokens, second.prompt_tokens - 1);
    assert_eq!(second.text, first.text);

    // Without the cache the same prompt is processed in full: the reuse above came from disk.
    let mut plain = load(None);
    let third = ask(&mut plain, &question, 24);
    assert_eq!(third.reused_tokens, 0);
    assert_eq!(third.text, first.text);
}

/// A prompt warmed in the background is the next request's prefix: the request processes only
/// its last token and answers as it would have. One that does not continue it stops it and is
/// answered as in a fresh session.
#[test]
fn a_warmed_prompt_is_reused_by_the_request_that_continues_it() {
    let question = long_question();
    let plain = ask(&mut load(None), &question, 24);

    let mut b = load(None);
    b.warm(&greedy(&question, 0));
    let warmed = ask(&mut b, &question, 24);
    assert_eq!(warmed.reused_tokens, warmed.prompt_tokens - 1);
    assert_eq!(warmed.text, plain.text);

    let other = vec![Message::system("You are terse."), Message::user("Say hi.")];
    let fresh = ask(&mut load(None), &other, 8);
    let mut b = load(None);
    b.warm(&greedy(&question, 0));
    let elsewhere = ask(&mut b, &other, 8);
    assert_eq!(elsewhere.text, fresh.text);
    assert!(elsewhere.reused_tokens < 8, "{}", elsewhere.reused_tokens);
}

#[test]
fn a_corrupt_entry_is_dropped_and_rebuilt() {
    let cache = tempfile::tempdir().unwrap();
    let question = long_question();
    let first = ask(&mut load(Some(cache.path())), &question, 16);
    let kv = entries(cache.path(), "kv").pop().unwrap();
    let size = std::fs::metadata(&kv).unwrap().len();
    let bytes = std::fs::read(&kv).unwrap();
    std::fs::write(&kv, &bytes[..bytes.len() / 3]).unwrap();

    let mut b = load(Some(cache.path()));
    let again = ask(&mut b, &question, 16);
    assert_eq!(again.reused_tokens, 0, "a truncated entry must not be used");
    assert_eq!(again.text, first.text);
    let rebuilt = entries(cache.path(), "kv");
    assert_eq!(rebuilt.len(), 1);
    assert_eq!(std::fs::metadata(&rebuilt[0]).unwrap().len(), size);
}

#[test]
fn prompt_lookup_gives_exactly_the_plain_decoding_text() {
    let file = include_str!("../fixtures/tasks/rs-stack-peek/repo/src/lib.rs");
    let edit = vec![
        Message::system("You are a careful coding agent."),
        Message::user(format!(
            "src/lib.rs\n```rust\n{file}```\n\nRepeat src/lib.rs exactly, in one code block."
        )),
    ];
    let mut b = load(None);
    b.set_lookup(false).unwrap();
    let plain = ask(&mut b, &edit, 300);
    b.reset().unwrap();
    b.set_lookup(true).unwrap();
    let drafted = ask(&mut b, &edit, 300);
    let (proposed, accepted) = b.lookup_stats().unwrap();
    assert!(plain.generated_tokens > 50, "{}", plain.text);
    assert_eq!(drafted.text, plain.text);
    assert!(
        accepted > 0 && proposed >= accepted,
        "{accepted} of {proposed}"
    );
}

#[test]
fn cria_bench_reports_every_figure() {
    let s = common::Scratch::empty();
    let out = s
        .cria()
        .args(["bench", "--json", "--model"])
        .arg(model("test"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap();
    let r: serde_json::Value = serde_json::from_str(last).unwrap();
    for key in [
        "raw_prefill_tps",
        "raw_decode_tps",
        "agent_prefill_tps",
        "agent_decode_tps",
        "cold_ttft_s",
        "warm_ttft_s",
        "lookup_speedup",
    ] {
        assert!(r[key].as_f64().unwrap() > 0.0, "{key}: {r}");
    }
    let new = r["turn2_new_tokens"].as_u64().unwrap();
    let prefilled = r["turn2_prefilled_tokens"].as_u64().unwrap();
    assert!(
        new > 0 && prefilled <= new + 4,
        "turn 2 added {new}, processed {prefilled}"
    );
    let prefix = r["prefix_tokens"].as_u64().unwrap();
    assert!(prefix > 3_000, "{prefix}");
    assert_eq!(r["warm_reused_tokens"].as_u64().unwrap(), prefix - 1);
    assert!(r["lookup_identical"].is_boolean());
}
