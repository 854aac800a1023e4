//! The `cria` binary: parse the command line, resolve the configuration, run the front end, and
//! map the result to an exit code.

// Non-test code does not panic on input: no unwrap/expect, no indexing or slicing that can go
// out of bounds (`get` instead). An exception carries `#[allow]` and a comment proving it safe.
// (Set here rather than in Cargo.toml's [lints], which would reach the test crates too.)
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::string_slice,
        clippy::indexing_slicing
    )
)]

use clap::Parser;

use cria::cli::{Cli, Command};
use cria::config::Config;
use cria::exec;
use cria::exit::ExitCode;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Sandbox(args)) = &cli.command {
        // The helper must stay single-threaded until it has entered its namespaces.
        let code = exec::sandbox::run(args);
        return std::process::ExitCode::from(code.clamp(0, 255) as u8);
    }
    run(cli).into()
}

fn run(cli: Cli) -> ExitCode {
    match cli.command {
        None => with_config(&cli.agent, |cfg| {
            let mut cfg = cfg.clone();
            // The interactive default: every change and command waits for a yes.
            if !cfg.approval_set {
                cfg.fix.approval = cria::sandbox::approval::Approval::Ask;
            }
            cria::tui::run(cfg, cli.resume)
        }),
        Some(Command::Fix {
            issue,
            agent,
            json,
            commit,
            branch,
            plan,
            escalate,
        }) => {
            let issue = match exec::fix::read_issue(&issue) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("cria: {e}");
                    return ExitCode::Usage;
                }
            };
            with_config(&agent, |cfg| {
                let escalate = match escalate
                    .as_deref()
                    .map(|p| exec::fix::escalation(&agent, p))
                {
                    Some(Ok(esc)) => Some(Box::new(esc)),
                    Some(Err(e)) => {
                        eprintln!("cria: {e}");
                        return ExitCode::Usage;
                    }
                    None => None,
                };
                let opts = exec::fix::FixOptions {
                    json,
                    commit: (commit || branch.is_some() || cfg.commit).then_some(branch.clone()),
                    plan,
                    escalate,
                };
                exec::fix::run(cfg, &issue, &opts)
            })
        }
        Some(Command::Apply {
            repo,
            dry_run,
            diff,
        }) => exec::apply::apply(&repo, dry_run, diff),
        Some(Command::Undo { repo }) => exec::apply::undo(&repo),
        Some(Command::Batch {
            tasks,
            out,
            jobs,
            apply,
            shard,
            branch_per_task,
        }) => {
            let shard = match shard.as_deref().map(exec::batch::parse_shard).transpose() {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("cria: {e}");
                    return ExitCode::Usage;
                }
            };
            let opts = exec::batch::BatchOptions {
                tasks,
                out,
                jobs,
                apply,
                shard,
                branch_per_task,
            };
            exec::batch::run(&cli.agent, &opts)
        }
        Some(Command::Eval { dir, json, tries }) => exec::eval::run(&cli.agent, &dir, tries, json),
        #[cfg(feature = "llama")]
        Some(Command::Bench { json }) => with_config(&cli.agent, |cfg| exec::bench::run(cfg, json)),
        #[cfg(feature = "llama")]
        Some(Command::Serve { listen }) => {
            with_config(&cli.agent, |cfg| exec::serve::run(cfg, &listen))
        }
        #[cfg(not(feature = "llama"))]
        Some(Command::Bench { .. } | Command::Serve { .. }) => {
            eprintln!("cria: this cria was built without the embedded engine (feature `llama`)");
            ExitCode::Usage
        }
        Some(Command::Context {
            focus,
            budget,
            json,
        }) => with_config(&cli.agent, |cfg| {
            exec::context::run(cfg, &focus, budget, json)
        }),
        Some(Command::Sandbox(_)) => ExitCode::Usage,
        Some(Command::Models { action: None }) => exec::meta::list_models(),
        Some(Command::Models {
            action: Some(cria::cli::ModelsAction::Pull { tier }),
        }) => exec::meta::pull(&tier),
        Some(Command::Mcp {
            action: cria::cli::McpAction::List { json },
        }) => with_config(&cli.agent, |cfg| exec::mcp::list(cfg, json)),
        Some(Command::Mcp {
            action: cria::cli::McpAction::Serve,
        }) => exec::mcp::serve(&cli.agent),
        Some(Command::Config) => exec::meta::show_config(&cli.agent),
        Some(Command::Trust) => exec::meta::trust(&cli.agent),
        Some(Command::Completions { shell }) => exec::meta::completions(shell),
        Some(Command::Man) => exec::meta::man(),
    }
}

/// Resolve the configuration for `args` and run `front_end` with it (a bad one is a usage error).
fn with_config(
    args: &cria::cli::AgentArgs,
    front_end: impl FnOnce(&Config) -> ExitCode,
) -> ExitCode {
    match Config::resolve(args) {
        Ok(cfg) => {
            // A change set a crash interrupted is rolled back before anything reads the tree.
            cria::edit::commit::recover_and_report(cfg.fix.root.path());
            front_end(&cfg)
        }
        Err(e) => {
            eprintln!("cria: {e}");
            ExitCode::Usage
        }
    }
}
