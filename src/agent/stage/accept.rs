//! The last check before cria says "fixed": the issue's own examples. The project's failing tests
//! passing is necessary but not enough — they may cover one case of several the issue states
//! (`*/15` but not `9-17/2`, nor "a step of 0 is an error"). So when the issue states cases and
//! no reproduction test was written at the start (or the one cria wrote from the issue's own
//! values left some of them out), the model is asked for a test of every input and expected
//! output the issue gives, against the changed code — once more, told why and what the issue
//! says should happen, when its first checks nothing (it asserts the wrong output, leaves out
//! the issue's inputs, is broken), the outcome hangs on it (without one it is unverified) and
//! the time left allows another; that corrected test can
//! verify the change, but one that fails on it is dropped, not followed:
//! - it passes, and fails on the code before the change: the fix is verified by the project's
//!   tests and the issue's examples (the test stays in the diff as a regression test unless
//!   `--drop-repro-test`). One that passes before the change too shows nothing: no check;
//! - it fails in the new test for a real reason, and fails on the code before the change too:
//!   the change is incomplete; the test becomes the judge (as a reproduction test is) and the
//!   run goes on, told what still fails — unless what it compared before the change is not the
//!   output the issue reports: then its inputs are of its own making, it would fail after a
//!   right change too, and it is no check ([`crate::agent::reproduce::not_the_reported_output`]). One that passes on the code before the change asserts
//!   what the issue calls wrong (a small model copies the output the issue quotes as the
//!   expected value): it is broken, and no judge of anything;
//! - it is broken, or cannot be written: the project's own tests remain the verdict.
//!
//! cria writes the test itself when it can: from the cases the issue states in full, or, for a
//! crash, from calls that fail with the issue's own error on the code before the change.
//!
//! An issue may say another case goes wrong the same way, with no values of its own ("`pending()`
//! lists the same wrong order"). When the test kept leaves such a case out, the model is asked
//! for a test of that case alone, held to the same checks; without one that passes, the change
//! is unverified (see [`OtherCases`]).
//!
//! A test that fails before and after the change may itself be what is wrong (it expects a
//! value of the model's own making). So when the run then finds nothing better and ends on the
//! very change the project's tests passed, the test is taken out and the outcome is
//! *unverified*: neither "fixed" (cria's own check disagrees) nor "not fixed" (the tests that
//! showed the bug pass). See [`Run::settle`]. A test the model wrote is that doubtful as often
//! as not (it copies the wrong output the issue shows, or a value of its own): it judges for
//! [`DOUBTED_STEPS`] model steps, and when none of them built on the change, the run settles
//! on it then ([`Run::doubt_spent`]) instead of chasing the test to the time limit. A test cria
//! wrote from the issue's own values judges to the end.

use super::asked::Rejected;
use super::cases::{together, CaseRun};
use crate::agent::cases::{self, Case};
use crate::agent::crash;
use crate::agent::localize::Candidate;
use crate::agent::prompt;
use crate::agent::reproduce::{self, Repro};
use crate::agent::run::{Disputed, Next, Run};
use crate::agent::stated;
use crate::edit;
use crate::protocol::{Outcome, StopReason, TestRun};
use std::time::Duration;

/// Model steps a test of the issue's examples that the model wrote judges, after it failed on
/// the change the project's tests passed, before the run settles on that change (see the
/// module doc): enough for a diagnosis and two rewrites of four candidates each.
pub(super) const DOUBTED_STEPS: usize = 3;

/// Who wrote a test of the issue's examples.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Writer {
    /// cria, from the values the issue states, or the calls that crash as the issue shows.
    Cria,
    /// The model: the test may expect a wrong value.
    Model,
}

/// Why a test of the issue's examples that passes on the change is no check of it.
pub(super) const PASSES_BEFORE: &str =
    "passes on the code before the change too: it does not show the bug";

