//! The issue's own cases as tests cria writes itself ([`crate::agent::cases`], in the test
//! file's framework by [`crate::agent::case_test`]). Each is put in alone and run, with the
//! imports it turns out to need, and taken out again; then the reproduce stage keeps those that
//! fail now, and the check of the issue's examples judges a change by all of them.

use super::accept::{Verdict, Writer};
use crate::agent::case_test;
use crate::agent::cases::{self, Case, Expect};
use crate::agent::crash;
use crate::agent::reproduce::{judge, test_name, tidy_names, Repro};
use crate::agent::run::Run;
use crate::protocol::TestRun;

/// One case's test, run alone.
pub(in crate::agent) struct CaseRun {
    pub case: Case,
    pub name: String,
    pub code: String,
    pub run: TestRun,
    /// The imports the test file needed for it (those of the cases before it included).
    pub imports: Vec<String>,
}

/// cria's tests of the issue's cases that fail now, and the expected values they leave out.
pub(in crate::agent) struct StatedTests {
    pub kept: Vec<CaseRun>,
    pub unchecked: Vec<String>,
}

impl CaseRun {
    /// Why this failing test is no check of the issue's case: it is broken, calls the code
    /// wrongly, or shows the issue quoted only part of what the call gives.
    pub fn flawed(&self, issue: &str) -> Option<String> {
        if cases::quotes_a_part(&self.case, &self.run.output) {
            return Some("the issue quotes a part of what it gives".into());
        }
        judge(&self.run, &self.name, issue).err().or_else(|| {
            let crash = self.case.expect == Expect::Completes;
            (crash && !crash::shows_crash(&self.case, &self.run.output))
                .then(|| "it fails, but not with the issue's error".into())
        })
    }
}

