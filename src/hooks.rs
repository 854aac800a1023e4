//! Hooks: the user's own commands at fixed points of a run, in the format Claude Code defined
//! and Codex and Goose adopted, so existing hook scripts work unchanged.
//!
//! ```toml
//! [[hooks.PreToolUse]]
//! matcher = "edit|shell"          # a regex on the tool's name; absent or "*": every tool
//! hooks = [{ type = "command", command = "scripts/guard.sh", timeout = 30 }]
//! ```
//!
//! Events: `PreToolUse` (before a tool runs or an edit is written; cria's own edits from a
//! reply's SEARCH/REPLACE blocks are the tool `edit`, with the diff as input), `PostToolUse`
//! (after it, with the result: an edit's diff), `UserPromptSubmit` (before the request reaches
//! the model) and `Stop` (when the run would end). A command gets the event as JSON on stdin and
//! runs in the repository, as the user, outside the sandbox: hooks are the user's own code.
//! Exit 0 goes on (a `UserPromptSubmit` hook's stdout is added to the request); exit 2 blocks —
//! the tool does not run, the edit is not written, the request is refused, the run does not
//! stop yet — and its stderr goes to the model (to the user for a refused request); any other
//! exit is a warning and the run goes on. Hooks from a repository's `.cria.toml` run only once
//! the user trusts the repository.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};
use wait_timeout::ChildExt;

/// The hooks configured for a session, by event.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hooks {
    #[serde(rename = "PreToolUse", default)]
    pub pre_tool_use: Vec<Matcher>,
    #[serde(rename = "PostToolUse", default)]
    pub post_tool_use: Vec<Matcher>,
    #[serde(rename = "UserPromptSubmit", default)]
    pub user_prompt_submit: Vec<Matcher>,
    #[serde(rename = "Stop", default)]
    pub stop: Vec<Matcher>,
}

/// Commands for the tools whose names match `matcher`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Matcher {
    #[serde(default)]
    pub matcher: Option<String>,
    pub hooks: Vec<HookCommand>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HookCommand {
    /// Only `"command"` exists.
    #[serde(rename = "type")]
    pub kind: String,
    pub command: String,
    /// Seconds before the command is killed (default 60).
    #[serde(default)]
    pub timeout: Option<u64>,
}

/// The points of a run where hooks run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookEvent {
    PreToolUse,
    PostToolUse,
    UserPromptSubmit,
    Stop,
}

impl HookEvent {
    fn name(self) -> &'static str {
        match self {
            HookEvent::PreToolUse => "PreToolUse",
            HookEvent::PostToolUse => "PostToolUse",
            HookEvent::UserPromptSubmit => "UserPromptSubmit",
            HookEvent::Stop => "Stop",
        }
    }
}

/// What the hooks of one event said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdict {
    /// A hook exited 2: its stderr (what to tell the model, or the user).
    pub blocked: Option<String>,
    /// The stdout of the hooks that succeeded (added to a request by `UserPromptSubmit`).
    pub context: String,
    /// Hooks that failed otherwise, in words (reported; the run goes on).
    pub warnings: Vec<String>,
}

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Output kept from a hook, each stream.
const KEEP: usize = 16 * 1024;

impl Hooks {
    pub fn is_empty(&self) -> bool {
        self.pre_tool_use.is_empty()
            && self.post_tool_use.is_empty()
            && self.user_prompt_submit.is_empty()
            && self.stop.is_empty()
    }

    /// These hooks, then `other`'s (a later config layer's).
    pub fn merged(mut self, other: &Hooks) -> Hooks {
        self.pre_tool_use.extend(other.pre_tool_use.iter().cloned());
        self.post_tool_use
            .extend(other.post_tool_use.iter().cloned());
        self.user_prompt_submit
            .extend(other.user_prompt_submit.iter().cloned());
        self.stop.extend(other.stop.iter().cloned());
        self
    }

    /// Check what cannot be checked by deserializing: the type, the matchers' regexes.
    pub fn validate(&self) -> Result<(), String> {
        for m in self.all() {
            if let Some(pattern) = &m.matcher {
                regex::Regex::new(pattern).map_err(|e| format!("hook matcher `{pattern}`: {e}"))?;
            }
            if let Some(h) = m.hooks.iter().find(|h| h.kind != "command") {
                return Err(format!(
                    "hook type `{}`: only `command` hooks exist",
                    h.kind
                ));
            }
        }
        Ok(())
    }

    /// The commands of each event that has any, for `cria config`.
    pub fn summary(&self) -> Value {
        let commands = |ms: &[Matcher]| -> Vec<String> {
            ms.iter()
                .flat_map(|m| {
                    m.hooks.iter().map(move |h| match &m.matcher {
                        Some(p) => format!("{p}: {}", h.command),
                        None => h.command.clone(),
                    })
                })
                .collect()
        };
        let mut out = serde_json::Map::new();
        for (name, ms) in [
            ("PreToolUse", &self.pre_tool_use),
            ("PostToolUse", &self.post_tool_use),
            ("UserPromptSubmit", &self.user_prompt_submit),
            ("Stop", &self.stop),
        ] {
            if !ms.is_empty() {
                out.insert(name.into(), json!(commands(ms)));
            }
        }
        Value::Object(out)
    }

