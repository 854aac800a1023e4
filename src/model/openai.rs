//! A backend for any server that speaks OpenAI's Chat Completions API with streaming
//! (llama.cpp's llama-server, vLLM, Ollama, LM Studio, hosted APIs): the same agent, tools and
//! events as the embedded engine.
//!
//! Requests stream (SSE). Native tool calls are turned into cria's own `<tool_call>` markup in
//! the reply text, so the agent parses one format whatever the server does; tool results go back
//! as user messages (a server that returns tools as plain text is handled by the same parser).
//! Stop strings are applied here, not by the server, so the reply keeps them as the embedded
//! backend's does. A 429, a 5xx, a dropped or stalled stream is retried with backoff; a reply is
//! returned only when the stream ended properly, so nothing is ever executed from a truncated
//! response.

use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::{past, Backend, BackendError, Completion, Flow, Piece, Request};
use crate::protocol::{Message, Role};

#[derive(Debug, Clone)]
pub struct OpenAiOptions {
    /// The API base (`http://host:8080/v1`) or the full `/chat/completions` URL.
    pub endpoint: String,
    pub api_key: Option<String>,
    /// The `model` field sent; some servers need it, llama-server ignores it.
    pub model_name: Option<String>,
    /// How long the server may stay silent (before the first byte, or between two).
    pub timeout: Duration,
    /// Attempts after the first for a 429, a 5xx or a broken stream.
    pub retries: usize,
    /// The context window when the server does not report one.
    pub fallback_ctx: usize,
}

pub struct OpenAiBackend {
    agent: ureq::Agent,
    opts: OpenAiOptions,
    chat_url: String,
    n_ctx: usize,
    /// The server is llama.cpp's llama-server, which takes a `grammar` with a request.
    takes_grammar: bool,
    /// Backoff before the first retry; doubled each time.
    backoff: Duration,
}

/// Why one attempt failed, and whether another may help.
enum Failure {
    Retry(String),
    Fatal(String),
    /// The request's deadline passed (or will before the server could answer).
    Late,
}

