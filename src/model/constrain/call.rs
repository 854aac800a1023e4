//! The tool-call constraint: once a reply writes `<tool_call>`, the JSON object that follows
//! is `{"name": "<tool>", "arguments": {...}}` in the form the chat templates show, where the
//! tool is one of those offered and the arguments are its own, each of its type, none twice,
//! and the object closes only when the required ones are all there. What follows the object
//! (the closing tag) is free again.

use serde_json::Value;

use super::Step;

pub(super) const MARKER: &[u8] = b"<tool_call>";
const OPEN: &[u8] = b"{\"name\": \"";
const MIDDLE: &[u8] = b"\", \"arguments\": {";
const SEPARATOR: &[u8] = b", \"";

/// A tool as the constraint sees it: its name, and its arguments' names and types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolSchema {
    pub name: String,
    pub arguments: Vec<(String, Kind)>,
    pub required: Vec<String>,
}

/// The argument types a constrained call can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    String,
    Integer,
    Boolean,
}

impl ToolSchema {
    /// From an OpenAI-style function spec (`{"type": "function", "function": {...}}` or the
    /// function alone). `None` when an argument has a type outside [`Kind`], or there are more
    /// than 64: such a tool cannot be constrained.
    pub fn from_spec(spec: &Value) -> Option<ToolSchema> {
        let f = spec.get("function").unwrap_or(spec);
        let name = f.get("name")?.as_str()?.to_string();
        let params = f.get("parameters");
        let mut arguments = Vec::new();
        if let Some(props) = params.and_then(|p| p.get("properties")?.as_object()) {
            for (key, schema) in props {
                let kind = match schema.get("type")?.as_str()? {
                    "string" => Kind::String,
                    "integer" => Kind::Integer,
                    "boolean" => Kind::Boolean,
                    _ => return None,
                };
                arguments.push((key.clone(), kind));
            }
        }
        let required = params
            .and_then(|p| p.get("required")?.as_array())
            .map(|r| {
                r.iter()
                    .filter_map(|v| Some(v.as_str()?.to_string()))
                    .collect()
            })
            .unwrap_or_default();
        (arguments.len() <= 64).then_some(ToolSchema {
            name,
            arguments,
            required,
        })
    }

    /// Every argument `given` (a bit per argument) includes the required ones.
    fn complete(&self, given: u64) -> bool {
        self.required.iter().all(|r| {
            self.arguments
                .iter()
                .position(|(name, _)| name == r)
                .is_some_and(|i| given & (1 << i) != 0)
        })
    }
}

/// Where a call is: `tool` indexes the tools, `given` has a bit per argument already written.
#[derive(Debug, Clone, Default)]
pub(super) enum Call {
    /// Whitespace, then the opening text.
    #[default]
    Before,
    /// `at` bytes of [`OPEN`] written.
    Open(usize),
    /// The tool's name so far.
    Name(Vec<u8>),
    /// `at` bytes of [`MIDDLE`] written.
    Middle { tool: usize, at: usize },
    /// After the arguments' `{` or a value: `}` when complete, else the next argument.
    Next { tool: usize, given: u64 },
    /// `at` bytes of [`SEPARATOR`] (or of its quote alone, first) written.
    Separator { tool: usize, given: u64, at: usize },
    /// An argument's name so far.
    Key {
        tool: usize,
        given: u64,
        typed: Vec<u8>,
    },
    /// `at` bytes of the text between an argument's name and its value written.
    Colon {
        tool: usize,
        given: u64,
        arg: usize,
        at: usize,
    },
    /// Inside a string value; `escape` counts what an escape still needs (1: its letter;
    /// 2..=5: hex digits of `\u`; 6: the second digit after a first `d`, which must keep the
    /// code out of the surrogates D800–DFFF — a parser refuses a lone one, and a character
    /// outside the basic plane can be written as itself).
    Text { tool: usize, given: u64, escape: u8 },
    /// An integer value: whether it began with `-`, the digits written so far, and whether
    /// they are a lone `0` (which no digit may follow).
    Integer {
        tool: usize,
        given: u64,
        negative: bool,
        digits: usize,
        zero: bool,
    },
    /// A boolean value, its word so far.
    Boolean {
        tool: usize,
        given: u64,
        typed: Vec<u8>,
    },
    /// The arguments closed; the outer `}` is next.
    Close,
}

