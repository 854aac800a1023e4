//! Unified diffs of planned changes, in the form `git apply` accepts.

use similar::TextDiff;

use super::plan::FileChange;

pub fn unified(change: &FileChange) -> String {
    let before = change
        .before
        .as_deref()
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    let after = change
        .after
        .as_deref()
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    let old = if change.before.is_some() {
        quoted("a/", &change.rel)
    } else {
        "/dev/null".into()
    };
    let new = if change.after.is_some() {
        quoted("b/", &change.rel)
    } else {
        "/dev/null".into()
    };
    let mut out = format!(
        "diff --git {} {}\n",
        quoted("a/", &change.rel),
        quoted("b/", &change.rel)
    );
    match (&change.before, &change.after) {
        (None, Some(_)) => out.push_str("new file mode 100644\n"),
        (Some(_), None) => out.push_str("deleted file mode 100644\n"),
        _ => {}
    }
    let body = TextDiff::from_lines(before.as_ref(), after.as_ref())
        .unified_diff()
        .context_radius(3)
        .header(&old, &new)
        .missing_newline_hint(true)
        .to_string();
    out.push_str(&body);
    out
}

/// `prefix` + `path` as git writes it in a diff header: in double quotes with C escapes when
/// the name holds a quote, a backslash or a control character (a newline would otherwise end
/// the header line and forge the next one).
fn quoted(prefix: &str, path: &str) -> String {
    if !path
        .chars()
        .any(|c| c == '"' || c == '\\' || c.is_control())
    {
        return format!("{prefix}{path}");
    }
    let mut out = format!("\"{prefix}");
    for c in path.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\{b:03o}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn unified_all(changes: &[FileChange]) -> String {
    changes.iter().map(unified).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_newline_in_a_file_name_cannot_forge_a_header_line() {
        let change = FileChange {
            abs: "x".into(),
            rel: "a\n+++ b/evil".into(),
            before: Some(b"1\n".to_vec()),
            after: Some(b"2\n".to_vec()),
        };
        let diff = unified(&change);
        assert!(
            diff.starts_with("diff --git \"a/a\\n+++ b/evil\" \"b/a\\n+++ b/evil\"\n"),
            "{diff}"
        );
        assert_eq!(
            diff.lines().filter(|l| l.starts_with("+++ ")).count(),
            1,
            "{diff}"
        );
    }
}
