//! The mutation search: once a test shows the bug, before the model's first reply, cria tries
//! the one-token changes ([`crate::agent::mutate`]) to the most suspicious functions, each
//! applied, tested and reverted. One that makes the tests pass is applied again and judged like
//! any edit (`judge`, then `accept` with the issue's own examples); the rest leave no trace but
//! a line of status. In tables and constants only a date format or a pattern changes, and the
//! value of an entry whose key the issue or the failing tests name (`"JPY": 2`), or of a
//! constant the issue names (`SUNDAY = 7`): the other entries are data. A named value the
//! issue gives a number (`retries: 0` where "`retries` is 3") is tried as that number. When a test of the issue's examples then fails on the change (a second
//! case the report names), the search runs once more on top of it, before the model's next
//! reply: a change that passes the tests is judged by that test too, so a value that fixes
//! only the first case is not taken for the fix. And when none passes but one gets the failing
//! tests further — some pass and none fail that passed, or the same fail at a later assertion
//! ([`crate::agent::progress`]): the same slip made in two places — that one is kept and the
//! search runs again on top of it.

use std::time::{Duration, Instant};

use crate::agent::mutate::{self, Kind, LineEdit, Mutant};
use crate::agent::progress::Failing;
use crate::agent::rewrite::{self, Target};
use crate::agent::run::{Next, Run};
use crate::context::localize::is_test_path;
use crate::edit::{self, parse::Anchor, parse::SearchReplaceBlock};
use crate::sandbox::approval::Approval;
use crate::testcmd;

/// The most suspicious functions whose mutants are tried.
const FUNCTIONS: usize = 6;
/// Mutants tried at most, over all the functions.
const MOST: usize = 100;
/// Of those, names mixed up ([`Kind::Name`]) at most: each costs a test run, and the model's
/// time is what it comes out of.
const NAMES: usize = 30;
/// The share of the time left the search may take.
const SHARE: f64 = 0.3;
/// Searches at most in a run, counting those on top of a change one of them kept for getting
/// the failing tests further.
const SEARCHES: usize = 4;

