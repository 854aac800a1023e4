//! Confining the current process (the `cria sandbox` helper, single-threaded, just before it
//! starts the command) with what Linux offers without privileges, each layer best-effort and
//! reported in an [`Enforcement`]:
//!
//! 1. a user + mount namespace in which every `.git` folder and file in the tree (the root's,
//!    nested repositories', submodules', worktrees') is bind-mounted read-only (Landlock rules
//!    only add rights, so a read-only hole inside the writable repository needs a mount), and an
//!    empty network namespace when the network is denied;
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

/// A namespace was entered but could not be set up: the command must not run in it.
#[derive(Debug, thiserror::Error)]
#[error("could not set up the sandbox's namespaces: {0}")]
pub struct SetupError(String);

/// Step 1 (namespaces), for the supervising helper itself: the command it starts inherits them.
/// `namespaces: false` skips it (after a probe found that it fails here). An error means this
/// process was left in a state in which the command must not run (a namespace entered but not
/// set up).
pub fn enter(policy: &Policy, namespaces: bool) -> Result<Enforcement, SetupError> {
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
        match enter_user_namespace(ids).map_err(SetupError)? {
            Ok(()) => enter_namespaces(policy, &mut e).map_err(SetupError)?,
            Err(why) => e
                .gaps
                .push(format!("no user namespaces ({why}): .git stays writable")),
        }
    } else {
        e.gaps
            .push("no user namespaces here: .git stays writable".into());
    }
    Ok(e)
}

/// Steps 2 and 3 (Landlock, seccomp) and resource limits. The helper calls this in the command's
/// own process, between fork and exec, so the helper stays outside the Landlock domain: a scoped
/// domain (ABI 6) cannot signal it, and so cannot kill its own supervisor.
pub fn confine(policy: &Policy, e: &mut Enforcement) {
    if policy.mode == SandboxMode::Off {
        return;
    }
    limit_resources();
    if let Err(why) = landlock(policy, e) {
        e.gaps.push(format!("Landlock: {why}"));
    }
    if !policy.allow_network {
        if let Err(why) = seccomp_no_network() {
            e.gaps.push(format!("seccomp: {why}"));
        } else {
            e.seccomp_network = true;
        }
    }
}

/// Limits no real test suite reaches, so that a runaway command fails instead of filling the
/// disk, the memory or the process table: files of at most 8 GiB, 16 GiB of data (heap and
/// writable mappings; reserved address space does not count), 4096 processes of this user
/// (unless a lower limit is already set), no core dumps.
pub const FILE_SIZE_LIMIT: u64 = 8 << 30;
const DATA_LIMIT: u64 = 16 << 30;
const PROCESS_LIMIT: u64 = 4096;

fn limit_resources() {
    let set = |resource, value: u64| {
        // SAFETY: getrlimit/setrlimit with valid pointers; lowering a soft and hard limit.
        unsafe {
            let mut current: libc::rlimit = std::mem::zeroed();
            if libc::getrlimit(resource, &mut current) != 0 {
                return;
            }
            let value = value.min(current.rlim_max);
            let limit = libc::rlimit {
                rlim_cur: value.min(current.rlim_cur),
                rlim_max: value,
            };
            libc::setrlimit(resource, &limit);
        }
    };
    set(libc::RLIMIT_FSIZE, FILE_SIZE_LIMIT);
    set(libc::RLIMIT_DATA, DATA_LIMIT);
    set(libc::RLIMIT_NPROC, PROCESS_LIMIT);
    set(libc::RLIMIT_CORE, 0);
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
        // SAFETY: single-threaded, see `enter`.
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
    match private_tmp(policy) {
        Ok(()) => {
            e.private_tmp = true;
            hide_host_sockets();
        }
        Err(why) => e.gaps.push(format!("private /tmp: {why}")),
    }
    if policy.mode == SandboxMode::WorkspaceWrite {
        let found = git_entries(&policy.root);
        for git in &found {
            read_only(git)?;
        }
        e.git_read_only = found.iter().any(|g| *g == policy.root.join(".git"));
    }
    // The working folder was entered before these mounts: enter it again through them, or a
    // relative path would reach the folders below the read-only binds.
    if let Ok(cwd) = std::env::current_dir() {
        std::env::set_current_dir(&cwd).map_err(|e| format!("{}: {e}", cwd.display()))?;
    }
    Ok(())
}

