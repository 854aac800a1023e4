//! The state of one run and the moves every stage shares: talking to the model, applying edits,
//! running the tests, reporting events. The stages (`stage/`) act on it; the loop that moves it
//! from stage to stage is in [`super::session`].

use std::cell::RefCell;
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use super::config::FixConfig;
use super::prompt::ShownFile;
use super::report::FixReport;
use super::reproduce::Repro;
use super::rewrite::Target;
use super::sampling::Sampling;
use super::stage::OtherCases;
use super::workspace::Workspace;
use crate::edit;
use crate::model::Backend;
use crate::protocol::{Event, EventSink, Message, StopReason, TestRun, ToolCall};
use crate::sandbox::approval::Approver;

/// Where a run is. Transitions happen in [`super::session`] only.
#[derive(Debug)]
pub(super) enum Stage {
    /// The tests pass but the issue states a case: the model writes a test that shows the bug.
    Reproduce,
    /// A test shows the bug: cria tries one-token changes to the suspects before the model's
    /// first reply (and once more on top of a change the issue's examples fail on).
    Mutate,
    /// Replies may diagnose, call tools and edit.
    Edit,
    /// cria asks for one whole corrected definition at a time and puts it in place itself.
    Rewrite(Rewriting),
}

/// The rewrite stage's candidates and progress.
#[derive(Debug)]
pub(super) struct Rewriting {
    /// The definitions to rewrite, most likely first (never empty).
    pub(super) targets: Vec<Target>,
    /// Rewrites asked for so far.
    pub(super) done: usize,
    /// The conversation length each first-pass rewrite starts from.
    pub(super) base: usize,
    /// When the stage began: its rewrites so far say how long the next one may take.
    pub(super) started: Instant,
}

/// What a stage says should happen next.
pub(super) enum Next {
    Continue,
    Stop(StopReason),
}

/// Counters that end a run going in circles.
#[derive(Debug, Default)]
pub(super) struct Guards {
    pub(super) failed_in_a_row: usize,
    pub(super) last_failed_edit: Option<String>,
    pub(super) same_failed_edit: usize,
    pub(super) last_call: Option<ToolCall>,
    pub(super) same_call: usize,
    /// Replies with nothing to act on.
    pub(super) nudges: usize,
}

/// What has been tried, so nothing is tried twice and failures can be combined.
#[derive(Debug, Default)]
pub(super) struct Attempts {
    /// What the tests said about the code as it stands: the last run of a change that was kept
    /// (not a reverted attempt's).
    pub(super) baseline_output: String,
    /// Diffs of attempts that applied but did not make the tests pass.
    pub(super) tried: Vec<String>,
    /// The changes of those attempts (reverted), for trying two of them together.
    pub(super) failed_changes: Vec<Vec<edit::FileChange>>,
    /// Rewrites that were applied and did not fix the bug.
    pub(super) failed_rewrites: Vec<super::rewrite::Tried>,
}

impl Attempts {
    /// The code as it stands failed with `output`: the run to beat.
    pub(super) fn set_baseline(&mut self, output: &str) {
        self.baseline_output = output.to_string();
    }
}

/// The conversation with the model.
#[derive(Debug, Default)]
pub(super) struct Conversation {
    pub(super) history: Vec<Message>,
    /// Tokens in the backend's cache after the last turn (prompt + reply).
    pub(super) cached_tokens: usize,
    /// Whether the next reply is expected to be a fix (it then starts with [`super::prompt::PREFILL`]).
    pub(super) expect_fix: bool,
    /// Whether the next reply of the edit stage is its first: the diagnosis, one paragraph.
    pub(super) diagnosis_due: bool,
}

/// Where the step and time limits count from: the run's start, moved on when a second model
/// takes over.
#[derive(Debug)]
pub(super) struct Budget {
    pub steps_from: usize,
    pub time_from: Instant,
    /// The time is spent before the clock says so: the model's next reply could not have been
    /// done in what was left.
    pub time_spent: bool,
}