impl Run<'_> {
    /// Try the one-token changes to the most suspicious functions (ranked as the rewrite
    /// stage ranks them, without a diagnosis yet), on the code as it is — on top of the change
    /// when a test of the issue's examples failed on it: `Some` when one fixed the tests (the
    /// run goes on from that edit's verdict).
    pub(in crate::agent) fn mutation_search(&mut self) -> Option<Next> {
        // Only a failing test can judge a mutant, and a person asked about each change would be
        // asked dozens of times about changes made only to be undone.
        if !self.bug_shown || self.cfg.approval == Approval::Ask {
            return None;
        }
        let cmd = self.test_cmd.clone()?;
        self.searches += 1;
        let mut queue: Vec<Trial> = Vec::new();
        let mut functions = 0;
        let failing = self.failing_output() + &self.attempts.baseline_output;
        for t in self.rewrite_targets("") {
            let constant = rewrite::is_constant(&t);
            if !constant && functions == FUNCTIONS {
                continue;
            }
            let rank = functions;
            functions += usize::from(!constant);
            let Some(file) = self.current_text(&t.path) else {
                continue;
            };
            // A constant's only change is to a format or pattern in it (its other values are data); names
            // mixed up are many and each unlikely: only in the likeliest function, or on the
            // line running singled out.
            // A constant the issue names (`SUNDAY` in "Sunday deliveries…") is the data it
            // reports wrong: its numbers are tried as a function's are.
            let named_constant = constant && mutate::names_word(&self.issue, &t.name);
            let found = mutate::mutants(&t, &file).into_iter().filter(|m| {
                if constant {
                    m.literal.is_some() || (named_constant && m.kind == Kind::Token)
                } else {
                    m.kind == Kind::Token || rank == 0 || m.hinted
                }
            });
            queue.extend(found.map(|m| Trial::one(&t, m)));
            if !constant {
                let wrapped = mutate::wraps(&t, &file, &self.passed_to(&t));
                queue.extend(wrapped.into_iter().map(|m| Trial::one(&t, m)));
            }
            let stated = mutate::stated_values(&t, &file, &self.issue);
            queue.extend(stated.into_iter().map(|m| Trial::one(&t, m)));
            if constant {
                let named = |key: &str| {
                    key.chars().count() >= 2 && (self.issue.contains(key) || failing.contains(key))
                };
                let entries = mutate::named_entries(&t, &file, named);
                queue.extend(entries.into_iter().map(|m| Trial::one(&t, m)));
            }
        }
        let unrun = self.left_out_unrun(&mut queue);
        if unrun > 0 {
            self.status(format!(
                "left out {unrun} one-token changes to lines no failing test ran"
            ));
        }
        // The likelier kind of change first in every function, then the rest; the functions
        // in their order within each (the sort is stable).
        queue.sort_by_key(|trial| trial.mutant.kind);
        let tokens = (queue.iter())
            .filter(|trial| trial.mutant.kind == Kind::Token)
            .count();
        queue.truncate(MOST.min(tokens + NAMES));
        if queue.is_empty() {
            return None;
        }
        let queue = self.with_copies(queue);
        let names = queue
            .iter()
            .fold(Vec::<&str>::new(), |mut names, Trial { target: t, .. }| {
                if !names.contains(&t.name.as_str()) {
                    names.push(&t.name);
                }
                names
            });
        self.busy(format!(
            "trying {} one-token changes to `{}`",
            queue.len(),
            names.join("`, `")
        ));
        // The tests run one at a time and leave the model idle: it begins on the first step's
        // prompt meanwhile, which the search does not change.
        self.warm(self.edit_prefill());
        let started = Instant::now();
        let until = started
            + self
                .deadline()
                .saturating_duration_since(started)
                .mul_f64(SHARE);
        let limit = self.mutant_test_limit();
        let before = self.report.mutants_tried;
        let root = self.cfg.root.path().to_path_buf();
        let files = crate::context::scan::list_files(&root);
        let failing = |output: &str| Failing::of(output, &root, &files);
        // With candidate tests standing together (stage/pooled.rs), how they all failed.
        let baseline = failing(
            self.pool
                .as_ref()
                .map_or(&self.attempts.baseline_output, |p| &p.run.output),
        );
        // The first change that got the failing tests furthest: fewest failing, then by the
        // queue's order.
        let mut partial: Option<(usize, &Trial)> = None;
        for trial in &queue {
            if Instant::now() > until || self.past_deadline() || self.cfg.cancel.requested() {
                break;
            }
            let report = self.apply(&trial.edits);
            if !report.applied() {
                continue;
            }
            self.work.remember(&report.changes);
            self.record_undo();
            let run = testcmd::run(&self.cfg.runner, &cmd, self.cfg.root.path(), limit);
            if let Err(stop) = self.revert(&report.changes) {
                return Some(Next::Stop(stop));
            }
            self.report.mutants_tried += 1;
            if run.passed {
                self.status(format!("{} makes the tests pass", trial.describe()));
                return Some(self.mutant_passed(trial));
            }
            // One or more of the candidate tests standing together pass, and nothing else fails:
            // the change tells which the issue means.
            if let Some(passing) = self.pool_passing(&run) {
                self.status(format!(
                    "{} makes `{}` pass; of the tests, only the other candidate tests still fail",
                    trial.describe(),
                    passing.join("`, `")
                ));
                if self.narrow_pool(&passing) {
                    return Some(self.mutant_passed(trial));
                }
            }
            let now = failing(&run.output);
            if !run.timed_out && now.further_than(&baseline, true) {
                let left = now.count().unwrap_or_default();
                if partial.is_none_or(|(fewest, _)| left < fewest) {
                    partial = Some((left, trial));
                }
            }
        }
        self.status(format!(
            "none of {} one-token changes made the tests pass ({:.0} s)",
            self.report.mutants_tried - before,
            started.elapsed().as_secs_f64()
        ));
        // No change told the candidate tests apart: the first stands alone from here on.
        self.settle_pool();
        let (_, trial) = partial?;
        self.build_on(trial)
    }

    /// `trial` made the tests pass: applied again, as any candidate is, and judged as one.
    fn mutant_passed(&mut self, trial: &Trial) -> Next {
        // Candidate tests that all pass with it stay, all judging.
        self.pool = None;
        let passed = trial.describe();
        self.report.mutant_passed = Some(match &self.partial_mutants[..] {
            [] => passed,
            kept => format!("{passed}, on top of {}", kept.join(" and ")),
        });
        let report = self.apply(&trial.edits);
        self.after_mutant(report)
    }

    /// Keep `trial`, which got the failing tests further (fewer fail, and none that passed, or
    /// the same fail later in their tests), and search again on top of it before the model's
    /// next reply. It is applied again and judged as any edit: kept when the tests agree.
    fn build_on(&mut self, trial: &Trial) -> Option<Next> {
        let kept = trial.describe();
        self.status(format!(
            "{kept} gets the failing tests further; kept, to search on top of it"
        ));
        let before = self.attempts.baseline_output.clone();
        let report = self.apply(&trial.edits);
        let next = self.after_mutant(report);
        if self.attempts.baseline_output != before {
            self.partial_mutants.push(kept);
            self.search_due = self.searches < SEARCHES;
        }
        Some(next)
    }

    /// The `(parameter, value)` pairs the traced failing tests passed `target`, each once.
    fn passed_to(&self, target: &Target) -> Vec<(String, String)> {
        let calls = (self.suspected.iter()).flat_map(|s| &s.calls);
        let mut out: Vec<(String, String)> = Vec::new();
        for call in calls.filter(|c| c.path == target.path && c.name == target.name) {
            for pair in call.passed() {
                if !out.contains(&pair) {
                    out.push(pair);
                }
            }
        }
        out
    }

    /// Take out of `queue` the changes to lines no failing test ran, where the tests were
    /// traced: such a change cannot make a failing test pass. A constant's change stays (it
    /// ran when its module was loaded, before any test), and so does one outside the
    /// statements of a body (a default value). How many were taken out.
    fn left_out_unrun(&self, queue: &mut Vec<Trial>) -> usize {
        let Some(ran) = (self.suspected.as_ref())
            .filter(|s| s.traced && !s.ran.is_empty())
            .map(|s| &s.ran)
        else {
            return 0;
        };
        // The trace names files as the walk does; if it names none of these, trust it for none.
        if !queue
            .iter()
            .any(|t| ran.iter().any(|(path, _)| *path == t.target.path))
        {
            return 0;
        }
        let before = queue.len();
        queue.retain(|Trial { target, mutant, .. }| {
            let ran_in = |(first, last): (usize, usize)| {
                (first..=last).any(|line| ran.contains(&(target.path.clone(), line)))
            };
            rewrite::is_constant(target) || mutant.statement.is_none_or(ran_in)
        });
        before - queue.len()
    }

    /// `queue` with, before each change to a string literal that has copies elsewhere in the
    /// project's source (tests left alone), the same change to every copy: a format written in
    /// one place and parsed in another is wrong in both, and a round-trip test fails until
    /// both change.
    fn with_copies(&self, queue: Vec<Trial>) -> Vec<Trial> {
        if queue.iter().all(|trial| trial.mutant.literal.is_none()) {
            return queue;
        }
        let files: Vec<(String, String)> = (self.source_files().into_iter())
            .filter(|(path, _)| !is_test_path(path))
            .collect();
        let mut out = Vec::with_capacity(queue.len());
        for trial in queue {
            if let Some((twin, lines)) = mutate::everywhere(&trial.target, &trial.mutant, &files) {
                let mut together = Trial::one(&trial.target, twin);
                for line in lines {
                    together
                        .elsewhere
                        .push(format!("{}:{}", line.path, line.line));
                    together.edits.push(line_edit(line));
                }
                out.push(together);
            }
            out.push(trial);
        }
        out
    }

    /// The limit for one mutant's test run: three times the first run, at least five seconds
    /// (a mutant that loops forever must not cost the minute an edit is allowed).
    fn mutant_test_limit(&self) -> Duration {
        let first = self.report.tests_before.as_ref().map_or(0.0, |t| t.seconds);
        let limit = Duration::from_secs_f64((first * 3.0).max(5.0));
        limit.min(self.test_limit())
    }
}