impl Run<'_> {
    /// Each of `cases` as a test in `path` (whose text is `body`), run alone (see the module
    /// doc); a case whose run shows the issue quoted one item of what the call gives (a tuple of
    /// the list) is run again as a check that the item is among them, and a crash's calls stop
    /// at the first that shows it. `None` when the test file could not be changed, or not
    /// changed back.
    pub(in crate::agent) fn run_cases(
        &mut self,
        cases: &[Case],
        path: &str,
        body: &str,
        cmd: &str,
    ) -> Option<Vec<CaseRun>> {
        let mut out: Vec<CaseRun> = Vec::new();
        let mut imports: Vec<String> = Vec::new();
        for (i, case) in cases.iter().enumerate() {
            // A crash's calls are guesses tried in order: once one shows it, the rest need not
            // run (each is a run of the whole suite).
            let crash = |r: &CaseRun| r.case.expect == Expect::Completes;
            let shown = |r: &CaseRun| crash(r) && !r.run.passed && r.flawed(&self.issue).is_none();
            if case.expect == Expect::Completes && out.iter().any(shown) {
                continue;
            }
            let written = |case: &Case| {
                let code = tidy_names(&case_test::test_code(case, i + 1, path, body)?, body);
                Some((test_name(&code)?, code))
            };
            let mut case = case.clone();
            let Some((mut name, mut code)) = written(&case) else {
                continue;
            };
            let run = loop {
                let (run, changes) =
                    self.insert_and_run(path, body, &with_imports(&imports, &code), cmd)?;
                if !self.remove_test(&changes) {
                    return None;
                }
                let import = (!run.passed && imports.len() < 4)
                    .then(|| self.import_line(&run, path, body))
                    .flatten()
                    .filter(|line| !imports.contains(line));
                if let Some(line) = import {
                    imports.push(line);
                    continue;
                }
                // The issue quoted one item of what the call gives: check that it is among them.
                let part =
                    cases::as_part(&case).filter(|_| cases::quotes_a_part(&case, &run.output));
                match part.and_then(|part| Some((written(&part)?, part))) {
                    Some(((n, c), part)) => (name, code, case) = (n, c, part),
                    None => break run,
                }
            };
            out.push(CaseRun {
                case,
                name,
                code,
                run,
                imports: imports.clone(),
            });
        }
        Some(out)
    }

    /// The case `sentence` says goes wrong the same way ("Addresses like `kim@studio.design`
    /// are refused too"), written by cria by analogy with the issue's stated cases
    /// ([`cases::analogous`]) and run with the change: it passes, and fails on the code before
    /// it: the case is checked; it fails for the issue's reason: the change is incomplete, and
    /// the test judges what follows — as doubtfully as a model's test, since the analogy is a
    /// guess. `None` when no such test is a sound check (the model is asked then).
    pub(super) fn analogous_examples(
        &mut self,
        path: &str,
        body: &str,
        cmd: &str,
        sentence: &str,
    ) -> Option<Verdict> {
        let analogs = cases::analogous(&cases::cases(&self.issue), sentence);
        let first = analogs.first()?;
        self.status(format!(
            "writing \"{sentence}\" as the issue's own cases, as `{}`{}",
            first.call,
            if analogs.len() > 1 { " and others" } else { "" }
        ));
        let runs: Vec<CaseRun> = (self.run_cases(&analogs, path, body, cmd)?.into_iter())
            .filter(|r| r.run.passed || r.flawed(&self.issue).is_none())
            .collect();
        let failing = runs.iter().find(|r| !r.run.passed).map(|r| r.name.clone());
        let name = failing.or_else(|| runs.first().map(|r| r.name.clone()))?;
        let names: Vec<String> = runs.iter().map(|r| r.name.clone()).collect();
        let code = together(&runs);
        let (run, changes) = self.insert_and_run(path, body, &code, cmd)?;
        match self.fails_without_the_change(path, &names, cmd) {
            Ok(true) => {}
            Ok(false) => {
                self.remove_test(&changes);
                return None;
            }
            Err(stop) => return Some(Verdict::Lost(stop)),
        }
        self.keep_examples(&changes, path, &name, &code);
        if run.passed {
            self.status(format!("the issue's other case passes too (`{name}`)"));
            return Some(Verdict::Pass);
        }
        self.status(format!(
            "the change is incomplete: the issue's other case fails in `{name}`"
        ));
        Some(Verdict::Fail(run, changes, name, Writer::Model))
    }

    /// The issue's cases written as tests that fail now (see the module doc), and the values
    /// the issue expects that they leave out; `None` when none fails for the issue's reason.
    pub(in crate::agent) fn stated_tests(
        &mut self,
        path: &str,
        body: &str,
        cmd: &str,
    ) -> Option<StatedTests> {
        let mut cases = cases::cases(&self.issue);
        let crashes = crash::crash_cases(&self.issue);
        if !cases.is_empty() {
            let count = match cases.len() {
                1 => "a case".to_string(),
                n => format!("{n} cases"),
            };
            self.status(format!(
                "the tests pass, but the issue states {count} in full: writing tests of them in {path}"
            ));
        }
        if !crashes.is_empty() {
            self.status(format!(
                "the issue shows a crash: trying {} calls as tests in {path}",
                crashes.len()
            ));
        }
        cases.extend(crashes);
        if cases.is_empty() {
            return None;
        }
        let mut kept: Vec<CaseRun> = Vec::new();
        // The crash's calls are guesses: the first that shows it (innermost function, first
        // value) is the one, and the later ones do not run.
        for tried in self.run_cases(&cases, path, body, cmd)? {
            match tried.flawed(&self.issue) {
                None => kept.push(tried),
                Some(why) => {
                    self.status(format!("`{}` was not kept: {why}", tried.case.call));
                }
            }
        }
        if kept.is_empty() {
            return None;
        }
        let checked: Vec<Case> = kept.iter().map(|k| k.case.clone()).collect();
        let unchecked = cases::unchecked(&self.issue, &checked);
        if !unchecked.is_empty() {
            self.status(format!(
                "the tests cria wrote leave out {}",
                unchecked.join(", ")
            ));
        }
        Some(StatedTests { kept, unchecked })
    }

    /// Put `tests` in place as the reproduction test: the run with them, when they still fail.
    pub(in crate::agent) fn keep_stated(
        &mut self,
        path: &str,
        body: &str,
        cmd: &str,
        tests: StatedTests,
    ) -> Option<TestRun> {
        let name = tests.kept.first()?.name.clone();
        let code = together(&tests.kept);
        let run = self
            .place_test(path, body, (&code, &name), cmd, judge)?
            .ok()?;
        self.status(format!(
            "reproduced: the issue's cases fail as tests in {path}"
        ));
        // A call that no longer crashes may still give the wrong value (a small model's "fix"
        // is often to catch the error and return 0): the issue's examples are asked for too.
        let complete = tests.unchecked.is_empty()
            && tests
                .kept
                .iter()
                .all(|k| k.case.expect != Expect::Completes);
        if !complete {
            self.status("the issue's examples are checked again once the tests pass");
        }
        self.keep_repro(Repro {
            path: path.to_string(),
            name,
            code,
            complete,
        });
        Some(run)
    }
}

/// The tests of `runs` as one insertion: the imports the last of them needed (which include
/// those of the ones before), then the tests.
pub(in crate::agent) fn together(runs: &[CaseRun]) -> String {
    let imports = runs.last().map(|r| r.imports.clone()).unwrap_or_default();
    let tests: Vec<&str> = runs.iter().map(|r| r.code.as_str()).collect();
    with_imports(&imports, &tests.join("\n\n\n"))
}

/// `code` after the import lines it needs.
fn with_imports(imports: &[String], code: &str) -> String {
    [imports.join("\n"), code.to_string()]
        .join("\n")
        .trim_start()
        .to_string()
}