impl Call {
    pub(super) fn allows(&self, tools: &[ToolSchema], piece: &[u8]) -> bool {
        // Most of a call is string text: bytes that neither end nor escape it pass at once.
        if let Call::Text { escape: 0, .. } = self {
            if piece.iter().all(|&b| b >= 0x20 && b != b'"' && b != b'\\') {
                return true;
            }
        }
        let mut copy = self.clone();
        for &b in piece {
            match copy.step(tools, b) {
                Step::Inside => {}
                Step::Done => return true,
                Step::Broken => return false,
            }
        }
        true
    }

    pub(super) fn step(&mut self, tools: &[ToolSchema], b: u8) -> Step {
        match self.next(tools, b) {
            Some(Some(next)) => {
                *self = next;
                Step::Inside
            }
            Some(None) => Step::Done,
            None => Step::Broken,
        }
    }

    /// The state after `b`: `None` when `b` breaks the call, `Some(None)` when it ends it.
    fn next(&mut self, tools: &[ToolSchema], b: u8) -> Option<Option<Call>> {
        let arg_kind = |tool: usize, arg: usize| Some(tools.get(tool)?.arguments.get(arg)?.1);
        Some(Some(match std::mem::take(self) {
            Call::Before if b.is_ascii_whitespace() => Call::Before,
            Call::Before => literal(OPEN, 0, b, Call::Open)?,
            Call::Open(at) if at == OPEN.len() => return Call::Name(Vec::new()).next(tools, b),
            Call::Open(at) => literal(OPEN, at, b, Call::Open)?,
            Call::Name(typed) if b == b'"' => {
                let tool = tools.iter().position(|t| t.name.as_bytes() == typed)?;
                Call::Middle { tool, at: 1 }
            }
            Call::Name(mut typed) => {
                typed.push(b);
                tools
                    .iter()
                    .any(|t| t.name.as_bytes().starts_with(&typed))
                    .then_some(Call::Name(typed))?
            }
            Call::Middle { tool, at } if at == MIDDLE.len() => {
                return Call::Next { tool, given: 0 }.next(tools, b)
            }
            Call::Middle { tool, at } => literal(MIDDLE, at, b, |at| Call::Middle { tool, at })?,
            Call::Next { tool, given } => {
                let schema = tools.get(tool)?;
                match b {
                    b'}' if schema.complete(given) => Call::Close,
                    b'"' if given == 0 => Call::Key {
                        tool,
                        given,
                        typed: Vec::new(),
                    },
                    b',' if given != 0 && unused(schema, given).next().is_some() => {
                        Call::Separator { tool, given, at: 1 }
                    }
                    _ => return None,
                }
            }
            Call::Separator { tool, given, at } if at == SEPARATOR.len() => {
                return Call::Key {
                    tool,
                    given,
                    typed: Vec::new(),
                }
                .next(tools, b)
            }
            Call::Separator { tool, given, at } => {
                literal(SEPARATOR, at, b, |at| Call::Separator { tool, given, at })?
            }
            Call::Key { tool, given, typed } if b == b'"' => {
                let arg = unused(tools.get(tool)?, given)
                    .find(|&(_, name)| name.as_bytes() == typed)?
                    .0;
                Call::Colon {
                    tool,
                    given: given | (1 << arg),
                    arg,
                    at: 0,
                }
            }
            Call::Key {
                tool,
                given,
                mut typed,
            } => {
                typed.push(b);
                unused(tools.get(tool)?, given)
                    .any(|(_, name)| name.as_bytes().starts_with(&typed))
                    .then_some(Call::Key { tool, given, typed })?
            }
            Call::Colon {
                tool,
                given,
                arg,
                at,
            } => {
                let kind = arg_kind(tool, arg)?;
                let colon: &[u8] = if kind == Kind::String { b": \"" } else { b": " };
                if at < colon.len() {
                    literal(colon, at, b, |at| Call::Colon {
                        tool,
                        given,
                        arg,
                        at,
                    })?
                } else {
                    let mut value = match kind {
                        Kind::String => Call::Text {
                            tool,
                            given,
                            escape: 0,
                        },
                        Kind::Integer => Call::Integer {
                            tool,
                            given,
                            negative: false,
                            digits: 0,
                            zero: false,
                        },
                        Kind::Boolean => Call::Boolean {
                            tool,
                            given,
                            typed: Vec::new(),
                        },
                    };
                    return value.next(tools, b);
                }
            }
            Call::Text {
                tool,
                given,
                escape,
            } => match (escape, b) {
                (0, b'"') => Call::Next { tool, given },
                (0, b'\\') => Call::Text {
                    tool,
                    given,
                    escape: 1,
                },
                (0, b) if b >= 0x20 => Call::Text {
                    tool,
                    given,
                    escape: 0,
                },
                (1, b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Call::Text {
                    tool,
                    given,
                    escape: 0,
                },
                (1, b'u') => Call::Text {
                    tool,
                    given,
                    escape: 5,
                },
                (5, b'd' | b'D') => Call::Text {
                    tool,
                    given,
                    escape: 6,
                },
                (6, b'0'..=b'7') => Call::Text {
                    tool,
                    given,
                    escape: 3,
                },
                (2..=5, b) if b.is_ascii_hexdigit() => Call::Text {
                    tool,
                    given,
                    escape: if escape == 2 { 0 } else { escape - 1 },
                },
                _ => return None,
            },
            Call::Integer {
                tool,
                given,
                negative,
                digits,
                zero: zero_so_far,
            } => match b {
                b'-' if digits == 0 && !negative => Call::Integer {
                    tool,
                    given,
                    negative: true,
                    digits: 0,
                    zero: false,
                },
                // JSON has no leading zeros, and `-0` reads back as a float.
                b'0' if digits == 0 && negative => return None,
                b'0'..=b'9' if digits == 1 && zero_so_far => return None,
                // Eighteen digits always fit an i64 (a line number never needs more).
                b'0'..=b'9' if digits >= 18 => return None,
                b'0'..=b'9' => Call::Integer {
                    tool,
                    given,
                    negative,
                    digits: digits + 1,
                    zero: digits == 0 && b == b'0',
                },
                _ if digits > 0 => return Call::Next { tool, given }.next(tools, b),
                _ => return None,
            },
            Call::Boolean {
                tool,
                given,
                mut typed,
            } => {
                if [&b"true"[..], b"false"].contains(&typed.as_slice()) {
                    return Call::Next { tool, given }.next(tools, b);
                }
                typed.push(b);
                (b"true".starts_with(&typed) || b"false".starts_with(&typed))
                    .then_some(Call::Boolean { tool, given, typed })?
            }
            Call::Close if b == b'}' => return Some(None),
            Call::Close => return None,
        }))
    }
}

/// The next state after `b` when `b` is byte `at` of `text`: `make(at + 1)`.
fn literal(text: &[u8], at: usize, b: u8, make: impl FnOnce(usize) -> Call) -> Option<Call> {
    (text.get(at) == Some(&b)).then(|| make(at + 1))
}

/// The tool's arguments not yet given: (index, name).
fn unused(schema: &ToolSchema, given: u64) -> impl Iterator<Item = (usize, &str)> {
    schema
        .arguments
        .iter()
        .enumerate()
        .filter(move |(i, _)| given & (1 << i) == 0)
        .map(|(i, (name, _))| (i, name.as_str()))
}

#[cfg(test)]
#[path = "call_tests.rs"]
mod tests;
