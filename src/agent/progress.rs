//! Whether a change got the failing tests further: fewer of them fail, and none that passed, or
//! the same ones fail at a later line of their test — past the assertion that failed before,
//! when one test checks two things a bug in two places breaks. Such a change is half a fix,
//! kept to build the rest on.

use std::path::Path;

use super::frames;
use crate::context::localize::is_test_path;
use crate::testcmd;

/// What a failing run of the tests shows of how far they got.
#[derive(Debug, Clone, PartialEq)]
pub struct Failing {
    /// The failing tests, by name (empty where the runner's output names none).
    names: Vec<String>,
    /// The failures the runner counted.
    count: Option<usize>,
    /// The places in test files the failures were reported at, in order.
    at: Vec<(String, usize)>,
}

impl Failing {
    /// What `output`, printed by a run of the tests in `root` (whose files are `files`, relative),
    /// shows.
    pub fn of(output: &str, root: &Path, files: &[String]) -> Failing {
        let mut at: Vec<(String, usize)> = frames::printed(output, root, files)
            .into_iter()
            .filter(|(path, _)| is_test_path(path))
            .collect();
        at.sort();
        Failing {
            names: testcmd::failing_tests(output),
            count: testcmd::failure_count(output),
            at,
        }
    }

    /// Whether this run got further than `before`, a run of the code without the change: fewer
    /// failures, each test failing one that failed before; or, where `later` counts, the same
    /// tests failing as often, each at the same place or a later line of its test file, one
    /// later. Never where either count is unreadable, or where `before` names its failing tests
    /// and this run does not (a build error). Where neither names any, the counts alone decide.
    pub fn further_than(&self, before: &Failing, later: bool) -> bool {
        let (Some(now), Some(then)) = (self.count, before.count) else {
            return false;
        };
        let named = !self.names.is_empty();
        let named_before = !before.names.is_empty();
        if named != named_before {
            return false;
        }
        if !(self.names.iter()).all(|name| before.names.contains(name)) {
            return false;
        }
        if now != then {
            return now < then;
        }
        let same_tests = self.names.len() == before.names.len();
        later && named && same_tests && moved_on(&self.at, &before.at)
    }

    /// How many failures the runner counted.
    pub fn count(&self) -> Option<usize> {
        self.count
    }
}

/// Whether the places `now` are the places `then`, each at the same line of the same file or a
/// later one, and one later.
fn moved_on(now: &[(String, usize)], then: &[(String, usize)]) -> bool {
    now.len() == then.len()
        && now
            .iter()
            .zip(then)
            .all(|((path, line), (was, at))| path == was && line >= at)
        && now.iter().zip(then).any(|((_, line), (_, at))| line > at)
}

#[cfg(test)]
#[path = "progress_tests.rs"]
mod tests;
