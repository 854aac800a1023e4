//! Tests that fail, but on no value the issue states, kept together until a change shows which
//! one the issue means. When no candidate test of the reproduce stage failed on the issue's own
//! values, the first greedy one that failed at all used to be kept alone — and a small model's
//! greedy test often mixes the issue's two cases (one case's input, the other's answer), which
//! no change can pass: the run then spent its time on a test that could never judge a fix.
//!
//! So the greedy test and the other candidates that failed in the same way are placed in the
//! test file together (a [`Pool`]), and the one-token search runs once against all of them, one
//! run of the tests per change. A change that makes one or more of them pass, and no other test
//! fail, tells which: those stay, the rest are taken out, and the change is judged as any. As
//! a test picked by the change it judges proves less than one the issue anchors, it is kept as
//! incomplete: before "fixed", a test of the issue's own examples must agree
//! ([`crate::agent::stage::accept`]), or the outcome is unverified. When no change tells, the
//! pool is settled on the greedy test alone, as before, and the model is told of that one only.

use crate::agent::reproduce::{judge_before, states_expectation, test_name, tidy_names, Repro};
use crate::agent::run::Run;
use crate::edit::{self, parse::SearchReplaceBlock};
use crate::protocol::TestRun;
use crate::testcmd;

/// Candidate tests kept together at most.
const POOLED: usize = 4;

/// A candidate test that failed, but on no value the issue states.
#[derive(Debug, Clone)]
pub(in crate::agent) struct Unanchored {
    pub(in crate::agent) code: String,
    pub(in crate::agent) name: String,
    /// The tests' run with it alone in the test file.
    pub(in crate::agent) run: TestRun,
}

/// The candidate tests in the test file together, the greedy one first.
#[derive(Debug)]
pub(in crate::agent) struct Pool {
    path: String,
    members: Vec<Unanchored>,
    /// Their code as it stands in the file.
    together: String,
    /// The tests' run with all of them in place.
    pub(in crate::agent) run: TestRun,
}

impl Pool {
    /// The members that pass in `run` (a run with a change in place) where the only tests that
    /// fail are members: `None` where none passes, where a test outside the pool fails (the
    /// change broke something), or where the output does not say which tests failed.
    fn passing_in(&self, run: &TestRun) -> Option<Vec<&Unanchored>> {
        if run.passed || run.timed_out {
            return None;
        }
        let failing = testcmd::failing_tests(&run.output);
        let member = |name: &String| self.members.iter().any(|m| m.name == *name);
        if failing.is_empty() || !failing.iter().all(member) {
            return None;
        }
        let counted = testcmd::failure_count(&run.output);
        if counted.is_some_and(|n| n != failing.len()) {
            return None;
        }
        let passing: Vec<&Unanchored> = (self.members.iter())
            .filter(|m| !failing.contains(&m.name))
            .collect();
        (!passing.is_empty()).then_some(passing)
    }
}

