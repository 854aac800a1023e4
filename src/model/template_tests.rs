//! Unit tests for `template`.

use super::*;

#[test]
fn python_style_json() {
    let v = serde_json::json!({"a": 1, "b": ["x<y", 2]});
    assert_eq!(python_json(&v), r#"{"a": 1, "b": ["x<y", 2]}"#);
}

#[test]
fn chatml_fallback_describes_tools() {
    let t = ChatTemplate::new(None, "", "").unwrap();
    let tools = vec![serde_json::json!({"type": "function", "function": {"name": "grep"}})];
    let out = t.render(&[Message::user("hi")], &tools).unwrap();
    assert!(out.starts_with("<|im_start|>system\n# Tools"));
    assert!(out.contains("\"name\": \"grep\""));
    assert!(out.ends_with("<|im_start|>assistant\n"));
}
