use super::*;

fn hooks(toml_text: &str) -> Hooks {
    #[derive(Deserialize)]
    struct File {
        hooks: Hooks,
    }
    let file: File = toml::from_str(toml_text).unwrap();
    file.hooks.validate().unwrap();
    file.hooks
}

fn dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn exit_two_blocks_with_stderr_and_other_codes_warn() {
    let d = dir();
    let h = hooks(
        r#"
        [[hooks.PreToolUse]]
        matcher = "shell"
        hooks = [{ type = "command", command = "echo not that >&2; exit 2" }]
        [[hooks.PreToolUse]]
        matcher = "grep|read_file"
        hooks = [
            { type = "command", command = "echo flaky >&2; exit 1" },
            { type = "command", command = "echo ok" },
        ]
        "#,
    );
    let shell = h.run(HookEvent::PreToolUse, Some("shell"), json!({}), d.path());
    assert_eq!(shell.blocked.as_deref(), Some("not that"));
    let grep = h.run(HookEvent::PreToolUse, Some("grep"), json!({}), d.path());
    assert_eq!(grep.blocked, None);
    assert_eq!(grep.context, "ok\n");
    assert_eq!(grep.warnings.len(), 1);
    assert!(
        grep.warnings[0].contains("exited 1: flaky"),
        "{:?}",
        grep.warnings
    );
    // The regex must match the whole name.
    let other = h.run(HookEvent::PreToolUse, Some("shell_x"), json!({}), d.path());
    assert_eq!(other, Verdict::default());
}

#[test]
fn the_event_arrives_as_json_on_stdin_in_the_repository() {
    let d = dir();
    let h = hooks(
        r#"
        [[hooks.PostToolUse]]
        hooks = [{ type = "command", command = "cat > seen.json" }]
        "#,
    );
    let verdict = h.run(
        HookEvent::PostToolUse,
        Some("edit"),
        json!({"tool_input": {"files": ["a.py"]}, "tool_response": {"diff": "+x"}}),
        d.path(),
    );
    assert_eq!(verdict, Verdict::default());
    let seen: Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("seen.json")).unwrap())
            .unwrap();
    assert_eq!(seen["hook_event_name"], "PostToolUse");
    assert_eq!(seen["tool_name"], "edit");
    assert_eq!(seen["tool_response"]["diff"], "+x");
    assert_eq!(seen["cwd"], json!(d.path()));
}

#[test]
fn a_hook_that_hangs_is_killed_at_its_timeout() {
    let d = dir();
    let h = hooks(
        r#"
        [[hooks.Stop]]
        hooks = [{ type = "command", command = "sleep 30 & sleep 30", timeout = 1 }]
        "#,
    );
    let start = std::time::Instant::now();
    let verdict = h.run(HookEvent::Stop, None, json!({}), d.path());
    assert!(start.elapsed() < Duration::from_secs(10));
    assert!(verdict.warnings[0].contains("timed out"), "{verdict:?}");
}

#[test]
fn bad_hooks_are_refused_when_read() {
    #[derive(Deserialize)]
    struct File {
        #[allow(dead_code)]
        hooks: Hooks,
    }
    assert!(toml::from_str::<File>("[[hooks.PreToolUse]]\nhooks = []\nmatch = \"x\"\n").is_err());
    assert!(toml::from_str::<File>("[[hooks.BeforeEdit]]\nhooks = []\n").is_err());
    let bad_regex = Hooks {
        pre_tool_use: vec![Matcher {
            matcher: Some("(".into()),
            hooks: vec![],
        }],
        ..Default::default()
    };
    assert!(bad_regex.validate().is_err());
}
