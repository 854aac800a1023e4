//! The rewrite stage: when the model cannot write a usable edit, cria asks for one whole
//! corrected definition at a time — the most suspicious first — and puts it in place itself.
//! Candidates come from the diagnosis, the failure text, the places the failure printed
//! ([`crate::agent::frames`]) and the functions the failing tests run — traced where they can be
//! ([`crate::agent::spectrum`]), else read from what they call ([`crate::agent::reach`]).

use crate::agent::prompt;
use crate::agent::rewrite::{self, Target};
use crate::agent::run::{Next, Run, Stage, Suspected};
use crate::agent::sampling::{budget, rewrite_variants};
use crate::agent::spectrum::{self, Spectrum, Suspect};
use crate::agent::{callers, frames, provenance, reach};
use crate::edit::{self, parse::SearchReplaceBlock};
use crate::model::{constrain, BackendError};
use crate::protocol::{EditFailure, Event, StopReason};
use crate::testcmd;

/// Passes over the candidates before the stage gives up, when no more time or steps are left.
const PASSES: usize = 3;
/// Passes at most, while time and steps are left: a fast model's sampled rewrites are cheap
/// next to the run's time, and each pass draws new ones.
const MAX_PASSES: usize = 8;

impl Run<'_> {
    /// The definitions to rewrite, best first: from the shown files, the files of the three
    /// most suspicious functions and of the constants the first eight read, ranked by
    /// `diagnosis`, the issue, the failure and the trace ([`rewrite::ranked`]); all of them.
    pub(in crate::agent) fn rewrite_targets(&mut self, diagnosis: &str) -> Vec<Target> {
        let tests = self.failing_output();
        // Only a test that showed the bug can point at code (see `suspects`).
        let files = if self.bug_shown {
            self.source_files()
        } else {
            Vec::new()
        };
        let (suspects, traced) = self.suspects(&tests, &files);
        let top = suspects.get(..3).unwrap_or(&suspects);
        let read = rewrite::constant_files(suspects.get(..8).unwrap_or(&suspects), &files);
        let mut paths: Vec<String> = self.shown.iter().map(|f| f.path.clone()).collect();
        for path in top.iter().map(|s| &s.path).chain(&read) {
            if !paths.contains(path) {
                paths.push(path.clone());
            }
        }
        let current: Vec<prompt::ShownFile> = paths
            .into_iter()
            .filter_map(|path| {
                let content = self.current_text(&path)?;
                Some(prompt::ShownFile { path, content })
            })
            .collect();
        rewrite::ranked(diagnosis, &self.issue, &tests, &current, &suspects, traced)
    }

    /// The output of the latest run that failed: the reproduction's (or the last edit's) when
    /// the first run passed.
    pub(super) fn failing_output(&self) -> String {
        [&self.report.tests_after, &self.report.tests_before]
            .into_iter()
            .flatten()
            .find(|t| !t.passed)
            .map(|t| t.output.clone())
            .unwrap_or_default()
    }

    /// What running the failing tests shows, asked once for each failure (the mutation search
    /// and the rewrite stage ask about the same one): the
    /// definitions the failure's own places are in (a panic, a stack, a traceback), then the
    /// functions the failing tests run more than the passing ones — traced where the tests can
    /// be (Python; JavaScript under node's runner), else read from what the tests call; and
    /// whether they were traced (then a function missing from them never ran in a failing test).
    fn suspects(
        &mut self,
        failing_output: &str,
        files: &[(String, String)],
    ) -> (Vec<Suspect>, bool) {
        if !self.bug_shown {
            return (Vec::new(), false);
        }
        if let Some(s) = &self.suspected {
            if s.output == failing_output {
                return (s.found.clone(), s.traced);
            }
        }
        let names: Vec<String> = files.iter().map(|(p, _)| p.clone()).collect();
        let places = frames::places(failing_output, self.cfg.root.path(), &names);
        let mut found = frames::suspects(&places, files);
        let tracer =
            (self.test_cmd.as_deref()).and_then(|cmd| spectrum::tracer(cmd, self.cfg.root.path()));
        let spectrum = match tracer {
            Some(tracer) => {
                self.busy("tracing the failing tests to see which functions they run");
                let root = self.cfg.root.path();
                spectrum::trace(&tracer, &self.cfg.runner, root, self.test_limit())
            }
            None => Spectrum::default(),
        };
        let was_traced = !spectrum.suspects.is_empty();
        let ranked = if was_traced {
            spectrum.suspects
        } else {
            reach::suspects(files, &testcmd::failing_tests(failing_output))
        };
        for s in ranked {
            if !found.iter().any(|f| f.path == s.path && f.name == s.name) {
                found.push(s);
            }
        }
        // The function that made the wrong value the assertion shows comes first, ahead of the
        // ones passing it on and of a crash's place (a crash compares no value).
        let code = |path: &str, name: &str| {
            let (_, text) = files.iter().find(|(p, _)| p == path)?;
            let defs = crate::agent::rewrite::definitions(path, text);
            defs.into_iter().find(|t| t.name == name).map(|t| t.code)
        };
        if let Some(origin) = provenance::origin(failing_output, &spectrum.calls, code) {
            let call = origin.call;
            self.status(format!(
                "`{}` is first made by {}",
                origin.value,
                call.line()
            ));
            found.retain(|f| f.path != call.path || f.name != call.name);
            let score = found.first().map_or(1.0, |f| f.score.max(1.0));
            let (path, name) = (call.path.clone(), call.name.clone());
            found.insert(
                0,
                Suspect {
                    path,
                    name,
                    score,
                    line: None,
                },
            );
        }
        if !found.is_empty() {
            let top: Vec<String> = found
                .iter()
                .take(3)
                .map(|s| format!("{} ({:.2})", s.name, s.score))
                .collect();
            self.status(format!("the failing tests point at: {}", top.join(", ")));
        }
        self.suspected = Some(Suspected {
            output: failing_output.to_string(),
            found: found.clone(),
            traced: was_traced,
            ran: spectrum.ran,
            calls: spectrum.calls,
            code_failed: self.attempts.baseline_output.clone(),
        });
        (found, was_traced)
    }

    /// The project's source files and their text: regular files reached through no link (a
    /// test run may have planted one since the walk), a bounded number.
    pub(super) fn source_files(&self) -> Vec<(String, String)> {
        const MAX_FILES: usize = 400;
        const MAX_BYTES: usize = 256 * 1024;
        let root = self.cfg.root.path();
        crate::context::scan::list_files(root)
            .into_iter()
            .filter(|p| crate::context::tags::supported(p))
            .take(MAX_FILES)
            .filter_map(|p| {
                let bytes = crate::sandbox::beneath::read(root, &p).ok()?;
                if bytes.len() > MAX_BYTES {
                    return None;
                }
                Some((p, String::from_utf8(bytes).ok()?))
            })
            .collect()
    }

    /// The next candidate, how many passes over the candidates came before it, the history
    /// length to start from, and whether it is the stage's first rewrite.
    fn next_target(&mut self) -> Option<(Target, usize, usize, bool)> {
        let Stage::Rewrite(r) = &mut self.stage else {
            return None;
        };
        let n = r.targets.len();
        let k = r.done;
        r.done += 1;
        let target = r.targets.get(k % n.max(1))?.clone();
        Some((target, k / n.max(1), r.base, k == 0))
    }

    /// One rewrite: ask for the next candidate definition in full and put it in place.
    pub(in crate::agent) fn rewrite_attempt(&mut self) -> Result<Next, BackendError> {
        let Some((mut target, pass, base, first)) = self.next_target() else {
            return Ok(Next::Continue);
        };
        // A kept partial fix may have changed the file: take the definition as it is now.
        let defs = self
            .current_text(&target.path)
            .map(|body| rewrite::definitions(&target.path, &body))
            .unwrap_or_default();
        if let Some(now) = defs.iter().find(|d| d.name == target.name) {
            let hint = target.hint.take().filter(|h| now.code.contains(h.as_str()));
            target = Target {
                hint,
                ..now.clone()
            };
        }
        // The first pass over the candidates is greedy and follows the model's diagnosis; later
        // passes drop the diagnosis (it may be what misled them) and sample ever more freely.
        self.sampling.rewrite_pass(pass);
        let lang = prompt::fence_lang(&target.path);
        let existing: Vec<String> = defs.into_iter().map(|d| d.name).collect();
        self.talk.history.truncate(if pass == 0 { base } else { 2 });
        // How the code as it stands fails — not how the last reverted attempt did.
        let failure = rewrite::key_failure_lines(&self.attempts.baseline_output);
        let failed: Vec<&rewrite::Tried> = self
            .attempts
            .failed_rewrites
            .iter()
            .filter(|t| t.name == target.name)
            .collect();
        // What the failing tests called it with, if the code is still the code they ran.
        let calls: Vec<spectrum::Call> = (self.suspected.iter())
            .filter(|s| s.code_failed == self.attempts.baseline_output)
            .flat_map(|s| &s.calls)
            .filter(|c| c.path == target.path && c.name == target.name)
            .cloned()
            .collect();
        self.tell(&rewrite::request(
            &target,
            lang,
            &self.issue,
            &failure,
            &calls,
            &failed,
        ));
        let prefill = format!("```{lang}\n");
        let head = constrain::head::of_definition(&target.code, &target.name);
        let head = Some(head.as_str());
        let budget = budget::rewrite(self.backend.count_tokens(&target.code));
        // The stage's first rewrite is the greedy one alone: it is the fix more often than not,
        // at the price of one reply. Every later one decodes several candidates together.
        let width = self.backend.parallel_width();
        if width > 1 && !first {
            let variants = rewrite_variants(self.sampling, self.report.steps + 1, width);
            let replies = self.generate_variants(&prefill, &["```"], head, budget, &variants)?;
            return Ok(self.try_candidates(&target, &existing, replies));
        }
        // A definition handed back as it was is one the model sees no bug in: the next
        // candidate is asked for, and this one comes back in the next pass, sampled freely.
        let reply = self.generate_code(&prefill, &["```"], head, budget)?;
        match self.rewrite_edit(&target, &reply, &existing) {
            Some(report) => Ok(self.after_edit(report, &reply)),
            None => {
                self.no_new_code(&target);
                Ok(self.rewrite_limit())
            }
        }
    }

    /// The reply's edit of `target`, applied (not yet judged); `None` when it holds no new code.
    fn rewrite_edit(
        &mut self,
        target: &Target,
        reply: &str,
        existing: &[String],
    ) -> Option<edit::ApplyReport> {
        if let Some(report) = self.strict_edits(reply) {
            return Some(report);
        }
        let block = rewrite::edit_for(target, reply, existing)?;
        self.attempts.failed_rewrites.push(rewrite::Tried {
            name: target.name.clone(),
            code: block.replace.clone(),
            failure: None,
        });
        let callers = self.callers_follow(target, &block.replace);
        let edits: Vec<edit::Edit> = std::iter::once(block)
            .chain(callers)
            .map(edit::Edit::Replace)
            .collect();
        Some(self.apply(&edits))
    }

    /// When the rewrite gave `target` parameters, the edits that pass them at its calls
    /// ([`callers`]), judged with it as one change.
    fn callers_follow(&mut self, target: &Target, new_code: &str) -> Vec<SearchReplaceBlock> {
        let follow = callers::follow(target, new_code, || self.source_files());
        if follow.added.is_empty() {
            return Vec::new();
        }
        let added = follow.added.join("`, `");
        let mut said = format!(
            "`{}` takes `{added}` now: passed at {} call(s)",
            target.name, follow.completed
        );
        if follow.left > 0 {
            said.push_str(&format!(
                "; {} call(s) have no value for it at hand",
                follow.left
            ));
        }
        self.status(said);
        follow.edits
    }

    /// Judge candidates decoded together, one at a time (each reverted unless it helps), until
    /// one fixes the bug or one helps enough to be kept (the rest were written against the code
    /// before it). Identical replies are judged once; the same change in other words is caught
    /// by the judge's memory of tried diffs.
    fn try_candidates(
        &mut self,
        target: &Target,
        existing: &[String],
        replies: Vec<String>,
    ) -> Next {
        let total = replies.len();
        let mut judged = 0;
        for (k, reply) in replies.iter().enumerate() {
            // Each judgement is a test run (a build, for a compiled language): none starts
            // once the time is up.
            if self.past_deadline() {
                break;
            }
            if replies
                .get(..k)
                .is_some_and(|before| before.contains(reply))
            {
                continue;
            }
            let Some(report) = self.rewrite_edit(target, reply, existing) else {
                continue;
            };
            judged += 1;
            self.status(format!("judging candidate {} of {total}", k + 1));
            let baseline = self.attempts.baseline_output.clone();
            match self.after_edit(report, reply) {
                // The stage's own limit is judged once every candidate has had its turn.
                Next::Stop(StopReason::RewritesExhausted { .. }) | Next::Continue => {}
                stop => return stop,
            }
            // Kept as half a fix: the other candidates were written for the code before it.
            if self.attempts.baseline_output != baseline {
                break;
            }
        }
        if judged == 0 && !self.past_deadline() {
            self.no_new_code(target);
        }
        self.rewrite_limit()
    }

    fn no_new_code(&mut self, target: &Target) {
        self.report.edits_failed += 1;
        self.emit(Event::EditFailed {
            kind: EditFailure::NoNewCode,
            message: format!("the reply held no new code for `{}`", target.name),
        });
    }

    /// Stop when every candidate has had its share of tries: [`PASSES`] passes, and more (up
    /// to [`MAX_PASSES`]) while the steps and time left fit another rewrite as long as the
    /// stage's rewrites took on average.
    pub(in crate::agent) fn rewrite_limit(&self) -> Next {
        let Stage::Rewrite(r) = &self.stage else {
            return Next::Continue;
        };
        let n = r.targets.len();
        let done = u32::try_from(r.done.max(1)).unwrap_or(u32::MAX);
        let more = r.done < n * MAX_PASSES && self.time_for(r.started.elapsed() / done);
        if r.done >= n * PASSES && !more {
            return Next::Stop(StopReason::RewritesExhausted { rewrites: r.done });
        }
        Next::Continue
    }
}
