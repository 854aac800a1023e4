//! Confining the current process (the `cria sandbox` helper, single-threaded, just before it
//! starts the command) with what Linux offers without privileges, each layer best-effort and
//! reported in an [`Enforcement`]:
//!
//! 1. a user + mount namespace in which `.git` is bind-mounted read-only (Landlock rules only
//!    add rights, so a read-only hole inside the writable repository needs a mount), and an empty
//!    network namespace when the network is denied;
//! 2. Landlock: read and execute everywhere, write only in the policy's writable roots (and a
//!    few devices such as /dev/null); TCP bind/connect denied (ABI 4); signals and abstract Unix
//!    sockets outside the sandbox out of reach (ABI 6);
//! 3. seccomp: `socket()` for anything but Unix sockets fails with EACCES, `io_uring_setup` too
//!    (it could open sockets behind the filter's back).
//!
//! Children inherit all three. Landlock also forbids any later mount change, so the command
//! cannot undo the read-only `.git`.

use std::collections::BTreeMap;
use std::ffi::CString;
use std::io;
use std::path::Path;

use landlock::{
    path_beneath_rules, Access, AccessFs, AccessNet, Ruleset, RulesetAttr, RulesetCreatedAttr,
    RulesetStatus, Scope, ABI,
};
use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule,
};

use super::policy::{Enforcement, Policy, SandboxMode};

/// Devices any command may write, even in read-only mode.
const DEVICES: &[&str] = &[
    "/dev/null",
    "/dev/zero",
    "/dev/full",
    "/dev/random",
    "/dev/urandom",
    "/dev/shm",
];

/// Confine this process (and so everything it starts) to `policy`. `namespaces: false` skips
/// step 1 (after a probe found that it fails here). An error means this process was left in a
/// state in which the command must not run (a namespace entered but not set up).
pub fn apply(policy: &Policy, namespaces: bool) -> Result<Enforcement, String> {
    let mut e = Enforcement {
        landlock_abi: landlock_abi(),
        ..Default::default()
    };
    if policy.mode == SandboxMode::Off {
        return Ok(e);
    }
    if namespaces {
        // SAFETY: this process is single-threaded (the helper, before it starts anything). The
        // ids are read first: until the maps are written they read as the overflow id.
        let ids = unsafe { (libc::geteuid(), libc::getegid()) };
        match enter_user_namespace(ids)? {
            Ok(()) => enter_namespaces(policy, &mut e)?,
            Err(why) => e
                .gaps
                .push(format!("no user namespaces ({why}): .git stays writable")),
        }
    } else {
        e.gaps
            .push("no user namespaces here: .git stays writable".into());
    }
    if let Err(why) = landlock(policy, &mut e) {
        e.gaps.push(format!("Landlock: {why}"));
    }
    if !policy.allow_network {
        if let Err(why) = seccomp_no_network() {
            e.gaps.push(format!("seccomp: {why}"));
        } else {
            e.seccomp_network = true;
        }
    }
    Ok(e)
}

/// The kernel's Landlock ABI version, 0 when it has none.
pub fn landlock_abi() -> i32 {
    const LANDLOCK_CREATE_RULESET_VERSION: libc::c_uint = 1;
    // SAFETY: with a null attribute and size 0 this call only reports the ABI version.
    let v = unsafe {
        libc::syscall(
            libc::SYS_landlock_create_ruleset,
            std::ptr::null::<libc::c_void>(),
            0usize,
            LANDLOCK_CREATE_RULESET_VERSION,
        )
    };
    v.max(0) as i32
}

/// Enter a new user namespace in which every identity stays what it was. The outer `Err` is
/// fatal (entered, but the maps could not be written); the inner one means no namespace.
fn enter_user_namespace(
    (uid, gid): (libc::uid_t, libc::gid_t),
) -> Result<Result<(), String>, String> {
    if uid != 0 {
        // SAFETY: single-threaded, see `apply`.
        if unsafe { libc::unshare(libc::CLONE_NEWUSER) } != 0 {
            return Ok(Err(io::Error::last_os_error().to_string()));
        }
        let write = |file: &str, text: String| {
            std::fs::write(format!("/proc/self/{file}"), text).map_err(|e| format!("{file}: {e}"))
        };
        write("setgroups", "deny".into())?;
        write("uid_map", format!("{uid} {uid} 1"))?;
        write("gid_map", format!("{gid} {gid} 1"))?;
        return Ok(Ok(()));
    }
    // Root maps the whole range, which only a process still outside the new namespace may
    // write: a child forked first waits for the unshare, then writes our maps.
    let mut fds = [0; 2];
    // SAFETY: pipe/fork/read/write/waitpid on a single-threaded process; the child only writes
    // two files and exits.
    unsafe {
        if libc::pipe(fds.as_mut_ptr()) != 0 {
            return Ok(Err(io::Error::last_os_error().to_string()));
        }
        let parent = libc::getpid();
        let child = libc::fork();
        if child == 0 {
            libc::close(fds[1]);
            let mut byte = 0u8;
            let ok = libc::read(fds[0], (&mut byte as *mut u8).cast(), 1) == 1
                && byte == 1
                && ["uid_map", "gid_map"].iter().all(|f| {
                    std::fs::write(format!("/proc/{parent}/{f}"), "0 0 4294967295").is_ok()
                });
            libc::_exit(if ok { 0 } else { 1 });
        }
        libc::close(fds[0]);
        if child < 0 {
            libc::close(fds[1]);
            return Ok(Err(io::Error::last_os_error().to_string()));
        }
        let entered = libc::unshare(libc::CLONE_NEWUSER) == 0;
        let why = io::Error::last_os_error().to_string();
        let byte: u8 = if entered { 1 } else { 0 };
        libc::write(fds[1], (&byte as *const u8).cast(), 1);
        libc::close(fds[1]);
        let mut status = 0;
        libc::waitpid(child, &mut status, 0);
        if !entered {
            return Ok(Err(why));
        }
        if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
            return Err("could not write the user namespace's id maps".into());
        }
    }
    let _ = gid;
    Ok(Ok(()))
}

