//! The helper's second job: start the command and make sure nothing it started outlives it.
//!
//! The helper becomes a child subreaper, so every descendant whose parent exits — a daemon that
//! double-forked, a `setsid` background job — is re-parented to it rather than to init. When the
//! command exits, every remaining descendant is killed and reaped before the helper exits with
//! the command's status. SIGTERM, SIGINT or SIGHUP to the helper (the runner's timeout, or cria
//! dying: the helper asks for SIGTERM when its parent dies) end the whole tree: SIGTERM, a grace
//! period, then SIGKILL.

use std::ffi::OsString;
use std::io;
use std::process::Command;
use std::time::{Duration, Instant};

use super::policy::PARENT_ENV;

const GRACE: Duration = Duration::from_secs(2);
const POLL: Duration = Duration::from_millis(20);

/// Run `argv` to completion with its descendants contained; return the exit status to use.
/// `confine` runs in the command's process just before it starts (after its signal mask and
/// dispositions are reset to the defaults a program expects); an error stops the command.
pub fn run(argv: &[OsString], confine: impl Fn() -> io::Result<()> + Send + Sync + 'static) -> i32 {
    let Some((program, args)) = argv.split_first() else {
        eprintln!("cria sandbox: no command given");
        return 2;
    };
    // SAFETY: prctl and sigprocmask on this single-threaded process.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM, 0, 0, 0);
    }
    // cria may have died before the death signal was asked for.
    let expected_parent = std::env::var(PARENT_ENV).ok();
    if expected_parent.is_some_and(|p| p != std::os::unix::process::parent_id().to_string()) {
        eprintln!("cria sandbox: cria exited before the command started");
        return 128 + libc::SIGTERM;
    }
    let signals = termination_signals();
    // Blocked here so they can be waited for; unblocked again in the command (below).
    // SAFETY: a valid, initialized signal set.
    unsafe { libc::sigprocmask(libc::SIG_BLOCK, &signals, std::ptr::null_mut()) };
    let mut command = Command::new(program);
    command.args(args).env_remove(PARENT_ENV);
    // SAFETY: the helper is single-threaded, so the child may allocate; sigprocmask and signal
    // are async-signal-safe.
    unsafe {
        use std::os::unix::process::CommandExt;
        command.pre_exec(move || {
            let mut empty: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut empty);
            libc::sigprocmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut());
            for s in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP, libc::SIGPIPE] {
                libc::signal(s, libc::SIG_DFL);
            }
            libc::prctl(libc::PR_SET_PDEATHSIG, 0, 0, 0, 0);
            confine()
        });
    }
    let child = match command.spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!(
                "cria sandbox: cannot run {}: {e}",
                program.to_string_lossy()
            );
            return if e.kind() == io::ErrorKind::NotFound {
                127
            } else {
                126
            };
        }
    };
    let main = child.id() as libc::pid_t;
    let mut status: Option<i32> = None;
    let mut terminating: Option<Instant> = None;
    let mut done_at: Option<Instant> = None;
    loop {
        match reap(main) {
            Reaped::Main(code) => {
                status = Some(code);
                done_at = Some(Instant::now());
            }
            Reaped::NoChildren => return status.unwrap_or(128 + libc::SIGTERM),
            Reaped::Some | Reaped::None => {}
        }
        if let Some(code) = status {
            // The command is done: nothing it left behind may stay. (A tree that forks faster
            // than it dies is given up on after a while; it is SIGKILLed again on every pass.)
            if done_at.is_some_and(|t| t.elapsed() > Duration::from_secs(10)) {
                return code;
            }
            kill_children(libc::SIGKILL);
            std::thread::sleep(Duration::from_millis(5));
            continue;
        }
        match terminating {
            Some(since) if since.elapsed() > GRACE => kill_children(libc::SIGKILL),
            Some(_) => {}
            None => {
                if wait_signal(&signals, POLL) {
                    kill_children(libc::SIGTERM);
                    terminating = Some(Instant::now());
                }
                continue;
            }
        }
        std::thread::sleep(POLL);
    }
}

enum Reaped {
    Main(i32),
    Some,
    None,
    NoChildren,
}

/// Reap every child that has exited; report the command's own status if it was among them.
fn reap(main: libc::pid_t) -> Reaped {
    let mut result = Reaped::None;
    loop {
        let mut st = 0;
        // SAFETY: waitpid with a valid status pointer.
        let pid = unsafe { libc::waitpid(-1, &mut st, libc::WNOHANG) };
        if pid == 0 {
            return result;
        }
        if pid < 0 {
            return match result {
                Reaped::Main(c) => Reaped::Main(c),
                _ => Reaped::NoChildren,
            };
        }
        if pid == main {
            let code = if libc::WIFEXITED(st) {
                libc::WEXITSTATUS(st)
            } else {
                128 + libc::WTERMSIG(st)
            };
            return Reaped::Main(code);
        }
        result = Reaped::Some;
    }
}

/// Send `signal` to every direct child (descendants arrive here as their parents die).
fn kill_children(signal: libc::c_int) {
    for pid in children() {
        // SAFETY: signalling a child of ours.
        unsafe { libc::kill(pid, signal) };
    }
}

/// Processes whose parent is this one, from /proc.
fn children() -> Vec<libc::pid_t> {
    let me = std::process::id() as libc::pid_t;
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<libc::pid_t>().ok())
        .filter(|&pid| parent_of(pid) == Some(me))
        .collect()
}

fn parent_of(pid: libc::pid_t) -> Option<libc::pid_t> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(1)?.parse().ok()
}

fn termination_signals() -> libc::sigset_t {
    // SAFETY: sigemptyset initializes the set before sigaddset uses it.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for s in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
            libc::sigaddset(&mut set, s);
        }
        set
    }
}

/// Wait up to `timeout` for one of the blocked `signals`; true when one arrived.
fn wait_signal(signals: &libc::sigset_t, timeout: Duration) -> bool {
    let ts = libc::timespec {
        tv_sec: timeout.as_secs() as libc::time_t,
        tv_nsec: timeout.subsec_nanos() as libc::c_long,
    };
    // SAFETY: valid set and timespec; no siginfo wanted.
    unsafe { libc::sigtimedwait(signals, std::ptr::null_mut(), &ts) > 0 }
}
