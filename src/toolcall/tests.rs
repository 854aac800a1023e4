//! Unit tests for `toolcall`.

use super::*;
use serde_json::json;

#[test]
fn native_calls() {
    let p = parse("Let me look.\n<tool_call>\n{\"name\": \"read_file\", \"arguments\": {\"path\": \"a.py\"}}\n</tool_call>");
    assert_eq!(
        p.calls,
        vec![ToolCall {
            name: "read_file".into(),
            arguments: json!({"path": "a.py"})
        }]
    );
}

#[test]
fn fenced_and_bare_slips() {
    let p = parse("```json\n{\"name\": \"grep\", \"arguments\": {\"pattern\": \"x\"}}\n```");
    assert_eq!(p.calls[0].name, "grep");
    let p = parse("{\"name\": \"list_files\", \"parameters\": {}}");
    assert_eq!(p.calls[0].name, "list_files");
}

#[test]
fn string_arguments_and_unclosed_tag() {
    let p =
        parse("<tool_call>{\"name\": \"grep\", \"arguments\": \"{\\\"pattern\\\": \\\"y\\\"}\"}");
    assert_eq!(p.calls[0].arguments, json!({"pattern": "y"}));
}

#[test]
fn malformed_is_an_error() {
    let p = parse("<tool_call>{\"name\": \"grep\", \"arguments\": {</tool_call>");
    assert!(p.calls.is_empty());
    assert_eq!(p.errors.len(), 1);
}

#[test]
fn display_filter_holds_partial_tags() {
    let mut f = DisplayFilter::default();
    let mut out = f.push("hello <tool");
    out += &f.push("_call>{\"name\":1}</tool_call> bye <");
    out += &f.finish();
    assert_eq!(out, "hello  bye <");
}
