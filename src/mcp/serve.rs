//! `cria mcp serve`: cria's own capabilities as an MCP server on stdio, for Claude Code, Codex or
//! any MCP client to hand small local fixes to the embedded model.
//!
//! - `fix`: the agent on a repository, as `cria fix` runs it; returns the outcome and the diff.
//! - `apply`: the edit engine on a model's reply (SEARCH/REPLACE blocks and the other formats
//!   `cria apply` reads), all or nothing, recorded for `undo`.
//! - `context`: what `cria fix` would show the model for a task.
//! - `undo`: revert the last change set cria applied in a repository.
//!
//! Nothing is asked on a terminal (stdin is the protocol): under `--approval ask`, or where the
//! sandbox cannot be enforced, the model's own commands are refused; edits stay atomic and
//! undoable. The model is loaded once, on the first `fix`, by a worker thread that owns it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crossbeam_channel::{Receiver, Sender};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::{tool, tool_handler, tool_router, ErrorData, ServerHandler, ServiceExt};
use schemars::JsonSchema;
use serde::Deserialize;

use crate::cli::AgentArgs;
use crate::config::Config;
use crate::edit::{self, Mode};
use crate::exec::tasks::{config_for, SharedBackend};
use crate::sandbox::approval::Asker;
use crate::sandbox::paths::Root;

#[derive(Debug, Deserialize, JsonSchema)]
pub struct FixArgs {
    /// The repository (a folder path on this machine).
    pub repo: String,
    /// What is wrong, in the user's words.
    pub issue: String,
    /// The command that runs the tests (default: detected).
    pub test_cmd: Option<String>,
    /// Seconds the agent may work (default: the configured limit).
    pub max_seconds: Option<u64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ApplyArgs {
    pub repo: String,
    /// Text holding edit blocks (`path` line, `<<<<<<< SEARCH`, `=======`, `>>>>>>> REPLACE`).
    pub reply: String,
    /// Check that every block applies; change nothing.
    pub dry_run: Option<bool>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ContextArgs {
    pub repo: String,
    /// What the task is about.
    pub task: String,
    /// Tokens of code to fill (default 4000).
    pub budget: Option<usize>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct RepoArgs {
    pub repo: String,
}

/// One `fix` for the worker that owns the model.
struct Job {
    cfg: Config,
    issue: String,
    done: tokio::sync::oneshot::Sender<Result<serde_json::Value, String>>,
}

#[derive(Clone)]
pub struct CriaServer {
    tool_router: ToolRouter<Self>,
    args: Arc<AgentArgs>,
    jobs: Sender<Job>,
}

#[tool_router]
impl CriaServer {
    fn new(args: AgentArgs, jobs: Sender<Job>) -> Self {
        CriaServer {
            tool_router: Self::tool_router(),
            args: Arc::new(args),
            jobs,
        }
    }

    #[tool(
        description = "Fix a bug in a repository with cria's local model: it runs the tests, \
                       localizes, edits and verifies. Returns the outcome (fixed, unverified, \
                       not_fixed), a summary and the diff left in the working tree."
    )]
    async fn fix(&self, Parameters(a): Parameters<FixArgs>) -> Result<CallToolResult, ErrorData> {
        let mut cfg = match config_for(&self.args, Path::new(&a.repo), a.test_cmd.as_deref()) {
            Ok(cfg) => cfg,
            Err(e) => return Ok(failure(e)),
        };
        if let Some(s) = a.max_seconds {
            cfg.fix.limits.max_wall = std::time::Duration::from_secs(s);
        }
        // No terminal to ask on: whatever needs asking is declined.
        cfg.fix.ask = Some(Asker(Arc::new(|_| false)));
        let (done, result) = tokio::sync::oneshot::channel();
        let job = Job {
            cfg,
            issue: a.issue,
            done,
        };
        if self.jobs.send(job).is_err() {
            return Ok(failure("the model's worker has stopped".into()));
        }
        match result.await {
            Ok(Ok(report)) => Ok(success(report.to_string())),
            Ok(Err(e)) => Ok(failure(e)),
            Err(_) => Ok(failure("the model's worker stopped during the fix".into())),
        }
    }

    #[tool(
        description = "Apply edit blocks from a model's reply to a repository, all or nothing \
                       (undoable). Returns the files changed and the diff, or why no block applied."
    )]
    async fn apply(
        &self,
        Parameters(a): Parameters<ApplyArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        blocking(move || {
            let root = repo_root(&a.repo)?;
            edit::commit::recover_and_report(root.path());
            let mode = if a.dry_run == Some(true) {
                Mode::DryRun
            } else {
                Mode::Commit
            };
            let report = edit::apply_text(&root, &a.reply, mode);
            if report.blocks == 0 {
                return Err("no edit blocks found in `reply`".into());
            }
            if !report.failures.is_empty() {
                return Err(format!(
                    "nothing was written; {} of the edits cannot be applied:\n{}",
                    report.failures.len(),
                    report.failures.join("\n")
                ));
            }
            Ok(serde_json::json!({
                "changed": report.changes.iter().map(|c| c.rel.clone()).collect::<Vec<_>>(),
                "dry_run": mode == Mode::DryRun,
                "notes": report.notes,
                "diff": report.diff(),
            })
            .to_string())
        })
        .await
    }

    #[tool(
        description = "Show what of a repository cria's model would be given for a task: the \
                       most relevant files whole, a map of the others."
    )]
    async fn context(
        &self,
        Parameters(a): Parameters<ContextArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        let args = self.args.clone();
        blocking(move || {
            let cfg = config_for(&args, Path::new(&a.repo), None)?;
            let budget = a.budget.unwrap_or(cfg.fix.context_tokens);
            let mut count = crate::exec::context::counter(&cfg)?;
            let selection = crate::exec::context::selected(&cfg, &a.task, budget, &mut *count);
            Ok(selection.render())
        })
        .await
    }

    #[tool(description = "Revert the last change set cria applied in a repository.")]
    async fn undo(&self, Parameters(a): Parameters<RepoArgs>) -> Result<CallToolResult, ErrorData> {
        blocking(move || {
            let root = repo_root(&a.repo)?;
            let files = edit::undo(root.path()).map_err(|e| e.to_string())?;
            Ok(serde_json::json!({ "restored": files }).to_string())
        })
        .await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for CriaServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("cria", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "cria fixes small bugs with a local model, verified by the repository's tests; \
                 `apply` and `undo` are its atomic edit engine.",
            )
    }
}

