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
//! Two tracers, each run in the same sandbox as the tests: for Python a pytest plugin with
//! `sys.settrace` (unittest suites run under pytest too); for JavaScript under node's own test
//! runner a driver that lists the tests and runs each alone under V8's block coverage
//! (`NODE_V8_COVERAGE`). Each lives in a folder of its own that the sandbox shows read-only; its
//! report is one marked line of output, counted in the tracer (lines the failing tests ran, each
//! with how many failing and passing tests ran it), so its size follows the code the failing
//! tests run, not the number of tests. The Python tracer also writes down the first few calls
//! the failing tests made to each function, with what it returned or raised ([`Call`]): the
//! rewrite request shows them, so the model sees where the output first goes wrong.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
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

/// The pytest plugin (`-p cria_spectrum`).
const PYTEST_PLUGIN: &str = include_str!("spectrum/pytest_plugin.py");

/// The driver for node's own test runner: lists the tests, runs each alone under V8 coverage.
const NODE_TRACER: &str = include_str!("spectrum/node_tracer.js");

/// The plugin's report: how many tests failed, and every line a failing test ran as
/// `(path, function, line, failing tests that ran it, passing tests that ran it)`.
#[derive(Debug, Deserialize)]
struct Report {
    failed: usize,
    lines: Vec<(String, String, usize, usize, usize)>,
    /// The first few calls the failing tests made to each function (Python only).
    #[serde(default)]
    calls: Vec<Call>,
}

/// A call a failing test made to one of the project's functions, as the tracer wrote it down:
/// what the function was given and what it gave back — the values a person would look at in
/// a debugger, and the ones that show a small model where its output goes wrong.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Call {
    pub path: String,
    pub name: String,
    /// `name=value, …`, each value as `repr` shows it, shortened.
    pub arguments: String,
    /// The value it returned, or `raised ValueError`.
    pub result: String,
}

impl Call {
    /// Its arguments as `(name, value)`: `arguments` split at the commas between them (one
    /// inside a value's brackets or quotes stays in it).
    pub fn passed(&self) -> Vec<(String, String)> {
        let mut parts: Vec<String> = vec![String::new()];
        let (mut depth, mut quote) = (0usize, None::<char>);
        for c in self.arguments.chars() {
            match (quote, c) {
                (Some(q), _) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') => quote = Some(c),
                (None, '(' | '[' | '{') => depth += 1,
                (None, ')' | ']' | '}') => depth = depth.saturating_sub(1),
                (None, ',') if depth == 0 => {
                    parts.push(String::new());
                    continue;
                }
                _ => {}
            }
            if let Some(part) = parts.last_mut() {
                part.push(c);
            }
        }
        (parts.iter())
            .filter_map(|p| p.trim().split_once('='))
            .map(|(name, value)| (name.trim().to_string(), value.trim().to_string()))
            .collect()
    }

    /// `name(arguments) returned result`, one line.
    pub fn line(&self) -> String {
        match self.result.strip_prefix("raised ") {
            Some(error) => format!("{}({}) raised {error}", self.name, self.arguments),
            None => format!("{}({}) returned {}", self.name, self.arguments, self.result),
        }
    }
}

/// How a project's tests can be traced.
#[derive(Debug, Clone, PartialEq)]
pub enum Tracer {
    /// pytest (unittest suites run under pytest too).
    Pytest,
    /// node's own test runner, with what follows `node` in the test script (`--test`, folders).
    Node(Vec<String>),
}

/// How the tests `test_cmd` runs in `root` can be traced, if they can: Python tests, and node's
/// own runner whether called directly or through the package's `test` script.
pub fn tracer(test_cmd: &str, root: &Path) -> Option<Tracer> {
    if test_cmd.contains("pytest") || test_cmd.contains("unittest") {
        return Some(Tracer::Pytest);
    }
    if let Some(args) = node_test_args(test_cmd) {
        return Some(Tracer::Node(args));
    }
    let words: Vec<&str> = test_cmd.split_whitespace().collect();
    let script_runner = matches!(
        words.as_slice(),
        ["npm" | "yarn" | "pnpm", "test" | "t", ..] | ["npm" | "yarn" | "pnpm", "run", "test", ..]
    );
    if !script_runner {
        return None;
    }
    let package = crate::sandbox::beneath::read(root, "package.json").ok()?;
    let package: serde_json::Value = serde_json::from_slice(&package).ok()?;
    let script = package.get("scripts")?.get("test")?.as_str()?;
    node_test_args(script).map(Tracer::Node)
}

