//! Unit tests for `process`.

use super::*;

#[test]
fn captures_and_times_out() {
    let dir = tempfile::tempdir().unwrap();
    let out = Runner::plain()
        .run(
            "echo hi; echo err >&2; exit 3",
            dir.path(),
            Duration::from_secs(5),
        )
        .unwrap();
    assert_eq!(out.exit_code, Some(3));
    assert!(out.output.contains("hi") && out.output.contains("err"));
    let out = Runner::plain()
        .run("sleep 30", dir.path(), Duration::from_millis(300))
        .unwrap();
    assert!(out.timed_out);
    assert!(out.seconds < 10.0);
}

#[test]
fn strips_escapes() {
    assert_eq!(strip_ansi("\x1b[31mred\x1b[0m ok"), "red ok");
}

#[test]
fn keeps_head_and_tail_of_huge_output_and_counts_it_all() {
    let dir = tempfile::tempdir().unwrap();
    let out = Runner::plain()
        .run(
            "echo FIRST; head -c 5000000 /dev/zero | tr '\\0' x; echo; echo LAST",
            dir.path(),
            Duration::from_secs(30),
        )
        .unwrap();
    assert!(out.total_bytes > 5_000_000);
    assert!(out.output.starts_with("FIRST"));
    assert!(out.output.trim_end().ends_with("LAST"));
    assert!(out.output.len() <= KEEP_BYTES + 100);
    assert!(out.output.contains("bytes omitted"));
}

#[test]
fn stdin_is_empty_and_there_is_no_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let out = Runner::plain()
        .run(
            "read line; echo \"read:$?:$line\"; tty",
            dir.path(),
            Duration::from_secs(5),
        )
        .unwrap();
    assert!(out.output.contains("read:1:"), "{}", out.output);
    assert!(out.output.contains("not a tty"), "{}", out.output);
}
