//! What a run is given: where, with which limits, sandbox, approvals and tests.

use std::time::Duration;

use crate::sandbox::approval::{Approval, Asker};
use crate::sandbox::paths::Root;
use crate::sandbox::process::Runner;

#[derive(Debug, Clone)]
pub struct Limits {
    pub max_steps: usize,
    pub max_identical_calls: usize,
    pub max_failed_edits: usize,
    pub max_wall: Duration,
    /// Tokens processed plus generated over the whole run.
    pub max_tokens: usize,
    pub reply_tokens: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_steps: 12,
            max_identical_calls: 3,
            max_failed_edits: 4,
            max_wall: Duration::from_secs(900),
            max_tokens: 500_000,
            reply_tokens: 1024,
        }
    }
}

#[derive(Debug, Clone)]
pub struct FixConfig {
    pub root: Root,
    /// Runs the tests and the model's commands (sandboxed as configured).
    pub runner: Runner,
    pub approval: Approval,
    pub shell_timeout: Duration,
    pub test_cmd: Option<String>,
    pub test_timeout: Duration,
    pub limits: Limits,
    /// Tokens of repository code to show in the first prompt.
    pub context_tokens: usize,
    /// Who answers approval questions (`None`: the terminal, when there is one).
    pub ask: Option<Asker>,
    /// Raised by the front end to stop the run at the next token or command.
    pub cancel: crate::cancel::Cancel,
    /// Take a reproduction test cria added out of the final diff (default: keep it).
    pub drop_repro_test: bool,
    /// Constrain replies where they have a grammar ([`crate::model::constrain`]).
    pub constrain: bool,
    /// The user's commands at points of the run ([`crate::hooks`]).
    pub hooks: crate::hooks::Hooks,
    /// The started MCP servers, whose tools join cria's ([`crate::mcp`]).
    pub mcp: Option<std::sync::Arc<crate::mcp::Hub>>,
}
