//! Finding and running a project's tests.

use std::path::Path;
use std::time::Duration;

use crate::protocol::TestRun;
use crate::sandbox::process::{self, Runner};

/// The test command a project's files imply, if any.
pub fn detect(root: &Path) -> Option<String> {
    let has = |f: &str| root.join(f).exists();
    // Regular files only: a FIFO planted in the repository must not hang detection.
    let text = |f: &str| {
        crate::sandbox::beneath::read_regular(&root.join(f))
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    if has("Cargo.toml") {
        return Some("cargo test --quiet".into());
    }
    let pytest_config = has("pytest.ini")
        || has("conftest.py")
        || text("pyproject.toml").contains("pytest")
        || text("setup.cfg").contains("[tool:pytest]")
        || text("tox.ini").contains("[pytest]");
    if pytest_config || has("pyproject.toml") || has("setup.py") || has("setup.cfg") {
        return Some("python3 -m pytest -q".into());
    }
    if has_python_tests(root) {
        if pytest_available() {
            return Some("python3 -m pytest -q".into());
        }
        // unittest only discovers packages; a plain tests/ folder needs pointing at.
        for dir in ["tests", "test"] {
            if root.join(dir).is_dir() && !root.join(dir).join("__init__.py").exists() {
                return Some(format!("python3 -m unittest discover -s {dir}"));
            }
        }
        return Some("python3 -m unittest".into());
    }
    if has("package.json") && text("package.json").contains("\"test\"") {
        return Some("npm test --silent".into());
    }
    if has("go.mod") {
        return Some("go test ./...".into());
    }
    if has("Makefile") && text("Makefile").lines().any(|l| l.starts_with("test:")) {
        return Some("make test".into());
    }
    None
}

fn has_python_tests(root: &Path) -> bool {
    let is_test = |name: &str| {
        name.starts_with("test_") && name.ends_with(".py") || name.ends_with("_test.py")
    };
    let scan = |dir: &Path| {
        std::fs::read_dir(dir)
            .map(|it| {
                it.filter_map(Result::ok)
                    .any(|e| is_test(&e.file_name().to_string_lossy()))
            })
            .unwrap_or(false)
    };
    scan(root) || scan(&root.join("tests")) || scan(&root.join("test"))
}

/// Whether pytest is installed, asked without running any of the repository's code: Python's
/// isolated mode (`-I`: no current folder on `sys.path`, no `PYTHON*` variables, no user site)
/// from outside the repository, so a `pytest.py` that sandboxed code planted there never runs
/// unconfined.
fn pytest_available() -> bool {
    std::process::Command::new("python3")
        .args(["-I", "-c", "import pytest"])
        .current_dir(std::env::temp_dir())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Run `command` in `root`; the output kept for the model is capped to head and tail.
pub fn run(runner: &Runner, command: &str, root: &Path, timeout: Duration) -> TestRun {
    match runner.run(command, root, timeout) {
        Ok(out) => TestRun {
            command: command.to_string(),
            passed: out.success(),
            exit_code: out.exit_code,
            timed_out: out.timed_out,
            seconds: out.seconds,
            output: process::head_tail(&out.output, 1_500, 3_500),
        },
        Err(e) => TestRun {
            command: command.to_string(),
            passed: false,
            exit_code: None,
            timed_out: false,
            seconds: 0.0,
            output: format!("could not start the test command: {e}"),
        },
    }
}

/// One line for people: "tests pass (1.2 s)" / "tests fail: exit 1 (0.8 s)".
pub fn summary(run: &TestRun) -> String {
    if run.passed {
        format!("tests pass ({:.1} s)", run.seconds)
    } else if run.timed_out {
        format!("tests timed out after {:.0} s", run.seconds)
    } else {
        let code = run
            .exit_code
            .map(|c| c.to_string())
            .unwrap_or_else(|| "signal".into());
        format!("tests fail: exit {code} ({:.1} s)", run.seconds)
    }
}

/// Why a test run shows that the runner itself is missing (not that tests fail), if it does.
pub fn runner_missing(run: &TestRun) -> Option<String> {
    if run.passed {
        return None;
    }
    if run.exit_code == Some(127) {
        return Some("command not found".into());
    }
    let out = &run.output;
    [
        "No module named pytest",
        "No module named 'pytest'",
        "error: no such command",
        "npm ERR! Missing script",
    ]
    .iter()
    .find(|m| out.contains(**m))
    .map(|m| m.to_string())
}

/// The names of the failing tests, as common runners print them: cargo (`---- m::name stdout
/// ----`, `test m::name ... FAILED`), pytest (`FAILED file::name`), unittest (`FAIL: name (`),
/// node's TAP and spec reporters (`not ok 3 - name`, `✖ name (1ms)`), jest (`● suite › name`)
/// and go (`--- FAIL: Name`). Paths and modules are cut off: what is left is the name a test's
/// definition (or its `test("…")` call) carries.
pub fn failing_tests(output: &str) -> Vec<String> {
    static RES: std::sync::OnceLock<Vec<regex::Regex>> = std::sync::OnceLock::new();
    let res = RES.get_or_init(|| {
        [
            r"(?m)^---- (\S+) stdout ----",
            r"(?m)^test (\S+) \.\.\. FAILED",
            r"(?m)^FAILED (\S+::\S+)",
            r"(?m)^\S+::(\S+) FAILED",
            r"(?m)^(?:FAIL|ERROR): (\w+) \(",
            r"(?m)^\s*not ok \d+ - (.+?)\s*(?:# .*)?$",
            r"(?m)^\s*\x{2716} (.+?) \(\d[\d.]*m?s\)\s*$",
            r"(?m)^\s*\x{25cf} (.+?)\s*$",
            r"(?m)^\s*--- FAIL: (\S+)",
        ]
        .iter()
        .filter_map(|r| regex::Regex::new(r).ok())
        .collect()
    });
    let mut names: Vec<String> = Vec::new();
    for re in res {
        for cap in re.captures_iter(output) {
            let Some(m) = cap.get(1) else { continue };
            let full = m.as_str();
            let name = if full.contains("::") {
                full.rsplit("::").next().unwrap_or(full)
            } else {
                full.rsplit(" \u{203a} ").next().unwrap_or(full)
            };
            let name = name.split('[').next().unwrap_or(name).trim();
            if !name.is_empty() && !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
    }
    names
}

/// Failing tests reported by common runners (pytest, unittest, cargo test, go test), if readable.
pub fn failure_count(output: &str) -> Option<usize> {
    static RES: std::sync::OnceLock<Vec<regex::Regex>> = std::sync::OnceLock::new();
    let res = RES.get_or_init(|| {
        [
            r"(\d+) failed",
            r"(\d+) errors?\b",
            r"failures=(\d+)",
            r"errors=(\d+)",
            r"(?m)^--- FAIL",
        ]
        .iter()
        .filter_map(|r| regex::Regex::new(r).ok())
        .collect()
    });
    let mut total = None;
    for re in res {
        for cap in re.captures_iter(output) {
            let n = cap
                .get(1)
                .and_then(|m| m.as_str().parse::<usize>().ok())
                .unwrap_or(1);
            *total.get_or_insert(0) += n;
        }
    }
    total
}

#[cfg(test)]
#[path = "testcmd_tests.rs"]
mod tests;
