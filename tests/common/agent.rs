//! Driving the real binary as a hostile model would: scripted replies that call tools, in a
//! scratch git repository, and what the tools answered.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use super::{events, Scratch};

pub fn shell_call(command: &str) -> String {
    let call = serde_json::json!({"name": "shell", "arguments": {"command": command}});
    format!("<tool_call>\n{call}\n</tool_call>")
}

/// A git repository with one file, in a scratch dir.
pub fn repo() -> Scratch {
    let s = Scratch::empty();
    s.write("notes.txt", "hello\n");
    let ok = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(s.path())
        .status()
        .unwrap()
        .success();
    assert!(ok, "git init");
    s
}

/// `cria fix --json` where the model's replies are `replies`, one per step; the tool results in
/// order.
pub fn run_replies(s: &Scratch, extra: &[&str], replies: &[&str]) -> (Output, Vec<Value>) {
    let script = s.script(replies);
    let steps = replies.len().to_string();
    let out = s
        .cria()
        .args([
            "fix",
            "--json",
            "--no-tests",
            "--max-steps",
            &steps,
            "--script",
        ])
        .arg(&script)
        .arg("--repo")
        .arg(s.path())
        .args(extra)
        .arg("try things")
        .output()
        .unwrap();
    let results: Vec<Value> = events(&out.stdout)
        .into_iter()
        .filter(|e| e["type"] == "tool_result")
        .map(|e| e["result"].clone())
        .collect();
    (out, results)
}

/// `run_replies` where the model runs `commands` with the shell tool, one per step.
pub fn run_commands(s: &Scratch, extra: &[&str], commands: &[&str]) -> (Output, Vec<Value>) {
    let replies: Vec<String> = commands.iter().map(|c| shell_call(c)).collect();
    let refs: Vec<&str> = replies.iter().map(String::as_str).collect();
    let (out, results) = run_replies(s, extra, &refs);
    assert_eq!(
        results.len(),
        commands.len(),
        "every command gets a result; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (out, results)
}

pub fn output_of(result: &Value) -> &str {
    result["output"].as_str().unwrap_or_default()
}

/// A folder outside both the repository and the temp directory (which commands may write).
pub fn outside_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("outside-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