/// The arguments of a plain `node --test …` command line: none that a shell would read (quotes,
/// variables, `&&`), so they can be passed on as they are.
fn node_test_args(command: &str) -> Option<Vec<String>> {
    let mut words = command.split_whitespace();
    if words.next() != Some("node") {
        return None;
    }
    let args: Vec<String> = words.map(str::to_string).collect();
    let plain = |w: &String| {
        w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:*,@+".contains(c))
    };
    (args.iter().any(|a| a == "--test") && args.iter().all(plain)).then_some(args)
}

/// What a traced run of the tests shows.
#[derive(Debug, Default, PartialEq)]
pub struct Spectrum {
    /// The suspects, most suspicious first.
    pub suspects: Vec<Suspect>,
    /// Every line of the project's code a failing test ran, as `(path, line)`: a change to
    /// any other line cannot make a failing test pass.
    pub ran: BTreeSet<(String, usize)>,
    /// What the failing tests called the project's functions with, and what came back (the
    /// passing tests, when none failed).
    pub calls: Vec<Call>,
}

/// Run the tests under the tracer (empty when nothing could be traced; only the calls the
/// passing tests made when no test failed).
pub fn trace(tracer: &Tracer, runner: &Runner, root: &Path, timeout: Duration) -> Spectrum {
    let Ok(dir) = tempfile::Builder::new().prefix("cria-spectrum-").tempdir() else {
        return Spectrum::default();
    };
    let plugin_dir = dir.path().to_path_buf();
    let (file, text, command) = match tracer {
        Tracer::Pytest => (
            "cria_spectrum.py",
            PYTEST_PLUGIN,
            format!(
                "PYTHONPATH='{}'${{PYTHONPATH:+:$PYTHONPATH}} PYTHONDONTWRITEBYTECODE=1 python3 -m pytest -q -p cria_spectrum -p no:cacheprovider",
                plugin_dir.display()
            ),
        ),
        // The driver stops starting tests at four fifths of the time, so it can still report.
        Tracer::Node(args) => (
            "node_tracer.js",
            NODE_TRACER,
            format!(
                "node '{}' {} {}",
                plugin_dir.join("node_tracer.js").display(),
                timeout.as_millis() * 4 / 5,
                args.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>().join(" ")
            ),
        ),
    };
    if std::fs::write(plugin_dir.join(file), text).is_err() {
        return Spectrum::default();
    }
    let runner = runner.with_readable(std::slice::from_ref(&plugin_dir));
    match runner.run(&command, root, timeout) {
        Ok(out) => read(&out.output),
        Err(_) => Spectrum::default(),
    }
}

/// Ochiai: how suspicious a function run by `failed` failing and `passed` passing tests is,
/// when `all_failed` tests failed.
pub fn ochiai_score(failed: usize, passed: usize, all_failed: usize) -> f64 {
    failed as f64 / ((all_failed * (failed + passed)) as f64).sqrt()
}

/// What a traced run's output shows (empty when it holds no report; when no test failed, only
/// the calls the passing tests made).
pub fn read(output: &str) -> Spectrum {
    let Some(json) = output.lines().find_map(|l| l.trim().strip_prefix(MARKER)) else {
        return Spectrum::default();
    };
    let Ok(report) = serde_json::from_str::<Report>(json) else {
        return Spectrum::default();
    };
    let calls = (report.calls.iter())
        .filter(|c| !is_test_code(&c.path, &c.name))
        .cloned()
        .collect();
    if report.failed == 0 {
        return Spectrum {
            calls,
            ..Spectrum::default()
        };
    }
    let ran = (report.lines.iter())
        .filter(|(.., failed, _)| *failed > 0)
        .map(|(path, _, line, ..)| (path.clone(), *line))
        .collect();
    Spectrum {
        suspects: ranked(report),
        ran,
        calls,
    }
}

/// Whether `name` in `path` is a test or no function of the project's (a comprehension, code
/// run from a string).
fn is_test_code(path: &str, name: &str) -> bool {
    path.starts_with('<')
        || crate::context::localize::is_test_path(path)
        || name.starts_with("test")
        || name.starts_with('<')
}

/// The functions of `report`, each by its most suspicious line's Ochiai.
fn ranked(report: Report) -> Vec<Suspect> {
    // (path, function) → (best score, the lines with that score)
    let mut best: BTreeMap<(String, String), (f64, Vec<usize>)> = BTreeMap::new();
    for (path, name, line, failed, passed) in report.lines {
        if failed == 0 || is_test_code(&path, &name) {
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