/// Serve on stdin/stdout until the client goes away.
pub fn serve(args: AgentArgs) -> Result<(), String> {
    let (jobs, queue) = crossbeam_channel::unbounded();
    let worker = std::thread::Builder::new()
        .name("cria-mcp-fix".into())
        .spawn(move || work(queue))
        .map_err(|e| format!("starting the model's worker: {e}"))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("starting the runtime: {e}"))?;
    let served = runtime.block_on(async move {
        let service = CriaServer::new(args, jobs)
            .serve(rmcp::transport::stdio())
            .await
            .map_err(|e| format!("the MCP handshake failed: {e}"))?;
        service
            .waiting()
            .await
            .map_err(|e| format!("the server stopped: {e}"))
    });
    // The client is gone: stdin may still be blocked in a read the runtime cannot cancel, and a
    // fix in progress ends with the process (its edits are journaled: the next cria run in
    // that repository rolls an unfinished change set back).
    runtime.shutdown_background();
    drop(worker);
    served.map(|_| ())
}

/// The worker: owns the model (loaded on the first fix) and runs one fix at a time.
fn work(queue: Receiver<Job>) {
    let mut backend: Option<SharedBackend> = None;
    for job in queue {
        let result = fix(&mut backend, &job.cfg, &job.issue);
        let _ = job.done.send(result);
    }
}

fn fix(
    backend: &mut Option<SharedBackend>,
    cfg: &Config,
    issue: &str,
) -> Result<serde_json::Value, String> {
    if backend.is_none() {
        *backend = Some(SharedBackend::open(cfg).map_err(|e| e.to_string())?);
    }
    let Some(shared) = backend.as_mut() else {
        return Err("no model".into());
    };
    shared.begin_task(cfg).map_err(|e| e.to_string())?;
    let mut progress = crate::exec::progress::StderrProgress::new(false);
    let report = shared
        .fix(cfg, issue, &mut progress)
        .map_err(|e| format!("model failure: {e}"))?;
    Ok(serde_json::json!({
        "outcome": crate::exec::batch::outcome_name(report.outcome),
        "summary": report.summary,
        "files_changed": report.files_changed,
        "diff": report.diff,
        "steps": report.steps,
        "seconds": report.seconds,
    }))
}

fn repo_root(repo: &str) -> Result<Root, String> {
    let path = PathBuf::from(repo);
    match Root::new(&path) {
        Ok(root) if root.path().is_dir() => Ok(root),
        _ => Err(format!("{repo} is not a directory")),
    }
}

/// Run `work` off the async threads; its error is a tool error the caller sees.
async fn blocking(
    work: impl FnOnce() -> Result<String, String> + Send + 'static,
) -> Result<CallToolResult, ErrorData> {
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(text)) => Ok(success(text)),
        Ok(Err(e)) => Ok(failure(e)),
        Err(e) => Ok(failure(format!("the tool failed: {e}"))),
    }
}

fn success(text: String) -> CallToolResult {
    CallToolResult::success(vec![ContentBlock::text(text)])
}

fn failure(text: String) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(text)])
}
