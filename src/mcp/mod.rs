//! MCP (the Model Context Protocol), both ways, with the official SDK (`rmcp`).
//!
//! - **Client**: the servers in `[mcp_servers.NAME]` of the config files are started when a
//!   session starts ([`Hub::start`]); their tools join cria's own as `NAME__tool`. Only the tools a
//!   server enables (`enabled_tools`, less `disabled_tools`) are listed to the model, because every
//!   schema is paid for in prompt tokens on each turn ([`Hub::costs`]). A call is approved like a
//!   command the model chose (asked, unless the server is `trusted`), its result is data (defused
//!   and cut to its head and tail by the agent), and a server that fails to start, hangs or dies is
//!   reported once while the session goes on without it.
//! - **Server**: `cria mcp serve` ([`serve`]) offers `fix`, `apply`, `context` and `undo` on stdio,
//!   so another agent can hand a small fix to the local model, with cria's sandbox and atomic
//!   edits.
//!
//! A repository's `.cria.toml` may name servers only once the repository is trusted: a server
//! is a program that runs as the user, outside the sandbox, like a hook.

mod hub;
pub mod serve;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use hub::{CallError, Hub, Reply, ServerState, ToolCost};

/// Between a server's name and its tool's in the names the model sees.
pub const SEPARATOR: &str = "__";

/// One `[mcp_servers.NAME]` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// The program of a stdio server.
    pub command: Option<String>,
    #[serde(default)]
    pub args: Vec<String>,
    /// Added to the environment the server inherits.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Where the server runs (default: the repository).
    pub cwd: Option<PathBuf>,
    /// A streamable-HTTP server's address.
    pub url: Option<String>,
    /// Sent with every request to an HTTP server.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// The environment variable holding a bearer token for an HTTP server (kept out of the
    /// config file).
    pub bearer_token_env_var: Option<String>,
    /// `false` keeps the server configured but not started.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Only these tools are listed to the model (default: all).
    pub enabled_tools: Option<Vec<String>>,
    /// These tools are never listed.
    #[serde(default)]
    pub disabled_tools: Vec<String>,
    /// Calls run without asking (otherwise each is approved like a command).
    #[serde(default)]
    pub trusted: bool,
    /// Seconds to start and list the tools (default 10).
    pub startup_timeout_sec: Option<u64>,
    /// Seconds one call may take (default 60).
    pub tool_timeout_sec: Option<u64>,
}

fn yes() -> bool {
    true
}

impl ServerConfig {
    pub fn startup_timeout(&self) -> Duration {
        Duration::from_secs(self.startup_timeout_sec.unwrap_or(10).max(1))
    }

    pub fn tool_timeout(&self) -> Duration {
        Duration::from_secs(self.tool_timeout_sec.unwrap_or(60).max(1))
    }

    /// Whether `tool` is listed to the model.
    pub fn lists(&self, tool: &str) -> bool {
        let allowed = match &self.enabled_tools {
            Some(only) => only.iter().any(|t| t == tool),
            None => true,
        };
        allowed && !self.disabled_tools.iter().any(|t| t == tool)
    }

    /// What the server is, in a few words (`cria config`, `cria mcp list`).
    pub fn describe(&self) -> String {
        match (&self.command, &self.url) {
            (Some(command), _) => std::iter::once(command.as_str())
                .chain(self.args.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(" "),
            (None, Some(url)) => url.clone(),
            (None, None) => "(no command or url)".into(),
        }
    }
}

/// The servers of every config layer, by name.
pub type Servers = BTreeMap<String, ServerConfig>;

/// Check what deserializing cannot: names the tool names can carry, one transport each.
pub fn validate(servers: &Servers) -> Result<(), String> {
    for (name, server) in servers {
        let fits = !name.is_empty()
            && !name.contains(SEPARATOR)
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !fits {
            return Err(format!(
                "mcp_servers.{name}: a server's name is letters, digits, `-` and single `_` \
                 (it starts each of its tools' names, as `{name}{SEPARATOR}tool`)"
            ));
        }
        match (&server.command, &server.url) {
            (Some(_), Some(_)) => {
                return Err(format!(
                    "mcp_servers.{name}: give either `command` (stdio) or `url` (HTTP), not both"
                ))
            }
            (None, None) => {
                return Err(format!(
                    "mcp_servers.{name}: needs `command` (a stdio server) or `url`"
                ))
            }
            (Some(_), None)
                if !server.headers.is_empty() || server.bearer_token_env_var.is_some() =>
            {
                return Err(format!(
                    "mcp_servers.{name}: `headers` and `bearer_token_env_var` are for `url` servers"
                ))
            }
            _ => {}
        }
    }
    Ok(())
}

/// The name the model calls: `server__tool`.
pub fn qualified(server: &str, tool: &str) -> String {
    format!("{server}{SEPARATOR}{tool}")
}

/// `server__tool` split at the first separator.
pub fn split(name: &str) -> Option<(&str, &str)> {
    name.split_once(SEPARATOR)
        .filter(|(s, t)| !s.is_empty() && !t.is_empty())
}

#[cfg(test)]
mod tests;
