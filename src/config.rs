//! Resolving flags and environment into one validated configuration before anything runs.

use std::path::PathBuf;
use std::time::Duration;

use crate::agent::{FixConfig, Limits};
use crate::cli::AgentArgs;
use crate::sandbox::approval::Approval;
use crate::sandbox::paths::Root;
use crate::sandbox::policy::{Policy, SandboxMode};
use crate::sandbox::process::Runner;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("repository {0}: {1}")]
    Repo(PathBuf, std::io::Error),
    #[error("{0} is not a directory")]
    NotADir(PathBuf),
    #[error("{0}")]
    Invalid(String),
    #[error("config: {0}")]
    File(#[from] crate::config_file::FileError),
}

/// Where the model comes from.
#[derive(Debug, Clone)]
pub enum ModelSource {
    Gguf {
        path: PathBuf,
        tier: Option<&'static str>,
    },
    Script(PathBuf),
    /// An OpenAI-compatible server.
    Endpoint {
        url: String,
        api_key: Option<String>,
        model_name: Option<String>,
        timeout: Duration,
    },
}

#[derive(Debug, Clone)]
pub struct Config {
    pub fix: FixConfig,
    pub model: ModelSource,
    pub max_ctx: usize,
    pub threads: Option<usize>,
    pub verbose: bool,
    /// Bound of the on-disk prompt cache in bytes; 0 turns it off.
    pub kv_cache_bytes: u64,
    /// Prompt-lookup drafting in greedy decoding.
    pub lookup: bool,
    /// Whether the approval mode was chosen (flag, environment or config file); front ends
    /// pick their own default otherwise.
    pub approval_set: bool,
    /// `commit = true` in a config file: `cria fix` commits a verified fix ([`crate::git`]).
    pub commit: bool,
    /// The MCP servers of the config files, started by the front ends that run the agent
    /// ([`Config::start_mcp`]).
    pub mcp_servers: crate::mcp::Servers,
}

impl Config {
    /// Start the configured MCP servers for this session (their tools then join cria's); one
    /// line per server that could not start, to report once.
    pub fn start_mcp(&mut self) -> Vec<String> {
        if self.mcp_servers.is_empty() {
            return Vec::new();
        }
        match crate::mcp::Hub::start(&self.mcp_servers, self.fix.root.path()) {
            Ok(hub) => {
                let problems = hub.problems();
                self.fix.mcp = Some(std::sync::Arc::new(hub));
                problems
            }
            Err(e) => vec![format!("MCP servers not started: {e}")],
        }
    }

    /// Resolve flags and environment (`args`), over the config files, into one configuration.
    pub fn resolve(args: &AgentArgs) -> Result<Config, ConfigError> {
        let dir = args.repo.clone().unwrap_or_else(|| PathBuf::from("."));
        if !dir.is_dir() {
            return Err(ConfigError::NotADir(dir));
        }
        let root = Root::new(&dir).map_err(|e| ConfigError::Repo(dir.clone(), e))?;
        let (args, notes) = crate::config_file::layer(args, root.path())?;
        for note in notes {
            eprintln!("cria: {note}");
        }
        let args = &args;
        let test_cmd = if args.no_tests {
            None
        } else {
            args.test_cmd
                .clone()
                .filter(|c| !c.trim().is_empty())
                .or_else(|| crate::testcmd::detect(root.path()))
        };
        let mut limits = Limits::default();
        if let Some(n) = args.max_steps {
            limits.max_steps = n;
        }
        if let Some(n) = args.max_identical_calls {
            limits.max_identical_calls = n.max(1);
        }
        if let Some(n) = args.max_failed_edits {
            limits.max_failed_edits = n.max(1);
        }
        if let Some(s) = args.max_seconds {
            limits.max_wall = Duration::from_secs(s);
        }
        if let Some(n) = args.max_tokens {
            limits.max_tokens = n;
        }
        if limits.max_steps == 0 {
            return Err(ConfigError::Invalid(
                "--max-steps must be at least 1".into(),
            ));
        }
        args.hooks.validate().map_err(ConfigError::Invalid)?;
        crate::mcp::validate(&args.mcp_servers).map_err(ConfigError::Invalid)?;
        let model = match (&args.script, &args.model) {
            (Some(_), _) if args.endpoint.is_some() => {
                return Err(ConfigError::Invalid(
                    "give either --script or --endpoint, not both".into(),
                ))
            }
            (Some(_), Some(_)) => {
                return Err(ConfigError::Invalid(
                    "give either --script or --model, not both".into(),
                ))
            }
            (Some(script), None) => ModelSource::Script(script.clone()),
            (None, _) if args.endpoint.is_some() => endpoint_source(args)?,
            (None, spec) => {
                let spec = spec
                    .clone()
                    .unwrap_or_else(|| crate::model::tiers::DEFAULT_TIER.into());
                let (path, tier) = crate::model::tiers::resolve(&spec);
                ModelSource::Gguf { path, tier }
            }
        };
        let mut policy = Policy::new(
            args.sandbox.unwrap_or(SandboxMode::WorkspaceWrite),
            root.path(),
        );
        policy.allow_network = args.allow_network;
        policy.keep_env = args.keep_env.clone();
        let runner = Runner::sandboxed(policy);
        Ok(Config {
            fix: FixConfig {
                runner,
                approval: args.approval.unwrap_or(Approval::Auto),
                shell_timeout: Duration::from_secs(args.shell_timeout.unwrap_or(60)),
                root,
                test_cmd,
                test_timeout: Duration::from_secs(args.test_timeout.unwrap_or(600)),
                limits,
                context_tokens: args.context_tokens.unwrap_or(4_000),
                ask: None,
                cancel: Default::default(),
                drop_repro_test: args.drop_repro_test,
                constrain: !args.no_constrain,
                hooks: args.hooks.clone(),
                mcp: None,
            },
            model,
            max_ctx: args.ctx.unwrap_or(16_384),
            threads: args.threads,
            verbose: args.verbose,
            kv_cache_bytes: args.kv_cache_mb.unwrap_or(2048) << 20,
            lookup: !args.no_lookup,
            approval_set: args.approval.is_some(),
            commit: args.commit,
            mcp_servers: args.mcp_servers.clone(),
        })
    }
}

/// The endpoint, its key (read from the named environment variable) and options.
fn endpoint_source(args: &AgentArgs) -> Result<ModelSource, ConfigError> {
    let url = args.endpoint.clone().unwrap_or_default();
    let api_key = match &args.api_key_env {
        Some(name) => Some(std::env::var(name).map_err(|_| {
            ConfigError::Invalid(format!("--api-key-env {name}: {name} is not set"))
        })?),
        None => ["CRIA_API_KEY", "OPENAI_API_KEY"]
            .iter()
            .find_map(|n| std::env::var(n).ok().filter(|k| !k.is_empty())),
    };
    Ok(ModelSource::Endpoint {
        url,
        api_key,
        model_name: args.model_name.clone(),
        timeout: Duration::from_secs(args.endpoint_timeout.unwrap_or(600).max(1)),
    })
}
