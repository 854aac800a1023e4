//! Reproducing a bug the tests miss. When the project's tests pass but the issue states a
//! concrete input and what it should give, the model is asked for one new test in the project's
//! own test file and framework; cria puts it in place, runs the tests, and keeps it only when it
//! fails, in the new test, for a reason other than the test itself being broken. A kept test
//! then judges the fix (and stays in the diff unless `--drop-repro-test`).

use regex::Regex;

use super::localize::{self, Candidate};
use super::prompt::{self, ShownFile};
use crate::edit::parse::SearchReplaceBlock;
use crate::protocol::TestRun;
use crate::sandbox::process::head_tail;

/// A test cria added to reproduce the issue.
#[derive(Debug, Clone)]
pub struct Repro {
    pub path: String,
    /// The test's name as test runners print it (function name or JS title).
    pub name: String,
    /// The inserted text, as it stands in the file.
    pub code: String,
}

/// Model calls spent on reproduction at most (a bad test is worth one more try).
pub const TRIES: usize = 2;

/// Whether the issue states a concrete case: a call, literal or number, and what it should be.
pub fn states_expectation(issue: &str) -> bool {
    let lower = issue.to_lowercase();
    let expects = [
        "should",
        "expected",
        "instead of",
        "but it",
        "returns",
        "gives",
        "must",
        "ought",
    ]
    .iter()
    .any(|w| lower.contains(w));
    let concrete = Regex::new(r"\w\(.*\)|`[^`]+`|\d")
        .map(|re| re.is_match(issue))
        .unwrap_or(false);
    expects && concrete
}

/// The file a new test goes in: the best-ranked test file, else the first test file in the
/// repository; for Rust, a source file with inline tests will do.
pub fn test_file(ranked: &[Candidate], files: &[String]) -> Option<String> {
    let testable = |p: &str| {
        matches!(
            prompt::fence_lang(p),
            "python" | "rust" | "javascript" | "typescript" | "go"
        )
    };
    ranked
        .iter()
        .map(|c| c.path.as_str())
        .chain(files.iter().map(String::as_str))
        .find(|p| localize::is_test_path(p) && testable(p) && collected(p))
        .map(String::from)
}

/// Whether test runners collect tests from this file (a package's `__init__.py`, pytest's
/// `conftest.py` and fixture folders hold none).
fn collected(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    !matches!(name, "__init__.py" | "conftest.py" | "mod.rs") && !path.contains("fixtures/")
}

/// How a new test is written in this file's framework.
pub(super) fn shape(path: &str, body: &str) -> &'static str {
    match prompt::fence_lang(path) {
        "python" if body.contains("unittest") => {
            "a new `class TestIssue(unittest.TestCase):` with one `test_...` method"
        }
        "python" => "a new `def test_...():` function using plain `assert`",
        "rust" => "a new `#[test] fn ...() { ... }` using `assert_eq!`",
        "go" => "a new `func TestIssue(t *testing.T) { ... }`",
        _ if body.contains("describe(") || body.contains("it(") => {
            "a new `it('...', () => { ... });` block"
        }
        _ => "a new `test('...', () => { ... });` call",
    }
}

/// The request for a failing test. `rejected` says why the last one was not kept.
pub fn request(
    issue: &str,
    path: &str,
    body: &str,
    code: &[ShownFile],
    rejected: Option<&str>,
) -> String {
    let lang = prompt::fence_lang(path);
    let mut s = format!(
        "The project's tests pass, but this issue describes a bug they do not catch:\n\n{}\n\n",
        issue.trim()
    );
    for f in code.iter().filter(|f| f.path != path).take(2) {
        s.push_str(&prompt::render_file(f));
    }
    s.push_str(&format!(
        "The test file {path}:\n```{lang}\n{}\n```\n\n",
        head_tail(body.trim_end(), 3_000, 1_500)
    ));
    if let Some(why) = rejected {
        s.push_str(&format!("Your last test was not kept: {why}\n\n"));
    }
    s.push_str(&format!(
        "Write {} to add at the end of {path}. It must check exactly the case the issue states \
         (its input and the output it should give), so it fails now and passes once the bug is \
         fixed. Use only names the test file already imports. Do not fix the bug. Reply with \
         the test code only, in one ```{lang} block.",
        shape(path, body)
    ));
    s
}

/// The new test in `reply` (the first code block, or the whole reply when the fence was
/// prefilled), dedented; a Python method written alone is wrapped in a `TestCase` class.
pub fn test_code(reply: &str, path: &str, body: &str) -> Option<String> {
    let lines = crate::edit::loose::first_code_block(reply).unwrap_or_else(|| {
        reply
            .lines()
            .filter(|l| !l.trim_start().starts_with("```"))
            .map(String::from)
            .collect()
    });
    let text = dedent(&lines.join("\n"));
    let text = text.trim_matches('\n').to_string();
    if text.trim().is_empty() {
        return None;
    }
    let python_method =
        prompt::fence_lang(path) == "python" && text.starts_with("def ") && text.contains("(self");
    if python_method && body.contains("unittest") {
        let indented: Vec<String> = text.lines().map(|l| format!("    {l}")).collect();
        return Some(format!(
            "class TestIssue(unittest.TestCase):\n{}",
            indented.join("\n")
        ));
    }
    Some(text)
}

