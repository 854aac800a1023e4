//! Getting out *around* the sandbox, through what cria itself does unconfined: its writes after a
//! test run planted a symlink, test-command detection, task checks, nested `.git` folders, a
//! repository config that switches the sandbox off, host sockets and secrets in the
//! environment, signals to the supervisor, FIFOs, hidden files, two writers at once. One test per
//! class, each with a control run that shows the check can fail.
#![cfg(target_os = "linux")]

mod common;

use std::path::Path;

use common::agent::{output_of, outside_dir, repo, run_commands, run_replies};
use common::{events, Scratch};

/// Class 1: a test run replaces `sub/` with a link to a folder outside; reverting the failed
/// attempt must not write the model's text out there.
#[test]
fn reverting_after_a_test_run_planted_a_symlink_writes_nothing_outside() {
    let s = repo();
    let outside = outside_dir("revert");
    std::fs::write(outside.join("a.py"), "outside\n").unwrap();
    s.write("sub/a.py", "x = 1\n");
    let o = outside.display();
    // The first run (before any edit) only notes it ran; the second swaps the folder.
    let test_cmd = format!(
        "sh -c 'if [ -f .ran ]; then mv sub sub.real && ln -s {o} sub; else touch .ran; fi; exit 1'"
    );
    let edit = "sub/a.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n";
    let script = s.script(&[edit]);
    let out = s
        .cria()
        .args([
            "fix",
            "--json",
            "--max-steps",
            "1",
            "--test-cmd",
            &test_cmd,
            "--script",
        ])
        .arg(&script)
        .arg("--repo")
        .arg(s.path())
        .arg("x should be 2")
        .output()
        .unwrap();
    assert!(
        s.path()
            .join("sub")
            .symlink_metadata()
            .unwrap()
            .is_symlink(),
        "control: the test run did plant the link"
    );
    assert_eq!(
        std::fs::read_to_string(outside.join("a.py")).unwrap(),
        "outside\n"
    );
    let fin = events(&out.stdout).pop().unwrap();
    assert_ne!(fin["outcome"], "fixed", "{fin}");
    assert!(fin["reason"].as_str().unwrap().contains("symlink"), "{fin}");
}

/// Class 1, reading: a test run swaps the edited file for a link to a secret, or for a pipe
/// nothing writes to. cria's own reads (the diff it prints, the text it shows the model) go
/// through no link and open no pipe: the secret is not shown and the run ends.
#[test]
fn a_file_a_test_run_swapped_for_a_link_or_a_pipe_is_not_read() {
    let outside = outside_dir("swap-read");
    std::fs::write(outside.join("secret.txt"), "SECRET=hunter2\n").unwrap();
    let o = outside.display();
    for plant in [
        format!("ln -s {o}/secret.txt a.py"),
        "mkfifo a.py".to_string(),
    ] {
        let s = repo();
        s.write("a.py", "x = 1\n");
        let test_cmd =
            format!("sh -c 'if [ -f .ran ]; then rm a.py && {plant}; else touch .ran; fi; exit 1'");
        let edit = "a.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n";
        let script = s.script(&[edit]);
        let out = s
            .cria()
            .args([
                "fix",
                "--json",
                "--max-steps",
                "1",
                "--test-cmd",
                &test_cmd,
                "--script",
            ])
            .arg(&script)
            .arg("--repo")
            .arg(s.path())
            .arg("x should be 2")
            .timeout(std::time::Duration::from_secs(120))
            .output()
            .unwrap();
        let planted = s.path().join("a.py").symlink_metadata().unwrap();
        assert!(
            !planted.is_file(),
            "control: the test run did replace a.py ({plant})"
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let fin = events(&out.stdout)
            .pop()
            .expect("the run ended with a report");
        assert_eq!(fin["type"], "finished", "{plant}: {stdout}");
        assert!(!stdout.contains("hunter2"), "{plant}: {stdout}");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("hunter2"));
        assert_ne!(fin["outcome"], "fixed", "{fin}");
    }
}

