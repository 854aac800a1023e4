use proptest::prelude::*;
use serde_json::Value;

use super::super::{first_refused, Constraints, Guide};
use super::*;

fn tools() -> Vec<ToolSchema> {
    crate::tools::specs()
        .iter()
        .map(|s| ToolSchema::from_spec(s).unwrap())
        .collect()
}

fn guide() -> Guide {
    let constraints = Constraints {
        tools: tools(),
        ..Default::default()
    };
    Guide::new(&constraints, "I will read it.\n<tool_call>\n").unwrap()
}

#[test]
fn the_offered_tools_all_have_schemas() {
    let names: Vec<String> = tools().into_iter().map(|t| t.name).collect();
    assert!(names.contains(&"read_file".to_string()), "{names:?}");
    assert_eq!(names.len(), crate::tools::specs().len());
}

#[test]
fn well_formed_calls_pass_and_free_what_follows() {
    for call in [
        r#"{"name": "read_file", "arguments": {"path": "shop/cart.py", "start_line": 30, "end_line": -2}}"#,
        r#"{"name": "grep", "arguments": {"pattern": "def \"total\\b\\u00e9\\uD7FF\\ue000", "glob": "*.py"}}"#,
        r#"{"name": "list_files", "arguments": {}}"#,
        r#"{"name": "shell", "arguments": {"command": "python3 -c 'print(1)'"}}"#,
    ] {
        for size in [1, 2, 5, 300] {
            let mut g = guide();
            assert!(g.constraining());
            assert_eq!(
                first_refused(&mut g, call, size),
                None,
                "{call} in pieces of {size}"
            );
            assert!(!g.constraining(), "{call}: the call is complete");
            assert!(g.allows(b"\n</tool_call> and anything"));
        }
    }
}

#[test]
fn what_breaks_the_schema_is_refused_where_it_starts() {
    for (call, good) in [
        (r#"{"name": "read_files""#, r#"{"name": "read_file"#),
        (
            r#"{"name": "grep", "arguments": {"regex""#,
            r#"{"name": "grep", "arguments": {""#,
        ),
        (
            r#"{"name": "read_file", "arguments": {"path": "a", "start_line": "3"#,
            r#"{"name": "read_file", "arguments": {"path": "a", "start_line": "#,
        ),
        (
            r#"{"name": "read_file", "arguments": {"start_line": 3}}"#,
            r#"{"name": "read_file", "arguments": {"start_line": 3"#,
        ),
        (
            r#"{"name": "grep", "arguments": {"pattern": "a", "pattern": "b"}}"#,
            r#"{"name": "grep", "arguments": {"pattern": "a", "pat"#,
        ),
        (
            r#"{"name": "shell", "arguments": {"command": "a\qb"}}"#,
            r#"{"name": "shell", "arguments": {"command": "a\"#,
        ),
        (
            r#"{"name": "grep", "arguments": {"pattern": "\ud83d\ude00"}}"#,
            r#"{"name": "grep", "arguments": {"pattern": "\ud"#,
        ),
        (
            r#"{"name": "grep", "arguments": {"pattern": "\uD7FF\uDC00"}}"#,
            r#"{"name": "grep", "arguments": {"pattern": "\uD7FF\uD"#,
        ),
        (r#"{"tool": "grep"}"#, r#"{""#),
    ] {
        let mut g = guide();
        assert_eq!(first_refused(&mut g, call, 1), Some(good.len()), "{call}");
    }
}

#[test]
fn a_tool_with_an_unsupported_argument_type_has_no_schema() {
    let spec = serde_json::json!({"name": "t", "parameters": {"type": "object",
        "properties": {"items": {"type": "array"}}}});
    assert_eq!(ToolSchema::from_spec(&spec), None);
}

proptest! {
    /// Whatever the pieces the sampler picks from (here: pieces of well-formed calls and of
    /// noise), a tool call written under the guide parses, names an offered tool, and gives it
    /// only its own arguments, typed, with the required ones.
    #[test]
    fn a_constrained_call_always_parses_against_its_schema(
        picks in proptest::collection::vec((0usize..600, 1usize..10, 0usize..3), 1..200),
    ) {
        let pools = [
            r#"{"name": "read_file", "arguments": {"path": "a.py", "start_line": 12, "end_line": 40}}"#,
            r#"{"name": "grep", "arguments": {"pattern": "x\\ny\"", "path": "src", "glob": "*.rs"}}, "#,
            "\"}{,: -0123456789truefalse\\u00e9x\\ud83d\\uDE00 \n",
        ];
        let mut g = guide();
        let mut call = String::new();
        for (n, len, _) in picks {
            if !g.constraining() {
                break;
            }
            // The n-th allowed piece of this length from any pool (or a byte, when none is).
            let allowed = |len: usize| -> Vec<&[u8]> {
                pools
                    .iter()
                    .flat_map(|p| p.as_bytes().windows(len))
                    .filter(|piece| g.allows(piece))
                    .collect()
            };
            let mut choices = allowed(len);
            if choices.is_empty() {
                choices = allowed(1);
            }
            prop_assert!(!choices.is_empty(), "stuck after {:?}", call);
            let piece = choices[n % choices.len()];
            g.feed(piece);
            call.push_str(std::str::from_utf8(piece).unwrap());
        }
        if !g.constraining() {
            // The call, then whatever free text the last piece carried on with.
            let parsed: Value = serde_json::Deserializer::from_str(&call)
                .into_iter::<Value>()
                .next()
                .unwrap()
                .unwrap();
            let schema = tools().into_iter().find(|t| t.name == parsed["name"]).unwrap();
            let args = parsed["arguments"].as_object().unwrap();
            for (key, value) in args {
                let (_, kind) = schema.arguments.iter().find(|(n, _)| n == key).unwrap();
                let typed = match kind {
                    Kind::String => value.is_string(),
                    Kind::Integer => value.is_i64(),
                    Kind::Boolean => value.is_boolean(),
                };
                prop_assert!(typed, "{key}: {value}");
            }
            for r in &schema.required {
                prop_assert!(args.contains_key(r), "{call} lacks {r}");
            }
        }
    }
}
