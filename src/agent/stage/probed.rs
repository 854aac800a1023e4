//! The issue's cases stated in prose with no call, put to the functions the failing tests ran
//! ([`crate::agent::probe`]): for the check of the issue's examples once the tests pass.

use super::cases::CaseRun;
use crate::agent::probe;
use crate::agent::reproduce::section;
use crate::agent::run::Run;
use crate::protocol::StopReason;

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
        if let Some(first) = probes.first() {
            self.status(format!(
                "the issue states `{}` with no call: trying it as `{}`{}",
                first.covers,
                first.case.call,
                if probes.len() > 1 { " and others" } else { "" }
            ));
        }
        let mut kept: Vec<(CaseRun, String)> = Vec::new();
        for p in probes {
            if kept.iter().any(|(_, covers)| *covers == p.covers) {
                continue;
            }
            let Some(runs) = self.run_cases(std::slice::from_ref(&p.case), path, body, cmd) else {
                break;
            };
            let Some(tried) = runs.into_iter().next().filter(|r| r.run.passed) else {
                continue;
            };
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
                (true, Some(run)) => section(&run.output, &tried.name).contains(&p.wrong),
                _ => false,
            };
            if shows {
                self.status(format!(
                    "`{}` gives {} before the change and what the issue expects with it",
                    p.case.call, p.wrong
                ));
                kept.push((tried, p.covers));
            }
        }
        Ok(kept)
    }
}