fn dedent(text: &str) -> String {
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    text.lines()
        .map(|l| l.get(indent..).unwrap_or(l.trim_start()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The name a test runner prints for the test in `code`.
pub fn test_name(code: &str) -> Option<String> {
    let patterns = [
        r"def\s+(test\w*)",
        r"fn\s+(\w+)",
        r"func\s+(Test\w*)",
        r#"(?:test|it)\(\s*['"`]([^'"`]+)['"`]"#,
    ];
    patterns.iter().find_map(|p| {
        let re = Regex::new(p).ok()?;
        Some(re.captures(code)?.get(1)?.as_str().to_string())
    })
}

/// The edit that adds `code` to the test file: before Python's `if __name__ == "__main__":`
/// block when there is one, else at the end.
pub fn insertion(path: &str, body: &str, code: &str) -> SearchReplaceBlock {
    let main = body
        .lines()
        .position(|l| l.starts_with("if __name__"))
        .filter(|_| prompt::fence_lang(path) == "python");
    let lines: Vec<&str> = body.lines().collect();
    let (search, replace) = match main {
        Some(i) => {
            let tail = lines[i..].join("\n") + "\n";
            (tail.clone(), format!("{code}\n\n\n{tail}"))
        }
        None => {
            // The last lines, as many as it takes to be unique in the file.
            let mut k = 1;
            let tail = loop {
                let tail = lines[lines.len().saturating_sub(k)..].join("\n") + "\n";
                if k >= lines.len() || body.matches(tail.as_str()).count() == 1 {
                    break tail;
                }
                k += 1;
            };
            (tail.clone(), format!("{tail}\n{code}\n"))
        }
    };
    SearchReplaceBlock {
        path: path.to_string(),
        search,
        replace,
        index: 1,
        ..Default::default()
    }
}

/// Signs that a test failed because the test itself is broken, not the code it tests.
const BROKEN: &[&str] = &[
    "SyntaxError",
    "IndentationError",
    "ImportError",
    "ModuleNotFoundError",
    "NameError",
    "error[E",
    "ReferenceError",
    "is not defined",
    "cannot find",
    "undefined:",
];

/// Whether `run` (after adding the test `name`) shows the bug: it fails, in the new test, and
/// not because the test cannot compile or names something that does not exist (unless the issue
/// itself is about such an error). `Err` says why the test is not kept.
pub fn judge(run: &TestRun, name: &str, issue: &str) -> Result<(), String> {
    if run.passed {
        return Err(
            "it passes, so it does not show the bug; check the input and the expected \
                    value the issue states"
                .into(),
        );
    }
    if run.timed_out {
        return Err("the tests timed out with it".into());
    }
    if let Some(sign) = BROKEN
        .iter()
        .find(|s| run.output.contains(*s) && !issue.contains(*s))
    {
        let line = run
            .output
            .lines()
            .find(|l| l.contains(sign))
            .unwrap_or("")
            .trim();
        return Err(format!("the test itself is broken ({line})"));
    }
    if !run.output.contains(name) {
        return Err(format!(
            "the tests fail, but the output does not mention `{name}`"
        ));
    }
    Ok(())
}

#[cfg(test)]
#[path = "reproduce_tests.rs"]
mod tests;

impl super::session::Run<'_> {
    /// Try to add a test that fails the way the issue says; the test run with it when kept.
    pub(super) fn reproduce(&mut self, ranked: &[Candidate], cmd: &str) -> Option<TestRun> {
        let files = crate::context::scan::list_files(self.cfg.root.path());
        let path = test_file(ranked, &files)?;
        let body = self.current_text(&path)?;
        self.status(format!(
            "the tests pass, but the issue states a case: asking for a test in {path} that reproduces it"
        ));
        let lang = prompt::fence_lang(&path);
        let mut rejected: Option<String> = None;
        for _ in 0..TRIES {
            if self.report.steps >= self.cfg.limits.max_steps.saturating_sub(1) {
                break;
            }
            self.report.steps += 1;
            let ask = request(&self.issue, &path, &body, &self.shown, rejected.as_deref());
            self.history = vec![
                crate::protocol::Message::system(prompt::system(&self.shown)),
                crate::protocol::Message::user(prompt::sanitize(&ask)),
            ];
            self.temperature = if rejected.is_some() { 0.4 } else { 0.0 };
            let reply = self
                .generate(
                    &format!("```{lang}\n"),
                    &["```"],
                    super::session::budget::TEST,
                )
                .ok()?;
            self.history.clear();
            let Some(mut code) = test_code(&reply, &path, &body) else {
                rejected = Some("the reply held no test code".into());
                continue;
            };
            let name = test_name(&code).unwrap_or_default();
            if name.is_empty() {
                rejected = Some("it has no test function cria can recognize".into());
                continue;
            }
            let mut tried = self.place_test(&path, &body, &code, &name, cmd)?;
            // A test that calls a project function it forgot to import: add the import.
            let import = match &tried {
                Err((why, run)) if why.contains("is not defined") => {
                    self.import_line(run, &path, &body)
                }
                _ => None,
            };
            if let Some(import) = import {
                self.status(format!("the new test lacks an import; adding `{import}`"));
                code = format!("{import}\n{code}");
                tried = self.place_test(&path, &body, &code, &name, cmd)?;
            }
            match tried {
                Ok(run) => {
                    self.status(format!("reproduced: the new test `{name}` in {path} fails"));
                    self.repro = Some(Repro { path, name, code });
                    self.report.repro_test = self
                        .repro
                        .as_ref()
                        .map(|r| format!("{}::{}", r.path, r.name));
                    return Some(run);
                }
                Err((why, _)) => {
                    self.status(format!("the new test was not kept: {why}"));
                    rejected = Some(why);
                }
            }
        }
        self.status("could not reproduce the issue with a test; going on without one");
        None
    }

    /// Add `code` to the test file and run the tests: `Ok` with the run when the test shows the
    /// bug (it stays in place), else why not and the run (it is removed again). `None` when the
    /// file could not be changed at all.
    #[allow(clippy::type_complexity)]
    fn place_test(
        &mut self,
        path: &str,
        body: &str,
        code: &str,
        name: &str,
        cmd: &str,
    ) -> Option<Result<TestRun, (String, TestRun)>> {
        let (run, changes) = self.insert_and_run(path, body, code, cmd)?;
        match judge(&run, name, &self.issue) {
            Ok(()) => {
                self.work.remember(&changes);
                Some(Ok(run))
            }
            Err(why) => {
                if !self.remove_test(&changes) {
                    return None;
                }
                Some(Err((why, run)))
            }
        }
    }

    /// Add `code` to the test file `path` (whose text is `body`) and run the tests; the run and
    /// the change that added it. `None` when the file could not be changed.
    pub(super) fn insert_and_run(
        &mut self,
        path: &str,
        body: &str,
        code: &str,
        cmd: &str,
    ) -> Option<(TestRun, Vec<crate::edit::FileChange>)> {
        let block = insertion(path, body, code);
        let report = self.apply(&[crate::edit::Edit::Replace(block)]);
        if !report.applied() {
            self.status(format!(
                "the test could not be added: {}",
                report.failures.join("; ")
            ));
            return None;
        }
        let run = self.run_tests(cmd);
        Some((run, report.changes))
    }

    /// Take an added test out again; false (said on the status line) when that failed.
    pub(super) fn remove_test(&mut self, changes: &[crate::edit::FileChange]) -> bool {
        match self.work.revert(&self.cfg.root, changes) {
            Ok(()) => true,
            Err(e) => {
                self.status(format!("could not remove the test again: {e}"));
                false
            }
        }
    }

    /// The import a test run that failed on an undefined name needs, if the project defines it.
    pub(super) fn import_line(&self, run: &TestRun, path: &str, body: &str) -> Option<String> {
        let name = super::repro_imports::undefined_name(&run.output)?;
        let root = self.cfg.root.path();
        let files: Vec<(String, String)> = crate::context::scan::list_files(root)
            .into_iter()
            .filter_map(|p| {
                let text = std::fs::read_to_string(root.join(&p)).ok()?;
                Some((p, text))
            })
            .collect();
        super::repro_imports::import_line(&name, path, body, &files)
    }

    /// `--drop-repro-test`: take the added test out again (the fix stays).
    pub(super) fn drop_repro(&mut self) {
        let Some(r) = self.repro.take() else { return };
        let Some(text) = self.current_text(&r.path) else {
            return;
        };
        // The two shapes `insertion` writes: before Python's main block, or appended.
        let before_main = format!("{}\n\n\n", r.code);
        let appended = format!("\n{}\n", r.code);
        let without = [before_main, appended]
            .iter()
            .find(|p| text.matches(p.as_str()).count() == 1)
            .map(|p| text.replacen(p.as_str(), "", 1));
        let Some(without) = without else { return };
        let block = SearchReplaceBlock {
            path: r.path.clone(),
            search: text,
            replace: without,
            index: 1,
            ..Default::default()
        };
        let edits = [crate::edit::Edit::Replace(block)];
        let report =
            crate::edit::apply_edits(&self.cfg.root, &edits, crate::edit::Mode::CommitUnrecorded);
        if report.applied() {
            self.status(format!(
                "removed the reproduction test `{}` (--drop-repro-test)",
                r.name
            ));
        }
    }
}
