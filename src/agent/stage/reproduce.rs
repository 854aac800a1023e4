//! The reproduce stage: the project's tests pass, but the issue states a case, so the model is
//! asked for one new test that fails the way the issue says (see [`crate::agent::reproduce`]).

use crate::agent::cases::{self, Case};
use crate::agent::localize::Candidate;
use crate::agent::prompt;
use crate::agent::reproduce::{
    insertion, judge, request, test_code, test_file, test_name, tidy_names, Repro, TRIES,
};
use crate::agent::run::Run;
use crate::agent::sampling::budget;
use crate::agent::stated::expects_wrong;
use crate::edit::parse::SearchReplaceBlock;
use crate::protocol::{Message, TestRun};
use crate::sandbox::beneath;

impl Run<'_> {
    /// Try to add a test that fails the way the issue says; the test run with it when kept.
    pub(in crate::agent) fn reproduce(
        &mut self,
        ranked: &[Candidate],
        cmd: &str,
    ) -> Option<TestRun> {
        let files = crate::context::scan::list_files(self.cfg.root.path());
        let path = test_file(ranked, &files)?;
        let body = self.current_text(&path)?;
        let lang = prompt::fence_lang(&path);
        if lang == "python" {
            if let Some(run) = self.reproduce_stated(&path, &body, cmd) {
                return Some(run);
            }
        }
        self.status(format!(
            "the tests pass, but the issue states a case: asking for a test in {path} that reproduces it"
        ));
        let mut rejected: Option<String> = None;
        for _ in 0..TRIES {
            if self.report.steps >= self.cfg.limits.max_steps.saturating_sub(1) {
                break;
            }
            let ask = request(&self.issue, &path, &body, &self.shown, rejected.as_deref());
            self.talk.history = vec![Message::system(prompt::system(&self.shown))];
            self.tell(&ask);
            if rejected.is_some() {
                self.sampling.retry_test();
            } else {
                self.sampling.greedy();
            }
            let reply = self
                .generate(&format!("```{lang}\n"), &["```"], budget::TEST)
                .ok()?;
            self.talk.history.clear();
            let Some(mut code) = test_code(&reply, &path, &body) else {
                rejected = Some("the reply held no test code".into());
                continue;
            };
            let name = test_name(&code).unwrap_or_default();
            if name.is_empty() {
                rejected = Some("it has no test function cria can recognize".into());
                continue;
            }
            if let Some(why) = expects_wrong(&self.issue, &code) {
                self.status(format!("the new test was not kept: {why}"));
                rejected = Some(why);
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
                    self.keep_repro(Repro {
                        path,
                        name,
                        code,
                        complete: true,
                    });
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

    /// The issue's own cases written as tests by cria (see [`crate::agent::cases`]): each tried
    /// alone (with the imports it turns out to need), and those that fail now kept together.
    /// The run with them, when any was kept.
    fn reproduce_stated(&mut self, path: &str, body: &str, cmd: &str) -> Option<TestRun> {
        let cases = cases::cases(&self.issue);
        if cases.is_empty() {
            return None;
        }
        let count = match cases.len() {
            1 => "a case".to_string(),
            n => format!("{n} cases"),
        };
        self.status(format!(
            "the tests pass, but the issue states {count} in full: writing tests of them in {path}"
        ));
        let mut imports: Vec<String> = Vec::new();
        let mut kept: Vec<(Case, String, String)> = Vec::new();
        for (i, case) in cases.iter().enumerate() {
            let code = tidy_names(
                &cases::test_code(case, &format!("test_issue_example_{}", i + 1), body),
                body,
            );
            let name = test_name(&code)?;
            let mut needs = imports.clone();
            let verdict = loop {
                let full = with_imports(&needs, &code);
                let (run, changes) = self.insert_and_run(path, body, &full, cmd)?;
                if !self.remove_test(&changes) {
                    return None;
                }
                let import = (run.output.contains("is not defined") && needs.len() < 3)
                    .then(|| self.import_line(&run, path, body))
                    .flatten()
                    .filter(|line| !needs.contains(line));
                match import {
                    Some(line) => needs.push(line),
                    None => break judge(&run, &name, &self.issue),
                }
            };
            match verdict {
                Ok(()) => {
                    imports = needs;
                    kept.push((case.clone(), name, code));
                }
                Err(why) => self.status(format!("`{}` was not kept: {why}", case.call)),
            }
        }
        let name = kept.first()?.1.clone();
        let checked: Vec<Case> = kept.iter().map(|(case, _, _)| case.clone()).collect();
        let unchecked = cases::unchecked(&self.issue, &checked);
        let tests: Vec<String> = kept.into_iter().map(|(_, _, code)| code).collect();
        let code = with_imports(&imports, &tests.join("\n\n\n"));
        let run = self.place_test(path, body, &code, &name, cmd)?.ok()?;
        self.status(format!(
            "reproduced: the issue's cases fail as tests in {path}"
        ));
        if !unchecked.is_empty() {
            self.status(format!(
                "the tests cria wrote leave out {}: the issue's examples are checked again once the tests pass",
                unchecked.join(", ")
            ));
        }
        self.keep_repro(Repro {
            path: path.to_string(),
            name,
            code,
            complete: unchecked.is_empty(),
        });
        Some(run)
    }

    /// From now on `repro` judges the fix.
    fn keep_repro(&mut self, repro: Repro) {
        self.report.repro_test = Some(format!("{}::{}", repro.path, repro.name));
        self.repro = Some(repro);
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
    pub(in crate::agent) fn insert_and_run(
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
    pub(in crate::agent) fn remove_test(&mut self, changes: &[crate::edit::FileChange]) -> bool {
        match self.work.revert(&self.cfg.root, changes) {
            Ok(()) => true,
            Err(e) => {
                self.status(format!("could not remove the test again: {e}"));
                false
            }
        }
    }

    /// The import a test run that failed on an undefined name needs, if the project defines it.
    pub(in crate::agent) fn import_line(
        &self,
        run: &TestRun,
        path: &str,
        body: &str,
    ) -> Option<String> {
        let name = crate::agent::repro_imports::undefined_name(&run.output)?;
        let root = self.cfg.root.path();
        let files: Vec<(String, String)> = crate::context::scan::list_files(root)
            .into_iter()
            .filter_map(|p| {
                let text = String::from_utf8(beneath::read(root, &p).ok()?).ok()?;
                Some((p, text))
            })
            .collect();
        crate::agent::repro_imports::import_line(&name, path, body, &files)
    }

    /// `--drop-repro-test`: take the added test out again (the fix stays).
    pub(in crate::agent) fn drop_repro(&mut self) {
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

/// `code` after the import lines it needs.
fn with_imports(imports: &[String], code: &str) -> String {
    [imports.join("\n"), code.to_string()]
        .join("\n")
        .trim_start()
        .to_string()
}
