//! Running a command the agent chose — the tests or a shell command — through one runner: its
//! own session and process group, no controlling terminal, stdin from /dev/null, a timeout
//! after which the whole group gets SIGTERM then SIGKILL, and stdout and stderr drained to the
//! end through one pipe with at most [`KEEP_BYTES`] kept (head and tail).
//!
//! When the `cria` binary is at hand the command runs under its `cria sandbox` helper, which
//! applies the [`Policy`] (see [`super::linux`]) and kills whatever the command leaves behind
//! (see [`super::supervise`]). The helper is probed once when the runner is made, so the
//! session knows — and says — what this machine enforces.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wait_timeout::ChildExt;

use super::policy::{hidden_variable, Enforcement, Policy, SandboxMode, PARENT_ENV};
use crate::cancel::Cancel;

pub const KEEP_BYTES: usize = 1 << 20;

/// How long the helper gets to end the command's tree after SIGTERM before SIGKILL.
const GRACE: Duration = Duration::from_secs(4);

#[derive(Debug, Clone)]
pub struct ProcessOutput {
    pub exit_code: Option<i32>,
    pub timed_out: bool,
    pub seconds: f64,
    /// Combined stdout and stderr, head and tail kept, escape sequences removed.
    pub output: String,
    pub total_bytes: usize,
}

impl ProcessOutput {
    pub fn success(&self) -> bool {
        self.exit_code == Some(0) && !self.timed_out
    }
}

#[derive(Debug, Clone)]
pub struct Runner {
    /// The `cria` binary whose `sandbox` subcommand applies the policy.
    helper: Option<PathBuf>,
    policy: Option<Policy>,
    /// Whether the helper may use user namespaces (the probe found out).
    namespaces: bool,
    pub enforcement: Enforcement,
    /// Raised to end the running command early (as a timeout does).
    cancel: Cancel,
}

impl Runner {
    /// No sandbox and no helper: process-group control only (cria's own scripts, tests).
    pub fn plain() -> Runner {
        Runner {
            helper: None,
            policy: None,
            namespaces: false,
            enforcement: Enforcement::default(),
            cancel: Cancel::default(),
        }
    }

    /// Commands run under `policy`, enforced by the `cria sandbox` helper as far as this
    /// machine allows; probed now.
    pub fn sandboxed(policy: Policy) -> Runner {
        let mut runner = Runner {
            helper: helper_binary(),
            policy: Some(policy),
            namespaces: true,
            enforcement: Enforcement::default(),
            cancel: Cancel::default(),
        };
        runner.enforcement = match runner.probe() {
            Ok(e) => e,
            Err(first) => {
                runner.namespaces = false;
                runner.probe().unwrap_or_else(|second| Enforcement {
                    gaps: vec![first, second],
                    ..Default::default()
                })
            }
        };
        runner
    }

    /// This runner with `dirs` visible (read-only) to its commands although they lie under the
    /// private `/tmp`; probed again.
    pub fn with_readable(&self, dirs: &[PathBuf]) -> Runner {
        match &self.policy {
            Some(policy) => {
                let mut policy = policy.clone();
                policy.readable.extend(dirs.iter().cloned());
                Runner::sandboxed(policy).with_cancel(self.cancel.clone())
            }
            None => self.clone(),
        }
    }

    pub fn policy(&self) -> Option<&Policy> {
        self.policy.as_ref()
    }

    /// The policy is in force: commands may run without asking.
    pub fn enforced(&self) -> bool {
        self.policy
            .as_ref()
            .is_some_and(|p| self.enforcement.enforced(p))
    }

    /// The sandbox was turned off on purpose (`--sandbox off`).
    pub fn off(&self) -> bool {
        self.policy
            .as_ref()
            .is_none_or(|p| p.mode == SandboxMode::Off)
    }

    pub fn describe(&self) -> String {
        match &self.policy {
            Some(p) => self.enforcement.describe(p),
            None => "no sandbox".into(),
        }
    }