/// A mutant to try, and the edits that make it.
struct Trial {
    target: Target,
    mutant: Mutant,
    edits: Vec<edit::Edit>,
    /// The other places changed, as `path:line`.
    elsewhere: Vec<String>,
}

impl Trial {
    /// `mutant` put in `target`'s place.
    fn one(target: &Target, mutant: Mutant) -> Trial {
        let edit = edit::Edit::Replace(SearchReplaceBlock {
            path: target.path.clone(),
            search: target.code.clone(),
            replace: mutant.code.clone(),
            index: 1,
            ..Default::default()
        });
        Trial {
            target: target.clone(),
            mutant,
            edits: vec![edit],
            elsewhere: Vec::new(),
        }
    }

    /// What changed where, for the status line and the report.
    fn describe(&self) -> String {
        let (m, t) = (&self.mutant, &self.target);
        let mut out = format!("{} in `{}` ({}:{})", m.what, t.name, t.path, m.line);
        if !self.elsewhere.is_empty() {
            out.push_str(&format!(" and at {}", self.elsewhere.join(", ")));
        }
        out
    }
}

/// A line changed elsewhere, found by its text nearest its line (it may occur more than once).
pub(super) fn line_edit(e: LineEdit) -> edit::Edit {
    edit::Edit::Replace(SearchReplaceBlock {
        path: e.path,
        search: e.old,
        replace: e.new,
        index: 1,
        anchor: Anchor::Line(e.line),
    })
}
