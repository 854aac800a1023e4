//! Configuration files, layered under the environment and the flags:
//!
//! 1. the user's `~/.config/cria/config.toml` (`$XDG_CONFIG_HOME`, or `CRIA_CONFIG` naming the
//!    file),
//! 2. the repository's `.cria.toml`,
//! 3. the profile chosen with `--profile` (from either file),
//! 4. `CRIA_*` environment variables and flags (clap fills those in; they win).
//!
//! A repository's file may not widen what commands and the model can reach — the sandbox,
//! network, approvals, or where the code is sent (an endpoint and its key) — until the user trusts
//! the repository (`trusted_repos` in the user's file). Such settings are ignored with a notice.
//! Unknown keys and broken TOML are errors that name the file, line and column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::cli::AgentArgs;
use crate::sandbox::approval::Approval;
use crate::sandbox::policy::SandboxMode;

/// Settings a file may hold; the names are the flags' names in snake_case.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub model: Option<String>,
    pub endpoint: Option<String>,
    pub api_key_env: Option<String>,
    pub model_name: Option<String>,
    pub endpoint_timeout: Option<u64>,
    pub test_cmd: Option<String>,
    pub ctx: Option<usize>,
    pub threads: Option<usize>,
    pub max_steps: Option<usize>,
    pub max_seconds: Option<u64>,
    pub max_tokens: Option<usize>,
    pub test_timeout: Option<u64>,
    pub shell_timeout: Option<u64>,
    pub context_tokens: Option<usize>,
    pub kv_cache_mb: Option<u64>,
    pub sandbox: Option<SandboxMode>,
    pub allow_network: Option<bool>,
    pub approval: Option<Approval>,
    pub drop_repro_test: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    #[serde(flatten)]
    pub settings: Settings,
    /// Repositories whose `.cria.toml` may widen permissions (user file only).
    #[serde(default)]
    pub trusted_repos: Vec<PathBuf>,
    #[serde(default)]
    pub profiles: BTreeMap<String, Settings>,
}

/// The user's config file.
pub fn user_config_path() -> PathBuf {
    if let Some(p) = std::env::var_os("CRIA_CONFIG") {
        return PathBuf::from(p);
    }
    dirs::config_dir()
        .unwrap_or_else(|| PathBuf::from(".config"))
        .join("cria")
        .join("config.toml")
}

/// Read one file; a missing file is an empty config.
pub fn load(path: &Path) -> Result<FileConfig, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileConfig::default()),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()).trim_end().to_string())
}

/// `args` with every setting they leave open filled from the files and the profile. The notes
/// say what was ignored and why.
pub fn layer(args: &AgentArgs, root: &Path) -> Result<(AgentArgs, Vec<String>), String> {
    let user = load(&user_config_path())?;
    let repo_path = root.join(".cria.toml");
    let mut repo = load(&repo_path)?;
    let mut notes = Vec::new();
    if !repo.trusted_repos.is_empty() {
        notes.push(format!(
            "ignoring trusted_repos in {}: only your own config can trust a repository",
            repo_path.display()
        ));
        repo.trusted_repos.clear();
    }
    let trusted = user
        .trusted_repos
        .iter()
        .filter_map(|p| p.canonicalize().ok())
        .any(|p| root.starts_with(&p));
    if !trusted {
        let mut ignored: Vec<String> = strip_widening(&mut repo.settings)
            .into_iter()
            .map(String::from)
            .collect();
        for (name, profile) in repo.profiles.iter_mut() {
            ignored.extend(
                strip_widening(profile)
                    .into_iter()
                    .map(|k| format!("profiles.{name}.{k}")),
            );
        }
        if !ignored.is_empty() {
            notes.push(format!(
                "ignoring {} from {}: the repository is not trusted (add it to trusted_repos in {})",
                ignored.join(", "),
                repo_path.display(),
                user_config_path().display()
            ));
        }
    }
    let mut profiles = user.profiles.clone();
    profiles.extend(repo.profiles.clone());
    let profile = match &args.profile {
        Some(name) => Some(profiles.get(name).cloned().ok_or_else(|| {
            let known: Vec<&str> = profiles.keys().map(String::as_str).collect();
            format!(
                "no profile `{name}` (known: {})",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            )
        })?),
        None => None,
    };
    let mut out = args.clone();
    // Highest first: the profile, the repository, the user.
    for layer in profile.iter().chain([&repo.settings, &user.settings]) {
        fill(&mut out, layer);
    }
    Ok((out, notes))
}

/// Remove the settings that need trust; their names.
fn strip_widening(s: &mut Settings) -> Vec<&'static str> {
    let mut ignored = Vec::new();
    if s.sandbox.take().is_some() {
        ignored.push("sandbox");
    }
    if s.allow_network.take().is_some() {
        ignored.push("allow_network");
    }
    if s.approval.take().is_some() {
        ignored.push("approval");
    }
    if s.endpoint.take().is_some() {
        ignored.push("endpoint");
    }
    if s.api_key_env.take().is_some() {
        ignored.push("api_key_env");
    }
    ignored
}

/// Fill what `args` leaves open from `s`.
fn fill(args: &mut AgentArgs, s: &Settings) {
    fn or<T: Clone>(slot: &mut Option<T>, v: &Option<T>) {
        if slot.is_none() {
            *slot = v.clone();
        }
    }
    or(&mut args.model, &s.model);
    or(&mut args.endpoint, &s.endpoint);
    or(&mut args.api_key_env, &s.api_key_env);
    or(&mut args.model_name, &s.model_name);
    or(&mut args.endpoint_timeout, &s.endpoint_timeout);
    or(&mut args.test_cmd, &s.test_cmd);
    or(&mut args.ctx, &s.ctx);
    or(&mut args.threads, &s.threads);
    or(&mut args.max_steps, &s.max_steps);
    or(&mut args.max_seconds, &s.max_seconds);
    or(&mut args.max_tokens, &s.max_tokens);
    or(&mut args.test_timeout, &s.test_timeout);
    or(&mut args.shell_timeout, &s.shell_timeout);
    or(&mut args.context_tokens, &s.context_tokens);
    or(&mut args.kv_cache_mb, &s.kv_cache_mb);
    or(&mut args.sandbox, &s.sandbox);
    or(&mut args.approval, &s.approval);
    if !args.allow_network && s.allow_network == Some(true) {
        args.allow_network = true;
    }
    if s.drop_repro_test == Some(true) {
        args.drop_repro_test = true;
    }
}