impl OpenAiBackend {
    /// Set up the client and ask the server for its context window.
    pub fn connect(opts: OpenAiOptions) -> Result<OpenAiBackend, BackendError> {
        let endpoint = opts.endpoint.trim_end_matches('/').to_string();
        if !(endpoint.starts_with("http://") || endpoint.starts_with("https://")) {
            return Err(BackendError::Endpoint(format!(
                "--endpoint must be an http:// or https:// URL, not `{endpoint}`"
            )));
        }
        let (base, chat_url) = match endpoint.strip_suffix("/chat/completions") {
            Some(base) => (base.to_string(), endpoint.clone()),
            None => (endpoint.clone(), format!("{endpoint}/chat/completions")),
        };
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(Duration::from_secs(15)))
            .timeout_recv_response(Some(opts.timeout))
            .timeout_per_read(Some(opts.timeout))
            .build()
            .into();
        let mut backend = OpenAiBackend {
            agent,
            chat_url,
            n_ctx: opts.fallback_ctx,
            takes_grammar: false,
            opts,
            backoff: Duration::from_millis(500),
        };
        backend.probe(&base);
        Ok(backend)
    }

    /// Ask the server what it is: its context window (vLLM's `max_model_len` in /models,
    /// llama-server's `n_ctx` in /props) and whether it is llama-server (its /props).
    fn probe(&mut self, base: &str) {
        let get = |url: &str| -> Option<Value> {
            let mut req = self
                .agent
                .get(url)
                .config()
                .timeout_global(Some(Duration::from_secs(5)))
                .build();
            if let Some(key) = &self.opts.api_key {
                req = req.header("Authorization", format!("Bearer {key}"));
            }
            let mut resp = req.call().ok()?;
            if resp.status().as_u16() != 200 {
                return None;
            }
            serde_json::from_str(&resp.body_mut().read_to_string().ok()?).ok()
        };
        let from_models = get(&format!("{base}/models"))
            .and_then(|models| models.pointer("/data/0/max_model_len")?.as_u64());
        let root = base.strip_suffix("/v1").unwrap_or(base);
        let llama_server = match from_models {
            Some(_) => None,
            None => get(&format!("{root}/props"))
                .and_then(|props| props.get("default_generation_settings").cloned()),
        };
        if let Some(settings) = &llama_server {
            self.takes_grammar = true;
            if let Some(n) = settings.get("n_ctx").and_then(Value::as_u64) {
                self.n_ctx = n as usize;
            }
        }
        if let Some(n) = from_models {
            self.n_ctx = n as usize;
        }
    }

    /// The request's body; `extras` adds what not every server accepts (`tools`, `grammar`).
    fn body(&self, request: &Request<'_>, extras: bool) -> Value {
        let messages: Vec<Value> = request.messages.iter().map(wire_message).collect();
        let mut body = json!({
            "model": self.opts.model_name.clone().unwrap_or_else(|| "default".into()),
            "messages": messages,
            "stream": true,
            "stream_options": {"include_usage": true},
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "seed": request.seed,
        });
        let Some(fields) = body.as_object_mut() else {
            return body;
        };
        // A reply with a grammar is code only (llama-server refuses a grammar beside `tools`).
        match self.grammar(request).filter(|_| extras) {
            Some(grammar) => {
                fields.insert("grammar".into(), Value::String(grammar));
            }
            None if extras && !request.tools.is_empty() => {
                fields.insert("tools".into(), Value::Array(request.tools.to_vec()));
            }
            None => {}
        }
        body
    }

    /// The request's constraints as a grammar the server enforces, where it takes one.
    fn grammar(&self, request: &Request<'_>) -> Option<String> {
        let head = request.constraints?.code_head.as_deref()?;
        self.takes_grammar
            .then(|| super::constrain::gbnf::rewrite(head))
    }

    /// One request and its stream. With a deadline, the whole exchange is given the time left
    /// to it: a server still processing the prompt sends nothing, so no callback could stop it.
    fn attempt(
        &self,
        body: &Value,
        request: &Request<'_>,
        on_piece: &mut dyn FnMut(Piece<'_>) -> Flow,
    ) -> Result<Reply, Failure> {
        let start = Instant::now();
        let deadline = request.deadline;
        let mut req = self
            .agent
            .post(&self.chat_url)
            .header("Content-Type", "application/json")
            .header("Accept", "text/event-stream");
        if let Some(deadline) = deadline {
            let left = deadline.saturating_duration_since(start);
            if left.is_zero() {
                return Err(Failure::Late);
            }
            req = req.config().timeout_global(Some(left)).build();
        }
        if let Some(key) = &self.opts.api_key {
            req = req.header("Authorization", format!("Bearer {key}"));
        }
        let resp = req.send(body.to_string()).map_err(|e| {
            if past(deadline) {
                return Failure::Late;
            }
            let why = format!("request to {}: {e}", self.chat_url);
            // Only what can change by waiting is worth another try; a URL or TLS problem
            // is the same next time.
            match e {
                ureq::Error::Io(_)
                | ureq::Error::Timeout(_)
                | ureq::Error::ConnectionFailed
                | ureq::Error::HostNotFound
                | ureq::Error::BodyStalled => Failure::Retry(why),
                _ => Failure::Fatal(why),
            }
        })?;
        let status = resp.status().as_u16();
        if status != 200 {
            let text = resp
                .into_body()
                .read_to_string()
                .unwrap_or_default()
                .chars()
                .take(400)
                .collect::<String>();
            let why = format!("the server answered {status}: {}", text.trim());
            return Err(if status == 429 || status >= 500 {
                Failure::Retry(why)
            } else {
                Failure::Fatal(why)
            });
        }
        let reader = BufReader::new(resp.into_body().into_reader());
        let mut reply = Reply::default();
        for line in reader.lines() {
            let line = line.map_err(|e| {
                if past(deadline) {
                    Failure::Late
                } else {
                    Failure::Retry(format!("the stream broke: {e}"))
                }
            })?;
            let Some(data) = line.strip_prefix("data:").map(str::trim) else {
                continue;
            };
            if data == "[DONE]" {
                reply.done = true;
                break;
            }
            let event: Value = serde_json::from_str(data)
                .map_err(|e| Failure::Retry(format!("a malformed stream event ({e})")))?;
            if let Some(err) = event.get("error") {
                return Err(Failure::Fatal(format!("the server reported: {err}")));
            }
            if reply.first_at.is_none() {
                reply.first_at = Some(start.elapsed().as_secs_f64());
            }
            if reply.absorb(&event, request.stop_after, on_piece) == Flow::Stop {
                reply.done = true;
                break;
            }
        }
        if !reply.done && reply.finish.is_none() {
            return Err(Failure::Retry(
                "the server closed the stream before the reply ended".into(),
            ));
        }
        reply.seconds = start.elapsed().as_secs_f64();
        Ok(reply)
    }
}