/// Class 1, `cria undo`: the folder it would restore into was swapped for a link.
#[test]
fn undo_refuses_to_write_through_a_swapped_folder() {
    let s = repo();
    let outside = outside_dir("undo");
    std::fs::write(outside.join("f.txt"), "outside\n").unwrap();
    s.write("sub/f.txt", "one\n");
    let patch = "sub/f.txt\n<<<<<<< SEARCH\none\n=======\ntwo\n>>>>>>> REPLACE\n";
    let apply = s
        .cria()
        .args(["apply", "--repo"])
        .arg(s.path())
        .write_stdin(patch)
        .output();
    assert_eq!(apply.unwrap().status.code(), Some(0));
    std::fs::rename(s.path().join("sub"), s.path().join("sub.real")).unwrap();
    std::os::unix::fs::symlink(&outside, s.path().join("sub")).unwrap();
    let undo = s
        .cria()
        .args(["undo", "--repo"])
        .arg(s.path())
        .output()
        .unwrap();
    assert_ne!(undo.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(outside.join("f.txt")).unwrap(),
        "outside\n"
    );

    // The control: with the folder back in place, the same undo restores it.
    std::fs::remove_file(s.path().join("sub")).unwrap();
    std::fs::rename(s.path().join("sub.real"), s.path().join("sub")).unwrap();
    let undo = s
        .cria()
        .args(["undo", "--repo"])
        .arg(s.path())
        .output()
        .unwrap();
    assert_eq!(
        undo.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&undo.stderr)
    );
    assert_eq!(s.read("sub/f.txt"), "one\n");
}

/// Class 2: a `pytest.py` planted in the repository does not run when cria detects the test
/// command.
#[test]
fn detecting_the_test_command_runs_no_repository_code() {
    let s = repo();
    let outside = outside_dir("detect");
    let marker = outside.join("pwned");
    s.write("tests/test_app.py", "def test_ok():\n    assert True\n");
    s.write(
        "pytest.py",
        &format!(
            "open({:?}, 'w').write('ran')\n",
            marker.display().to_string()
        ),
    );
    let out = s
        .cria()
        .args(["config", "--repo"])
        .arg(s.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!marker.exists(), "the planted pytest.py ran");

    // The control: importing pytest from inside the repository, as detection once did, runs it.
    std::process::Command::new("python3")
        .args(["-c", "import pytest"])
        .current_dir(s.path())
        .status()
        .unwrap();
    assert!(marker.exists());
}

/// Class 2: a task's check runs in the sandbox (it runs code the model wrote).
#[test]
fn an_eval_check_cannot_write_outside() {
    let s = Scratch::empty();
    let outside = outside_dir("check");
    let task = s.path().join("tasks/t");
    common::copy_dir(&common::fixture("tasks/py-cart-discount"), &task);
    let check = format!("echo escaped > {}/x.txt; exit 1\n", outside.display());
    std::fs::write(task.join("check.sh"), &check).unwrap();
    let script = s.script(&["No idea."]);
    s.cria()
        .arg("eval")
        .arg(s.path().join("tasks"))
        .args(["--tries", "1", "--max-steps", "1", "--script"])
        .arg(&script)
        .output()
        .unwrap();
    assert!(!outside.join("x.txt").exists());

    // The control: the same check run plainly does write there.
    std::process::Command::new("sh")
        .arg(task.join("check.sh"))
        .status()
        .unwrap();
    assert!(outside.join("x.txt").exists());
}

/// Class 2: every `.git` in the tree is read-only, not just the root's.
#[test]
fn a_nested_repositorys_git_config_cannot_be_written() {
    let s = repo();
    let nested = s.path().join("vendor/lib");
    std::fs::create_dir_all(&nested).unwrap();
    let ok = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(&nested)
        .status()
        .unwrap()
        .success();
    assert!(ok);
    let before = s.read("vendor/lib/.git/config");
    let attack = "printf '[core]\\n\\tfsmonitor = touch /tmp/owned\\n' >> vendor/lib/.git/config";
    let (_, results) = run_commands(&s, &[], &[attack]);
    assert_eq!(results[0]["ok"], false, "{}", output_of(&results[0]));
    assert_eq!(s.read("vendor/lib/.git/config"), before);

    let (_, results) = run_commands(&s, &["--sandbox", "off"], &[attack]);
    assert_eq!(
        results[0]["ok"],
        true,
        "control: {}",
        output_of(&results[0])
    );
    assert_ne!(s.read("vendor/lib/.git/config"), before);
}

