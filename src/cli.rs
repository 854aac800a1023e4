//! Command-line definitions (clap) and nothing else.

use std::path::PathBuf;

use std::ffi::OsString;

use clap::{Args, Parser, Subcommand};

use crate::sandbox::{approval::Approval, policy::SandboxMode};

#[derive(Debug, Parser)]
#[command(
    name = "cria",
    version,
    about = "A terminal coding agent that runs a local model in-process",
    long_about = "cria reads your code, runs your tests and fixes problems with a local model \
                  embedded in the binary (llama.cpp). No server, no cloud, no API key.\n\n\
                  Run `cria` in a repository for the interactive session, or \
                  `cria fix \"what is wrong\"` for one fix."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub agent: AgentArgs,
    /// Reopen the last interactive session of this repository (`cria` alone).
    #[arg(long, visible_alias = "continue")]
    pub resume: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fix an issue: work until a failing test passes, print the diff; exit 0 fixed, 1 not fixed,
    /// 4 unverified (a change was kept but no test showed the bug before it).
    Fix {
        /// What is wrong, in words (or `-` to read it from stdin, or @FILE).
        issue: String,
        #[command(flatten)]
        agent: Box<AgentArgs>,
        /// Stream JSONL events on stdout instead of the diff and summary.
        #[arg(long)]
        json: bool,
        /// Commit a verified fix: only the files cria changed (refused if you had uncommitted
        /// changes in them), with a message written from the issue. Config key `commit`.
        #[arg(long)]
        commit: bool,
        /// Commit on this new branch (implies --commit).
        #[arg(long, value_name = "NAME")]
        branch: Option<String>,
        /// Plan first: the model reads, greps and lists, then proposes a plan; nothing is edited
        /// or run until you accept it (on the terminal).
        #[arg(long)]
        plan: bool,
        /// When the local model finds no verified fix, the model of this profile (a bigger one,
        /// say behind an endpoint) continues the same run.
        #[arg(long, value_name = "PROFILE")]
        escalate: Option<String>,
    },
    /// Apply edit blocks from any model's text on stdin to a repository.
    Apply {
        #[arg(long, default_value = ".")]
        repo: PathBuf,
        /// Check that every block applies, change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print the unified diff of what was (or would be) changed.
        #[arg(long)]
        diff: bool,
    },
    /// Revert the last change set cria applied in a repository.
    Undo {
        #[arg(long, default_value = ".")]
        repo: PathBuf,
    },
    /// Run many issues from a JSONL file ({"id", "repo", "issue", "test_cmd"?} per line) on
    /// isolated copies; write DIR/<id>.patch and DIR/results.jsonl. Resumable.
    Batch {
        tasks: PathBuf,
        /// Where patches and results.jsonl go.
        #[arg(long)]
        out: PathBuf,
        /// Tasks run at once (each loads its own model).
        #[arg(long, default_value_t = 1)]
        jobs: usize,
        /// Also apply each fix to its source repository (recorded for `cria undo`).
        #[arg(long)]
        apply: bool,
        /// Run only every N-th task, starting at I (0-based): I/N.
        #[arg(long)]
        shard: Option<String>,
        /// Also write each kept change as the branch `cria/<id>` in its source repository
        /// (a git repository; your working tree, index and current branch are not touched).
        #[arg(long)]
        branch_per_task: bool,
    },
    /// Measure the fix rate on a folder of tasks (<task>/repo, ISSUE.md, check.sh).
    Eval {
        dir: PathBuf,
        /// Print one JSON object per task and a summary object last.
        #[arg(long)]
        json: bool,
        /// Tries per task; the second gets the check's output.
        #[arg(long, default_value_t = 2)]
        tries: usize,
    },
    /// Measure engine speed in one process: a raw llama.cpp loop against cria's path, a second
    /// turn, a cold and a warm start from the disk cache, prompt lookup on an edit-style reply.
    Bench {
        /// Print one JSON object as the last line.
        #[arg(long)]
        json: bool,
    },
    /// Show the repository context that would be sent to the model for FOCUS: ranked files
    /// whole, the repo map, snippets, within a token budget counted by the model's tokenizer.
    Context {
        /// What the task is about (an issue, a question).
        focus: String,
        /// Tokens to fill (default: the context window less what the conversation and the
        /// reply need).
        #[arg(long)]
        budget: Option<usize>,
        /// Print one JSON object: {"budget", "tokens", "files", "text"}.
        #[arg(long)]
        json: bool,
    },
    /// List the model tiers, which are installed and their sizes; `models pull TIER` fetches one.
    Models {
        #[command(subcommand)]
        action: Option<ModelsAction>,
    },
    /// Serve the embedded model as an OpenAI-compatible endpoint (/v1/chat/completions with
    /// streaming and tool calls, /v1/models) for other tools or another cria.
    Serve {
        /// Address to listen on (port 0: any free port; the address is printed).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
    },
    /// MCP: `list` the configured servers and their tools; `serve` cria's own tools (fix, apply,
    /// context, undo) on stdio for other agents.
    Mcp {
        #[command(subcommand)]
        action: McpAction,
    },
    /// Print the settings in effect here (files, profile, environment, flags) as JSON.
    Config,
    /// Accept the repository's `.cria.toml` as it is now. A trusted repository's file may widen
    /// the sandbox only as it was when trusted: after any change, until this is run again.
    Trust,
    /// Print a shell completion script: `cria completions bash > /etc/bash_completion.d/cria`.
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff): `cria man > cria.1`.
    Man,
    /// Run a command the way the agent runs one: confined by the sandbox, its process tree
    /// contained. `cria sandbox -- CMD ARGS...`; `--probe` prints what this machine enforces.
    Sandbox(SandboxArgs),
}