/// A message as the wire wants it: tool results become user turns (any server accepts them;
/// native `tool` messages need call ids the text-based history does not keep).
fn wire_message(m: &Message) -> Value {
    match m.role {
        Role::System => json!({"role": "system", "content": m.content}),
        Role::User => json!({"role": "user", "content": m.content}),
        Role::Assistant => json!({"role": "assistant", "content": m.content}),
        Role::Tool => json!({
            "role": "user",
            "content": format!("<tool_response>\n{}\n</tool_response>", m.content),
        }),
    }
}

/// What a stream has delivered so far.
#[derive(Default)]
struct Reply {
    text: String,
    /// Native tool calls by index: (name, arguments as streamed).
    calls: Vec<(String, String)>,
    finish: Option<String>,
    done: bool,
    prompt_tokens: Option<usize>,
    cached_tokens: Option<usize>,
    completion_tokens: Option<usize>,
    first_at: Option<f64>,
    seconds: f64,
}

impl Reply {
    fn absorb(
        &mut self,
        event: &Value,
        stop_after: &[&str],
        on_piece: &mut dyn FnMut(Piece<'_>) -> Flow,
    ) -> Flow {
        if let Some(usage) = event.get("usage").filter(|u| u.is_object()) {
            let n = |v: &Value| v.as_u64().map(|n| n as usize);
            let field = |path: &str| usage.pointer(path).and_then(n);
            self.prompt_tokens = field("/prompt_tokens");
            self.completion_tokens = field("/completion_tokens");
            self.cached_tokens = field("/prompt_tokens_details/cached_tokens");
        }
        let Some(choice) = event["choices"].get(0) else {
            return Flow::Continue;
        };
        if let Some(f) = choice["finish_reason"].as_str() {
            self.finish = Some(f.to_string());
        }
        let delta = &choice["delta"];
        for call in delta["tool_calls"].as_array().into_iter().flatten() {
            let i = call["index"].as_u64().unwrap_or(0) as usize;
            if self.calls.len() <= i {
                self.calls.resize(i + 1, (String::new(), String::new()));
            }
            let Some((name, args)) = self.calls.get_mut(i) else {
                continue;
            };
            if let Some(part) = call.pointer("/function/name").and_then(Value::as_str) {
                name.push_str(part);
            }
            if let Some(part) = call.pointer("/function/arguments").and_then(Value::as_str) {
                args.push_str(part);
            }
        }
        let Some(piece) = delta["content"].as_str().filter(|s| !s.is_empty()) else {
            return Flow::Continue;
        };
        let before = self.text.len();
        self.text.push_str(piece);
        // Stop strings end the reply here, and stay in it (as with the embedded engine). One at
        // the very start does not count: without prefill, the model opens the code block the
        // embedded engine would have opened for it (a rewrite stops at "```").
        let lead = self.text.len() - self.text.trim_start().len();
        let cut = super::runaway::stop_cut(&self.text, before, stop_after, lead + 1);
        // A looping reply ends too, keeping one copy of what it repeats.
        let cut = cut.or_else(|| super::runaway::loop_cut(&self.text).map(|k| k.max(before)));
        if let Some(end) = cut.filter(|&e| self.text.is_char_boundary(e)) {
            self.text.truncate(end);
        }
        let flow = on_piece(Piece::Text(self.text.get(before..).unwrap_or_default()));
        if cut.is_some() {
            Flow::Stop
        } else {
            flow
        }
    }

    /// The reply as cria's agent reads it: text, then each native call in `<tool_call>` markup.
    fn into_text(mut self) -> String {
        for (name, args) in std::mem::take(&mut self.calls) {
            let arguments: Value = serde_json::from_str(&args).unwrap_or(Value::String(args));
            let call = json!({"name": name, "arguments": arguments});
            self.text.push_str(&format!(
                "\n{}\n{call}\n{}",
                crate::toolcall::OPEN,
                crate::toolcall::CLOSE
            ));
        }
        self.text
    }
}

impl Backend for OpenAiBackend {
    fn name(&self) -> String {
        self.opts
            .model_name
            .clone()
            .unwrap_or_else(|| self.opts.endpoint.clone())
    }

