//! `cria serve`: the embedded engine behind an OpenAI-compatible Chat Completions endpoint
//! (`/v1/chat/completions`, streaming or not, with native tool calls; `/v1/models`). One loaded
//! model, its KV prefix cache and disk cache shared by every client — other tools on the machine,
//! or a second `cria --endpoint`. Requests are served one at a time (one context).

use std::io::Write;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use tiny_http::{Header, Method, Response, Server};

use crate::config::{Config, ModelSource};
use crate::exit::ExitCode;
use crate::model::llama::LlamaBackendHandle;
use crate::model::{Backend, Completion, Flow, Piece, Request};
use crate::protocol::Message;
use crate::toolcall::{self, DisplayFilter};

type Shared = Arc<Mutex<LlamaBackendHandle>>;

pub fn run(cfg: &Config, listen: &str) -> ExitCode {
    let ModelSource::Gguf { path, .. } = &cfg.model else {
        eprintln!(
            "cria serve: serves the embedded engine; give --model (not --script or --endpoint)"
        );
        return ExitCode::Usage;
    };
    let kv_cache = (cfg.kv_cache_bytes > 0)
        .then(|| (crate::state::cache_dir().join("kv"), cfg.kv_cache_bytes));
    // The address first: a typo should not cost a model load.
    let server = match Server::http(listen) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cria serve: cannot listen on {listen}: {e}");
            return ExitCode::Usage;
        }
    };
    let backend = match crate::model::open::open_llama(cfg, path, kv_cache) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cria serve: {e}");
            return ExitCode::Backend;
        }
    };
    println!(
        "cria serve: {} on http://{}/v1",
        backend.name(),
        server.server_addr()
    );
    let _ = std::io::stdout().flush();
    let backend: Shared = Arc::new(Mutex::new(backend));
    for request in server.incoming_requests() {
        let backend = Arc::clone(&backend);
        std::thread::spawn(move || handle(request, &backend));
    }
    ExitCode::Fixed
}

fn json_header() -> Header {
    header("application/json")
}

/// A `Content-Type` header. `from_bytes` fails only on bytes a header cannot hold, which these
/// ASCII literals never are.
#[allow(clippy::expect_used)]
fn header(content_type: &'static str) -> Header {
    Header::from_bytes("Content-Type", content_type).expect("an ASCII header")
}

fn reply_json(request: tiny_http::Request, status: u16, body: Value) {
    let response = Response::from_string(body.to_string())
        .with_status_code(status)
        .with_header(json_header());
    let _ = request.respond(response);
}

fn handle(mut request: tiny_http::Request, backend: &Shared) {
    let path = request.url().split('?').next().unwrap_or("").to_string();
    match (request.method(), path.trim_end_matches('/')) {
        (Method::Get, "/v1/models") => {
            let (name, n_ctx) = match backend.lock() {
                Ok(b) => (b.name(), b.context_window()),
                Err(_) => return reply_json(request, 500, error("the engine failed")),
            };
            reply_json(
                request,
                200,
                json!({"object": "list", "data": [
                    {"id": name, "object": "model", "owned_by": "cria", "max_model_len": n_ctx}]}),
            )
        }
        (Method::Post, "/v1/chat/completions") => {
            let mut body = String::new();
            if request.as_reader().read_to_string(&mut body).is_err() {
                return reply_json(request, 400, error("unreadable body"));
            }
            match serde_json::from_str::<Value>(&body) {
                Ok(v) => chat(request, backend, &v),
                Err(e) => reply_json(request, 400, error(&format!("invalid JSON: {e}"))),
            }
        }
        _ => reply_json(request, 404, error(&format!("no route {path}"))),
    }
}

fn error(message: &str) -> Value {
    json!({"error": {"message": message, "type": "invalid_request_error"}})
}

/// The conversation as cria's messages: assistant tool calls back in `<tool_call>` markup.
fn messages(body: &Value) -> Result<Vec<Message>, String> {
    let list = body["messages"]
        .as_array()
        .ok_or("`messages` must be an array")?;
    list.iter()
        .map(|m| {
            let content = match &m["content"] {
                Value::String(s) => s.clone(),
                Value::Array(parts) => parts
                    .iter()
                    .filter_map(|p| p["text"].as_str())
                    .collect::<Vec<_>>()
                    .join(""),
                _ => String::new(),
            };
            Ok(match m["role"].as_str().unwrap_or("") {
                "system" | "developer" => Message::system(content),
                "user" => Message::user(content),
                "tool" => Message::tool(content),
                "assistant" => {
                    let mut text = content;
                    for call in m["tool_calls"].as_array().into_iter().flatten() {
                        let f = &call["function"];
                        let args = f["arguments"]
                            .as_str()
                            .and_then(|a| serde_json::from_str::<Value>(a).ok())
                            .unwrap_or_else(|| f["arguments"].clone());
                        let call = json!({"name": f["name"], "arguments": args});
                        text.push_str(&format!(
                            "\n{}\n{call}\n{}",
                            toolcall::OPEN,
                            toolcall::CLOSE
                        ));
                    }
                    Message::assistant(text)
                }
                other => return Err(format!("unknown role `{other}`")),
            })
        })
        .collect()
}

