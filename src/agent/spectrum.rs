//! Finding the bug by running it: spectrum-based fault localization. The failing (or
//! reproduction) tests run once more under a tracer that records which lines each test
//! executed; a line run by the failing tests and little by the passing ones is suspicious
//! (Ochiai: `failed(l) / sqrt(all failed * run(l))`, as in the program-repair literature), and a
//! function is as suspicious as its most suspicious line. Lines, not functions: a helper that
//! every test calls is told apart by the branch only the failing test takes (an overlap case, a
//! repeated key). The rewrite stage blends this with what the diagnosis and the failure text
//! name, so the helper two calls below the function the issue names can be found — not only
//! the function itself.
//!
//! Python for now (a pytest plugin with `sys.settrace`, run in the same sandbox as the tests;
//! unittest suites run under pytest too). The plugin lives in a folder of its own that the
//! sandbox shows read-only; its report is one marked line of the test output, counted in the
//! plugin (lines the failing tests ran, each with how many failing and passing tests ran it), so
//! its size follows the code the failing tests run, not the number of tests.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use crate::sandbox::process::Runner;

/// A function and how suspicious the test spectra make it (0..=1).
#[derive(Debug, Clone, PartialEq)]
pub struct Suspect {
    pub path: String,
    pub name: String,
    pub score: f64,
    /// Its most suspicious line (1-based, in the file), where running showed one: the line a
    /// failing test ran most apart from the passing ones, or where the failure happened.
    pub line: Option<usize>,
}

const MARKER: &str = "@@CRIA-SPECTRUM@@";

/// The pytest plugin: per line of the repository's code, how many failing and passing tests
/// ran it (a function's first line stands for the call itself).
const PLUGIN: &str = r#"
import json, os, sys, threading
import pytest

_root = os.path.realpath(os.getcwd()) + os.sep
_paths = {}
_seen = set()
_counts = {}
_failed = set()
_all_failed = 0

def _rel(filename):
    if filename not in _paths:
        rel = None
        if not filename.startswith("<"):
            path = os.path.realpath(filename)
            if path.startswith(_root) and "site-packages" not in path:
                rel = path[len(_root):]
        _paths[filename] = rel
    return _paths[filename]

def _lines(frame, event, arg):
    if event == "line":
        code = frame.f_code
        _seen.add((_paths[code.co_filename], code.co_name, frame.f_lineno))
    return _lines

def _tracer(frame, event, arg):
    if event == "call":
        code = frame.f_code
        rel = _rel(code.co_filename)
        if rel is not None:
            _seen.add((rel, code.co_name, code.co_firstlineno))
            return _lines
    return None

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    global _all_failed
    _seen.clear()
    sys.settrace(_tracer)
    threading.settrace(_tracer)
    try:
        yield
    finally:
        sys.settrace(None)
        threading.settrace(None)
        failed = item.nodeid in _failed
        _all_failed += failed
        for key in _seen:
            _counts.setdefault(key, [0, 0])[0 if failed else 1] += 1

def pytest_runtest_logreport(report):
    if report.failed:
        _failed.add(report.nodeid)

def pytest_terminal_summary(terminalreporter):
    lines = [[p, f, l, c[0], c[1]] for (p, f, l), c in sorted(_counts.items()) if c[0]]
    out = {"failed": _all_failed, "lines": lines}
    terminalreporter.write_line("@@CRIA-SPECTRUM@@" + json.dumps(out))
"#;

/// The plugin's report: how many tests failed, and every line a failing test ran as
/// `(path, function, line, failing tests that ran it, passing tests that ran it)`.
#[derive(Debug, Deserialize)]
struct Report {
    failed: usize,
    lines: Vec<(String, String, usize, usize, usize)>,
}

/// Whether `test_cmd` runs Python tests this module can trace.
pub fn traceable(test_cmd: &str) -> bool {
    test_cmd.contains("pytest") || test_cmd.contains("unittest")
}

/// Run the tests under the tracer; the suspects, most suspicious first (empty when nothing
/// could be traced or no test failed).
pub fn suspects(runner: &Runner, root: &std::path::Path, timeout: Duration) -> Vec<Suspect> {
    let Ok(dir) = tempfile::Builder::new().prefix("cria-spectrum-").tempdir() else {
        return Vec::new();
    };
    if std::fs::write(dir.path().join("cria_spectrum.py"), PLUGIN).is_err() {
        return Vec::new();
    }
    let plugin_dir = dir.path().to_path_buf();
    let runner = runner.with_readable(std::slice::from_ref(&plugin_dir));
    let command = format!(
        "PYTHONPATH='{}'${{PYTHONPATH:+:$PYTHONPATH}} PYTHONDONTWRITEBYTECODE=1 python3 -m pytest -q -p cria_spectrum -p no:cacheprovider",
        plugin_dir.display()
    );
    match runner.run(&command, root, timeout) {
        Ok(out) => ochiai(&out.output),
        Err(_) => Vec::new(),
    }
}

/// Ochiai: how suspicious a function run by `failed` failing and `passed` passing tests is,
/// when `all_failed` tests failed.
pub fn ochiai_score(failed: usize, passed: usize, all_failed: usize) -> f64 {
    failed as f64 / ((all_failed * (failed + passed)) as f64).sqrt()
}

/// Rank the functions in a traced run's output: each by its most suspicious line's Ochiai.
pub fn ochiai(output: &str) -> Vec<Suspect> {
    let Some(json) = output.lines().find_map(|l| l.trim().strip_prefix(MARKER)) else {
        return Vec::new();
    };
    let Ok(report) = serde_json::from_str::<Report>(json) else {
        return Vec::new();
    };
    if report.failed == 0 {
        return Vec::new();
    }
    // (path, function) → (best score, the lines with that score)
    let mut best: BTreeMap<(String, String), (f64, Vec<usize>)> = BTreeMap::new();
    for (path, name, line, failed, passed) in report.lines {
        if failed == 0
            || path.starts_with('<')
            || crate::context::localize::is_test_path(&path)
            || name.starts_with("test")
            || name.starts_with('<')
        {
            continue;
        }
        let score = ochiai_score(failed.min(report.failed), passed, report.failed);
        let entry = best.entry((path, name)).or_insert((score, Vec::new()));
        if score > entry.0 {
            *entry = (score, vec![line]);
        } else if score == entry.0 {
            entry.1.push(line);
        }
    }
    // A line singles itself out only when no other line of the function scores as high.
    let mut out: Vec<Suspect> = best
        .into_iter()
        .map(|((path, name), (score, lines))| Suspect {
            path,
            name,
            score,
            line: match lines.as_slice() {
                [one] => Some(*one),
                _ => None,
            },
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.name.cmp(&b.name)));
    out
}

#[cfg(test)]
#[path = "spectrum_tests.rs"]
mod tests;
