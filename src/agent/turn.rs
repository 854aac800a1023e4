//! Acting on one model reply: edits (strict blocks, then plain code blocks), tool calls, a
//! rewrite-stage answer, or nothing usable.

use super::prompt;
use super::rewrite;
use super::session::{Next, Run};
use crate::edit;
use crate::model::BackendError;
use crate::protocol::{EditFailure, Event, Message, Outcome, ToolCall, ToolResult};
use crate::toolcall;
use crate::tools::{self, ToolEnv};

impl Run<'_> {
    pub(super) fn handle(&mut self, reply: &str) -> Next {
        if reply.contains(prompt::EXAMPLE_PLACEHOLDER) {
            self.report.edits_failed += 1;
            self.emit(Event::EditFailed {
                kind: EditFailure::NoNewCode,
                message: "the reply copied the format example".into(),
            });
            if self.start_rewrites(reply) {
                return Next::Continue;
            }
            self.history.push(Message::user(prompt::COPIED_EXAMPLE));
            return Next::Continue;
        }
        if let Some(report) = self.strict_edits(reply) {
            if report.applied() {
                return self.after_edit(report, reply);
            }
            // A malformed block often still holds the corrected code: try reading it plainly.
            let loose = self.loose(reply).filter(edit::ApplyReport::applied);
            return self.after_edit(loose.unwrap_or(report), reply);
        }
        let calls = toolcall::parse(reply);
        if !calls.errors.is_empty() && calls.calls.is_empty() {
            let msg = format!(
                "{}\nWrite tool calls as <tool_call>{{\"name\": \"...\", \"arguments\": {{...}}}}</tool_call>.",
                calls.errors.join("\n")
            );
            self.emit(Event::ToolCallMalformed {
                message: msg.clone(),
            });
            self.history.push(Message::tool(msg));
            return Next::Continue;
        }
        if calls.calls.is_empty() {
            if let Some(report) = self.loose(reply).filter(edit::ApplyReport::applied) {
                return self.after_edit(report, reply);
            }
            return self.no_action(reply);
        }
        for call in calls.calls.into_iter().take(3) {
            if let Next::Stop(o, why) = self.tool_call(call) {
                return Next::Stop(o, why);
            }
        }
        Next::Continue
    }

    fn strict_edits_present(&self, reply: &str) -> bool {
        matches!(edit::parse_edits(reply), Ok(e) if !e.is_empty())
    }

    /// The reply's edit blocks (any format), applied; `None` when it has none.
    fn strict_edits(&mut self, reply: &str) -> Option<edit::ApplyReport> {
        let has_markers = reply.contains("<<<<<<<") || reply.contains(">>>>>>>");
        match edit::parse_edits(reply) {
            Ok(edits) if !edits.is_empty() => Some(self.apply(&edits)),
            Err(e) if has_markers => Some(edit::ApplyReport {
                blocks: 1,
                failures: vec![e.to_string()],
                ..Default::default()
            }),
            _ => None,
        }
    }

    /// Apply edits (not yet recorded for undo: the run records itself at its end), refusing
    /// files that changed on disk since the model saw them.
    pub(super) fn apply(&mut self, edits: &[edit::Edit]) -> edit::ApplyReport {
        let work = &self.work;
        let guard = |rel: &str, now: Option<&[u8]>| work.check(rel, now);
        let approver = &self.approver;
        let approve = |diff: &str| approver.borrow_mut().decide_change(diff);
        edit::apply_approved(&self.cfg.root, edits, &guard, &approve)
    }

    /// `rel`'s current text (normalized), if it is a readable text file.
    pub(super) fn current_text(&self, rel: &str) -> Option<String> {
        let bytes = std::fs::read(self.cfg.root.path().join(rel)).ok()?;
        Some(edit::text::FileText::decode(&bytes).ok()?.body)
    }

    /// The reply's plain code blocks read as edits of the files the model has seen.
    fn loose(&mut self, reply: &str) -> Option<edit::ApplyReport> {
        let files: Vec<(String, String)> = self
            .work
            .seen_paths()
            .filter_map(|p| Some((p.to_string(), self.current_text(p)?)))
            .collect();
        let blocks = edit::loose::loose_edits(reply, &files);
        if blocks.is_empty() {
            return None;
        }
        let edits: Vec<edit::Edit> = blocks.into_iter().map(edit::Edit::Replace).collect();
        let mut report = self.apply(&edits);
        report.notes.push(
            "read the reply's code block(s) as the new version of the code they match".into(),
        );
        Some(report)
    }

    fn no_action(&mut self, reply: &str) -> Next {
        if !self.work.changes().is_empty() && self.test_cmd.is_none() {
            return Next::Stop(Outcome::Unverified, super::attempt::NO_TESTS.into());
        }
        if self.start_rewrites(reply) {
            return Next::Continue;
        }
        self.nudges += 1;
        if self.nudges > 2 {
            return Next::Stop(
                Outcome::NotFixed,
                "the model stopped without producing a fix".into(),
            );
        }
        self.history.push(Message::user(prompt::NUDGE));
        Next::Continue
    }

    /// Enter the rewrite stage, with `diagnosis` (the model's last reply) guiding the choice of
    /// definitions. Returns false when it already ran or there is nothing to rewrite.
    pub(super) fn start_rewrites(&mut self, diagnosis: &str) -> bool {
        if self.rewrites > 0 || !self.targets.is_empty() {
            return false;
        }
        let tests = self
            .report
            .tests_before
            .as_ref()
            .map(|t| t.output.clone())
            .unwrap_or_default();
        let suspects = self.suspects();
        // The shown files, and the files of the three most suspicious functions.
        let mut paths: Vec<String> = self.shown.iter().map(|f| f.path.clone()).collect();
        for s in suspects.iter().take(3) {
            if !paths.contains(&s.path) {
                paths.push(s.path.clone());
            }
        }
        let current: Vec<prompt::ShownFile> = paths
            .into_iter()
            .filter_map(|path| {
                let content = self.current_text(&path)?;
                Some(prompt::ShownFile { path, content })
            })
            .collect();
        self.targets = rewrite::pick(diagnosis, &self.issue, &tests, &current, &suspects);
        if self.targets.is_empty() {
            return false;
        }
        let names: Vec<String> = self
            .targets
            .iter()
            .map(|t| format!("{} ({})", t.name, t.path))
            .collect();
        self.status(format!("asking for a rewrite of: {}", names.join(", ")));
        self.rewrite_base = self.history.len();
        true
    }

    /// The functions the failing tests run more than the passing ones, where the tests can be
    /// traced (see [`super::spectrum`]); asked once, when the rewrite stage starts.
    fn suspects(&mut self) -> Vec<super::spectrum::Suspect> {
        let Some(cmd) = self.test_cmd.clone() else {
            return Vec::new();
        };
        if !self.bug_shown || !super::spectrum::traceable(&cmd) {
            return Vec::new();
        }
        self.busy("tracing the failing tests to see which functions they run");
        let found =
            super::spectrum::suspects(&self.cfg.runner, self.cfg.root.path(), self.test_timeout);
        if !found.is_empty() {
            let top: Vec<String> = found
                .iter()
                .take(3)
                .map(|s| format!("{} ({:.2})", s.name, s.score))
                .collect();
            self.status(format!("the failing tests point at: {}", top.join(", ")));
        }
        found
    }

    /// One rewrite: ask for the next candidate definition in full and put it in place.
    pub(super) fn rewrite_attempt(&mut self) -> Result<Next, BackendError> {
        let n = self.targets.len();
        let k = self.rewrites;
        self.rewrites += 1;
        let mut target = self.targets[k % n].clone();
        // A kept partial fix may have changed the file: take the definition as it is now.
        let defs = self
            .current_text(&target.path)
            .map(|body| rewrite::definitions(&target.path, &body))
            .unwrap_or_default();
        if let Some(now) = defs.iter().find(|d| d.name == target.name) {
            target = now.clone();
        }
        // The first pass over the candidates is greedy and follows the model's diagnosis; later
        // passes drop the diagnosis (it may be what misled them) and sample ever more freely.
        let pass = k / n;
        self.temperature = [0.0, 0.7, 1.0][pass.min(2)];
        let lang = prompt::fence_lang(&target.path);
        let existing: Vec<String> = defs.into_iter().map(|d| d.name).collect();
        self.history
            .truncate(if pass == 0 { self.rewrite_base } else { 2 });
        let failure = self
            .report
            .tests_after
            .as_ref()
            .map(|t| rewrite::key_failure_lines(&t.output))
            .unwrap_or_default();
        let failed: Vec<String> = self
            .failed_rewrites
            .iter()
            .filter(|(n, _)| *n == target.name)
            .map(|(_, c)| c.clone())
            .collect();
        let ask = rewrite::request(&target, lang, &self.issue, &failure, &failed);
        self.history.push(Message::user(prompt::sanitize(&ask)));
        let prefill = format!("```{lang}\n");
        let budget = super::session::budget::rewrite(self.backend.count_tokens(&target.code));
        let mut reply = self.generate(&prefill, &["```"], budget)?;
        let unchanged = !self.strict_edits_present(&reply)
            && rewrite::edit_for(&target, &reply, &existing).is_none();
        if unchanged && self.report.steps < self.cfg.limits.max_steps {
            // Handed back as it was (copying is what a small model does best): say so once.
            self.report.steps += 1;
            let nudge = rewrite::unchanged(&target, &failure);
            self.history.push(Message::user(prompt::sanitize(&nudge)));
            self.temperature = self.temperature.max(0.7);
            reply = self.generate(&prefill, &["```"], budget)?;
        }
        let report = match self.strict_edits(&reply) {
            Some(r) => r,
            None => match rewrite::edit_for(&target, &reply, &existing) {
                Some(block) => {
                    self.failed_rewrites
                        .push((target.name.clone(), block.replace.clone()));
                    self.apply(&[edit::Edit::Replace(block)])
                }
                None => {
                    self.report.edits_failed += 1;
                    self.emit(Event::EditFailed {
                        kind: EditFailure::NoNewCode,
                        message: format!("the reply held no new code for `{}`", target.name),
                    });
                    return Ok(self.rewrite_limit());
                }
            },
        };
        Ok(self.after_edit(report, &reply))
    }

    /// Stop when every candidate has had its share of tries.
    pub(super) fn rewrite_limit(&self) -> Next {
        if self.rewrites >= self.targets.len() * 3 {
            return Next::Stop(
                Outcome::NotFixed,
                format!(
                    "{} rewrites of the likely definitions did not fix it",
                    self.rewrites
                ),
            );
        }
        Next::Continue
    }

    fn tool_call(&mut self, call: ToolCall) -> Next {
        if self.last_call.as_ref() == Some(&call) {
            self.same_call += 1;
        } else {
            self.same_call = 1;
            self.last_call = Some(call.clone());
        }
        if self.same_call >= self.cfg.limits.max_identical_calls {
            return Next::Stop(
                Outcome::NotFixed,
                format!(
                    "the model made the same `{}` call {} times in a row",
                    call.name, self.same_call
                ),
            );
        }
        self.emit(Event::ToolCall { call: call.clone() });
        let work = &self.work;
        let guard = |rel: &str, now: Option<&[u8]>| work.check(rel, now);
        let approver = &self.approver;
        let dir = self.cfg.root.path().display().to_string();
        let approve = |command: &str| approver.borrow_mut().decide(command, &dir);
        let approve_change = |diff: &str| approver.borrow_mut().decide_change(diff);
        let env = ToolEnv {
            approve_change: &approve_change,
            root: &self.cfg.root,
            guard: &guard,
            test_cmd: self.test_cmd.as_deref(),
            test_timeout: self.test_timeout,
            runner: &self.cfg.runner,
            approve: &approve,
            shell_timeout: self.cfg.shell_timeout,
        };
        let out = tools::run(&call, &env);
        if call.name == "read_file" && out.ok {
            if let Some(rel) = call.arguments.get("path").and_then(|p| p.as_str()) {
                if let Ok(abs) = self.cfg.root.resolve(rel) {
                    let rel = self.cfg.root.display(&abs);
                    self.work.saw(&rel, std::fs::read(&abs).ok().as_deref());
                }
            }
        }
        self.emit(Event::ToolResult {
            result: ToolResult {
                name: call.name.clone(),
                ok: out.ok,
                output: out.text.clone(),
            },
        });
        if let Some(run) = &out.tests {
            self.emit(Event::TestsRun { run: run.clone() });
        }
        if let Some(report) = out.edit {
            let text = serde_json::to_string(&call.arguments).unwrap_or_default();
            return self.after_edit(report, &text);
        }
        self.history
            .push(Message::tool(prompt::sanitize(&out.text)));
        self.expect_fix = false;
        Next::Continue
    }
}