/// A fresh, empty `/tmp` for the command: the host's tmux, X11 and agent sockets there (and any
/// other user's files) are gone. Folders the command needs that live under `/tmp` (the
/// repository of a scratch copy, extra writable folders) are bound back in at the same paths.
fn private_tmp(policy: &Policy) -> Result<(), String> {
    let tmp = Path::new("/tmp");
    let mut keep: Vec<std::path::PathBuf> = std::iter::once(policy.root.clone())
        .chain(policy.writable.iter().cloned())
        .chain(policy.readable.iter().cloned())
        .filter(|p| p.starts_with(tmp) && p != tmp)
        .collect();
    keep.sort();
    keep.dedup();
    // Opened before the tmpfs covers them; bound back through /proc/self/fd.
    let held: Vec<(std::path::PathBuf, std::fs::File)> = keep
        .into_iter()
        .filter_map(|p| std::fs::File::open(&p).ok().map(|f| (p, f)))
        .collect();
    let fstype = CString::new("tmpfs").map_err(|e| e.to_string())?;
    let data = CString::new("mode=1777").map_err(|e| e.to_string())?;
    let target = CString::new("/tmp").map_err(|e| e.to_string())?;
    // SAFETY: valid NUL-terminated strings that outlive the call.
    let rc = unsafe {
        libc::mount(
            fstype.as_ptr(),
            target.as_ptr(),
            fstype.as_ptr(),
            libc::MS_NOSUID | libc::MS_NODEV,
            data.as_ptr().cast(),
        )
    };
    if rc != 0 {
        return Err(format!("mount tmpfs: {}", io::Error::last_os_error()));
    }
    for (path, file) in &held {
        use std::os::fd::AsRawFd;
        std::fs::create_dir_all(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let source = std::path::PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd()));
        mount(Some(&source), path, libc::MS_BIND | libc::MS_REC)?;
    }
    Ok(())
}

/// Sockets outside `/tmp` that would let a command act outside the sandbox: each user's runtime
/// folder (D-Bus session, ssh and gpg agents), and the docker and D-Bus system sockets. Best
/// effort: what does not exist is skipped.
fn hide_host_sockets() {
    let empty_dir = |p: &str| {
        let path = Path::new(p);
        if path.is_dir() {
            if let (Ok(t), Ok(f), Ok(d)) = (
                CString::new(p),
                CString::new("tmpfs"),
                CString::new("mode=0755,size=4k"),
            ) {
                // SAFETY: valid NUL-terminated strings.
                unsafe {
                    libc::mount(
                        f.as_ptr(),
                        t.as_ptr(),
                        f.as_ptr(),
                        libc::MS_NOSUID | libc::MS_NODEV | libc::MS_RDONLY,
                        d.as_ptr().cast(),
                    )
                };
            }
        }
    };
    empty_dir("/run/user");
    for socket in [
        "/run/docker.sock",
        "/var/run/docker.sock",
        "/run/dbus/system_bus_socket",
        "/var/run/dbus/system_bus_socket",
    ] {
        let path = Path::new(socket);
        if path.symlink_metadata().is_ok_and(|m| !m.is_dir()) {
            let _ = mount(Some(Path::new("/dev/null")), path, libc::MS_BIND);
        }
    }
}

/// Most entries looked at for `.git` folders and files: a bound on the start-up cost of every
/// command in a huge tree (what lies past it is reported nowhere, but the root's own `.git` is
/// always first).
const GIT_SCAN_LIMIT: usize = 200_000;

/// Every `.git` folder or file in the tree (the root's own, nested repositories, submodules
/// and worktrees), the root's first; links are not followed.
fn git_entries(root: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let top = root.join(".git");
    if top
        .symlink_metadata()
        .is_ok_and(|m| !m.file_type().is_symlink())
    {
        found.push(top.clone());
    }
    let mut stack = vec![root.to_path_buf()];
    let mut seen = 0usize;
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            seen += 1;
            if seen > GIT_SCAN_LIMIT {
                return found;
            }
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if entry.file_name() == ".git" {
                if (kind.is_dir() || kind.is_file()) && path != top {
                    found.push(path);
                }
            } else if kind.is_dir() {
                stack.push(path);
            }
        }
    }
    found
}

/// Bind-mount `path` (a folder or a file) read-only over itself.
fn read_only(path: &Path) -> Result<(), String> {
    mount(Some(path), path, libc::MS_BIND | libc::MS_REC)?;
    let locked = locked_flags(path)?;
    mount(
        None,
        path,
        libc::MS_BIND | libc::MS_REMOUNT | libc::MS_RDONLY | locked,
    )
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
