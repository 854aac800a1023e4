//! Unit tests for `process`.

use super::*;

#[test]
fn captures_and_times_out() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_shell(
        "echo hi; echo err >&2; exit 3",
        dir.path(),
        Duration::from_secs(5),
    )
    .unwrap();
    assert_eq!(out.exit_code, Some(3));
    assert!(out.output.contains("hi") && out.output.contains("err"));
    let out = run_shell("sleep 30", dir.path(), Duration::from_millis(300)).unwrap();
    assert!(out.timed_out);
    assert!(out.seconds < 10.0);
}

#[test]
fn strips_escapes() {
    assert_eq!(strip_ansi("\x1b[31mred\x1b[0m ok"), "red ok");
}