#[derive(Debug, Clone, Args)]
pub struct SandboxArgs {
    #[arg(long, value_enum, default_value = "workspace-write")]
    pub mode: SandboxMode,
    /// The repository commands may write (default: the current directory).
    #[arg(long)]
    pub root: Option<PathBuf>,
    #[arg(long)]
    pub allow_network: bool,
    /// Another folder commands may write.
    #[arg(long)]
    pub writable: Vec<PathBuf>,
    /// A folder under /tmp that stays visible (read-only) in the command's private /tmp.
    #[arg(long)]
    pub readable: Vec<PathBuf>,
    /// Do not use user namespaces (then .git is not read-only).
    #[arg(long)]
    pub no_namespaces: bool,
    /// Apply the sandbox, print what was enforced as JSON, and exit.
    #[arg(long)]
    pub probe: bool,
    #[arg(last = true)]
    pub command: Vec<OsString>,
}

#[derive(Debug, Subcommand)]
pub enum McpAction {
    /// Start the servers of `[mcp_servers]` and show their state, their tools (listed to the
    /// model or not) and what the listed ones cost in every prompt.
    List {
        /// One JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Serve `fix`, `apply`, `context` and `undo` over MCP on stdin/stdout (the model flags
    /// choose the model `fix` uses).
    Serve,
}

#[derive(Debug, Subcommand)]
pub enum ModelsAction {
    /// Download, assemble and verify a tier (the same code as scripts/fetch-model).
    Pull { tier: String },
}

/// Flags shared by every command that runs the agent.
#[derive(Debug, Clone, Args)]
pub struct AgentArgs {
    /// Model: a tier name (mini, nano, test) or a path to any GGUF file.
    #[arg(long, global = true, env = "CRIA_MODEL")]
    pub model: Option<String>,
    /// An OpenAI-compatible server instead of the embedded engine: its API base, e.g.
    /// http://localhost:8080/v1 (llama-server, vLLM, Ollama, LM Studio).
    #[arg(long, global = true, env = "CRIA_ENDPOINT")]
    pub endpoint: Option<String>,
    /// The environment variable holding the endpoint's API key (default: CRIA_API_KEY, then
    /// OPENAI_API_KEY, when set).
    #[arg(long, global = true)]
    pub api_key_env: Option<String>,
    /// The `model` name sent to the endpoint.
    #[arg(long, global = true)]
    pub model_name: Option<String>,
    /// Seconds the endpoint may stay silent before a request is retried.
    #[arg(long, global = true)]
    pub endpoint_timeout: Option<u64>,
    /// A named set of settings from the config files ([profiles.NAME]).
    #[arg(long, global = true, env = "CRIA_PROFILE")]
    pub profile: Option<String>,
    /// Replay model replies from a JSON array of strings instead of running a model.
    #[arg(long, global = true)]
    pub script: Option<PathBuf>,
    /// Repository to work in.
    #[arg(long, global = true)]
    pub repo: Option<PathBuf>,
    /// Test command (default: detected from the project's files).
    #[arg(long, global = true)]
    pub test_cmd: Option<String>,
    /// Do not run tests at all.
    #[arg(long, global = true)]
    pub no_tests: bool,
    /// Upper bound on the context window in tokens.
    #[arg(long, global = true)]
    pub ctx: Option<usize>,
    /// CPU threads for the model (default: all cores).
    #[arg(long, global = true)]
    pub threads: Option<usize>,
    /// Model calls before giving up.
    #[arg(long, global = true)]
    pub max_steps: Option<usize>,
    /// Identical consecutive tool calls before stopping.
    #[arg(long, global = true)]
    pub max_identical_calls: Option<usize>,
    /// Failed edits in a row before stopping.
    #[arg(long, global = true)]
    pub max_failed_edits: Option<usize>,
    /// Wall-clock limit in seconds for the whole run.
    #[arg(long, global = true)]
    pub max_seconds: Option<u64>,
    /// Timeout for one test run, in seconds.
    #[arg(long, global = true)]
    pub test_timeout: Option<u64>,
    /// Tokens processed and generated before giving up.
    #[arg(long, global = true)]
    pub max_tokens: Option<usize>,
    /// How far commands the model runs are confined.
    #[arg(long, global = true, value_enum, env = "CRIA_SANDBOX")]
    pub sandbox: Option<SandboxMode>,
    /// Let commands reach the network (denied by default).
    #[arg(long, global = true)]
    pub allow_network: bool,
    /// Pass this environment variable to commands although it looks like a secret or a way out
    /// of the sandbox (`*KEY*`, `*TOKEN*`, `SSH_AUTH_SOCK`, ...); repeatable.
    #[arg(long = "keep-env", value_name = "NAME", global = true)]
    pub keep_env: Vec<String>,
    /// Whether commands the model proposes ask first (default here: auto, inside the sandbox).
    #[arg(long, global = true, value_enum, env = "CRIA_APPROVAL")]
    pub approval: Option<Approval>,
    /// Timeout for one shell command the model runs, in seconds.
    #[arg(long, global = true)]
    pub shell_timeout: Option<u64>,
    /// Decode without prompt-lookup drafts (plain one-token-at-a-time decoding).
    #[arg(long, global = true)]
    pub no_lookup: bool,
    /// Size bound of the on-disk prompt cache in MiB (0 turns it off).
    #[arg(long, global = true, env = "CRIA_KV_CACHE_MB")]
    pub kv_cache_mb: Option<u64>,
    /// Remove the test cria adds to reproduce an issue the tests miss (kept in the diff by
    /// default, to guard the fix).
    #[arg(long, global = true)]
    pub drop_repro_test: bool,
    /// Decode without constraints: let SEARCH sections say lines the file does not have (for
    /// comparison; constrained decoding needs the embedded model).
    #[arg(long, global = true)]
    pub no_constrain: bool,
    /// Hooks from the config files (no flag).
    #[arg(skip)]
    pub hooks: crate::hooks::Hooks,
    /// `commit = true` from the config files (`cria fix --commit` is the flag).
    #[arg(skip)]
    pub commit: bool,
    /// `[mcp_servers.NAME]` from the config files (no flag).
    #[arg(skip)]
    pub mcp_servers: crate::mcp::Servers,
    /// Tokens of repository code put in the first prompt.
    #[arg(long, global = true)]
    pub context_tokens: Option<usize>,
    /// Show llama.cpp's logs and the model's streamed text.
    #[arg(long, short, global = true)]
    pub verbose: bool,
}
