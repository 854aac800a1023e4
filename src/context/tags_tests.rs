//! Unit tests for `tags`: every supported language yields its definitions and references.

use super::*;

fn defs(path: &str, src: &str) -> Vec<String> {
    file_tags(path, src.as_bytes())
        .into_iter()
        .filter(|t| t.def)
        .map(|t| t.name)
        .collect()
}

#[test]
fn each_language_yields_definitions() {
    let cases = [
        (
            "a.rs",
            "struct Cart;\nimpl Cart { fn total(&self) -> u32 { helper() } }\n",
            "total",
        ),
        (
            "a.py",
            "class Cart:\n    def total(self):\n        return helper()\n",
            "total",
        ),
        (
            "a.js",
            "function total(items) { return helper(items); }\n",
            "total",
        ),
        (
            "a.ts",
            "function total(items: number[]): number { return helper(items); }\n",
            "total",
        ),
        (
            "a.go",
            "package main\nfunc total(items []int) int { return helper(items) }\n",
            "total",
        ),
        (
            "a.c",
            "int total(int *items) { return helper(items); }\n",
            "total",
        ),
        (
            "a.cpp",
            "class Cart { public: int total(); };\nint Cart::total() { return helper(); }\n",
            "Cart",
        ),
        (
            "A.java",
            "class Cart { int total() { return helper(); } }\n",
            "total",
        ),
    ];
    for (path, src, name) in cases {
        let found = defs(path, src);
        assert!(found.contains(&name.to_string()), "{path}: {found:?}");
    }
}

#[test]
fn references_and_signatures_are_kept() {
    let tags = file_tags("a.py", b"def total(items):\n    return helper(items)\n");
    let def = tags.iter().find(|t| t.def && t.name == "total").unwrap();
    assert_eq!(def.signature, "def total(items):");
    assert_eq!(def.line, 0);
    assert!(tags.iter().any(|t| !t.def && t.name == "helper"));
    assert!(file_tags("notes.txt", b"def total(): pass").is_empty());
}
