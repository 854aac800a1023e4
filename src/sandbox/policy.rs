//! What a command the agent runs may do (the policy), and what this machine enforces of it (the
//! enforcement, learned by running the sandbox helper once at start-up).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Set by the runner to cria's pid, so the helper can tell it was orphaned before it started.
pub const PARENT_ENV: &str = "CRIA_SANDBOX_PARENT";

/// `--sandbox`: how far commands are confined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SandboxMode {
    /// Commands may write inside the repository and the temp directory; `.git` stays read-only.
    WorkspaceWrite,
    /// Commands may read everything and write nothing (but /dev/null).
    ReadOnly,
    /// No confinement (process control still applies).
    Off,
}

impl SandboxMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SandboxMode::WorkspaceWrite => "workspace-write",
            SandboxMode::ReadOnly => "read-only",
            SandboxMode::Off => "off",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Policy {
    pub mode: SandboxMode,
    /// The repository (canonical).
    pub root: PathBuf,
    pub allow_network: bool,
    /// Folders commands may write besides the repository and the temp directory.
    pub writable: Vec<PathBuf>,
    /// Environment variables passed on although [`hidden_variable`] would drop them.
    pub keep_env: Vec<String>,
    /// Folders under `/tmp` that commands must still see (read-only) in their private `/tmp`:
    /// a task folder whose check reads its hidden tests, say.
    pub readable: Vec<PathBuf>,
}

/// Variables a command does not inherit unless kept: the ways out of the sandbox they name
/// (a tmux server, an ssh or gpg agent, a D-Bus session, a docker daemon, a display) and
/// anything that looks like a secret (`*KEY*`, `*TOKEN*`, `*SECRET*`, `*PASSWORD*`,
/// `*PASSWD*`, `*CREDENTIAL*`), as Codex's default environment policy does.
pub fn hidden_variable(name: &str) -> bool {
    const EXACT: &[&str] = &[
        "TMUX",
        "TMUX_PANE",
        "STY",
        "SSH_AUTH_SOCK",
        "SSH_AGENT_PID",
        "GPG_AGENT_INFO",
        "DBUS_SESSION_BUS_ADDRESS",
        "DOCKER_HOST",
        "DISPLAY",
        "WAYLAND_DISPLAY",
        "XAUTHORITY",
    ];
    const PARTS: &[&str] = &["KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL"];
    let upper = name.to_ascii_uppercase();
    EXACT.contains(&upper.as_str()) || PARTS.iter().any(|p| upper.contains(p))
}

impl Policy {
    pub fn new(mode: SandboxMode, root: &Path) -> Policy {
        Policy {
            mode,
            root: root.to_path_buf(),
            allow_network: false,
            writable: Vec::new(),
            keep_env: Vec::new(),
            readable: Vec::new(),
        }
    }

    /// The folders a command may write, when the mode confines writes at all.
    pub fn writable_roots(&self) -> Vec<PathBuf> {
        match self.mode {
            SandboxMode::WorkspaceWrite => {
                let mut roots = vec![self.root.clone(), PathBuf::from("/tmp")];
                let tmp = std::env::temp_dir();
                if !roots.contains(&tmp) {
                    roots.push(tmp);
                }
                roots.extend(self.writable.iter().cloned());
                roots
            }
            SandboxMode::ReadOnly | SandboxMode::Off => Vec::new(),
        }
    }

    /// `cria sandbox` arguments (before `--`) that reproduce this policy in the helper.
    pub fn helper_args(&self) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec![
            "sandbox".into(),
            "--mode".into(),
            self.mode.as_str().into(),
            "--root".into(),
            self.root.clone().into(),
        ];
        if self.allow_network {
            args.push("--allow-network".into());
        }
        for w in &self.writable {
            args.push("--writable".into());
            args.push(w.clone().into());
        }
        for r in &self.readable {
            args.push("--readable".into());
            args.push(r.clone().into());
        }
        args
    }
}

/// What the helper managed to put in place, reported by `cria sandbox --probe`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enforcement {
    /// The Landlock ABI version the kernel offers (0: none).
    pub landlock_abi: i32,
    /// File-system writes are confined by Landlock.
    pub files: bool,
    /// TCP bind/connect are denied by Landlock (ABI 4 and later).
    pub landlock_tcp: bool,
    /// Non-Unix sockets are denied by a seccomp filter.
    pub seccomp_network: bool,
    /// `.git` is mounted read-only in a private mount namespace.
    pub git_read_only: bool,
    /// The command runs in an empty network namespace.
    pub network_namespace: bool,
    /// Signals and abstract Unix sockets outside the sandbox are out of reach (Landlock ABI 6).
    pub scoped: bool,
    /// `/tmp` is private (the host's sockets there are out of sight), and `/run/user` and the
    /// docker and D-Bus system sockets are hidden.
    #[serde(default)]
    pub private_tmp: bool,
    /// What could not be enforced, and why.
    pub gaps: Vec<String>,
}

impl Enforcement {
    /// The policy's promises hold: writes confined and, unless allowed, the network denied.
    pub fn enforced(&self, policy: &Policy) -> bool {
        match policy.mode {
            SandboxMode::Off => false,
            _ => {
                self.files
                    && (policy.allow_network || self.seccomp_network || self.network_namespace)
            }
        }
    }

    /// One line for the status bar and `cria fix`'s start.
    pub fn describe(&self, policy: &Policy) -> String {
        if policy.mode == SandboxMode::Off {
            return "sandbox off (--sandbox off): commands run unconfined".into();
        }
        if !self.enforced(policy) {
            let why = if self.gaps.is_empty() {
                "the kernel does not enforce it".to_string()
            } else {
                self.gaps.join("; ")
            };
            return format!("sandbox NOT enforced ({why}): every command needs approval");
        }
        let mut parts = vec![format!(
            "{} via Landlock v{}",
            policy.mode.as_str(),
            self.landlock_abi
        )];
        parts.push(if policy.allow_network {
            "network allowed".into()
        } else {
            "network denied".into()
        });
        if self.private_tmp {
            parts.push("private /tmp".into());
        }
        if self.git_read_only {
            parts.push(".git read-only".into());
        } else if policy.root.join(".git").exists() {
            parts.push(".git writable (no user namespaces)".into());
        }
        format!("sandbox: {}", parts.join(", "))
    }
}