fn chat(request: tiny_http::Request, backend: &Shared, body: &Value) {
    let history = match messages(body) {
        Ok(m) => m,
        Err(e) => return reply_json(request, 400, error(&e)),
    };
    let tools: Vec<Value> = body["tools"].as_array().cloned().unwrap_or_default();
    let stops: Vec<String> = match &body["stop"] {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|s| s.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    };
    let params = Params {
        max_tokens: body["max_tokens"]
            .as_u64()
            .or(body["max_completion_tokens"].as_u64())
            .unwrap_or(1024) as usize,
        temperature: body["temperature"].as_f64().unwrap_or(0.0) as f32,
        seed: body["seed"].as_u64().unwrap_or(0) as u32,
    };
    if body["stream"].as_bool() != Some(true) {
        let result = generate(backend, &history, &tools, &stops, &params, &mut |_| {
            Flow::Continue
        });
        return match result {
            Ok(c) => {
                let (content, calls) = split_calls(&c.text);
                let mut message = json!({"role": "assistant", "content": content});
                if let (false, Some(fields)) = (calls.is_empty(), message.as_object_mut()) {
                    fields.insert("tool_calls".into(), Value::Array(calls));
                }
                let finish = if message.get("tool_calls").is_some() {
                    "tool_calls"
                } else {
                    "stop"
                };
                reply_json(
                    request,
                    200,
                    json!({"id": "cria", "object": "chat.completion",
                        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                        "usage": usage(&c)}),
                )
            }
            Err(e) => reply_json(request, 500, error(&e)),
        };
    }
    // Streaming: the reply is generated on this thread into a pipe the response reads from.
    let (reader, mut writer) = match std::io::pipe() {
        Ok(p) => p,
        Err(e) => return reply_json(request, 500, error(&e.to_string())),
    };
    let backend = Arc::clone(backend);
    let responder = std::thread::spawn(move || {
        let events = header("text/event-stream");
        let _ = request.respond(Response::new(200.into(), vec![events], reader, None, None));
    });
    let mut filter = DisplayFilter::default();
    let send = |w: &mut std::io::PipeWriter, delta: Value, finish: Option<&str>| {
        let chunk = json!({"id": "cria", "object": "chat.completion.chunk",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]});
        w.write_all(format!("data: {chunk}\n\n").as_bytes()).is_ok()
    };
    send(
        &mut writer,
        json!({"role": "assistant", "content": ""}),
        None,
    );
    let result = {
        let writer = &mut writer;
        generate(&backend, &history, &tools, &stops, &params, &mut |piece| {
            let Piece::Text(text) = piece else {
                return Flow::Continue;
            };
            let shown = filter.push(text);
            if shown.is_empty() || send(writer, json!({"content": shown}), None) {
                Flow::Continue
            } else {
                Flow::Stop // the client went away
            }
        })
    };
    match result {
        Ok(c) => {
            let rest = filter.finish();
            if !rest.is_empty() {
                send(&mut writer, json!({"content": rest}), None);
            }
            let (_, calls) = split_calls(&c.text);
            let finish = if calls.is_empty() {
                "stop"
            } else {
                "tool_calls"
            };
            for (i, call) in calls.into_iter().enumerate() {
                let mut call = call;
                if let Some(fields) = call.as_object_mut() {
                    fields.insert("index".into(), json!(i));
                }
                send(&mut writer, json!({"tool_calls": [call]}), None);
            }
            send(&mut writer, json!({}), Some(finish));
            let tail = json!({"id": "cria", "object": "chat.completion.chunk", "choices": [],
                "usage": usage(&c)});
            let _ = writer.write_all(format!("data: {tail}\n\ndata: [DONE]\n\n").as_bytes());
        }
        Err(e) => {
            let _ = writer.write_all(format!("data: {}\n\n", error(&e)).as_bytes());
        }
    }
    drop(writer);
    let _ = responder.join();
}

struct Params {
    max_tokens: usize,
    temperature: f32,
    seed: u32,
}

fn generate(
    backend: &Shared,
    history: &[Message],
    tools: &[Value],
    stops: &[String],
    p: &Params,
    on_piece: &mut dyn FnMut(Piece<'_>) -> Flow,
) -> Result<Completion, String> {
    let stop_after: Vec<&str> = stops.iter().map(String::as_str).collect();
    let request = Request {
        messages: history,
        tools,
        max_tokens: p.max_tokens,
        temperature: p.temperature,
        seed: p.seed,
        stop_after: &stop_after,
        prefill: "",
        constraints: None,
        deadline: None,
    };
    let mut b = backend
        .lock()
        .map_err(|_| "the engine failed".to_string())?;
    b.complete(&request, on_piece).map_err(|e| e.to_string())
}

/// Reply text without tool-call markup, and the calls in OpenAI's shape.
fn split_calls(text: &str) -> (String, Vec<Value>) {
    let mut filter = DisplayFilter::default();
    let mut content = filter.push(text);
    content.push_str(&filter.finish());
    let calls = toolcall::parse(text)
        .calls
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            json!({"id": format!("call_{i}"), "type": "function",
                "function": {"name": c.name, "arguments": c.arguments.to_string()}})
        })
        .collect();
    (content, calls)
}

fn usage(c: &Completion) -> Value {
    json!({"prompt_tokens": c.prompt_tokens, "completion_tokens": c.generated_tokens,
        "total_tokens": c.prompt_tokens + c.generated_tokens,
        "prompt_tokens_details": {"cached_tokens": c.reused_tokens}})
}