    fn probe(&self) -> Result<Enforcement, String> {
        let (Some(helper), Some(policy)) = (&self.helper, &self.policy) else {
            return Err("the cria binary (its sandbox helper) was not found".into());
        };
        let out = Command::new(helper)
            .args(policy.helper_args())
            .args((!self.namespaces).then_some("--no-namespaces"))
            .arg("--probe")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("sandbox helper: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
        }
        serde_json::from_slice(&out.stdout).map_err(|e| format!("sandbox probe: {e}"))
    }

    fn command(&self, script: &str) -> Command {
        match (&self.helper, &self.policy) {
            (Some(helper), Some(policy)) => {
                let mut cmd = Command::new(helper);
                cmd.args(policy.helper_args())
                    .args((!self.namespaces).then_some("--no-namespaces"))
                    .args(["--", "sh", "-c", script])
                    .env(PARENT_ENV, std::process::id().to_string());
                for (name, _) in std::env::vars_os() {
                    let name = name.to_string_lossy();
                    if hidden_variable(&name) && !policy.keep_env.iter().any(|k| *k == name) {
                        cmd.env_remove(name.as_ref());
                    }
                }
                if policy.mode == SandboxMode::WorkspaceWrite {
                    // Toolchains keep caches in the home directory, which is not writable here
                    // (go test fails without its build cache): point them at the temp dir.
                    let cache = std::env::temp_dir().join("cria-cache");
                    cmd.env("XDG_CACHE_HOME", &cache)
                        .env("npm_config_cache", cache.join("npm"));
                }
                cmd
            }
            _ => {
                let mut cmd = Command::new("sh");
                cmd.args(["-c", script]);
                cmd
            }
        }
    }

    /// Run `command` with `sh -c` in `dir`.
    pub fn run(
        &self,
        command: &str,
        dir: &Path,
        timeout: Duration,
    ) -> std::io::Result<ProcessOutput> {
        let start = Instant::now();
        let (reader, writer) = std::io::pipe()?;
        let mut cmd = self.command(command);
        cmd.current_dir(dir)
            .stdin(Stdio::null())
            .stdout(writer.try_clone()?)
            .stderr(writer)
            .env("CI", "true")
            .env("NO_COLOR", "1")
            .env("TERM", "dumb")
            .env("PAGER", "cat")
            .env("GIT_PAGER", "cat")
            .env("GIT_TERMINAL_PROMPT", "0");
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            // SAFETY: setsid is async-signal-safe; it makes the child a session and group
            // leader without a controlling terminal.
            unsafe {
                cmd.pre_exec(|| {
                    libc::setsid();
                    Ok(())
                });
            }
        }
        let mut child = cmd.spawn()?;
        // The parent's copies of the write end must go, or the pipe never ends.
        drop(cmd);
        let pid = child.id() as i32;
        let capture = Arc::new(Mutex::new(Capture::default()));
        let (done_tx, done_rx) = crossbeam_channel::bounded::<()>(1);
        let shared = Arc::clone(&capture);
        std::thread::spawn(move || {
            drain(reader, &shared);
            let _ = done_tx.send(());
        });
        let status = self.wait(&mut child, timeout)?;
        let timed_out = status.is_none();
        let status = match status {
            Some(s) => Some(s),
            None => {
                signal_group(pid, libc::SIGTERM);
                match child.wait_timeout(GRACE)? {
                    Some(s) => Some(s),
                    None => {
                        signal_group(pid, libc::SIGKILL);
                        let _ = child.kill();
                        child.wait().ok()
                    }
                }
            }
        };
        // Anything left in the group (there is none under the helper) goes too.
        signal_group(pid, libc::SIGKILL);
        // A process that escaped the group may still hold the pipe: do not wait for it forever.
        let _ = done_rx.recv_timeout(Duration::from_secs(2));
        let mut text = capture.lock().map(|c| c.text()).unwrap_or_default();
        let total = capture.lock().map(|c| c.total).unwrap_or(0);
        let exit_code = status.and_then(|s| s.code());
        if self.policy.is_some() && exit_code == Some(128 + libc::SIGXFSZ) {
            text.push_str(
                "\n[cria: the command was stopped for writing a file over the sandbox's 8 GiB \
                 limit]\n",
            );
        }
        Ok(ProcessOutput {
            exit_code,
            timed_out,
            seconds: start.elapsed().as_secs_f64(),
            output: strip_ansi(&text),
            total_bytes: total,
        })
    }
}