/// Where a run stands with the cases the issue says go wrong the same way as the one it shows
/// ([`stated::other_cases`]).
#[derive(Debug, Default)]
pub(in crate::agent) struct OtherCases {
    /// Those a test cria kept checks.
    checked: Vec<String>,
    /// Those a test was asked for (once each).
    asked: Vec<String>,
}

impl OtherCases {
    /// The first case of `issue` that neither a kept test checks nor `code` (the test that
    /// judges now) speaks of; those it speaks of count as checked from now on.
    fn next(&mut self, issue: &str, code: &str) -> Option<String> {
        let cases = stated::other_cases(issue);
        for case in &cases {
            if stated::touches(code, case) && !self.checked.contains(case) {
                self.checked.push(case.clone());
            }
        }
        cases.into_iter().find(|case| !self.checked.contains(case))
    }
}

/// What the issue's examples said about a change that makes the project's tests pass.
pub(super) enum Verdict {
    /// They pass too.
    Pass,
    /// They fail: the change is incomplete, or the test is wrong (the run with the new test,
    /// the test's insertion, its name and who wrote it).
    Fail(TestRun, Vec<edit::FileChange>, String, Writer),
    /// No usable test could be written (why).
    Unavailable(String),
    /// The model's reply gave no test that checks anything: worth one more try.
    Flawed(Rejected),
    /// The change could not be put back after the test ran without it.
    Lost(StopReason),
}

