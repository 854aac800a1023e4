//! Unit tests for `patch`.

use super::*;

#[test]
fn apply_patch_envelope() {
    let text = "*** Begin Patch\n*** Update File: src/a.py\n@@ def f():\n     x = 1\n-    return x\n+    return x + 1\n*** Add File: b.txt\n+hello\n*** Delete File: c.txt\n*** End Patch\n";
    let e = parse_apply_patch(text, 1).unwrap();
    assert_eq!(e.len(), 3);
    match &e[0] {
        Edit::Replace(b) => {
            assert_eq!(b.search, "    x = 1\n    return x\n");
            assert_eq!(b.replace, "    x = 1\n    return x + 1\n");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(&e[2], Edit::Delete { path, .. } if path == "c.txt"));
}

#[test]
fn unified_diff_hunks() {
    let text = "diff --git a/x.rs b/x.rs\nindex 1..2 100644\n--- a/x.rs\n+++ b/x.rs\n@@ -1,3 +1,3 @@\n fn a() {\n-    1\n+    2\n }\n";
    let e = parse_unified_diff(text, 1).unwrap();
    match &e[0] {
        Edit::Replace(b) => {
            assert_eq!(b.path, "x.rs");
            assert_eq!(b.search, "fn a() {\n    1\n}\n");
            assert_eq!(b.replace, "fn a() {\n    2\n}\n");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unified_diff_new_file() {
    let e =
        parse_unified_diff("--- /dev/null\n+++ b/new.txt\n@@ -0,0 +1,2 @@\n+a\n+b\n", 1).unwrap();
    assert!(matches!(&e[0], Edit::Replace(b) if b.search.is_empty() && b.replace == "a\nb\n"));
}