impl Run<'_> {
    /// Keep `first`, the first greedy candidate that failed on no value the issue states, as the
    /// test that shows the bug — with `others` that failed so, where they fail beside it (see
    /// the module doc). The run the model is to be told of (`first`'s own) when one is kept.
    pub(in crate::agent) fn keep_unanchored(
        &mut self,
        path: &str,
        body: &str,
        cmd: &str,
        first: Unanchored,
        others: Vec<Unanchored>,
    ) -> Option<TestRun> {
        if !others.is_empty() && pools(path) {
            if let Some(run) = self.keep_pool(path, body, cmd, &first, others) {
                return Some(run);
            }
        }
        self.status(format!(
            "no candidate failed on a value the issue states; keeping `{}`, the first that fails",
            first.name
        ));
        let Unanchored { code, name, .. } = first;
        match self.place_test(path, body, (&code, &name), cmd, judge_before)? {
            Ok(run) => Some(self.reproduced(path, name, code, run)),
            Err(_) => None,
        }
    }

    /// Place `first` and `others` in `path` together: `Some` with `first`'s own run when each
    /// fails there as it did alone (they then stand as the pool), else `None` with the file as
    /// it was.
    fn keep_pool(
        &mut self,
        path: &str,
        body: &str,
        cmd: &str,
        first: &Unanchored,
        others: Vec<Unanchored>,
    ) -> Option<TestRun> {
        let members = distinct(path, body, first, others);
        if members.len() < 2 {
            return None;
        }
        let together = joined(path, &members);
        let (run, changes) = self.insert_and_run(path, body, &together, cmd)?;
        if let Some(m) =
            (members.iter()).find(|m| judge_before(&run, &m.name, &self.issue).is_err())
        {
            self.status(format!(
                "`{}` does not fail beside the other candidates; keeping the first alone",
                m.name
            ));
            self.remove_test(&changes);
            return None;
        }
        self.work.remember(&changes);
        let names: Vec<&str> = members.iter().map(|m| m.name.as_str()).collect();
        self.status(format!(
            "no candidate failed on a value the issue states; keeping the {} that fail (`{}`) \
             until a one-token change shows which one the issue means",
            members.len(),
            names.join("`, `")
        ));
        self.keep_repro(Repro {
            path: path.to_string(),
            name: first.name.clone(),
            code: together.clone(),
            complete: true,
        });
        let alone = first.run.clone();
        self.report.pooled_tests = members.len();
        self.pool = Some(Pool {
            path: path.to_string(),
            members,
            together,
            run,
        });
        Some(alone)
    }

    /// With a pool standing, the members that pass with a change in place whose tests `run`
    /// (see [`Pool::passing_in`]): their names. Never where the issue states no expected
    /// value (a crash alone): no test of its examples could then be asked to agree.
    pub(in crate::agent) fn pool_passing(&self, run: &TestRun) -> Option<Vec<String>> {
        let pool = self.pool.as_ref()?;
        if !states_expectation(&self.issue) {
            return None;
        }
        let passing = pool.passing_in(run)?;
        Some(passing.iter().map(|m| m.name.clone()).collect())
    }

    /// A change made the pool's members `passing` pass (it is not in place now): keep them alone,
    /// as a test the issue's examples must still agree with. False (said) when the others could
    /// not be taken out; the pool then stands.
    pub(in crate::agent) fn narrow_pool(&mut self, passing: &[String]) -> bool {
        let Some(pool) = self.pool.take() else {
            return false;
        };
        let kept: Vec<Unanchored> = (pool.members.iter())
            .filter(|m| passing.contains(&m.name))
            .cloned()
            .collect();
        let Some(first) = kept.first() else {
            self.pool = Some(pool);
            return false;
        };
        let code = joined(&pool.path, &kept);
        if !self.replace_pooled(&pool, &code) {
            self.pool = Some(pool);
            return false;
        }
        let dropped = pool.members.len() - kept.len();
        self.report.pool_told = true;
        self.status(format!(
            "taking out the {dropped} other candidate tests: the change makes `{}` pass, and the \
             issue's own examples must still agree",
            passing.join("`, `")
        ));
        self.keep_repro(Repro {
            path: pool.path.clone(),
            name: first.name.clone(),
            code,
            complete: false,
        });
        true
    }

    /// No change told which member the issue means: keep the first (the greedy one) alone, and
    /// what the tests said with it alone is the run to beat. Nothing when no pool stands.
    pub(in crate::agent) fn settle_pool(&mut self) {
        let Some(pool) = self.pool.take() else {
            return;
        };
        let Some(first) = pool.members.first().cloned() else {
            return;
        };
        if !self.replace_pooled(&pool, &first.code) {
            // The members stay, all judging: the pool's run is the one to beat.
            self.attempts.set_baseline(&pool.run.output);
            return;
        }
        self.status(format!(
            "no one-token change told which candidate test the issue means; keeping `{}`, the \
             first that fails",
            first.name
        ));
        self.attempts.set_baseline(&first.run.output);
        self.report.tests_after = Some(first.run);
        self.keep_repro(Repro {
            path: pool.path,
            name: first.name,
            code: first.code,
            complete: true,
        });
    }

    /// Put `code` where the pool's members stand together; false (said) when that failed.
    fn replace_pooled(&mut self, pool: &Pool, code: &str) -> bool {
        let block = SearchReplaceBlock {
            path: pool.path.clone(),
            search: pool.together.clone(),
            replace: code.to_string(),
            index: 1,
            ..Default::default()
        };
        let report = self.apply(&[edit::Edit::Replace(block)]);
        if !report.applied() {
            self.status(format!(
                "could not take the other candidate tests out: {}",
                report.failures.join("; ")
            ));
            return false;
        }
        self.work.remember(&report.changes);
        true
    }
}

/// Whether candidate tests in `path` can stand together: where cria can keep their names apart.
fn pools(path: &str) -> bool {
    matches!(
        crate::agent::prompt::fence_lang(path),
        "python" | "rust" | "javascript" | "typescript"
    )
}

/// `first` and `others` (at most [`POOLED`] in all) with names kept apart from each other and
/// from the test file's (`body`): a same-named function would replace the one before it, and
/// two tests of one title could not be told apart. A JavaScript test is named by its title:
/// a second of one title gets a number (`doubles each wait (2)`).
fn distinct(
    path: &str,
    body: &str,
    first: &Unanchored,
    others: Vec<Unanchored>,
) -> Vec<Unanchored> {
    // Functions' names were made distinct already; a title is found in the file as it stands.
    let titled = matches!(
        crate::agent::prompt::fence_lang(path),
        "javascript" | "typescript"
    );
    let mut members = vec![first.clone()];
    for mut other in others {
        if members.len() == POOLED {
            break;
        }
        let before: Vec<&str> = members.iter().map(|m| m.code.as_str()).collect();
        other.code = tidy_names(&other.code, &format!("{body}\n{}", before.join("\n")));
        let Some(mut name) = test_name(&other.code) else {
            continue;
        };
        let taken =
            |name: &str| members.iter().any(|m| m.name == name) || (titled && body.contains(name));
        if taken(&name) {
            let free = (2..).map(|n| format!("{name} ({n})")).find(|t| !taken(t));
            let Some((code, title)) = free.and_then(|t| Some((retitled(&other.code, &t)?, t)))
            else {
                continue;
            };
            (other.code, name) = (code, title);
        }
        other.name = name;
        members.push(other);
    }
    members
}

/// `code`, a JavaScript test, with its title (the first `test('…'` or `it('…'`) `title`.
fn retitled(code: &str, title: &str) -> Option<String> {
    let re = regex::Regex::new(r#"\b(?:test|it)\(\s*['"`]([^'"`]+)['"`]"#).ok()?;
    let old = re.captures(code)?.get(1)?;
    let mut out = code.to_string();
    out.replace_range(old.range(), title);
    Some(out)
}

/// The members' code as placed together: a blank line between them (two in Python).
fn joined(path: &str, members: &[Unanchored]) -> String {
    let gap = if crate::agent::prompt::fence_lang(path) == "python" {
        "\n\n\n"
    } else {
        "\n\n"
    };
    let codes: Vec<&str> = members.iter().map(|m| m.code.as_str()).collect();
    codes.join(gap)
}

#[cfg(test)]
#[path = "pooled_tests.rs"]
mod tests;