    fn all(&self) -> impl Iterator<Item = &Matcher> {
        self.pre_tool_use
            .iter()
            .chain(&self.post_tool_use)
            .chain(&self.user_prompt_submit)
            .chain(&self.stop)
    }

    /// Run the hooks of `event` (for `tool`, when the event is about one) with `input` and the
    /// common fields on stdin, in `dir`. Every matching hook runs, in order, until one blocks.
    pub fn run(
        &self,
        event: HookEvent,
        tool: Option<&str>,
        mut input: Value,
        dir: &Path,
    ) -> Verdict {
        let matchers = match event {
            HookEvent::PreToolUse => &self.pre_tool_use,
            HookEvent::PostToolUse => &self.post_tool_use,
            HookEvent::UserPromptSubmit => &self.user_prompt_submit,
            HookEvent::Stop => &self.stop,
        };
        let mut verdict = Verdict::default();
        let commands = matchers
            .iter()
            .filter(|m| matches(m.matcher.as_deref(), tool))
            .flat_map(|m| &m.hooks);
        if let Some(fields) = input.as_object_mut() {
            fields.insert("hook_event_name".into(), json!(event.name()));
            fields.insert("cwd".into(), json!(dir));
            if let Some(tool) = tool {
                fields.insert("tool_name".into(), json!(tool));
            }
        }
        let stdin = input.to_string();
        for hook in commands {
            let timeout = hook.timeout.map_or(DEFAULT_TIMEOUT, Duration::from_secs);
            match run_one(&hook.command, &stdin, dir, timeout) {
                Ok(done) if done.code == Some(0) => verdict.context.push_str(&done.stdout),
                Ok(done) if done.code == Some(2) => {
                    verdict.blocked = Some(done.stderr.trim().to_string());
                    return verdict;
                }
                Ok(done) => verdict.warnings.push(format!(
                    "{} hook `{}` {}: {}",
                    event.name(),
                    hook.command,
                    done.code
                        .map_or("timed out or was killed".to_string(), |c| format!(
                            "exited {c}"
                        )),
                    done.stderr.trim()
                )),
                Err(e) => verdict.warnings.push(format!(
                    "{} hook `{}` could not run: {e}",
                    event.name(),
                    hook.command
                )),
            }
        }
        verdict
    }
}

/// Claude Code's rule: no matcher, an empty one or `*` matches every tool; otherwise a regex
/// that must match the whole name.
fn matches(matcher: Option<&str>, tool: Option<&str>) -> bool {
    let (Some(pattern), Some(tool)) = (matcher, tool) else {
        return true;
    };
    if pattern.is_empty() || pattern == "*" {
        return true;
    }
    regex::Regex::new(&format!("^(?:{pattern})$")).is_ok_and(|re| re.is_match(tool))
}

struct Done {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// `sh -c command` in `dir` with `stdin`, its own process group killed after `timeout`.
fn run_one(command: &str, stdin: &str, dir: &Path, timeout: Duration) -> std::io::Result<Done> {
    let mut cmd = Command::new("sh");
    cmd.args(["-c", command])
        .current_dir(dir)
        .env("CRIA_PROJECT_DIR", dir)
        .env("CLAUDE_PROJECT_DIR", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let mut child = cmd.spawn()?;
    let pid = child.id() as i32;
    if let Some(mut input) = child.stdin.take() {
        // A hook that does not read its input is fine.
        let _ = input.write_all(stdin.as_bytes());
    }
    // Read to the end (a hook must never block on a full pipe), keeping the start.
    let read = |stream: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            let mut chunk = [0u8; 8192];
            if let Some(mut s) = stream {
                while let Ok(n) = s.read(&mut chunk) {
                    if n == 0 {
                        break;
                    }
                    let room = KEEP.saturating_sub(kept.len()).min(n);
                    kept.extend_from_slice(chunk.get(..room).unwrap_or_default());
                }
            }
            String::from_utf8_lossy(&kept).into_owned()
        })
    };
    let out = read(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let err = read(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let status = child.wait_timeout(timeout)?;
    // Whatever the hook left running in its group goes too (it would hold the pipes open).
    // SAFETY: signalling the process group this function created.
    unsafe { libc::kill(-pid, libc::SIGKILL) };
    let code = match status {
        Some(s) => s.code(),
        None => {
            let _ = child.wait();
            None
        }
    };
    Ok(Done {
        code,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}

#[cfg(test)]
#[path = "hooks_tests.rs"]
mod tests;
