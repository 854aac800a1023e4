//! Running a command the agent chose: its own process group, stdin from /dev/null, a timeout
//! after which the whole group gets SIGTERM then SIGKILL, and output drained to the end with at
//! most [`KEEP_BYTES`] kept (head and tail).

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use wait_timeout::ChildExt;

pub const KEEP_BYTES: usize = 1 << 20;

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

/// Run `command` with `sh -c` in `dir`.
pub fn run_shell(command: &str, dir: &Path, timeout: Duration) -> std::io::Result<ProcessOutput> {
    let start = Instant::now();
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!("exec 2>&1\n{command}"))
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .env("CI", "true")
        .env("NO_COLOR", "1")
        .env("TERM", "dumb");
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let mut child = cmd.spawn()?;
    let pid = child.id() as i32;
    let mut stdout = child
        .stdout
        .take()
        .ok_or_else(|| std::io::Error::other("no stdout"))?;
    let reader = std::thread::spawn(move || {
        let mut head = Vec::new();
        let mut tail: std::collections::VecDeque<u8> = std::collections::VecDeque::new();
        let mut total = 0usize;
        let mut buf = [0u8; 65536];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 {
                break;
            }
            total += n;
            for &b in &buf[..n] {
                if head.len() < KEEP_BYTES / 2 {
                    head.push(b);
                } else {
                    tail.push_back(b);
                    if tail.len() > KEEP_BYTES / 2 {
                        tail.pop_front();
                    }
                }
            }
        }
        (head, tail.into_iter().collect::<Vec<u8>>(), total)
    });
    let status = child.wait_timeout(timeout)?;
    let timed_out = status.is_none();
    let status = match status {
        Some(s) => Some(s),
        None => {
            kill_group(pid, &mut child);
            child.wait().ok()
        }
    };
    // Children that outlive the shell keep the pipe open; end the whole group.
    kill_group_quiet(pid);
    let (head, tail, total) = reader.join().unwrap_or_default();
    let mut text = String::from_utf8_lossy(&head).into_owned();
    if !tail.is_empty() {
        if total > head.len() + tail.len() {
            text.push_str(&format!(
                "\n[... {} bytes omitted ...]\n",
                total - head.len() - tail.len()
            ));
        }
        text.push_str(&String::from_utf8_lossy(&tail));
    }
    Ok(ProcessOutput {
        exit_code: status.and_then(|s| s.code()),
        timed_out,
        seconds: start.elapsed().as_secs_f64(),
        output: strip_ansi(&text),
        total_bytes: total,
    })
}

fn kill_group(pid: i32, child: &mut std::process::Child) {
    #[cfg(unix)]
    unsafe {
        libc::kill(-pid, libc::SIGTERM);
    }
    if child
        .wait_timeout(Duration::from_secs(2))
        .ok()
        .flatten()
        .is_none()
    {
        #[cfg(unix)]
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
        let _ = child.kill();
    }
}

fn kill_group_quiet(pid: i32) {
    #[cfg(unix)]
    unsafe {
        libc::kill(-pid, libc::SIGKILL);
    }
}

/// Remove terminal escape sequences and other control characters except newline and tab.
pub fn strip_ansi(text: &str) -> String {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        regex::Regex::new(
            r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[@-Z\\-_]",
        )
        .unwrap_or_else(|_| regex::Regex::new("$^").expect("trivial regex"))
    });
    re.replace_all(text, "")
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
    let h: String = chars[..head].iter().collect();
    let t: String = chars[chars.len() - tail..].iter().collect();
    format!(
        "{h}\n[... {} characters cut ...]\n{t}",
        chars.len() - head - tail
    )
}

#[cfg(test)]
#[path = "process_tests.rs"]
mod tests;
