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
    pub keep_env: Option<Vec<String>>,
    pub approval: Option<Approval>,
    pub drop_repro_test: Option<bool>,
    pub constrain: Option<bool>,
    /// Commands run at points of a run ([`crate::hooks`]); every layer's run, in order.
    pub hooks: Option<crate::hooks::Hooks>,
    /// `cria fix` commits a verified fix.
    pub commit: Option<bool>,
    /// MCP servers whose tools join cria's ([`crate::mcp`]); a later layer's server replaces an
    /// earlier one of the same name.
    pub mcp_servers: Option<crate::mcp::Servers>,
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

/// Why a configuration file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Broken TOML or an unknown key; the message names the line and column.
    #[error("{}: {}", path.display(), message.trim_end())]
    Parse { path: PathBuf, message: String },
    #[error("no profile `{name}` (known: {known})")]
    NoProfile { name: String, known: String },
    #[error("{} does not exist", .0.display())]
    Missing(PathBuf),
    #[error("recording trust in {}: {source}", path.display())]
    Record {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Read one file; a missing file is an empty config.
pub fn load(path: &Path) -> Result<FileConfig, FileError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileConfig::default()),
        Err(source) => {
            return Err(FileError::Read {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    toml::from_str(&text).map_err(|e| FileError::Parse {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// `args` with every setting they leave open filled from the files and the profile. The notes
/// say what was ignored and why.
pub fn layer(args: &AgentArgs, root: &Path) -> Result<(AgentArgs, Vec<String>), FileError> {
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
    let listed = user
        .trusted_repos
        .iter()
        .filter_map(|p| p.canonicalize().ok())
        .any(|p| root.starts_with(&p));
    let trusted = listed
        && match trust_check(root, &repo_path) {
            Ok(()) => true,
            Err(why) => {
                notes.push(why);
                false
            }
        };
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
            FileError::NoProfile {
                name: name.clone(),
                known: if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                },
            }
        })?),
        None => None,
    };
    let mut out = args.clone();
    // Highest first: the profile, the repository, the user.
    for layer in profile.iter().chain([&repo.settings, &user.settings]) {
        fill(&mut out, layer);
    }
    // Hooks add up instead: the user's, the repository's, the profile's.
    for layer in [Some(&user.settings), Some(&repo.settings), profile.as_ref()]
        .into_iter()
        .flatten()
    {
        if let Some(h) = &layer.hooks {
            out.hooks = std::mem::take(&mut out.hooks).merged(h);
        }
        if let Some(servers) = &layer.mcp_servers {
            out.mcp_servers.extend(servers.clone());
        }
    }
    // Say where every safety setting a file supplied came from (the start-up lines).
    for key in SAFETY_KEYS {
        if set_by_flag(args, key) {
            continue;
        }
        let from = [
            (
                profile.as_ref(),
                args.profile.as_deref().map(|p| format!("profile {p}")),
            ),
            (Some(&repo.settings), Some(repo_path.display().to_string())),
            (
                Some(&user.settings),
                Some(user_config_path().display().to_string()),
            ),
        ]
        .into_iter()
        .find_map(|(s, name)| s.filter(|s| has(s, key)).and(name));
        if let Some(from) = from {
            notes.push(format!("{key} set by {from}"));
        }
    }
    Ok((out, notes))
}

/// The settings that decide what commands and the model can reach.
const SAFETY_KEYS: [&str; 6] = [
    "sandbox",
    "allow_network",
    "approval",
    "keep_env",
    "endpoint",
    "api_key_env",
];

fn has(s: &Settings, key: &str) -> bool {
    match key {
        "sandbox" => s.sandbox.is_some(),
        "allow_network" => s.allow_network.is_some(),
        "approval" => s.approval.is_some(),
        "keep_env" => s.keep_env.is_some(),
        "endpoint" => s.endpoint.is_some(),
        "api_key_env" => s.api_key_env.is_some(),
        _ => false,
    }
}

fn set_by_flag(a: &AgentArgs, key: &str) -> bool {
    match key {
        "sandbox" => a.sandbox.is_some(),
        "allow_network" => a.allow_network,
        "approval" => a.approval.is_some(),
        "keep_env" => !a.keep_env.is_empty(),
        "endpoint" => a.endpoint.is_some(),
        "api_key_env" => a.api_key_env.is_some(),
        _ => false,
    }
}

/// Where the fingerprint of a trusted repository's `.cria.toml` is kept: cria's state folder,
/// which commands in the sandbox cannot write.
fn trust_record(root: &Path) -> PathBuf {
    crate::state::repo_state_dir(root).join("trusted-cria-toml.sha256")
}

fn fingerprint(path: &Path) -> Option<String> {
    use sha2::{Digest, Sha256};
    let bytes = std::fs::read(path).ok()?;
    Some(
        Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
    )
}

/// A trusted repository's file may widen permissions only as the user trusted it: the first time
/// cria reads it as trusted its fingerprint is recorded, and a file changed since (by a command
/// in the sandbox, say) is read as untrusted until `cria trust` accepts it again.
fn trust_check(root: &Path, repo_file: &Path) -> Result<(), String> {
    let Some(now) = fingerprint(repo_file) else {
        return Ok(());
    };
    let record = trust_record(root);
    match std::fs::read_to_string(&record) {
        Ok(known) if known.trim() == now => Ok(()),
        Ok(_) => Err(format!(
            "{} changed since you trusted it (a command cria ran may have changed it): its \
             sandbox, network, approval and endpoint settings are ignored until you check it \
             and run `cria trust`",
            repo_file.display()
        )),
        Err(_) => {
            let _ = std::fs::create_dir_all(crate::state::repo_state_dir(root));
            let _ = std::fs::write(&record, &now);
            Ok(())
        }
    }
}

/// `cria trust`: accept the repository's `.cria.toml` as it is now.
pub fn trust(root: &Path) -> Result<String, FileError> {
    let file = root.join(".cria.toml");
    let now = fingerprint(&file).ok_or_else(|| FileError::Missing(file.clone()))?;
    let record = trust_record(root);
    let recorded = std::fs::create_dir_all(crate::state::repo_state_dir(root))
        .and_then(|()| std::fs::write(&record, &now));
    recorded.map_err(|source| FileError::Record {
        path: record,
        source,
    })?;
    let listed = load(&user_config_path())?
        .trusted_repos
        .iter()
        .filter_map(|p| p.canonicalize().ok())
        .any(|p| root.starts_with(&p));
    Ok(if listed {
        format!("accepted {} as it is now (sha256 {now})", file.display())
    } else {
        format!(
            "recorded {} (sha256 {now}); it widens permissions only once the repository is in \
             trusted_repos in {}",
            file.display(),
            user_config_path().display()
        )
    })
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
    if s.keep_env.take().is_some() {
        ignored.push("keep_env");
    }
    if s.endpoint.take().is_some() {
        ignored.push("endpoint");
    }
    if s.api_key_env.take().is_some() {
        ignored.push("api_key_env");
    }
    // Hooks run outside the sandbox, as the user: a repository may not bring its own.
    if s.hooks.take().is_some() {
        ignored.push("hooks");
    }
    // So does an MCP server: a program of the repository's choosing, run as the user.
    if s.mcp_servers.take().is_some() {
        ignored.push("mcp_servers");
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
    if args.keep_env.is_empty() {
        args.keep_env = s.keep_env.clone().unwrap_or_default();
    }
    if s.drop_repro_test == Some(true) {
        args.drop_repro_test = true;
    }
    if s.constrain == Some(false) {
        args.no_constrain = true;
    }
    if s.commit == Some(true) {
        args.commit = true;
    }
}
