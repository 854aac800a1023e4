//! The run's side of [`crate::hooks`]: what each event's hooks are given, and what a blocking
//! hook does to the run. (`PreToolUse` for changes runs in the approver, before anyone is asked.)

use serde_json::{json, Value};

use super::run::Run;
use crate::hooks::{HookEvent, Verdict};
use crate::protocol::{StopReason, ToolCall};

impl Run<'_> {
    fn hook(&mut self, event: HookEvent, tool: Option<&str>, input: Value) -> Verdict {
        if self.cfg.hooks.is_empty() {
            return Verdict::default();
        }
        let verdict = self.cfg.hooks.run(event, tool, input, self.cfg.root.path());
        for warning in &verdict.warnings {
            self.status(warning.clone());
        }
        verdict
    }

    /// `UserPromptSubmit`: the stop when a hook refuses the request; what the hooks print is
    /// added to the issue.
    pub(super) fn submit_hooks(&mut self) -> Option<StopReason> {
        let verdict = self.hook(
            HookEvent::UserPromptSubmit,
            None,
            json!({ "prompt": self.issue }),
        );
        if let Some(why) = verdict.blocked {
            return Some(StopReason::HookRefused { why });
        }
        let context = verdict.context.trim();
        if !context.is_empty() {
            self.issue = format!("{}\n\nContext (from a hook):\n{context}", self.issue);
        }
        None
    }

    /// `PreToolUse` for a tool call: why a hook refused it, if one did. (Edits are the
    /// approver's: it sees their diff.)
    pub(super) fn pre_tool_hooks(&mut self, call: &ToolCall) -> Option<String> {
        if call.name == "edit" {
            return None;
        }
        let input = json!({ "tool_input": call.arguments });
        self.hook(HookEvent::PreToolUse, Some(&call.name), input)
            .blocked
    }

    /// `PostToolUse`: what a hook that exited 2 wants the model to know.
    pub(super) fn post_tool_hooks(
        &mut self,
        tool: &str,
        input: Value,
        response: Value,
    ) -> Option<String> {
        let input = json!({ "tool_input": input, "tool_response": response });
        self.hook(HookEvent::PostToolUse, Some(tool), input).blocked
    }

    /// `Stop`: why a hook wants the run to go on (it may, once), when it does.
    pub(super) fn stop_hooks(&mut self, stop: &StopReason) -> Option<String> {
        let input = json!({
            "stop_hook_active": self.stop_hook_active,
            "outcome": stop.outcome(),
            "reason": stop.to_string(),
            "diff": self.work.diff(&self.cfg.root),
        });
        self.hook(HookEvent::Stop, None, input).blocked
    }
}