impl Budget {
    /// A budget counted from now and from step `steps_from`.
    pub fn from(steps_from: usize) -> Budget {
        Budget {
            steps_from,
            time_from: Instant::now(),
            time_spent: false,
        }
    }
}

pub(super) struct Run<'a> {
    pub(super) backend: &'a mut dyn Backend,
    /// The model that takes over when this one finds no verified fix (`--escalate`).
    pub(super) escalation: Option<&'a mut dyn Backend>,
    /// Where the step and time limits count from.
    pub(super) budget: Budget,
    /// The diff when the second model took over, to tell whose change was kept.
    pub(super) diff_at_escalation: Option<String>,
    pub(super) cfg: &'a FixConfig,
    pub(super) sink: &'a mut dyn EventSink,
    pub(super) issue: String,
    /// The test command, dropped when it turns out it cannot run here.
    pub(super) test_cmd: Option<String>,
    /// The limit for one test run: the configured one for the first run, then tightened from
    /// how long that took (an edit that makes the tests hang should not cost ten minutes).
    pub(super) test_timeout: Duration,
    pub(super) stage: Stage,
    pub(super) talk: Conversation,
    pub(super) sampling: Sampling,
    pub(super) guards: Guards,
    pub(super) attempts: Attempts,
    pub(super) work: Workspace,
    pub(super) report: FixReport,
    pub(super) start: Instant,
    /// The files the first prompt showed.
    pub(super) shown: Vec<ShownFile>,
    /// Decides whether a command or change the model proposes may go ahead.
    pub(super) approver: RefCell<Approver>,
    /// The test cria added to reproduce the issue (it then judges the fix).
    pub(super) repro: Option<Repro>,
    /// Candidate tests of the issue standing together until the first one-token search tells
    /// which one it means (`stage/pooled.rs`); `repro` holds them all meanwhile.
    pub(super) pool: Option<super::stage::Pool>,
    /// Whether a test failed before any change (the project's own, or the reproduction test):
    /// only then can passing tests verify a fix.
    pub(super) bug_shown: bool,
    /// Whether the issue's own examples were already asked for as a test (once a run).
    pub(super) acceptance_asked: bool,
    /// The one-token searches run so far ([`Stage::Mutate`] and the one on top of a change).
    pub(super) searches: usize,
    /// A search on top of the change is due before the model's next reply: a test of the
    /// issue's examples failed on it, or a search kept a change that got the failing tests
    /// further.
    pub(super) search_due: bool,
    /// The one-token changes a search kept because they got the failing tests further (see
    /// [`super::progress`]), as the status line described them: the searches after built on
    /// them.
    pub(super) partial_mutants: Vec<String>,
    /// The cases the issue says go wrong the same way: which a test checks, which were asked for.
    pub(super) others: OtherCases,
    /// A `Stop` hook already sent the run back to work (it does so once).
    pub(super) stop_hook_active: bool,
    /// What running the failing tests last showed (`stage/rewrite.rs`).
    pub(super) suspected: Option<Suspected>,
    /// The project's tests passed with a change and only cria's own test of the issue's
    /// examples failed on it (see [`Disputed`]).
    pub(super) disputed: Option<Disputed>,
}

/// What running the failing tests showed, for one failing output.
#[derive(Debug)]
pub(super) struct Suspected {
    /// The failing output it was asked about.
    pub(super) output: String,
    /// The definitions it points at, most suspicious first.
    pub(super) found: Vec<super::spectrum::Suspect>,
    /// Whether the tests were traced: then a function missing from `found` never ran in a
    /// failing test.
    pub(super) traced: bool,
    /// Where traced, every line of the project's code a failing test ran, as `(path, line)`.
    pub(super) ran: BTreeSet<(String, usize)>,
    /// Where traced, what the failing tests called the project's functions with.
    pub(super) calls: Vec<super::spectrum::Call>,
    /// How the code it traced failed ([`Attempts::baseline_output`] then): a change kept since
    /// makes its calls out of date.
    pub(super) code_failed: String,
}

