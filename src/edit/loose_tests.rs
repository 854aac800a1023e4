//! Unit tests for `loose`.

use super::*;

fn files() -> Vec<(String, String)> {
    vec![(
        "shop/cart.py".into(),
        "class Cart:\n    def total(self):\n        s = self.sub()\n        return s - self.d\n\n    def other(self):\n        return 1\n".into(),
    )]
}

#[test]
fn replaces_function_by_signature() {
    let reply = "Fixed:\n```python\ndef total(self):\n    s = self.sub()\n    return s - s * self.d / 100\n```";
    let e = loose_edits(reply, &files());
    assert_eq!(e.len(), 1);
    assert_eq!(
        e[0].search,
        "    def total(self):\n        s = self.sub()\n        return s - self.d\n"
    );
    assert_eq!(
        e[0].replace,
        "    def total(self):\n        s = self.sub()\n        return s - s * self.d / 100\n"
    );
}

#[test]
fn skips_quoted_original_and_takes_whole_file() {
    let orig = &files()[0].1;
    let fixed = orig.replace("return s - self.d", "return s * (1 - self.d / 100)");
    let reply =
        format!("```python\n<<<<<<< SEARCH\n{orig}```\nReplace with:\n```python\n{fixed}```");
    let e = loose_edits(&reply, &files());
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].replace, fixed);
}

#[test]
fn several_definitions_and_whitespace_only_lines() {
    let files = vec![(
        "c.py".to_string(),
        "def a(x):\n    return x\n\n\ndef b(t):\n    lines = t.split()\n    first = lines[0]\n    return first\n".to_string(),
    )];
    let reply = "```python\ndef a(x):\n    return x\n \n \ndef b(t):\n    lines = t.split()\n    if not lines:\n        return None\n    first = lines[0]\n    return first\n```";
    let e = loose_edits(reply, &files);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0]
        .replace
        .contains("    if not lines:\n        return None\n"));
}

#[test]
fn brace_extent() {
    let lines = vec!["fn a() {", "    if x {", "    }", "}", "fn b() {}"];
    assert_eq!(extent(&lines, 0), 4);
}
