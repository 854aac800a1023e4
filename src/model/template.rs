//! Rendering a conversation into a prompt with the model's own Jinja chat template (from the GGUF),
//! tools included, so the model sees exactly the format it was trained on.
//!
//! Templates are written for Python's Jinja2 as HF transformers runs it: string methods
//! (`.strip()`, `.startswith()`) come from minijinja-contrib's pycompat, and `tojson` is replaced
//! by one that prints like Python's `json.dumps` (`", "` and `": "` separators, no HTML escaping).
//! A model without a template gets ChatML.

use minijinja::{Environment, Error, ErrorKind, Value};
use serde::Serialize;

use crate::protocol::{Message, Role};

const CHATML: &str = "{% for message in messages %}<|im_start|>{{ message.role }}\n{{ message.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

/// A template that does not compile, or fails while rendering (it may `raise_exception`).
#[derive(Debug, thiserror::Error)]
#[error("{0:#}")]
pub struct TemplateError(#[from] Error);

pub struct ChatTemplate {
    env: Environment<'static>,
    /// Whether the template renders `tools` itself.
    pub renders_tools: bool,
    pub bos_token: String,
    pub eos_token: String,
}

#[derive(Serialize)]
struct TemplateMessage<'a> {
    role: &'static str,
    content: &'a str,
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::System => "system",
        Role::User => "user",
        Role::Assistant => "assistant",
        Role::Tool => "tool",
    }
}

/// `json.dumps` as Python prints it: `{"a": 1, "b": [1, 2]}`.
struct PythonJson;

/// Python separates items with `", "` (serde_json's compact form has no space).
fn separator<W: ?Sized + std::io::Write>(w: &mut W, first: bool) -> std::io::Result<()> {
    if first {
        Ok(())
    } else {
        w.write_all(b", ")
    }
}

impl serde_json::ser::Formatter for PythonJson {
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        separator(w, first)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        separator(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }
}

pub fn python_json(value: &impl Serialize) -> String {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, PythonJson);
    if value.serialize(&mut ser).is_err() {
        return "null".into();
    }
    String::from_utf8(out).unwrap_or_default()
}

fn tojson(value: Value, _kwargs: minijinja::value::Kwargs) -> Result<Value, Error> {
    let json = serde_json::to_value(&value)
        .map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))?;
    Ok(Value::from_safe_string(python_json(&json)))
}

fn raise_exception(msg: String) -> Result<Value, Error> {
    Err(Error::new(ErrorKind::InvalidOperation, msg))
}

impl ChatTemplate {
    /// Build from the GGUF's template source (or ChatML when there is none).
    pub fn new(source: Option<String>, bos: &str, eos: &str) -> Result<Self, TemplateError> {
        let source = source.unwrap_or_else(|| CHATML.to_string());
        let renders_tools = source.contains("tools");
        let mut env = Environment::new();
        env.set_unknown_method_callback(minijinja_contrib::pycompat::unknown_method_callback);
        env.add_filter("tojson", tojson);
        env.add_function("raise_exception", raise_exception);
        env.add_function("strftime_now", |_fmt: String| -> Value {
            Value::from("2026-01-01")
        });
        env.set_trim_blocks(false);
        env.add_template_owned("chat", source)?;
        Ok(ChatTemplate {
            env,
            renders_tools,
            bos_token: bos.into(),
            eos_token: eos.into(),
        })
    }

    /// Render `messages`, ending with the assistant's generation prompt.
    pub fn render(
        &self,
        messages: &[Message],
        tools: &[serde_json::Value],
    ) -> Result<String, TemplateError> {
        let mut messages: Vec<Message> = messages.to_vec();
        if !tools.is_empty() && !self.renders_tools {
            describe_tools_in_system(&mut messages, tools);
        }
        let msgs: Vec<TemplateMessage> = messages
            .iter()
            .map(|m| TemplateMessage {
                role: role_name(m.role),
                content: &m.content,
            })
            .collect();
        let tools_value = if tools.is_empty() || !self.renders_tools {
            Value::from(())
        } else {
            Value::from_serialize(tools)
        };
        let template = self.env.get_template("chat")?;
        let prompt = template.render(minijinja::context! {
            messages => msgs,
            tools => tools_value,
            add_generation_prompt => true,
            bos_token => self.bos_token.clone(),
            eos_token => self.eos_token.clone(),
        })?;
        Ok(prompt)
    }
}

/// For templates without tool support: describe the tools in the system message, in the
/// `<tool_call>` convention the parser reads.
fn describe_tools_in_system(messages: &mut Vec<Message>, tools: &[serde_json::Value]) {
    let mut text = String::from(
        "\n\n# Tools\nTo call a tool, write exactly:\n<tool_call>\n{\"name\": \"TOOL\", \"arguments\": {...}}\n</tool_call>\nAvailable tools:\n",
    );
    for t in tools {
        text.push_str(&python_json(t));
        text.push('\n');
    }
    match messages.first_mut() {
        Some(m) if m.role == Role::System => m.content.push_str(&text),
        _ => messages.insert(0, Message::system(text.trim_start().to_string())),
    }
}

#[cfg(test)]
#[path = "template_tests.rs"]
mod tests;