/// A change the project's tests passed and cria's test of the issue's examples failed: the test
/// judges what follows, and if nothing better is found the run ends on this change, unverified
/// (the test may be the one that is wrong), with the test taken out.
#[derive(Debug)]
pub(super) struct Disputed {
    /// The model step after which a test the model wrote stops judging, if nothing by then
    /// built on the change (see [`super::stage::accept`]); `None` for a test cria wrote from
    /// the issue's own values, which judges to the end.
    pub(super) judges_until: Option<usize>,
    /// The changed files as they were then, the new test included ([`Workspace::state`]).
    pub(super) state: Vec<(String, Option<Vec<u8>>)>,
    /// The test's insertion, to take it out again.
    pub(super) inserted: Vec<edit::FileChange>,
    /// The test's name.
    pub(super) test: String,
    /// The run of the project's tests that passed with the change.
    pub(super) passing: Option<TestRun>,
}

impl Run<'_> {
    pub(super) fn new<'a>(
        backend: &'a mut dyn Backend,
        cfg: &'a FixConfig,
        sink: &'a mut dyn EventSink,
        issue: &str,
    ) -> Run<'a> {
        Run {
            backend,
            escalation: None,
            budget: Budget::from(0),
            diff_at_escalation: None,
            cfg,
            sink,
            issue: issue.to_string(),
            test_cmd: cfg.test_cmd.clone(),
            test_timeout: cfg.test_timeout,
            stage: Stage::Edit,
            talk: Conversation {
                expect_fix: true,
                diagnosis_due: true,
                ..Default::default()
            },
            sampling: Sampling::default(),
            guards: Guards::default(),
            attempts: Attempts::default(),
            work: Workspace::default(),
            report: FixReport::default(),
            start: Instant::now(),
            shown: Vec::new(),
            approver: RefCell::new({
                let mut approver =
                    Approver::new(cfg.approval, cfg.runner.enforced(), cfg.runner.off());
                approver.answers = cfg.ask.as_ref().map(|a| a.0.clone());
                if !cfg.hooks.pre_tool_use.is_empty() {
                    approver.hooks = Some((cfg.hooks.clone(), cfg.root.path().to_path_buf()));
                }
                approver
            }),
            repro: None,
            pool: None,
            bug_shown: false,
            acceptance_asked: false,
            searches: 0,
            search_due: false,
            partial_mutants: Vec::new(),
            others: OtherCases::default(),
            stop_hook_active: false,
            disputed: None,
            suspected: None,
        }
    }

    pub(super) fn emit(&mut self, e: Event) {
        self.sink.emit(e);
    }

    pub(super) fn status(&mut self, msg: impl Into<String>) {
        self.emit(Event::Status {
            message: msg.into(),
            busy: false,
        });
    }

    /// A long step began (generating, running the tests).
    pub(super) fn busy(&mut self, msg: impl Into<String>) {
        self.emit(Event::Status {
            message: msg.into(),
            busy: true,
        });
    }

    pub(super) fn rewriting(&self) -> bool {
        matches!(self.stage, Stage::Rewrite(_))
    }

    /// When the run's time limit passes.
    pub(super) fn deadline(&self) -> Instant {
        self.budget.time_from + self.cfg.limits.max_wall
    }

    /// Whether the run's time limit has passed, or the model said its next reply could not be
    /// done before it (the session stops on it at its next turn).
    pub(super) fn past_deadline(&self) -> bool {
        self.budget.time_spent || Instant::now() > self.deadline()
    }

    /// How long one test run may take: the per-run timeout, cut to the time the run has left
    /// (a few seconds at least, so a quick suite still decides a change made just in time). A
    /// candidate that loops forever would otherwise hold the run past its limit, once alone
    /// and once beside every earlier candidate.
    pub(super) fn test_limit(&self) -> Duration {
        const AT_LEAST: Duration = Duration::from_secs(5);
        let left = self.deadline().saturating_duration_since(Instant::now());
        self.test_timeout.min(left.max(AT_LEAST))
    }

    /// Whether another model call fits under the step limit.
    pub(super) fn steps_left(&self) -> bool {
        self.report.steps - self.budget.steps_from < self.cfg.limits.max_steps
    }

    /// Say `text` to the model (sanitized: it may quote the repository).
    pub(super) fn tell(&mut self, text: &str) {
        self.talk
            .history
            .push(Message::user(super::prompt::sanitize(text)));
    }

    /// Apply edits (recorded for undo after each attempt, not here), refusing files that changed
    /// on disk since the model saw them.
    pub(super) fn apply(&mut self, edits: &[edit::Edit]) -> edit::ApplyReport {
        let work = &self.work;
        let guard = |rel: &str, now: Option<&[u8]>| work.check(rel, now);
        let approver = &self.approver;
        let approve = |diff: &str| approver.borrow_mut().decide_change(diff);
        let report = edit::apply_approved(&self.cfg.root, edits, &guard, &approve);
        self.report_approvals();
        report
    }

    /// Put the approval decisions made since the last call in the event stream.
    pub(super) fn report_approvals(&mut self) {
        let decided = self.approver.borrow_mut().take_decisions();
        for decision in decided {
            self.emit(Event::Approval { decision });
        }
        let notes = std::mem::take(&mut self.approver.borrow_mut().notes);
        for note in notes {
            self.status(note);
        }
    }

    /// `rel`'s bytes, if it is a regular file reached through no link: a test run (code the
    /// model wrote) may have put a link to a secret, or a pipe that never answers, in its place.
    pub(super) fn read_file(&self, rel: &str) -> Option<Vec<u8>> {
        crate::sandbox::beneath::read(self.cfg.root.path(), rel).ok()
    }

    /// `rel`'s current text (normalized), if it is a readable text file.
    pub(super) fn current_text(&self, rel: &str) -> Option<String> {
        let bytes = self.read_file(rel)?;
        Some(edit::text::FileText::decode(&bytes).ok()?.body)
    }

    /// A test file's text to add a test to: empty when there is no such file yet (cria creates
    /// it), `None` when it cannot be read.
    pub(super) fn test_text(&self, rel: &str) -> Option<String> {
        match crate::sandbox::beneath::read(self.cfg.root.path(), rel) {
            Ok(bytes) => Some(edit::text::FileText::decode(&bytes).ok()?.body),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(String::new()),
            Err(_) => None,
        }
    }

    pub(super) fn run_tests(&mut self, cmd: &str) -> TestRun {
        let run = crate::testcmd::run(
            &self.cfg.runner,
            cmd,
            self.cfg.root.path(),
            self.test_limit(),
        );
        self.emit(Event::TestsRun { run: run.clone() });
        self.report.tests_after = Some(run.clone());
        run
    }

    /// Save the undo record of the run's changes so far; a failure is said, not fatal.
    pub(super) fn record_undo(&mut self) {
        if let Err(e) = self.work.record(&self.cfg.root) {
            self.status(format!("could not save the undo record: {e}"));
        }
    }

    /// Apply `changes` again (ones undone earlier) and remember them as the run's own.
    pub(super) fn put_back(
        &mut self,
        changes: &[edit::FileChange],
    ) -> Result<(), edit::commit::CommitError> {
        let plan = edit::Plan {
            changes: changes.to_vec(),
            notes: Vec::new(),
        };
        edit::commit::commit_with(self.cfg.root.path(), &plan, false, |_| Ok(()))?;
        self.work.remember(changes);
        Ok(())
    }

    /// Undo `changes` (a failed attempt); the stop reason when that is impossible.
    pub(super) fn revert(&mut self, changes: &[edit::FileChange]) -> Result<(), StopReason> {
        self.work
            .revert(&self.cfg.root, changes)
            .map_err(|e| StopReason::RevertFailed { why: e.to_string() })
    }
}