/// Class 2: a trusted repository's `.cria.toml` rewritten from inside the sandbox does not
/// switch the sandbox off for the next session.
#[test]
fn the_sandbox_cannot_raise_its_own_privileges_through_cria_toml() {
    let s = repo();
    let user_config = s.state.path().join("config.toml");
    std::fs::write(
        &user_config,
        format!("trusted_repos = [{:?}]\n", s.path().display().to_string()),
    )
    .unwrap();
    s.write(".cria.toml", "max_steps = 5\n");
    let config = |s: &Scratch| {
        let out = s
            .cria()
            .env("CRIA_CONFIG", &user_config)
            .args(["config", "--repo"])
            .arg(s.path())
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        (json, String::from_utf8_lossy(&out.stderr).into_owned())
    };
    // The first trusted read records the file as the user trusted it.
    assert_eq!(config(&s).0["sandbox"], "workspace-write");
    let (_, results) = run_commands(&s, &[], &["printf 'sandbox = \"off\"\\n' >> .cria.toml"]);
    assert_eq!(results[0]["ok"], true, "{}", output_of(&results[0]));
    let (json, notes) = config(&s);
    assert_eq!(json["sandbox"], "workspace-write", "{json}");
    assert!(notes.contains("changed since you trusted it"), "{notes}");

    // The control: once the user accepts the file, its setting applies (and says where from).
    let trust = s
        .cria()
        .env("CRIA_CONFIG", &user_config)
        .args(["trust", "--repo"])
        .arg(s.path())
        .output()
        .unwrap();
    assert!(trust.status.success());
    let (json, notes) = config(&s);
    assert_eq!(json["sandbox"], "off");
    assert!(notes.contains("sandbox set by"), "{notes}");
}

/// Class 3: a Unix socket in the host's /tmp (a tmux server, an agent) is out of reach, and
/// its address and secrets are not in the command's environment.
#[test]
fn host_sockets_and_secrets_are_out_of_reach() {
    let s = repo();
    let dir = tempfile::Builder::new()
        .prefix("cria-host-")
        .tempdir_in("/tmp")
        .unwrap();
    let sock = dir.path().join("agent.sock");
    let listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    listener.set_nonblocking(true).unwrap();
    let connect = format!(
        "python3 -c \"import socket; s=socket.socket(socket.AF_UNIX); s.connect('{}'); print('CONN' 'ECTED')\"",
        sock.display()
    );
    // The outputs are checked for words the commands themselves do not spell out.
    let env = "env | grep -E 'SSH_AUTH_SOCK|MY_API_TOKEN|TMUX' || echo CL''EAN";
    let run = |extra: &[&str]| {
        let (a, b) = (
            common::agent::shell_call(&connect),
            common::agent::shell_call(env),
        );
        let script = s.script(&[a.as_str(), b.as_str()]);
        let out = s
            .cria()
            .env("SSH_AUTH_SOCK", &sock)
            .env("TMUX", "/tmp/tmux-0/default,1,0")
            .env("MY_API_TOKEN", "s3cret")
            .args([
                "fix",
                "--json",
                "--no-tests",
                "--max-steps",
                "2",
                "--script",
            ])
            .arg(&script)
            .arg("--repo")
            .arg(s.path())
            .args(extra)
            .arg("try")
            .output()
            .unwrap();
        events(&out.stdout)
            .into_iter()
            .filter(|e| e["type"] == "tool_result")
            .map(|e| e["result"]["output"].as_str().unwrap_or("").to_string())
            .collect::<Vec<String>>()
    };
    let results = run(&[]);
    assert!(!results[0].contains("CONNECTED"), "{}", results[0]);
    assert!(listener.accept().is_err());
    assert!(results[1].contains("CLEAN"), "{}", results[1]);

    // The controls: without the sandbox the socket answers; a kept variable passes.
    let results = run(&["--sandbox", "off"]);
    assert!(results[0].contains("CONNECTED"), "{}", results[0]);
    let results = run(&["--keep-env", "MY_API_TOKEN"]);
    assert!(results[1].contains("MY_API_TOKEN=s3cret"), "{}", results[1]);
    assert!(!results[1].contains("SSH_AUTH_SOCK="), "{}", results[1]);
}

