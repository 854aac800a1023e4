//! The edit stage: one model reply acted on — edit blocks (strict, then plain code blocks read
//! as edits), tool calls, or nothing usable (a nudge, or the move to the rewrite stage).

use crate::agent::prompt;
use crate::agent::run::{Next, Run};
use crate::agent::sampling::budget;
use crate::edit;
use crate::model::BackendError;
use crate::protocol::{EditFailure, Event, Message, StopReason, ToolCall, ToolResult};
use crate::toolcall;
use crate::tools::{self, ToolEnv};

/// Whether a reading of the reply got as far as the user: applied, or shown and declined.
fn acted_on(report: &edit::ApplyReport) -> bool {
    report.applied() || report.rejected
}

impl Run<'_> {
    /// One turn of the edit stage. Its first reply is the diagnosis: its first paragraph,
    /// stopped where code would begin — also when model calls came before it (a reproduction
    /// test, a test of the issue's examples), which once left it the budget of an edit, and a
    /// 768-token "diagnosis" (45 s on two cores).
    pub(in crate::agent) fn edit_turn(&mut self) -> Result<Next, BackendError> {
        let diagnosis = std::mem::take(&mut self.talk.diagnosis_due);
        let (stop, budget): (&[&str], usize) = if diagnosis {
            (&[toolcall::CLOSE, "```", "\n\n"], budget::DIAGNOSIS)
        } else {
            (&[toolcall::CLOSE], budget::EDIT)
        };
        let reply = self.generate(self.edit_prefill(), stop, budget)?;
        Ok(self.handle(&reply))
    }

    /// What the next edit step's reply begins with.
    pub(in crate::agent) fn edit_prefill(&self) -> &'static str {
        if self.talk.expect_fix {
            prompt::PREFILL
        } else {
            ""
        }
    }

    fn handle(&mut self, reply: &str) -> Next {
        if reply.contains(prompt::EXAMPLE_PLACEHOLDER) {
            self.report.edits_failed += 1;
            self.emit(Event::EditFailed {
                kind: EditFailure::NoNewCode,
                message: "the reply copied the format example".into(),
            });
            if self.begin_rewriting(reply) {
                return Next::Continue;
            }
            self.tell(prompt::COPIED_EXAMPLE);
            return Next::Continue;
        }
        if let Some(report) = self.strict_edits(reply) {
            // A change the user declined is an answer, not a parse failure: the same code is
            // not offered again in another reading.
            if report.applied() || report.rejected {
                return self.after_edit(report, reply);
            }
            // A malformed block often still holds the corrected code: try reading it plainly.
            let loose = self.loose(reply).filter(acted_on);
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
            self.talk.history.push(Message::tool(msg));
            return Next::Continue;
        }
        if calls.calls.is_empty() {
            if let Some(report) = self.loose(reply).filter(acted_on) {
                return self.after_edit(report, reply);
            }
            return self.no_action(reply);
        }
        for call in calls.calls.into_iter().take(3) {
            if let Next::Stop(stop) = self.tool_call(call) {
                return Next::Stop(stop);
            }
        }
        Next::Continue
    }

    /// The reply's edit blocks (any format), applied; `None` when it has none.
    pub(in crate::agent) fn strict_edits(&mut self, reply: &str) -> Option<edit::ApplyReport> {
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
        if !self.work.changes(&self.cfg.root).is_empty() && self.test_cmd.is_none() {
            return Next::Stop(StopReason::NoTests);
        }
        if self.begin_rewriting(reply) {
            return Next::Continue;
        }
        self.guards.nudges += 1;
        if self.guards.nudges > 2 {
            return Next::Stop(StopReason::ModelStopped);
        }
        self.tell(prompt::NUDGE);
        Next::Continue
    }

    fn tool_call(&mut self, call: ToolCall) -> Next {
        let guards = &mut self.guards;
        if guards.last_call.as_ref() == Some(&call) {
            guards.same_call += 1;
        } else {
            guards.same_call = 1;
            guards.last_call = Some(call.clone());
        }
        if guards.same_call >= self.cfg.limits.max_identical_calls {
            return Next::Stop(StopReason::SameCall {
                tool: call.name.clone(),
                times: guards.same_call,
            });
        }
        self.emit(Event::ToolCall { call: call.clone() });
        if let Some(why) = self.pre_tool_hooks(&call) {
            let text = format!("a PreToolUse hook refused this call: {why}");
            self.emit(Event::ToolResult {
                result: ToolResult {
                    name: call.name.clone(),
                    ok: false,
                    output: text.clone(),
                },
            });
            self.talk
                .history
                .push(Message::tool(prompt::sanitize(&text)));
            self.talk.expect_fix = false;
            return Next::Continue;
        }
        let out = match self.mcp_call(&call) {
            Some(out) => out,
            None => self.builtin_call(&call),
        };
        if call.name == "read_file" && out.ok {
            if let Some(rel) = call.arguments.get("path").and_then(|p| p.as_str()) {
                if let Ok(abs) = self.cfg.root.resolve(rel) {
                    let rel = self.cfg.root.display(&abs);
                    let bytes = self.read_file(&rel);
                    self.work.saw(&rel, bytes.as_deref());
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
        let mut text = out.text.clone();
        let response = serde_json::json!({"ok": out.ok, "output": out.text});
        if let Some(why) = self.post_tool_hooks(&call.name, call.arguments.clone(), response) {
            text.push_str(&format!("\n[a PostToolUse hook says: {why}]"));
        }
        self.talk
            .history
            .push(Message::tool(prompt::sanitize(&text)));
        self.talk.expect_fix = false;
        Next::Continue
    }

    /// Run one of cria's own tools.
    fn builtin_call(&mut self, call: &ToolCall) -> tools::ToolOutput {
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
            test_timeout: self.test_limit(),
            runner: &self.cfg.runner,
            approve: &approve,
            shell_timeout: self.cfg.shell_timeout,
        };
        let out = tools::run(call, &env);
        self.report_approvals();
        out
    }
}