impl Runner {
    /// Commands run by this runner (and its clones) end when `cancel` is raised.
    pub fn with_cancel(mut self, cancel: Cancel) -> Runner {
        self.cancel = cancel;
        self
    }

    /// Wait for `child` until `timeout`, or until the cancel flag is raised (`None` either way).
    fn wait(
        &self,
        child: &mut std::process::Child,
        timeout: Duration,
    ) -> std::io::Result<Option<std::process::ExitStatus>> {
        let end = Instant::now() + timeout;
        loop {
            let now = Instant::now();
            if now >= end || self.cancel.requested() {
                return Ok(None);
            }
            let slice = (end - now).min(Duration::from_millis(100));
            if let Some(status) = child.wait_timeout(slice)? {
                return Ok(Some(status));
            }
        }
    }
}

/// The running `cria` binary, when this process is one (not a test harness or another tool).
fn helper_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let name = exe.file_stem()?.to_str()?;
    (name == "cria" && cfg!(target_os = "linux")).then_some(exe)
}

/// Output kept from a command: the first and the last `KEEP_BYTES / 2`, and the total size.
#[derive(Default)]
struct Capture {
    head: Vec<u8>,
    tail: Vec<u8>,
    total: usize,
}

impl Capture {
    fn push(&mut self, mut bytes: &[u8]) {
        self.total += bytes.len();
        let half = KEEP_BYTES / 2;
        if self.head.len() < half {
            let n = bytes.len().min(half - self.head.len());
            let (head, rest) = bytes.split_at(n);
            self.head.extend_from_slice(head);
            bytes = rest;
        }
        self.tail.extend_from_slice(bytes);
        if self.tail.len() > 2 * half {
            self.tail.drain(..self.tail.len() - half);
        }
    }

    fn text(&self) -> String {
        let half = KEEP_BYTES / 2;
        let tail = self
            .tail
            .get(self.tail.len().saturating_sub(half)..)
            .unwrap_or_default();
        let mut text = String::from_utf8_lossy(&self.head).into_owned();
        let omitted = self.total - self.head.len() - tail.len();
        if omitted > 0 {
            text.push_str(&format!("\n[... {omitted} bytes omitted ...]\n"));
        }
        text.push_str(&String::from_utf8_lossy(tail));
        text
    }
}

fn drain(mut reader: std::io::PipeReader, capture: &Mutex<Capture>) {
    let mut buf = vec![0u8; 1 << 16];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                if let Ok(mut c) = capture.lock() {
                    c.push(buf.get(..n).unwrap_or_default());
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        }
    }
}

fn signal_group(pid: i32, signal: libc::c_int) {
    #[cfg(unix)]
    // SAFETY: signalling the process group the child leads.
    unsafe {
        libc::kill(-pid, signal);
    }
}

/// Remove terminal escape sequences and other control characters except newline and tab.
pub fn strip_ansi(text: &str) -> String {
    static RE: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(
            r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[@-Z\\-_]",
        )
        .ok()
    });
    let stripped = match re {
        Some(re) => re.replace_all(text, ""),
        None => text.into(),
    };
    stripped
        .chars()
        .filter(|&c| c == '\n' || c == '\t' || !c.is_control())
        .collect()
}

/// The first `head` and last `tail` characters of `text`, with a note of what was cut.
pub fn head_tail(text: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= head + tail {
        return text.to_string();
    }
    let h: String = chars.iter().take(head).collect();
    let t: String = chars.iter().skip(chars.len() - tail).collect();
    format!(
        "{h}\n[... {} characters cut ...]\n{t}",
        chars.len() - head - tail
    )
}

#[cfg(test)]
#[path = "process_tests.rs"]
mod tests;
