//! Unit tests for `openai`: the stream assembler.

use super::*;

fn stream(deltas: &[&str], stops: &[&str]) -> (String, bool) {
    let mut reply = Reply::default();
    let mut stopped = false;
    for d in deltas {
        let event = json!({"choices": [{"delta": {"content": d}, "finish_reason": null}]});
        if reply.absorb(&event, stops, &mut |_| Flow::Continue) == Flow::Stop {
            stopped = true;
            break;
        }
    }
    (reply.into_text(), stopped)
}

#[test]
fn a_stop_string_ends_the_reply_and_stays_in_it_even_across_deltas() {
    let (text, stopped) = stream(&["The cause is x.\n`", "``python\nprint(1)"], &["```"]);
    assert!(stopped);
    assert_eq!(text, "The cause is x.\n```");
}

#[test]
fn a_stop_string_opening_the_reply_does_not_count() {
    // Without prefill the model opens the code block itself; the closing fence ends it.
    let (text, stopped) = stream(
        &["\n```py", "thon\ndef f():\n    return 1\n``", "`\nmore"],
        &["```"],
    );
    assert!(stopped);
    assert_eq!(text, "\n```python\ndef f():\n    return 1\n```");
}

#[test]
fn native_tool_calls_become_cria_markup() {
    let mut reply = Reply::default();
    for event in [
        json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"name": "grep", "arguments": "{\"pat"}}]}}]}),
        json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"arguments": "tern\": \"x\"}"}}]}, "finish_reason": "tool_calls"}]}),
    ] {
        reply.absorb(&event, &[], &mut |_| Flow::Continue);
    }
    assert_eq!(reply.finish.as_deref(), Some("tool_calls"));
    let calls = crate::toolcall::parse(&reply.into_text()).calls;
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].name, "grep");
    assert_eq!(calls[0].arguments["pattern"], "x");
}