/// Class 3: a command starts with no blocked signals, has resource limits, and cannot kill the
/// supervisor that would clean up after it.
#[test]
fn commands_get_default_signals_limits_and_cannot_kill_their_supervisor() {
    let s = repo();
    let (_, results) = run_commands(
        &s,
        &[],
        &[
            "grep SigBlk /proc/self/status; ulimit -f",
            "kill -9 $PPID; echo kill=$?",
        ],
    );
    let status = output_of(&results[0]);
    assert!(status.contains("SigBlk:\t0000000000000000"), "{status}");
    assert!(!status.contains("unlimited"), "{status}");
    assert!(
        output_of(&results[1]).contains("kill=1"),
        "{}",
        output_of(&results[1])
    );

    // The control: unconfined, the same kill reaches the supervisor.
    let (_, results) = run_commands(&s, &["--sandbox", "off"], &["kill -9 $PPID; echo kill=$?"]);
    assert!(
        !output_of(&results[0]).contains("kill=1"),
        "{}",
        output_of(&results[0])
    );
}

/// Class 5: a FIFO never hangs a tool or `cria apply`; an ignored file or a hard link to one is
/// not shown by `read_file`.
#[test]
fn fifos_ignored_files_and_hard_links_are_not_read() {
    let s = repo();
    let fifo =
        std::ffi::CString::new(s.path().join("pipe.txt").as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    s.write(".gitignore", "credentials.txt\n");
    s.write("credentials.txt", "TOKEN=abc123\n");
    std::fs::hard_link(
        s.path().join("credentials.txt"),
        s.path().join("notes2.txt"),
    )
    .unwrap();
    let read = |p: &str| {
        format!(r#"<tool_call>{{"name": "read_file", "arguments": {{"path": "{p}"}}}}</tool_call>"#)
    };
    let calls = [
        read("pipe.txt"),
        read("credentials.txt"),
        read("notes2.txt"),
        read("notes.txt"),
    ];
    let refs: Vec<&str> = calls.iter().map(String::as_str).collect();
    let (_, results) = run_replies(&s, &[], &refs);
    assert_eq!(results.len(), 4);
    assert!(
        output_of(&results[0]).contains("not a regular file"),
        "{}",
        output_of(&results[0])
    );
    for r in &results[1..3] {
        assert_eq!(r["ok"], false, "{r}");
        assert!(!output_of(r).contains("abc123"), "{r}");
    }
    // The control: a plain file reads.
    assert!(output_of(&results[3]).contains("hello"));

    let patch = "pipe.txt\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n";
    let out = s
        .cria()
        .args(["apply", "--repo"])
        .arg(s.path())
        .write_stdin(patch)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a regular file"));
}

/// Class 4: a change set interrupted by a crash is rolled back at the start of the next
/// command, and a file changed by hand since is kept, not overwritten.
#[test]
fn recovery_comes_first_and_keeps_files_changed_since_the_crash() {
    let s = repo();
    s.write("a.txt", "a1\n");
    s.write("b.txt", "b1\n");
    let root = s.path().canonicalize().unwrap();
    // A journal as a cria killed mid-commit leaves it: both files written, then b edited by hand.
    let journal = serde_json::json!({
        "id": "1",
        "entries": [
            {"abs": root.join("a.txt"), "rel": "a.txt", "before": "a0\n", "after": "a1\n"},
            {"abs": root.join("b.txt"), "rel": "b.txt", "before": "b0\n", "after": "b-new\n"},
        ]
    });
    let dir = cria::state::repo_state_dir_under(s.state.path(), &root);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("journal.json"), journal.to_string()).unwrap();
    let out = s
        .cria()
        .args(["apply", "--dry-run", "--repo"])
        .arg(s.path())
        .write_stdin("a.txt\n<<<<<<< SEARCH\na0\n=======\na2\n>>>>>>> REPLACE\n")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("restored a.txt"), "{stderr}");
    assert!(stderr.contains("kept b.txt"), "{stderr}");
    // The dry run planned against the recovered tree.
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(s.read("a.txt"), "a0\n");
    assert_eq!(s.read("b.txt"), "b1\n");
    assert!(!dir.join("journal.json").exists());
    assert!(Path::new(&root).exists());
}
