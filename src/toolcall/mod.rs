//! Reading tool calls out of model text.
//!
//! The native form (Qwen's chat template and cria's own fallback) is
//! `<tool_call>{"name": ..., "arguments": {...}}</tool_call>`. Accepted slips, each seen from
//! small models: the JSON inside a ```json fence instead of the tags, a bare JSON object with
//! `name` and `arguments` (or `parameters`), `arguments` given as a JSON string, a missing
//! `</tool_call>` at the end of the reply. A call whose JSON does not parse is returned as an
//! error the agent shows the model. [`DisplayFilter`] streams the text a person should see while
//! holding back anything that may still turn out to be tool-call markup.

use serde_json::Value;

use crate::protocol::ToolCall;

pub const OPEN: &str = "<tool_call>";
pub const CLOSE: &str = "</tool_call>";

/// The tool calls in one reply, in order, and the malformed ones.
#[derive(Debug, Default, PartialEq)]
pub struct Parsed {
    pub calls: Vec<ToolCall>,
    pub errors: Vec<String>,
}

/// Parse every tool call in `text`.
pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    if text.contains(OPEN) {
        let mut rest = text;
        while let Some((_, after_open)) = rest.split_once(OPEN) {
            let (body, next) = after_open.split_once(CLOSE).unwrap_or((after_open, ""));
            match call_from_json(strip_fence(body.trim())) {
                Ok(c) => parsed.calls.push(c),
                Err(e) => parsed
                    .errors
                    .push(format!("could not read the tool call: {e}")),
            }
            rest = next;
        }
        return parsed;
    }
    // Slips: JSON objects that look like calls, fenced or bare.
    for candidate in json_objects(text) {
        if let Ok(call) = call_from_value(candidate) {
            parsed.calls.push(call);
        }
    }
    parsed
}

fn strip_fence(body: &str) -> &str {
    let b = body.trim();
    if let Some(inner) = b.strip_prefix("```") {
        let inner = inner.trim_start_matches(|c: char| c.is_ascii_alphanumeric());
        return inner.trim().trim_end_matches("```").trim();
    }
    b
}

fn call_from_json(body: &str) -> Result<ToolCall, String> {
    let value: Value = match serde_json::from_str(body) {
        Ok(v) => v,
        Err(e) => {
            // Models sometimes add text after the object; take the first object.
            let first = json_objects(body).into_iter().next();
            first.ok_or_else(|| format!("invalid JSON ({e}); write one JSON object"))?
        }
    };
    call_from_value(value)
}

fn call_from_value(value: Value) -> Result<ToolCall, String> {
    let Value::Object(mut map) = value else {
        return Err("a tool call must be a JSON object".into());
    };
    // Some models nest the call as {"function": {...}}.
    if let Some(Value::Object(inner)) = map.remove("function") {
        map = inner;
    }
    let name = match map.get("name") {
        Some(Value::String(n)) if !n.is_empty() => n.clone(),
        _ => return Err("the tool call has no \"name\"".into()),
    };
    let arguments = match map.remove("arguments").or_else(|| map.remove("parameters")) {
        None => Value::Object(Default::default()),
        Some(Value::String(s)) => serde_json::from_str(&s)
            .map_err(|e| format!("\"arguments\" is a string that is not JSON: {e}"))?,
        Some(v) => v,
    };
    if !map.contains_key("arguments") && !arguments.is_object() {
        return Err("\"arguments\" must be a JSON object".into());
    }
    Ok(ToolCall { name, arguments })
}

/// Every top-level JSON object embedded in `text` that has a `name` key.
fn json_objects(text: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find('{') {
        let from_brace = rest.get(at..).unwrap_or_default();
        let mut stream = serde_json::Deserializer::from_str(from_brace).into_iter::<Value>();
        let read = match stream.next() {
            Some(Ok(v)) => {
                if v.get("name").is_some() || v.get("function").is_some() {
                    out.push(v);
                }
                stream.byte_offset().max(1)
            }
            _ => 1,
        };
        // `{` is one byte and a parsed value ends on a character boundary.
        rest = from_brace.get(read..).unwrap_or_default();
    }
    out
}

/// Streams model text for display, hiding `<tool_call>…</tool_call>` spans and holding back a
/// partial `<tool_call` tag until it is known to be something else.
#[derive(Debug, Default)]
pub struct DisplayFilter {
    pending: String,
    inside: bool,
}

impl DisplayFilter {
    /// Feed a piece of model text; returns what may be shown now.
    pub fn push(&mut self, piece: &str) -> String {
        self.pending.push_str(piece);
        let mut shown = String::new();
        loop {
            if self.inside {
                match self.pending.find(CLOSE) {
                    Some(end) => {
                        self.pending.drain(..end + CLOSE.len());
                        self.inside = false;
                    }
                    None => return shown,
                }
            } else if let Some(start) = self.pending.find(OPEN) {
                shown.push_str(self.pending.get(..start).unwrap_or_default());
                self.pending.drain(..start + OPEN.len());
                self.inside = true;
            } else {
                // Keep back a suffix that could be the start of "<tool_call>".
                let keep = (1..OPEN.len())
                    .rev()
                    .find(|&n| OPEN.get(..n).is_some_and(|p| self.pending.ends_with(p)))
                    .unwrap_or(0);
                let cut = self.pending.len() - keep;
                shown.push_str(self.pending.get(..cut).unwrap_or_default());
                self.pending.drain(..cut);
                return shown;
            }
        }
    }

    /// The end of the stream: whatever is held back and was not markup.
    pub fn finish(&mut self) -> String {
        if self.inside {
            self.pending.clear();
        }
        std::mem::take(&mut self.pending)
    }
}

#[cfg(test)]
mod tests;
