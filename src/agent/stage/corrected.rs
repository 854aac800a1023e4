//! A model's test of the issue that failed on the change, its expected value put right where
//! the issue says what it should be: the issue's own values asserted in what the test's calls
//! give ([`crate::agent::reassert`]), or — for another case the issue says goes wrong the same
//! way — the first case's correction carried to what that case gives
//! ([`crate::agent::mismatch`]). For [`super::asked`].

use crate::agent::mismatch;
use crate::agent::reassert;
use crate::agent::run::Run;
use crate::agent::stated;
use crate::edit::FileChange;
use crate::protocol::{StopReason, TestRun};

/// What became of a model's test that failed on the change, once tried with the issue's own
/// expected values asserted in what it gives (see `reassert`).
pub(super) enum Reasserted {
    /// The test asserted the issue's values, passed, and fails on the code before the change:
    /// it is kept.
    Kept,
    /// Its expected output contradicts nothing the issue states: it stays as it was.
    Unchanged,
    /// The rewrite did not hold: the model's test is back in, with this run and change.
    Back(TestRun, Vec<FileChange>),
    /// The model's test could not be put back.
    Gone,
    /// The change could not be put back after the run without it.
    Lost(StopReason),
}

impl Run<'_> {
    /// The model's test `code` (named `name`, added by `changes`) failed on the change. When
    /// its expected output leaves out a value the issue says should come out, its setup and
    /// calls are kept and the issue's values asserted in what they give instead: that test is
    /// kept when it passes with the change and fails without it — the issue's own values, not
    /// the model's memory of the whole output, judge. Otherwise the model's test goes back in.
    pub(super) fn reasserted(
        &mut self,
        path: &str,
        body: &str,
        cmd: &str,
        code: &str,
        name: &str,
        changes: &[FileChange],
    ) -> Reasserted {
        let expected = stated::stated(&self.issue).expected;
        if !reassert::contradicts(code, &expected) {
            return Reasserted::Unchanged;
        }
        let Some(checked) = reassert::reassert(code, path, &expected) else {
            return Reasserted::Unchanged;
        };
        if !self.remove_test(changes) {
            return Reasserted::Unchanged;
        }
        self.status(format!(
            "`{name}` expects an output that leaves out what the issue says should come out; \
             asserting the issue's values in what it gives instead"
        ));
        if let Some((run, put)) = self.insert_and_run(path, body, &checked, cmd) {
            if run.passed {
                match self.fails_without_the_change(path, &[name.to_string()], cmd) {
                    Ok(true) => {
                        self.keep_examples(&put, path, name, &checked);
                        self.status(format!(
                            "the issue's expected values are in what `{name}` gives with the \
                             change, and were not before it"
                        ));
                        return Reasserted::Kept;
                    }
                    Ok(false) => {}
                    Err(stop) => return Reasserted::Lost(stop),
                }
            }
            if !self.remove_test(&put) {
                return Reasserted::Gone;
            }
        }
        match self.insert_and_run(path, body, code, cmd) {
            Some((run, put)) => Reasserted::Back(run, put),
            None => Reasserted::Gone,
        }
    }
}

impl Run<'_> {
    /// The model's test `code` (named `name`) of another case the issue says goes wrong the
    /// same way, with the value it expects replaced by what the first case's correction makes
    /// of what the case gives (see [`mismatch`]), when `run` (the test failing on the change)
    /// shows what it gave and the correction carries: the issue states no value for that case,
    /// and the model's own (`KRW 1,500` for `₩1,500.00`) is a guess. The first case's
    /// correction is read from the failing run that showed the bug.
    pub(super) fn same_correction(
        &mut self,
        code: &str,
        run: &TestRun,
        name: &str,
    ) -> Option<String> {
        // The test's own expected value: the one its code writes, once.
        let (own, written) = (mismatch::mismatches(&run.output).into_iter()).find_map(|m| {
            let written = [mismatch::quoted(&m.want), format!("'{}'", m.want)]
                .into_iter()
                .find(|w| code.matches(w.as_str()).count() == 1)?;
            Some((m, written))
        })?;
        let shown = self.failing_output() + &self.attempts.baseline_output;
        let (first, want) = mismatch::mismatches(&shown).into_iter().find_map(|first| {
            let want = mismatch::carried(&first.got, &first.want, &own.got)?;
            (want != own.want).then_some((first, want))
        })?;
        self.status(format!(
            "`{name}` expects `{}` where the issue says it goes wrong as `{}` did, which should \
             have been `{}`: asserting `{}` instead",
            own.want.escape_debug(),
            first.got.escape_debug(),
            first.want.escape_debug(),
            want.escape_debug()
        ));
        Some(code.replacen(&written, &mismatch::quoted(&want), 1))
    }
}
