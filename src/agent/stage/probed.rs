//! The issue's cases stated in prose with no call, put to the functions the tests ran
//! ([`crate::agent::probe`]): as the reproduction test, when the project's tests pass and the
//! issue states no call cria can write; and for the check of the issue's examples once the
//! tests pass with a change.

use super::cases::CaseRun;
use crate::agent::cases;
use crate::agent::probe::{self, Probe};
use crate::agent::reproduce::{section, Repro};
use crate::agent::run::Run;
use crate::agent::spectrum::{self, Tracer};
use crate::protocol::{StopReason, TestRun};

impl Run<'_> {
    /// The probes of the expected values `left` that check their case: each passes with the
    /// change and, on the code before it, fails giving the part of the output the issue says
    /// is wrong. With the value each checks; at most one a value. `Err` when the change could
    /// not be put back after a run without it.
    pub(super) fn probed_examples(
        &mut self,
        path: &str,
        body: &str,
        cmd: &str,
        left: &[String],
    ) -> Result<Vec<(CaseRun, String)>, StopReason> {
        let calls = (self.suspected.as_ref()).map_or_else(Vec::new, |s| s.calls.clone());
        let probes = probe::probes(&self.issue, left, &calls);
        self.say_trying(&probes);
        let mut kept: Vec<(CaseRun, String)> = Vec::new();
        // Run as one batch, so that each test has a name of its own.
        let cases: Vec<_> = probes.iter().map(|p| p.case.clone()).collect();
        let runs = self.run_cases(&cases, path, body, cmd).unwrap_or_default();
        for tried in runs.into_iter().filter(|r| r.run.passed) {
            let Some(p) = probe_of(&probes, &tried) else {
                continue;
            };
            if kept.iter().any(|(_, covers)| *covers == p.covers) {
                continue;
            }
            let code = super::cases::together(std::slice::from_ref(&tried));
            let Some((_, changes)) = self.insert_and_run(path, body, &code, cmd) else {
                break;
            };
            let before =
                self.run_before_the_change(path, std::slice::from_ref(&tried.name), cmd)?;
            if !self.remove_test(&changes) {
                break;
            }
            let shows = match &before {
                (true, Some(run)) => section(&run.output, &tried.name).contains(p.wrong()),
                _ => false,
            };
            if shows {
                self.status(format!(
                    "`{}` gives {} before the change and what the issue expects with it",
                    p.case.call,
                    p.wrong()
                ));
                kept.push((tried, p.covers.clone()));
            }
        }
        Ok(kept)
    }

    /// Before the model is asked for a reproduction test: the issue's cases stated in prose
    /// ([`probe::probes`]) put to the functions the project's tests call — traced, though they
    /// pass — each kept that fails on the code as it is, giving the part of the output the
    /// issue says is wrong. Those kept are the reproduction test; the run with it, or `None`.
    pub(in crate::agent) fn probed_repro(
        &mut self,
        path: &str,
        body: &str,
        cmd: &str,
    ) -> Option<TestRun> {
        let left = cases::unchecked_values(&self.issue, &[]);
        if !probe::in_prose(&self.issue, &left) {
            return None;
        }
        let root = self.cfg.root.path().to_path_buf();
        let tracer = spectrum::tracer(cmd, &root).filter(|t| *t == Tracer::Pytest)?;
        self.busy("tracing the tests to see which functions they call");
        let traced = spectrum::trace(&tracer, &self.cfg.runner, &root, self.test_limit());
        let probes = probe::probes(&self.issue, &left, &traced.calls);
        if probes.is_empty() {
            return None;
        }
        self.say_trying(&probes);
        // Run as one batch, so that each test has a name of its own.
        let cases: Vec<_> = probes.iter().map(|p| p.case.clone()).collect();
        let mut kept: Vec<CaseRun> = Vec::new();
        let mut covered: Vec<String> = Vec::new();
        for tried in self.run_cases(&cases, path, body, cmd)? {
            let Some(p) = probe_of(&probes, &tried) else {
                continue;
            };
            let failing = crate::testcmd::failing_tests(&tried.run.output);
            let shows = failing.contains(&tried.name)
                && section(&tried.run.output, &tried.name).contains(p.wrong());
            if shows && !covered.contains(&p.covers) {
                self.status(format!("`{}` gives {}", p.case.call, p.wrong()));
                covered.push(p.covers.clone());
                kept.push(tried);
            }
        }
        let name = kept.first()?.name.clone();
        let code = super::cases::together(&kept);
        let (run, changes) = self.insert_and_run(path, body, &code, cmd)?;
        if run.passed {
            self.remove_test(&changes);
            return None;
        }
        self.work.remember(&changes);
        self.status(format!(
            "reproduced: the issue's case fails as a test in {path}"
        ));
        let complete = left.iter().all(|value| covered.contains(value));
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

    /// Say which value is checked by a probe, and the first call tried.
    fn say_trying(&mut self, probes: &[Probe]) {
        if let Some(first) = probes.first() {
            self.status(format!(
                "the issue states `{}` with no call: trying it as `{}`{}",
                first.covers,
                first.case.call,
                if probes.len() > 1 { " and others" } else { "" }
            ));
        }
    }
}

/// The probe a test was written from (the call and the wrong value it shows tell them apart).
fn probe_of<'p>(probes: &'p [Probe], tried: &CaseRun) -> Option<&'p Probe> {
    (probes.iter()).find(|p| p.case.call == tried.case.call && p.case.shown == tried.case.shown)
}
