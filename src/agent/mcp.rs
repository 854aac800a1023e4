//! The run's side of [`crate::mcp`]: the servers' tools offered beside cria's own, and a call of
//! one approved, made, and its result cut to size. The result then goes to the model like any
//! tool output (defused by [`super::prompt::sanitize`]).

use serde_json::Value;

use super::run::Run;
use crate::mcp::CallError;
use crate::protocol::ToolCall;
use crate::sandbox::process::head_tail;
use crate::tools::{self, ToolOutput};

/// Characters of a result kept from its beginning and its end.
const HEAD: usize = 2_000;
const TAIL: usize = 4_000;

impl Run<'_> {
    /// The tools the model is offered: cria's own, then the MCP servers' listed ones.
    pub(super) fn tool_specs(&self) -> Vec<Value> {
        let mut specs = tools::specs();
        if let Some(hub) = &self.cfg.mcp {
            specs.extend(hub.specs());
        }
        specs
    }

    /// Make `call` if it names a listed MCP tool (`None`: it does not).
    pub(super) fn mcp_call(&mut self, call: &ToolCall) -> Option<ToolOutput> {
        let cfg = self.cfg;
        let hub = cfg.mcp.as_deref()?;
        let server = hub.server_of(&call.name)?;
        let arguments = call.arguments.to_string();
        let decision =
            self.approver
                .borrow_mut()
                .decide_tool(&call.name, &arguments, server.trusted);
        self.report_approvals();
        if let Err(why) = decision {
            return Some(ToolOutput::failed(format!("not called: {why}")));
        }
        self.busy(format!("calling the MCP tool {}", call.name));
        Some(match hub.call(&call.name, &call.arguments, &cfg.cancel) {
            Ok(reply) => {
                let shown = head_tail(reply.text.trim_end(), HEAD, TAIL);
                let cut = if shown.len() < reply.text.trim_end().len() {
                    format!(
                        "[{} characters; the beginning and the end shown]\n",
                        reply.text.chars().count()
                    )
                } else {
                    String::new()
                };
                let text = format!("{cut}{shown}");
                if reply.is_error {
                    ToolOutput::failed(format!("the tool reported an error:\n{text}"))
                } else {
                    ToolOutput::succeeded(text)
                }
            }
            Err(e) => {
                if matches!(e, CallError::Stopped { .. }) {
                    // Said once to the user as well: the server's tools are gone from now on.
                    self.status(e.to_string());
                }
                ToolOutput::failed(e.to_string())
            }
        })
    }
}
