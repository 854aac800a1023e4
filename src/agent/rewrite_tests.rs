//! Unit tests for `rewrite`.

use super::*;

const PY: &str = "import re\n\n\ndef parse_line(line):\n    return line.split('=')\n\n\ndef parse_config(text):\n    lines = text.splitlines()\n    first = lines[0]\n    return first\n";

#[test]
fn finds_definitions_with_extents() {
    let d = definitions("c.py", PY);
    assert_eq!(
        d.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["parse_line", "parse_config"]
    );
    assert_eq!(d[1].code, "def parse_config(text):\n    lines = text.splitlines()\n    first = lines[0]\n    return first\n");
    let rs = "impl<T> Stack<T> {\n    pub fn peek(&self) -> Option<&T> {\n        self.items.first()\n    }\n}\n#[test]\nfn t() {}\n";
    let d = definitions("lib.rs", rs);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].name, "peek");
    assert_eq!(d[0].line, 2);
}

#[test]
fn javascript_functions_and_methods() {
    let js = "export const total = (items) => {\n  return 0;\n};\nclass Cart {\n  add(item) {\n    if (item) {\n      this.items.push(item);\n    }\n  }\n}\n";
    let names: Vec<String> = definitions("cart.js", js)
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["total", "add"]);
}

#[test]
fn diagnosis_decides_the_target() {
    let files = vec![ShownFile {
        path: "c.py".into(),
        content: PY.into(),
    }];
    let t = pick(
        "The cause is that `parse_config` indexes an empty list.",
        "crash on empty input",
        "",
        &files,
    );
    assert_eq!(t[0].name, "parse_config");
}

#[test]
fn rewrite_is_reindented_and_trimmed_to_the_definition() {
    let t = definitions(
        "lib.rs",
        "impl S {\n    pub fn peek(&self) -> Option<&T> {\n        self.items.first()\n    }\n}\n",
    )
    .remove(0);
    let reply = "```rust\npub fn peek(&self) -> Option<&T> {\n    self.items.last()\n}\n\npub fn other() {}\n```";
    let e = edit_for(&t, reply, &["peek".to_string(), "other".to_string()]).unwrap();
    assert_eq!(
        e.replace,
        "    pub fn peek(&self) -> Option<&T> {\n        self.items.last()\n    }\n"
    );
}

#[test]
fn a_new_definition_next_to_the_rewrite_is_kept() {
    let src = "impl S {\n    pub fn len(&self) -> usize {\n        self.items.len()\n    }\n}\n";
    let t = definitions("lib.rs", src).remove(0);
    let reply = "```rust\npub fn len(&self) -> usize {\n    self.items.len()\n}\n\npub fn clear(&mut self) {\n    self.items.clear();\n}\n```";
    let e = edit_for(&t, reply, &["len".to_string()]).unwrap();
    assert_eq!(
        e.replace,
        "    pub fn len(&self) -> usize {\n        self.items.len()\n    }\n\n    pub fn clear(&mut self) {\n        self.items.clear();\n    }\n"
    );
}
