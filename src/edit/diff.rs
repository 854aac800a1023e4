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
        format!("a/{}", change.rel)
    } else {
        "/dev/null".into()
    };
    let new = if change.after.is_some() {
        format!("b/{}", change.rel)
    } else {
        "/dev/null".into()
    };
    let mut out = format!("diff --git a/{0} b/{0}\n", change.rel);
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

pub fn unified_all(changes: &[FileChange]) -> String {
    changes.iter().map(unified).collect()
}