    fn context_window(&self) -> usize {
        self.n_ctx
    }

    /// A rewrite's shape, as a grammar, where the server is llama-server. SEARCH lines and tool
    /// call arguments are spans in free text, which no server constrains.
    fn constrains(&self) -> super::constrain::Enforced {
        super::constrain::Enforced {
            code_head: self.takes_grammar,
            ..Default::default()
        }
    }

    /// An estimate: the server's tokenizer is remote.
    fn count_tokens(&mut self, text: &str) -> usize {
        super::estimate_tokens(text)
    }

    fn complete(
        &mut self,
        request: &Request<'_>,
        on_piece: &mut dyn FnMut(Piece<'_>) -> Flow,
    ) -> Result<Completion, BackendError> {
        let mut extras = true;
        let mut backoff = self.backoff;
        let mut errors = Vec::new();
        let mut attempt = 0;
        let reply = loop {
            let body = self.body(request, extras);
            match self.attempt(&body, request, on_piece) {
                Ok(reply) => break reply,
                Err(Failure::Late) => return Err(BackendError::OutOfTime),
                // A server that rejects the `tools` field (or the grammar) still gets the text
                // protocol, unconstrained.
                Err(Failure::Fatal(why)) if extras && why.contains("400") => {
                    extras = false;
                    errors.push(why);
                }
                Err(Failure::Fatal(why)) => return Err(BackendError::Endpoint(why)),
                Err(Failure::Retry(why)) => {
                    errors.push(why);
                    attempt += 1;
                    if attempt > self.opts.retries {
                        return Err(BackendError::Endpoint(format!(
                            "{} failed after {attempt} attempts: {}",
                            self.chat_url,
                            errors.join("; ")
                        )));
                    }
                    std::thread::sleep(backoff);
                    backoff *= 2;
                }
            }
        };
        let prompt_estimate: usize = request
            .messages
            .iter()
            .map(|m| self.count_tokens(&m.content) + 4)
            .sum();
        let prompt_tokens = reply.prompt_tokens.unwrap_or(prompt_estimate);
        let reused_tokens = reply.cached_tokens.unwrap_or(0).min(prompt_tokens);
        let prefill_seconds = reply.first_at.unwrap_or(0.0);
        let seconds = reply.seconds;
        let text = reply.completion_tokens;
        let body = reply.into_text();
        let generated_tokens = text.unwrap_or_else(|| super::estimate_tokens(&body));
        Ok(Completion {
            text: body,
            prompt_tokens,
            reused_tokens,
            generated_tokens,
            prefill_seconds,
            seconds,
        })
    }
}

#[cfg(test)]
#[path = "openai_tests.rs"]
mod tests;
