//! `cria sandbox`: the helper every command the agent runs goes through, and a way for people to
//! run (or probe) the same confinement themselves.

use std::ffi::OsString;
use std::path::PathBuf;

use crate::cli::SandboxArgs;
use crate::sandbox::policy::Policy;

/// Confine this process, then run the command (or report, with `--probe`); the exit status.
pub fn run(args: &SandboxArgs) -> i32 {
    let dir = args.root.clone().unwrap_or_else(|| PathBuf::from("."));
    let root = match dir.canonicalize() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cria sandbox: {}: {e}", dir.display());
            return 2;
        }
    };
    let mut policy = Policy::new(args.mode, &root);
    policy.allow_network = args.allow_network;
    policy.writable = args
        .writable
        .iter()
        .filter_map(|w| w.canonicalize().ok())
        .collect();
    policy.readable = args
        .readable
        .iter()
        .filter_map(|r| r.canonicalize().ok())
        .collect();
    if !args.probe && args.command.is_empty() {
        eprintln!("cria sandbox: give a command after `--`, or --probe");
        return 2;
    }
    confine_and_run(&policy, !args.no_namespaces, args.probe, &args.command)
}

#[cfg(target_os = "linux")]
fn confine_and_run(policy: &Policy, namespaces: bool, probe: bool, command: &[OsString]) -> i32 {
    use crate::sandbox::linux;
    // The namespaces hold the helper too; Landlock and seccomp only the command (see
    // `linux::confine`), so the command cannot signal the helper that supervises it.
    let mut enforcement = match linux::enter(policy, namespaces) {
        Ok(e) => e,
        Err(why) => {
            eprintln!("cria sandbox: {why}");
            return 125;
        }
    };
    if probe {
        linux::confine(policy, &mut enforcement);
        match serde_json::to_string(&enforcement) {
            Ok(json) => println!("{json}"),
            Err(e) => {
                eprintln!("cria sandbox: {e}");
                return 125;
            }
        }
        return 0;
    }
    let policy = policy.clone();
    let confine = move || {
        let mut e = crate::sandbox::policy::Enforcement {
            landlock_abi: linux::landlock_abi(),
            ..Default::default()
        };
        linux::confine(&policy, &mut e);
        // Fail closed: what the kernel offers must hold in the command's process.
        let files_lost = policy.mode != crate::sandbox::policy::SandboxMode::Off
            && e.landlock_abi > 0
            && !e.files;
        let net_lost = !policy.allow_network
            && policy.mode != crate::sandbox::policy::SandboxMode::Off
            && !e.seccomp_network;
        if files_lost || net_lost {
            return Err(std::io::Error::other(e.gaps.join("; ")));
        }
        Ok(())
    };
    crate::sandbox::supervise::run(command, confine)
}

#[cfg(not(target_os = "linux"))]
fn confine_and_run(policy: &Policy, _namespaces: bool, probe: bool, command: &[OsString]) -> i32 {
    let enforcement = crate::sandbox::policy::Enforcement {
        gaps: vec![format!("no sandbox on {}", std::env::consts::OS)],
        ..Default::default()
    };
    if probe {
        println!(
            "{}",
            serde_json::to_string(&enforcement).unwrap_or_default()
        );
        return 0;
    }
    let _ = policy;
    let Some((program, rest)) = command.split_first() else {
        return 2;
    };
    match std::process::Command::new(program).args(rest).status() {
        Ok(s) => s.code().unwrap_or(128),
        Err(e) => {
            eprintln!("cria sandbox: {e}");
            127
        }
    }
}