/// Inside the new user namespace: a private mount namespace with `.git` read-only (and an
/// empty network namespace).
fn enter_namespaces(policy: &Policy, e: &mut Enforcement) -> Result<(), String> {
    let mut flags = libc::CLONE_NEWNS;
    if !policy.allow_network {
        flags |= libc::CLONE_NEWNET;
    }
    // SAFETY: as above.
    if unsafe { libc::unshare(flags) } != 0 {
        return Err(format!("mount namespace: {}", io::Error::last_os_error()));
    }
    e.network_namespace = !policy.allow_network;
    mount(None, Path::new("/"), libc::MS_REC | libc::MS_PRIVATE)?;
    let git = policy.root.join(".git");
    if policy.mode == SandboxMode::WorkspaceWrite && git.exists() {
        mount(Some(&git), &git, libc::MS_BIND | libc::MS_REC)?;
        let locked = locked_flags(&git)?;
        mount(
            None,
            &git,
            libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY | locked,
        )?;
        e.git_read_only = true;
    }
    Ok(())
}

fn mount(source: Option<&Path>, target: &Path, flags: libc::c_ulong) -> Result<(), String> {
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_encoded_bytes()).map_err(|_| format!("bad path {p:?}"))
    };
    let target_c = c(target)?;
    let source_c = source.map(c).transpose()?;
    // SAFETY: valid NUL-terminated strings that outlive the call; null fstype and data.
    let rc = unsafe {
        libc::mount(
            source_c.as_ref().map_or(std::ptr::null(), |s| s.as_ptr()),
            target_c.as_ptr(),
            std::ptr::null(),
            flags,
            std::ptr::null(),
        )
    };
    if rc != 0 {
        return Err(format!(
            "mount {}: {}",
            target.display(),
            io::Error::last_os_error()
        ));
    }
    Ok(())
}

/// Flags of the mount under `path` that a user namespace may not clear on remount.
fn locked_flags(path: &Path) -> Result<libc::c_ulong, String> {
    let c = CString::new(path.as_os_str().as_encoded_bytes()).map_err(|e| e.to_string())?;
    // SAFETY: statvfs fills the zeroed struct for a valid path.
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return Err(format!("statvfs: {}", io::Error::last_os_error()));
    }
    let pairs = [
        (libc::ST_NOSUID, libc::MS_NOSUID),
        (libc::ST_NODEV, libc::MS_NODEV),
        (libc::ST_NOEXEC, libc::MS_NOEXEC),
        (libc::ST_NOATIME, libc::MS_NOATIME),
        (libc::ST_NODIRATIME, libc::MS_NODIRATIME),
        (libc::ST_RELATIME, libc::MS_RELATIME),
    ];
    Ok(pairs
        .iter()
        .filter(|(st_flag, _)| st.f_flag & st_flag != 0)
        .fold(0, |acc, (_, ms)| acc | ms))
}

fn landlock(policy: &Policy, e: &mut Enforcement) -> Result<(), landlock::RulesetError> {
    let abi = ABI::V6;
    let mut ruleset = Ruleset::default().handle_access(AccessFs::from_all(abi))?;
    if !policy.allow_network {
        ruleset = ruleset.handle_access(AccessNet::from_all(abi))?;
    }
    let status = ruleset
        .scope(Scope::from_all(abi))?
        .create()?
        .add_rules(path_beneath_rules(["/"], AccessFs::from_read(abi)))?
        .add_rules(path_beneath_rules(DEVICES, AccessFs::from_all(abi)))?
        .add_rules(path_beneath_rules(
            policy.writable_roots(),
            AccessFs::from_all(abi),
        ))?
        .restrict_self()?;
    e.files = status.ruleset != RulesetStatus::NotEnforced;
    e.landlock_tcp = e.files && !policy.allow_network && e.landlock_abi >= 4;
    e.scoped = e.files && e.landlock_abi >= 6;
    if !e.files {
        e.gaps
            .push("the kernel does not enforce Landlock: writes are not confined".into());
    }
    Ok(())
}

/// Deny every socket but Unix ones (and io_uring, which can make sockets without `socket()`).
fn seccomp_no_network() -> Result<(), String> {
    let arch = std::env::consts::ARCH
        .try_into()
        .map_err(|_| format!("no filter for {}", std::env::consts::ARCH))?;
    let not_unix = SeccompCondition::new(
        0,
        SeccompCmpArgLen::Dword,
        SeccompCmpOp::Ne,
        libc::AF_UNIX as u64,
    )
    .map_err(|e| e.to_string())?;
    let rules: BTreeMap<i64, Vec<SeccompRule>> = [
        (
            libc::SYS_socket,
            vec![SeccompRule::new(vec![not_unix]).map_err(|e| e.to_string())?],
        ),
        (libc::SYS_io_uring_setup, vec![]),
    ]
    .into_iter()
    .collect();
    let filter = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EACCES as u32),
        arch,
    )
    .map_err(|e| e.to_string())?;
    let program: BpfProgram = filter
        .try_into()
        .map_err(|e: seccompiler::BackendError| e.to_string())?;
    seccompiler::apply_filter(&program).map_err(|e| e.to_string())
}
