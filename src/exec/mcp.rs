//! `cria mcp list` and `cria mcp serve`.

use crate::cli::AgentArgs;
use crate::config::Config;
use crate::exit::ExitCode;
use crate::mcp::{Hub, ServerState};

/// Start the configured servers and say what each offers.
pub fn list(cfg: &Config, json: bool) -> ExitCode {
    if cfg.mcp_servers.is_empty() {
        if json {
            println!("{}", serde_json::json!({ "servers": [] }));
        } else {
            println!("no MCP servers configured; add [mcp_servers.NAME] to a config file");
        }
        return ExitCode::Fixed;
    }
    let hub = match Hub::start(&cfg.mcp_servers, cfg.fix.root.path()) {
        Ok(hub) => hub,
        Err(e) => {
            eprintln!("cria: MCP servers not started: {e}");
            return ExitCode::Backend;
        }
    };
    let costs = hub.costs();
    let cost_of = |name: &str| costs.iter().find(|c| c.server == name);
    let states = hub.states();
    if json {
        let servers: Vec<_> = states
            .iter()
            .map(|(name, config, state)| {
                let (state, why, tools) = match state {
                    ServerState::Running(tools) => ("running", None, tools.clone()),
                    ServerState::Failed(why) => ("failed", Some(why.clone()), Vec::new()),
                    ServerState::Off => ("off", None, Vec::new()),
                };
                serde_json::json!({
                    "name": name,
                    "command": config.describe(),
                    "trusted": config.trusted,
                    "state": state,
                    "error": why,
                    "tools": tools.iter().map(|(t, listed)| serde_json::json!({
                        "name": crate::mcp::qualified(name, t),
                        "listed": listed,
                    })).collect::<Vec<_>>(),
                    "prompt_tokens": cost_of(name).map_or(0, |c| c.tokens),
                })
            })
            .collect();
        println!("{}", serde_json::json!({ "servers": servers }));
        return ExitCode::Fixed;
    }
    for (name, config, state) in &states {
        let trust = if config.trusted {
            "trusted"
        } else {
            "asks before each call"
        };
        match state {
            ServerState::Running(tools) => {
                let listed = tools.iter().filter(|(_, l)| *l).count();
                let tokens = cost_of(name).map_or(0, |c| c.tokens);
                println!(
                    "{name}: running ({}; {trust}); {listed} of {} tools listed, ≈{tokens} \
                     prompt tokens",
                    config.describe(),
                    tools.len()
                );
                for (tool, listed) in tools {
                    let mark = if *listed { "+" } else { "-" };
                    println!("  {mark} {}", crate::mcp::qualified(name, tool));
                }
            }
            ServerState::Failed(why) => {
                println!("{name}: failed ({}): {why}", config.describe())
            }
            ServerState::Off => println!("{name}: off (enabled = false)"),
        }
    }
    ExitCode::Fixed
}

/// Serve cria's tools over MCP on stdio until the client leaves.
pub fn serve(args: &AgentArgs) -> ExitCode {
    match crate::mcp::serve::serve(args.clone()) {
        Ok(()) => ExitCode::Fixed,
        Err(e) => {
            eprintln!("cria mcp serve: {e}");
            ExitCode::Backend
        }
    }
}
