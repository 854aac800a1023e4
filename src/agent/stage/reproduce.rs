//! The reproduce stage: the project's tests pass, but the issue states a case. When it states
//! the call and the value in full, cria writes the test itself (see [`crate::agent::cases`]);
//! otherwise the model is asked for one new test that fails the way the issue says (see
//! [`crate::agent::reproduce`]).

use crate::agent::localize::Candidate;
use crate::agent::prompt;
use crate::agent::reproduce::{
    insertion, judge_anchored, judge_before, request, test_code, test_file, test_name, test_stops,
    Repro, TRIES, UNANCHORED,
};
use crate::agent::run::Run;
use crate::agent::sampling::{budget, test_variants};
use crate::agent::stage::pooled::Unanchored;
use crate::agent::stated::{self, expects_wrong};
use crate::edit::parse::SearchReplaceBlock;
use crate::model::BackendError;
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
        let body = self.test_text(&path)?;
        let lang = prompt::fence_lang(&path);
        // cria's own tests of the issue's cases, when they fail for its reason. The cases they
        // leave out are asked of the model once the tests pass (stage/accept.rs), where its test
        // is checked against a change; asking now would cost the fix a model step, which is
        // lost outright whenever no fix is found.
        let own = matches!(lang, "python" | "javascript" | "typescript" | "rust")
            .then(|| self.stated_tests(&path, &body, cmd))
            .flatten();
        if let Some(run) = own.and_then(|o| self.keep_stated(&path, &body, cmd, o)) {
            return Some(run);
        }
        if lang == "python" {
            if let Some(run) = self.probed_repro(&path, &body, cmd) {
                return Some(run);
            }
        }
        self.status(format!(
            "the tests pass, but the issue states a case: asking for a test in {path} that reproduces it"
        ));
        let mut rejected: Option<String> = None;
        let mut tried: Vec<String> = Vec::new();
        // Several candidates a step are each held to what the issue states (`judge_anchored`):
        // a small model's test, greedy or sampled, often makes up its own case and answer.
        // The first greedy test that fails, but not on the issue's values, is kept only when no
        // candidate does — beside the others that failed so, until a change tells them apart
        // (stage/pooled.rs).
        let judged = if self.backend.parallel_width() > 1 {
            judge_anchored
        } else {
            judge_before
        };
        // The first greedy candidate that failed on no stated value, and the others that did.
        let mut fallback: Option<Unanchored> = None;
        let mut others: Vec<Unanchored> = Vec::new();
        for _ in 0..TRIES {
            if self.report.steps >= self.cfg.limits.max_steps.saturating_sub(1) {
                break;
            }
            let ask = request(&self.issue, &path, &body, &self.shown, rejected.as_deref());
            self.talk.history = vec![Message::system(prompt::system(&self.shown))];
            self.tell(&ask);
            let replies = self.test_replies(&path, rejected.is_some()).ok()?;
            self.talk.history.clear();
            // The first candidate's flaw is what the next request tells the model.
            let mut first_flaw: Option<String> = None;
            for (k, reply) in replies.iter().enumerate() {
                match self.try_repro(reply, &path, &body, cmd, &mut tried, judged)? {
                    Ok(run) => return Some(run),
                    Err(NotKept { why, unanchored }) => {
                        match unanchored {
                            Some(u) if k == 0 && fallback.is_none() => fallback = Some(u),
                            Some(u) => others.push(u),
                            None => {}
                        }
                        first_flaw.get_or_insert(why);
                    }
                }
            }
            rejected = first_flaw.or(rejected);
        }
        if let Some(first) = fallback {
            if let Some(run) = self.keep_unanchored(&path, &body, cmd, first, others) {
                return Some(run);
            }
        }
        self.status("could not reproduce the issue with a test; going on without one");
        None
    }

    /// The model's candidate tests: one per sampling variant, decoded together, where the
    /// backend decodes several at once (the first greedy); else one reply, greedy or at the
    /// retry temperature on a `retry`. A small model's first test of a report often checks what
    /// already works: four candidates for the price of little more than one give the run more
    /// chances to show the bug before it goes on without a test.
    fn test_replies(&mut self, path: &str, retry: bool) -> Result<Vec<String>, BackendError> {
        let width = self.backend.parallel_width();
        if width > 1 {
            let lang = prompt::fence_lang(path);
            // Greedy first on a retry too: what the model is told is what should change.
            let variants = test_variants(self.report.steps + 1, width);
            return self.generate_variants(
                &format!("```{lang}\n"),
                test_stops(path),
                None,
                budget::TEST,
                &variants,
            );
        }
        if retry {
            self.sampling.retry_test();
        } else {
            self.sampling.greedy();
        }
        self.generate_test(path, &format!("```{}\n", prompt::fence_lang(path)))
            .map(|reply| vec![reply])
    }

    /// One candidate `reply` put to the test, `judged` on its run: `Ok` with the run when it is
    /// kept as the reproduction, `Err` with why not — and the test as run when it failed but
    /// not on the issue's values (see `UNANCHORED`); `None` when the test file could not be
    /// restored. A candidate the same as one `tried` before is not run again.
    fn try_repro(
        &mut self,
        reply: &str,
        path: &str,
        body: &str,
        cmd: &str,
        tried: &mut Vec<String>,
        judged: fn(&TestRun, &str, &str) -> Result<(), String>,
    ) -> Option<Result<TestRun, NotKept>> {
        let Some(mut code) = test_code(reply, path, body) else {
            return Some(Err(NotKept::flawed("the reply held no test code")));
        };
        let name = test_name(&code).unwrap_or_default();
        if name.is_empty() {
            return Some(Err(NotKept::flawed(
                "it has no test function cria can recognize",
            )));
        }
        // A value copied in the issue's shape with other numbers: the issue's numbers.
        if let Some(fixed) = stated::stated(&self.issue).respelled(&code) {
            self.status(format!(
                "the new test expects `{}`, a value the issue states with other numbers: \
                 asserting `{}`",
                fixed.was.escape_debug(),
                fixed.now.escape_debug()
            ));
            code = fixed.code;
        }
        // A named value asserted as it is now, where the issue states its number: that number.
        // The test then checks the issue's own value, as cria's own tests do.
        let mut judged = judged;
        if let Some(fixed) = stated::restated(&self.issue, &code) {
            self.status(format!(
                "the new test expects `{}` to be {}, where the issue says {}: asserting {}",
                fixed.name, fixed.was, fixed.now, fixed.now
            ));
            code = fixed.code;
            judged = judge_before;
        }
        if tried.iter().any(|t| t.trim() == code.trim()) {
            let why = "it is the same test as one tried already";
            self.status(format!("the new test was not kept: {why}"));
            return Some(Err(NotKept::flawed(why)));
        }
        tried.push(code.clone());
        if let Some(why) = expects_wrong(&self.issue, &code) {
            self.status(format!("the new test was not kept: {why}"));
            return Some(Err(NotKept::flawed(why)));
        }
        let mut placed = self.place_test(path, body, (&code, &name), cmd, judged)?;
        // A test that calls a project function it forgot to import: add the import.
        let import = match &placed {
            Err((_, run)) => self.import_line(run, path, body),
            _ => None,
        };
        if let Some(import) = import {
            self.status(format!("the new test lacks an import; adding `{import}`"));
            code = format!("{import}\n{code}");
            placed = self.place_test(path, body, (&code, &name), cmd, judged)?;
        }
        Some(match placed {
            Ok(run) => Ok(self.reproduced(path, name, code, run)),
            Err((why, run)) => {
                self.status(format!("the new test was not kept: {why}"));
                let unanchored = (why == UNANCHORED).then(|| Unanchored {
                    code,
                    name,
                    run: run.clone(),
                });
                Err(NotKept { why, unanchored })
            }
        })
    }

    /// The model's test `name` (`code`) in `path` shows the bug in `run`: it judges the fix.
    pub(super) fn reproduced(
        &mut self,
        path: &str,
        name: String,
        code: String,
        run: TestRun,
    ) -> TestRun {
        self.status(format!("reproduced: the new test `{name}` in {path} fails"));
        self.keep_repro(Repro {
            path: path.to_string(),
            name,
            code,
            complete: true,
        });
        run
    }

    /// The model's reply to a request for a test in `path`, begun with `prefill`: one test,
    /// ended by [`test_stops`], and gone on from where it stopped when that came before any
    /// test began. Python's stop is the two blank lines after a top-level block, and a reply
    /// that opens with its imports puts PEP 8's two blank lines after them: it stopped with no
    /// test at all, and the step was lost.
    pub(super) fn generate_test(
        &mut self,
        path: &str,
        prefill: &str,
    ) -> Result<String, BackendError> {
        let stops = test_stops(path);
        let reply = self.generate(prefill, stops, budget::TEST)?;
        let stopped_early = stops.iter().any(|s| *s != "```" && reply.ends_with(s))
            && test_code(&reply, path, "")
                .and_then(|code| test_name(&code))
                .is_none();
        if !stopped_early || !self.backend.supports_prefill() {
            return Ok(reply);
        }
        // The same reply, begun with what it wrote: not a message of its own.
        self.talk.history.pop();
        let left = budget::TEST.saturating_sub(self.backend.count_tokens(&reply));
        self.generate(&reply, stops, left.max(budget::TEST / 4))
    }

    /// From now on `repro` judges the fix.
    pub(in crate::agent) fn keep_repro(&mut self, repro: Repro) {
        self.report.repro_test = Some(format!("{}::{}", repro.path, repro.name));
        self.repro = Some(repro);
    }

    /// Add `code` to the test file and run the tests on the code before any change: `Ok` with the
    /// run when `judged` says the test shows the bug ([`crate::agent::reproduce::judge`] for
    /// cria's own tests of the issue's cases, [`judge_before`] for the model's, whose inputs may
    /// be its own) — it stays
    /// in place — else why not and the run (it is removed again). `None` when the file could
    /// not be changed at all.
    #[allow(clippy::type_complexity)]
    pub(in crate::agent) fn place_test(
        &mut self,
        path: &str,
        body: &str,
        (code, name): (&str, &str),
        cmd: &str,
        judged: fn(&TestRun, &str, &str) -> Result<(), String>,
    ) -> Option<Result<TestRun, (String, TestRun)>> {
        let (run, changes) = self.insert_and_run(path, body, code, cmd)?;
        match judged(&run, name, &self.issue) {
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
        let edit = if text == format!("{}\n", r.code) {
            // The file cria created for it.
            crate::edit::Edit::Delete {
                path: r.path.clone(),
                index: 1,
            }
        } else {
            // The two shapes `insertion` writes: before Python's main block, or appended.
            let before_main = format!("{}\n\n\n", r.code);
            let appended = format!("\n{}\n", r.code);
            let without = [before_main, appended]
                .iter()
                .find(|p| text.matches(p.as_str()).count() == 1)
                .map(|p| text.replacen(p.as_str(), "", 1));
            let Some(without) = without else { return };
            crate::edit::Edit::Replace(SearchReplaceBlock {
                path: r.path.clone(),
                search: text,
                replace: without,
                index: 1,
                ..Default::default()
            })
        };
        let report =
            crate::edit::apply_edits(&self.cfg.root, &[edit], crate::edit::Mode::CommitUnrecorded);
        if report.applied() {
            self.status(format!(
                "removed the reproduction test `{}` (--drop-repro-test)",
                r.name
            ));
        }
    }
}

/// Why a candidate test was not kept — and the test when it failed, but not on the issue's
/// values ([`UNANCHORED`]): kept after all when no candidate does better.
pub(super) struct NotKept {
    why: String,
    unanchored: Option<Unanchored>,
}

impl NotKept {
    fn flawed(why: impl Into<String>) -> NotKept {
        NotKept {
            why: why.into(),
            unanchored: None,
        }
    }
}
