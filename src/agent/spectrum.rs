//! Finding the bug by running it: spectrum-based fault localization. The failing (or
//! reproduction) tests run once more under a tracer that records which functions each test
//! executed; a function run by the failing tests and little by the passing ones is suspicious
//! (Ochiai: `failed(f) / sqrt(all failed * run(f))`, as in the program-repair literature). The
//! rewrite stage blends this with what the diagnosis and the failure text name, so the helper two
//! calls below the function the issue names can be found — not only the function itself.
//!
//! Python for now (a pytest plugin with `sys.settrace` on calls only, run in the same sandbox
//! as the tests; unittest suites run under pytest too). The plugin lives in a folder of its own
//! that the sandbox shows read-only; its report is one marked line of the test output.

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
}

const MARKER: &str = "@@CRIA-SPECTRUM@@";

/// The pytest plugin: per test, the repository functions it called, and whether it failed.
const PLUGIN: &str = r#"
import json, os, sys, threading
import pytest

_root = os.path.realpath(os.getcwd()) + os.sep
_seen = set()
_spectra = {}
_failed = set()

def _tracer(frame, event, arg):
    if event == "call":
        code = frame.f_code
        name = code.co_filename
        if name.startswith("<"):
            return None
        path = os.path.realpath(name)
        if path.startswith(_root) and "site-packages" not in path:
            _seen.add((path[len(_root):], code.co_name))
    return None

@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _seen.clear()
    sys.settrace(_tracer)
    threading.settrace(_tracer)
    try:
        yield
    finally:
        sys.settrace(None)
        threading.settrace(None)
        _spectra[item.nodeid] = sorted(_seen)

def pytest_runtest_logreport(report):
    if report.failed:
        _failed.add(report.nodeid)

def pytest_terminal_summary(terminalreporter):
    out = [{"test": t, "failed": t in _failed, "funcs": f} for t, f in _spectra.items()]
    terminalreporter.write_line("@@CRIA-SPECTRUM@@" + json.dumps(out))
"#;

#[derive(Debug, Deserialize)]
struct TestSpectrum {
    failed: bool,
    funcs: Vec<(String, String)>,
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

/// Rank the functions in a traced run's output by Ochiai.
pub fn ochiai(output: &str) -> Vec<Suspect> {
    let Some(json) = output.lines().find_map(|l| l.trim().strip_prefix(MARKER)) else {
        return Vec::new();
    };
    let Ok(tests) = serde_json::from_str::<Vec<TestSpectrum>>(json) else {
        return Vec::new();
    };
    let all_failed = tests.iter().filter(|t| t.failed).count();
    if all_failed == 0 {
        return Vec::new();
    }
    // (failed tests that ran it, passed tests that ran it)
    let mut counts: BTreeMap<(String, String), (usize, usize)> = BTreeMap::new();
    for t in &tests {
        for f in &t.funcs {
            let entry = counts.entry(f.clone()).or_default();
            if t.failed {
                entry.0 += 1;
            } else {
                entry.1 += 1;
            }
        }
    }
    let mut out: Vec<Suspect> = counts
        .into_iter()
        .filter(|((path, name), (failed, _))| {
            *failed > 0
                && !path.starts_with('<')
                && !crate::context::localize::is_test_path(path)
                && !name.starts_with("test")
                && !name.starts_with('<')
        })
        .map(|((path, name), (failed, passed))| Suspect {
            path,
            name,
            score: ochiai_score(failed, passed, all_failed),
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.name.cmp(&b.name)));
    out
}

#[cfg(test)]
#[path = "spectrum_tests.rs"]
mod tests;