impl Run<'_> {
    /// The tests pass with the change: a fix only if a test showed the bug before it, and the
    /// issue's own examples (see the module doc) do not say otherwise.
    /// `combined`: two failed candidates passed together.
    pub(in crate::agent) fn tests_pass(&mut self, combined: bool, cmd: &str) -> Next {
        if !self.bug_shown {
            return Next::Stop(StopReason::BugNotShown);
        }
        let verified = |examples| Next::Stop(StopReason::TestsPass { combined, examples });
        let passing = self.report.tests_after.clone();
        // cria's own test of the issue's cases may check only some of them.
        let partial = self.repro.as_ref().is_some_and(|r| !r.complete);
        // A case the issue says goes wrong the same way ("won amounts have the same problem")
        // is one the failing tests may not check, stated values or not.
        let names_others = !stated::other_cases(&self.issue).is_empty();
        let wanted = (self.repro.is_none() || partial)
            && !self.acceptance_asked
            && (reproduce::states_expectation(&self.issue) || names_others);
        if !wanted {
            return self
                .other_cases(cmd, &passing)
                .unwrap_or_else(|| verified(false));
        }
        self.acceptance_asked = true;
        // One stated case is what the failing tests showed; several may be more than they
        // check, and then "fixed" would claim what nothing verified: without a test of them the
        // change is unverified.
        let needed = partial
            || names_others
            || reproduce::stated_examples(&self.issue).len() > 1
            || cases::unchecked(&self.issue, &[]).len() > 1;
        match self.issue_examples(cmd, needed) {
            Verdict::Pass => self
                .other_cases(cmd, &passing)
                .unwrap_or_else(|| verified(true)),
            Verdict::Unavailable(reason) | Verdict::Flawed(Rejected { why: reason, .. }) => {
                // The run that passed is the last word on the tests, not the broken test's.
                self.report.tests_after = passing;
                self.status(format!("no test of the issue's examples: {reason}"));
                if needed {
                    return Next::Stop(StopReason::ExamplesUnchecked { why: reason });
                }
                verified(false)
            }
            Verdict::Lost(stop) => Next::Stop(stop),
            Verdict::Fail(run, inserted, test, writer) => {
                self.examples_fail(run, inserted, test, writer, passing)
            }
        }
    }

    /// cria's test of the issue's examples fails on the change the project's tests passed
    /// (`passing`, their run): it judges what follows (see [`Disputed`]), and the run goes on,
    /// told what still fails.
    fn examples_fail(
        &mut self,
        run: TestRun,
        inserted: Vec<edit::FileChange>,
        test: String,
        writer: Writer,
        passing: Option<TestRun>,
    ) -> Next {
        self.disputed = Some(Disputed {
            judges_until: (writer == Writer::Model).then_some(self.report.steps + DOUBTED_STEPS),
            state: self.work.state(&self.cfg.root),
            inserted,
            test,
            passing,
        });
        self.attempts.set_baseline(&run.output);
        self.tell(&prompt::still_failing(&run, &[], true));
        // The case the test adds may be one token away from the change (the next entry of the
        // same table, the other bound): one-token changes on top of it are tried once, before
        // the model's next reply.
        self.search_due = self.searches < 2;
        Next::Continue
    }

    /// The stop a run that found no fix ends with: when it ends on the change the project's
    /// tests passed and only cria's own test of the examples failed on it, that test is taken
    /// out and the change is *unverified* ([`StopReason::OwnTestDisagrees`]); any other stop is
    /// left as it is. Not after a cancel or a failure, which say what they say.
    pub(in crate::agent) fn settle(&mut self, stop: StopReason) -> StopReason {
        let settles = stop.outcome() == Outcome::NotFixed
            && !matches!(
                stop,
                StopReason::Cancelled
                    | StopReason::RevertFailed { .. }
                    | StopReason::ModelFailure { .. }
                    | StopReason::HookRefused { .. }
            );
        if !settles {
            return stop;
        }
        self.take_out_disputed(stop.to_string()).unwrap_or(stop)
    }

    /// The run settles on the disputed change once a test the model wrote has judged for its
    /// [`DOUBTED_STEPS`] and the code is still that change (nothing since made the test fail
    /// less, or it would have been kept): `None` while it judges on. Not when a second model is
    /// waiting to take over, which may complete what the first could not.
    pub(in crate::agent) fn doubt_spent(&mut self) -> Option<StopReason> {
        let disputed = self.disputed.as_mut()?;
        let until = disputed.judges_until?;
        if self.escalation.is_some() || self.report.steps < until {
            return None;
        }
        // Due once: when something built on the change, the test judges to the end.
        disputed.judges_until = None;
        self.take_out_disputed(format!(
            "no change in the {DOUBTED_STEPS} model steps after it made it pass"
        ))
    }

    /// Take the disputed test out and end on the change it disputed, unverified (`then`: what
    /// ended the run); `None` when the code is no longer that change or the test cannot be
    /// taken out (the run then stops as it would have).
    fn take_out_disputed(&mut self, then: String) -> Option<StopReason> {
        if self.work.state(&self.cfg.root) != self.disputed.as_ref()?.state {
            return None;
        }
        let disputed = self.disputed.take()?;
        if !self.remove_test(&disputed.inserted) {
            return None;
        }
        self.status(format!(
            "took out `{}`: it failed on the change the project's tests passed",
            disputed.test
        ));
        self.repro = None;
        self.report.repro_test = None;
        self.report.tests_after = disputed.passing;
        Some(StopReason::OwnTestDisagrees {
            test: disputed.test,
            then,
        })
    }

    /// The cases the issue says go wrong the same way ("Korean won amounts have the same
    /// problem", [`stated::other_cases`]) that no test cria kept checks: the change may fix the
    /// first case alone. The model is asked for a test of each such case, once: it passes (and
    /// fails on the code before the change), and the case is checked; it fails, and the change is
    /// incomplete (the run goes on, the test its judge); none could be kept, and the run stops,
    /// unverified. `None` when every case is checked (or cria added no test); `passing`, the
    /// run of the project's tests that passed with the change.
    fn other_cases(&mut self, cmd: &str, passing: &Option<TestRun>) -> Option<Next> {
        loop {
            let repro = self.repro.as_ref()?;
            let (path, code) = (repro.path.clone(), repro.code.clone());
            let case = self.others.next(&self.issue, &code)?;
            let left_out = format!("the test cria added leaves out \"{case}\"");
            let unchecked = |why: String| Some(Next::Stop(StopReason::ExamplesUnchecked { why }));
            if self.others.asked.contains(&case) || !self.time_for(Duration::ZERO) {
                return unchecked(left_out);
            }
            self.others.asked.push(case.clone());
            let Some(body) = self.test_text(&path) else {
                return unchecked(left_out);
            };
            let verdict = match self.analogous_examples(&path, &body, cmd, &case) {
                Some(verdict) => verdict,
                None => {
                    self.status(format!("{left_out}; asking for a test of that case"));
                    self.examples_asked(&path, &body, cmd, Some(&case), true)
                }
            };
            match verdict {
                Verdict::Pass => self.others.checked.push(case),
                Verdict::Fail(run, inserted, test, writer) => {
                    self.others.checked.push(case);
                    let passing = passing.clone();
                    return Some(self.examples_fail(run, inserted, test, writer, passing));
                }
                Verdict::Unavailable(why) | Verdict::Flawed(Rejected { why, .. }) => {
                    self.report.tests_after = passing.clone();
                    return unchecked(format!("{left_out}, and no test of it was kept: {why}"));
                }
                Verdict::Lost(stop) => return Some(Next::Stop(stop)),
            }
        }
    }

    /// Ask for a test of the issue's examples, put it in, and run the tests (see [`Verdict`]).
    /// `needed`: without such a test the change is unverified (and only then is a model's test
    /// that checks nothing asked for again: otherwise the retry costs a reply and changes
    /// nothing).
    fn issue_examples(&mut self, cmd: &str, needed: bool) -> Verdict {
        let files = crate::context::scan::list_files(self.cfg.root.path());
        // Best: the test file whose tests showed the bug.
        let failing = self
            .report
            .tests_before
            .as_ref()
            .map(|t| t.output.clone())
            .unwrap_or_default();
        let named: Vec<Candidate> = files
            .iter()
            .filter(|f| {
                let base = f.rsplit('/').next().unwrap_or(f);
                failing.contains(f.as_str()) || failing.contains(base)
            })
            .map(|f| Candidate {
                path: f.clone(),
                ..Default::default()
            })
            .collect();
        let Some(path) = reproduce::test_file(&named, &files) else {
            return Verdict::Unavailable("the project has no test file to add it to".into());
        };
        let Some(body) = self.test_text(&path) else {
            return Verdict::Unavailable(format!("{path} cannot be read"));
        };
        self.status(format!(
            "the tests pass; checking the issue's own examples with a new test in {path}"
        ));
        if let Some(verdict) = self.own_examples(&path, &body, cmd).or_else(|| {
            // A reproduction test from the start already checks the crash.
            self.repro
                .is_none()
                .then(|| self.crash_examples(&path, &body, cmd))
                .flatten()
        }) {
            return verdict;
        }
        // A test of the model's that checks nothing is asked for once more, told why, when it
        // is needed.
        self.examples_asked(&path, &body, cmd, None, needed)
    }

    /// The issue's examples as tests cria writes itself (see [`super::cases`]), when it can
    /// write every one of them and each is a sound check: `None` (the model is asked) when not.
    fn own_examples(&mut self, path: &str, body: &str, cmd: &str) -> Option<Verdict> {
        let mut all = cases::cases(&self.issue);
        // A value stated in prose, with no call, may be checked by calling a function the
        // failing tests ran (see stage/probed.rs).
        let left = cases::unchecked_values(&self.issue, &all);
        let probed = match left.is_empty() {
            true => Vec::new(),
            false => match self.probed_examples(path, body, cmd, &left) {
                Ok(probed) => probed,
                Err(stop) => return Some(Verdict::Lost(stop)),
            },
        };
        let covered: Vec<&String> = probed.iter().map(|(_, value)| value).collect();
        all.extend(probed.iter().map(|(tried, _)| tried.case.clone()));
        // Every expected value checked, and every case said to go wrong "the same way" one of
        // them (its sentence names the call).
        let whole = !all.is_empty()
            && left.iter().all(|value| covered.contains(&value))
            && stated::other_cases(&self.issue)
                .iter()
                .all(|sentence| all.iter().any(|c| sentence.contains(&c.call)));
        if !whole {
            return None;
        }
        // The cases cria's reproduction test already holds pass with the change: not twice.
        if let Some(repro) = &self.repro {
            all.retain(|case| !cases::written_in(case, &repro.code));
        }
        if all.is_empty() {
            return None;
        }
        let runs = self.run_cases(&all, path, body, cmd)?;
        if runs.len() < all.len() {
            return None;
        }
        let mut failing: Option<String> = None;
        for r in runs.iter().filter(|r| !r.run.passed) {
            if r.flawed(&self.issue).is_some() {
                return None;
            }
            failing.get_or_insert_with(|| r.name.clone());
        }
        let code = together(&runs);
        let name = failing
            .clone()
            .or_else(|| runs.first().map(|r| r.name.clone()))?;
        let Some((run, changes)) = self.insert_and_run(path, body, &code, cmd) else {
            return Some(Verdict::Unavailable(format!(
                "it could not be added to {path}"
            )));
        };
        let keep = |run: &mut Self| run.keep_examples(&changes, path, &name, &code);
        if failing.is_none() && run.passed {
            let names: Vec<String> = runs.iter().map(|r| r.name.clone()).collect();
            match self.fails_without_the_change(path, &names, cmd) {
                Ok(true) => {}
                Ok(false) => {
                    self.status(format!(
                        "the tests cria wrote of the examples {PASSES_BEFORE}"
                    ));
                    self.remove_test(&changes);
                    return None;
                }
                Err(stop) => return Some(Verdict::Lost(stop)),
            }
            keep(self);
            self.status(format!(
                "the issue's examples pass too (the tests cria wrote of them, `{name}`…)"
            ));
            return Some(Verdict::Pass);
        }
        let incomplete = failing.is_some() && !run.passed;
        let shows_bug = incomplete
            && match self.fails_without_the_change(path, std::slice::from_ref(&name), cmd) {
                Ok(fails) => fails,
                Err(stop) => return Some(Verdict::Lost(stop)),
            };
        if !shows_bug {
            self.remove_test(&changes);
            return None;
        }
        keep(self);
        self.status(format!(
            "the change is incomplete: the issue's examples fail in `{name}`"
        ));
        Some(Verdict::Fail(run, changes, name, Writer::Cria))
    }

    /// The crash the issue shows, as tests cria writes itself ([`crash::crash_cases`]), when
    /// the issue expects nothing else it quotes: the candidate calls run on the code before the
    /// change, and the first that fails there with the issue's own error is the check. `None`
    /// (the model is asked) when none shows the crash.
    fn crash_examples(&mut self, path: &str, body: &str, cmd: &str) -> Option<Verdict> {
        let candidates = crash::crash_cases(&self.issue);
        if candidates.is_empty() || !cases::unchecked(&self.issue, &[]).is_empty() {
            return None;
        }
        self.status(format!(
            "the issue shows a crash: trying {} calls as tests on the code before the change",
            candidates.len()
        ));
        let tried =
            self.without_the_change(path, |run| run.run_cases(&candidates, path, body, cmd));
        let tried = match tried {
            Ok(tried) => tried?,
            Err(stop) => return Some(Verdict::Lost(stop)),
        };
        let shown: Vec<Case> = tried
            .into_iter()
            .filter(|t| !t.run.passed && t.flawed(&self.issue).is_none())
            .map(|t| t.case)
            .collect();
        if shown.is_empty() {
            return None;
        }
        // With the change, each again: it passes, or fails some other way (an input that was
        // never valid may still be refused, but not with the issue's error).
        let (passing, failing): (Vec<CaseRun>, Vec<CaseRun>) = self
            .run_cases(&shown, path, body, cmd)?
            .into_iter()
            .partition(|t| t.run.passed);
        let still = failing
            .iter()
            .any(|t| crash::shows_crash(&t.case, &t.run.output));
        let (kept, pass) = if still || passing.is_empty() {
            (failing, false)
        } else {
            (passing, true)
        };
        let name = kept.first()?.name.clone();
        let call = kept.first()?.case.call.clone();
        let code = together(&kept);
        let Some((run, changes)) = self.insert_and_run(path, body, &code, cmd) else {
            return Some(Verdict::Unavailable(format!(
                "it could not be added to {path}"
            )));
        };
        if pass && run.passed {
            self.keep_examples(&changes, path, &name, &code);
            self.status(format!(
                "the issue's crash is gone: `{call}` failed with it before the change and passes now"
            ));
            return Some(Verdict::Pass);
        }
        if pass || run.passed || reproduce::judge(&run, &name, &self.issue).is_err() {
            self.remove_test(&changes);
            return None;
        }
        self.keep_examples(&changes, path, &name, &code);
        self.status(format!(
            "the change is incomplete: `{call}` still fails in `{name}`"
        ));
        Some(Verdict::Fail(run, changes, name, Writer::Cria))
    }

    /// The test of the issue's examples `changes` added stays, and judges from now on.
    pub(super) fn keep_examples(
        &mut self,
        changes: &[edit::FileChange],
        path: &str,
        name: &str,
        code: &str,
    ) {
        self.work.remember(changes);
        self.keep_repro(Repro {
            path: path.to_string(),
            name: name.to_string(),
            code: code.to_string(),
            complete: true,
        });
    }

    /// Whether one of the new tests `names` (in `test_path`) fails on the code as it was before
    /// the change, as a test of what the issue calls wrong must: the change is taken out for one
    /// test run, then put back. `Err` when it could not be put back.
    pub(super) fn fails_without_the_change(
        &mut self,
        test_path: &str,
        names: &[String],
        cmd: &str,
    ) -> Result<bool, StopReason> {
        Ok(self.run_before_the_change(test_path, names, cmd)?.0)
    }

    /// Whether one of the tests `names` fails on the code before the change, as
    /// [`Self::fails_without_the_change`] says, and that run (`None` when there is no change
    /// to take out).
    pub(super) fn run_before_the_change(
        &mut self,
        test_path: &str,
        names: &[String],
        cmd: &str,
    ) -> Result<(bool, Option<TestRun>), StopReason> {
        if self.change_outside(test_path).is_empty() {
            return Ok((true, None));
        }
        let before = self.without_the_change(test_path, |run| {
            let name = names.first().map_or("", String::as_str);
            run.status(format!("running `{name}` on the code before the change"));
            let root = run.cfg.root.path();
            crate::testcmd::run(&run.cfg.runner, cmd, root, run.test_limit())
        })?;
        let failing = crate::testcmd::failing_tests(&before.output);
        let fails = before.timed_out
            || names.iter().any(|name| {
                failing.iter().any(|t| t == name)
                    || (failing.is_empty() && !before.passed && before.output.contains(name))
            });
        Ok((fails, Some(before)))
    }

    /// The run's change, less what it did to `test_path`.
    fn change_outside(&self, test_path: &str) -> Vec<edit::FileChange> {
        self.work
            .changes(&self.cfg.root)
            .into_iter()
            .filter(|c| c.rel != test_path)
            .collect()
    }

    /// `f` run on the code as it was before the change (all of it but `test_path`'s): the
    /// change is taken out, then put back. `Err` when it could not be put back.
    fn without_the_change<T>(
        &mut self,
        test_path: &str,
        f: impl FnOnce(&mut Self) -> T,
    ) -> Result<T, StopReason> {
        let change = self.change_outside(test_path);
        self.revert(&change)?;
        let out = f(self);
        self.put_back(&change)
            .map_err(|e| StopReason::RevertFailed {
                why: format!("putting the change back after a test run without it: {e}"),
            })?;
        self.record_undo();
        Ok(out)
    }
}
