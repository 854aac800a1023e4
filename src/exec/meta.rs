//! The commands about cria itself: `models` (list, pull), `config`, `completions`, `man`.

use std::io::Write;

use clap::CommandFactory;

use crate::cli::{AgentArgs, Cli};
use crate::config::{Config, ModelSource};
use crate::exit::ExitCode;
use crate::model::tiers;

/// The fetch script, embedded so an installed binary pulls models the same way the repository's
/// `scripts/fetch-model` does.
const FETCH_MODEL: &str = include_str!("../../scripts/fetch-model");

pub fn list_models() -> ExitCode {
    for t in tiers::TIERS {
        let path = tiers::models_dir().join(t.file);
        let state = match std::fs::metadata(&path) {
            Ok(m) => format!("installed, {} MB", m.len() / 1_000_000),
            Err(_) => format!("not installed (cria models pull {})", t.name),
        };
        println!(
            "{:<5} {:<50} {state}\n      {}",
            t.name,
            t.description,
            path.display()
        );
    }
    ExitCode::Fixed
}

pub fn pull(tier: &str) -> ExitCode {
    if !tiers::TIERS.iter().any(|t| t.name == tier) {
        let names: Vec<&str> = tiers::TIERS.iter().map(|t| t.name).collect();
        eprintln!("cria: no tier `{tier}` (tiers: {})", names.join(", "));
        return ExitCode::Usage;
    }
    let script = match tempfile::Builder::new().suffix(".py").tempfile() {
        Ok(mut f) => match f.write_all(FETCH_MODEL.as_bytes()) {
            Ok(()) => f,
            Err(e) => {
                eprintln!("cria: {e}");
                return ExitCode::Backend;
            }
        },
        Err(e) => {
            eprintln!("cria: {e}");
            return ExitCode::Backend;
        }
    };
    // Isolated mode: the script's folder (the temp folder, writable by sandboxed commands)
    // is not put on `sys.path`.
    match std::process::Command::new("python3")
        .arg("-I")
        .arg(script.path())
        .arg(tier)
        .status()
    {
        Ok(s) if s.success() => ExitCode::Fixed,
        Ok(_) => ExitCode::Backend,
        Err(e) => {
            eprintln!("cria: cannot run python3 (needed for pip download): {e}");
            ExitCode::Backend
        }
    }
}

/// The settings in effect, as JSON (secrets left out).
/// `cria trust`: accept the repository's `.cria.toml` as it is now.
pub fn trust(args: &AgentArgs) -> ExitCode {
    let dir = args
        .repo
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from("."));
    let root = match dir.canonicalize() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cria: {}: {e}", dir.display());
            return ExitCode::Usage;
        }
    };
    match crate::config_file::trust(&root) {
        Ok(msg) => {
            println!("{msg}");
            ExitCode::Fixed
        }
        Err(e) => {
            eprintln!("cria: {e}");
            ExitCode::Usage
        }
    }
}

pub fn show_config(args: &AgentArgs) -> ExitCode {
    let cfg = match Config::resolve(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cria: {e}");
            return ExitCode::Usage;
        }
    };
    let model = match &cfg.model {
        ModelSource::Gguf { path, tier } => serde_json::json!({
            "kind": "embedded", "path": path, "tier": tier,
        }),
        ModelSource::Script(path) => serde_json::json!({"kind": "script", "path": path}),
        ModelSource::Endpoint {
            url,
            api_key,
            model_name,
            timeout,
        } => serde_json::json!({
            "kind": "endpoint", "url": url, "api_key": api_key.is_some(),
            "model_name": model_name, "timeout_s": timeout.as_secs(),
        }),
    };
    let policy = cfg.fix.runner.policy();
    let mcp = mcp_summary(&cfg);
    let out = serde_json::json!({
        "config_file": crate::config_file::user_config_path(),
        "repo": cfg.fix.root.path(),
        "model": model,
        "test_cmd": cfg.fix.test_cmd,
        "sandbox": policy.map(|p| p.mode.as_str()),
        "allow_network": policy.is_some_and(|p| p.allow_network),
        "sandbox_status": cfg.fix.runner.describe(),
        "approval": cfg.fix.approval,
        "max_steps": cfg.fix.limits.max_steps,
        "max_seconds": cfg.fix.limits.max_wall.as_secs(),
        "max_tokens": cfg.fix.limits.max_tokens,
        "test_timeout_s": cfg.fix.test_timeout.as_secs(),
        "shell_timeout_s": cfg.fix.shell_timeout.as_secs(),
        "context_tokens": cfg.fix.context_tokens,
        "ctx": cfg.max_ctx,
        "kv_cache_mb": cfg.kv_cache_bytes >> 20,
        "hooks": cfg.fix.hooks.summary(),
        "mcp_servers": mcp,
        // Constraints are enforced while decoding: all of them in the embedded engine, the one
        // a grammar for a whole reply can say by a server that takes a grammar.
        "constrained_decoding": match (&cfg.model, cfg.fix.constrain) {
            (_, false) => "off (--no-constrain)",
            (ModelSource::Gguf { .. }, true) => "on: SEARCH sections, tool calls, rewrites",
            (ModelSource::Endpoint { .. }, true) => {
                "rewrites only, sent as a `grammar` when the server is llama-server; SEARCH \
                 sections and tool calls are sampled remotely, unconstrained"
            }
            (ModelSource::Script(_), true) => "not available: scripted replies",
        },
    });
    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    ExitCode::Fixed
}

/// Each configured MCP server (started, to count them) with what its listed tools cost in every
/// prompt, beside what cria's own tools cost.
fn mcp_summary(cfg: &Config) -> serde_json::Value {
    let own: usize = crate::tools::specs()
        .iter()
        .map(|v| crate::model::estimate_tokens(&v.to_string()))
        .sum();
    let mut servers = serde_json::Map::new();
    if !cfg.mcp_servers.is_empty() {
        let hub = crate::mcp::Hub::start(&cfg.mcp_servers, cfg.fix.root.path());
        let (states, costs) = match &hub {
            Ok(hub) => (hub.states(), hub.costs()),
            Err(_) => (Vec::new(), Vec::new()),
        };
        for (name, config) in &cfg.mcp_servers {
            let state = states.iter().find(|(n, ..)| n == name).map(|(_, _, s)| s);
            let cost = costs.iter().find(|c| &c.server == name);
            servers.insert(
                name.clone(),
                serde_json::json!({
                    "command": config.describe(),
                    "trusted": config.trusted,
                    "state": match state {
                        Some(crate::mcp::ServerState::Running(_)) => "running".to_string(),
                        Some(crate::mcp::ServerState::Failed(why)) => format!("failed: {why}"),
                        Some(crate::mcp::ServerState::Off) => "off".to_string(),
                        None => "not started".to_string(),
                    },
                    "tools_listed": cost.map_or(0, |c| c.tools),
                    "prompt_tokens": cost.map_or(0, |c| c.tokens),
                }),
            );
        }
    }
    serde_json::json!({ "cria_tools_prompt_tokens": own, "servers": servers })
}

pub fn completions(shell: clap_complete::Shell) -> ExitCode {
    clap_complete::generate(shell, &mut Cli::command(), "cria", &mut std::io::stdout());
    ExitCode::Fixed
}

pub fn man() -> ExitCode {
    match clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout()) {
        Ok(()) => ExitCode::Fixed,
        Err(e) => {
            eprintln!("cria: {e}");
            ExitCode::Backend
        }
    }
}
