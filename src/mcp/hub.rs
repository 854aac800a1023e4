//! The client side: the configured servers, started once a session, and the calls into them.
//!
//! rmcp is async; the hub owns a one-worker tokio runtime (its thread also reads the servers'
//! stdout between calls, so a server that dies is noticed) and the agent blocks on it for each
//! call. Every wait is bounded: the start by `startup_timeout_sec`, a call by `tool_timeout_sec`
//! and the session's cancel flag.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, ContentBlock,
    Implementation, Tool,
};
use rmcp::service::{Peer, RoleClient, RunningService, ServiceError};
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{ConfigureCommandExt, StreamableHttpClientTransport, TokioChildProcess};
use rmcp::ServiceExt;
use serde_json::Value;
use tokio::io::AsyncReadExt;

use super::{qualified, split, ServerConfig, Servers};
use crate::cancel::Cancel;

type Client = RunningService<RoleClient, ClientConfig>;

/// The last bytes a server wrote to stderr, kept to explain its failure.
const STDERR_TAIL: usize = 1_000;

/// The servers of one session.
pub struct Hub {
    runtime: tokio::runtime::Runtime,
    servers: Vec<Server>,
}

struct Server {
    name: String,
    config: ServerConfig,
    state: Mutex<State>,
    stderr: Arc<Mutex<String>>,
}

enum State {
    Running { client: Client, tools: Vec<Tool> },
    Failed(String),
    Off,
}

/// A server's state, as `cria mcp list` and the start-up notes tell it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerState {
    /// Its tools, each with whether it is listed to the model.
    Running(Vec<(String, bool)>),
    Failed(String),
    /// `enabled = false`.
    Off,
}

/// What a server's listed tools cost in every prompt.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ToolCost {
    pub server: String,
    pub tools: usize,
    /// Estimated tokens of their schemas.
    pub tokens: usize,
}

/// Why a call gave no result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    #[error("no MCP tool `{0}`")]
    Unknown(String),
    #[error("the MCP server `{server}` is not running ({why})")]
    NotRunning { server: String, why: String },
    #[error("the MCP server `{server}` stopped during the call{why}; its tools are gone for the rest of this session")]
    Stopped { server: String, why: String },
    #[error("the MCP server `{server}` did not answer within {} s; the call was cancelled", after.as_secs())]
    TimedOut { server: String, after: Duration },
    #[error("cancelled")]
    Cancelled,
    #[error("the MCP server `{server}` refused the call: {message}")]
    Refused { server: String, message: String },
}

/// A call's result, as text for the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub text: String,
    /// The tool said it failed.
    pub is_error: bool,
}

impl Hub {
    /// Start every enabled server in `servers` (at once), in `cwd` unless a server names its own
    /// folder. A server that cannot start is recorded as failed ([`Hub::problems`]); the error
    /// is only that no runtime could be made.
    pub fn start(servers: &Servers, cwd: &Path) -> Result<Hub, std::io::Error> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("cria-mcp")
            .enable_all()
            .build()?;
        let mut hub = Hub {
            runtime,
            servers: Vec::new(),
        };
        let starting: Vec<_> = servers
            .iter()
            .map(|(name, config)| {
                let stderr = Arc::new(Mutex::new(String::new()));
                let task = config.enabled.then(|| {
                    hub.runtime
                        .spawn(connect(config.clone(), cwd.to_path_buf(), stderr.clone()))
                });
                (name.clone(), config.clone(), stderr, task)
            })
            .collect();
        for (name, config, stderr, task) in starting {
            let state = match task {
                None => State::Off,
                Some(task) => match hub.runtime.block_on(task) {
                    Ok(Ok((client, tools))) => State::Running { client, tools },
                    Ok(Err(why)) => State::Failed(with_stderr(why, &stderr)),
                    Err(e) => State::Failed(format!("its start-up task failed: {e}")),
                },
            };
            hub.servers.push(Server {
                name,
                config,
                state: Mutex::new(state),
                stderr,
            });
        }
        Ok(hub)
    }

    /// Every server and its state, by name.
    pub fn states(&self) -> Vec<(String, &ServerConfig, ServerState)> {
        self.servers
            .iter()
            .map(|s| {
                let state = match &*lock(&s.state) {
                    State::Running { tools, .. } => ServerState::Running(
                        tools
                            .iter()
                            .map(|t| (t.name.to_string(), s.config.lists(&t.name)))
                            .collect(),
                    ),
                    State::Failed(why) => ServerState::Failed(why.clone()),
                    State::Off => ServerState::Off,
                };
                (s.name.clone(), &s.config, state)
            })
            .collect()
    }

    /// One line per server that failed, to report once at the start of a session.
    pub fn problems(&self) -> Vec<String> {
        self.states()
            .into_iter()
            .filter_map(|(name, _, state)| match state {
                ServerState::Failed(why) => {
                    Some(format!("MCP server `{name}` is not available: {why}"))
                }
                _ => None,
            })
            .collect()
    }

    /// The tools listed to the model, as OpenAI-style function specs named `server__tool`.
    pub fn specs(&self) -> Vec<Value> {
        self.servers.iter().flat_map(Server::specs).collect()
    }

    /// What each running server's listed tools cost in every prompt.
    pub fn costs(&self) -> Vec<ToolCost> {
        self.servers
            .iter()
            .filter(|s| matches!(*lock(&s.state), State::Running { .. }))
            .map(|s| {
                let specs = s.specs();
                ToolCost {
                    server: s.name.clone(),
                    tools: specs.len(),
                    tokens: specs
                        .iter()
                        .map(|v| crate::model::estimate_tokens(&v.to_string()))
                        .sum(),
                }
            })
            .collect()
    }

    /// The configuration of the server a listed tool belongs to (`None`: not an MCP tool).
    pub fn server_of(&self, name: &str) -> Option<&ServerConfig> {
        let (server, tool) = split(name)?;
        let s = self.servers.iter().find(|s| s.name == server)?;
        s.config.lists(tool).then_some(&s.config)
    }

    /// Call the listed tool `name` (`server__tool`) with `arguments` (a JSON object).
    pub fn call(&self, name: &str, arguments: &Value, cancel: &Cancel) -> Result<Reply, CallError> {
        let unknown = || CallError::Unknown(name.to_string());
        let (server_name, tool) = split(name).ok_or_else(unknown)?;
        let server = self
            .servers
            .iter()
            .find(|s| s.name == server_name && s.config.lists(tool))
            .ok_or_else(unknown)?;
        let peer: Peer<RoleClient> = match &*lock(&server.state) {
            State::Running { client, tools } => {
                if !tools.iter().any(|t| t.name == tool) {
                    return Err(unknown());
                }
                client.peer().clone()
            }
            State::Failed(why) => {
                return Err(CallError::NotRunning {
                    server: server.name.clone(),
                    why: why.clone(),
                })
            }
            State::Off => {
                return Err(CallError::NotRunning {
                    server: server.name.clone(),
                    why: "enabled = false".into(),
                })
            }
        };
        let mut params = CallToolRequestParams::new(tool.to_string());
        params.arguments = arguments.as_object().cloned();
        let limit = server.config.tool_timeout();
        let outcome = self.runtime.block_on(async {
            tokio::select! {
                r = tokio::time::timeout(limit, peer.call_tool(params)) => Some(r),
                () = cancelled(cancel) => None,
            }
        });
        match outcome {
            None => Err(CallError::Cancelled),
            Some(Err(_)) => Err(CallError::TimedOut {
                server: server.name.clone(),
                after: limit,
            }),
            Some(Ok(Ok(result))) => Ok(reply(result)),
            Some(Ok(Err(ServiceError::McpError(e)))) => Err(CallError::Refused {
                server: server.name.clone(),
                message: e.message.to_string(),
            }),
            Some(Ok(Err(e))) if stopped(&peer, &e) => {
                // The stderr reader runs on the runtime's thread: give it a moment to catch up.
                for _ in 0..10 {
                    if !lock(&server.stderr).is_empty() {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                let why = with_stderr(String::new(), &server.stderr);
                let why = if why.is_empty() {
                    String::new()
                } else {
                    format!(" ({why})")
                };
                *lock(&server.state) = State::Failed("it stopped during a call".into());
                Err(CallError::Stopped {
                    server: server.name.clone(),
                    why,
                })
            }
            Some(Ok(Err(e))) => Err(CallError::Refused {
                server: server.name.clone(),
                message: e.to_string(),
            }),
        }
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        // Close each server's stdin and give it a moment to exit; the transport kills it if not.
        for s in &self.servers {
            let state = std::mem::replace(&mut *lock(&s.state), State::Off);
            if let State::Running { client, .. } = state {
                // The timer is made inside the runtime (it needs the runtime's clock).
                let _ = self.runtime.block_on(async {
                    tokio::time::timeout(Duration::from_secs(2), client.cancel()).await
                });
            }
        }
    }
}

impl std::fmt::Debug for Hub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.servers.iter().map(|s| &s.name))
            .finish()
    }
}

impl Server {
    fn specs(&self) -> Vec<Value> {
        let State::Running { tools, .. } = &*lock(&self.state) else {
            return Vec::new();
        };
        tools
            .iter()
            .filter(|t| self.config.lists(&t.name))
            .map(|t| {
                serde_json::json!({"type": "function", "function": {
                    "name": qualified(&self.name, &t.name),
                    "description": t.description.as_deref().unwrap_or(""),
                    "parameters": Value::Object((*t.input_schema).clone()),
                }})
            })
            .collect()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Start one server (or reach it) and list its tools, within its start-up time.
async fn connect(
    config: ServerConfig,
    cwd: std::path::PathBuf,
    stderr: Arc<Mutex<String>>,
) -> Result<(Client, Vec<Tool>), String> {
    let info = ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("cria", env!("CARGO_PKG_VERSION")),
    );
    let limit = config.startup_timeout();
    let start = async {
        let served = match (&config.command, &config.url) {
            (Some(program), _) => {
                let transport = child(&config, program, &cwd, stderr)?;
                info.serve(transport).await
            }
            (None, Some(url)) => {
                let transport = StreamableHttpClientTransport::from_config(http(&config, url)?);
                info.serve(transport).await
            }
            (None, None) => return Err("it has neither `command` nor `url`".to_string()),
        };
        let client = served.map_err(|e| format!("it did not complete the MCP handshake: {e}"))?;
        let tools = client
            .list_all_tools()
            .await
            .map_err(|e| format!("it did not list its tools: {e}"))?;
        Ok((client, tools))
    };
    tokio::time::timeout(limit, start)
        .await
        .map_err(|_| format!("it did not start within {} s", limit.as_secs()))?
}

/// How to reach a streamable-HTTP server: its address, headers and bearer token.
fn http(config: &ServerConfig, url: &str) -> Result<StreamableHttpClientTransportConfig, String> {
    // reqwest is built without a TLS provider of its own: it uses the process's (once set, a
    // second install is refused, which is fine).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut headers = std::collections::HashMap::new();
    for (name, value) in &config.headers {
        let name = http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|e| format!("header `{name}`: {e}"))?;
        let value =
            http::HeaderValue::from_str(value).map_err(|e| format!("header `{name}`: {e}"))?;
        headers.insert(name, value);
    }
    let mut transport =
        StreamableHttpClientTransportConfig::with_uri(url.to_string()).custom_headers(headers);
    if let Some(var) = &config.bearer_token_env_var {
        let token =
            std::env::var(var).map_err(|_| format!("bearer_token_env_var: ${var} is not set"))?;
        transport = transport.auth_header(token);
    }
    Ok(transport)
}

/// Start a stdio server; what it writes to stderr is kept (its tail) in `stderr`.
fn child(
    config: &ServerConfig,
    program: &str,
    cwd: &Path,
    stderr: Arc<Mutex<String>>,
) -> Result<TokioChildProcess, String> {
    let dir = match &config.cwd {
        Some(d) if d.is_relative() => cwd.join(d),
        Some(d) => d.clone(),
        None => cwd.to_path_buf(),
    };
    let command = tokio::process::Command::new(program).configure(|c| {
        c.args(&config.args)
            .envs(&config.env)
            .current_dir(&dir)
            .kill_on_drop(true);
    });
    let (transport, err) = TokioChildProcess::builder(command)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("`{program}` could not be started: {e}"))?;
    if let Some(mut err) = err {
        tokio::spawn(async move {
            let mut buf = [0u8; 512];
            while let Ok(n) = err.read(&mut buf).await {
                let Some(bytes) = buf.get(..n).filter(|b| !b.is_empty()) else {
                    break;
                };
                let mut tail = lock(&stderr);
                tail.push_str(&String::from_utf8_lossy(bytes));
                if tail.len() > 4 * STDERR_TAIL {
                    let keep = crate::sandbox::process::head_tail(&tail, 0, STDERR_TAIL);
                    *tail = keep;
                }
            }
        });
    }
    Ok(transport)
}

/// `why`, followed by what the server last wrote to stderr.
fn with_stderr(why: String, stderr: &Mutex<String>) -> String {
    let tail = lock(stderr);
    let last = tail.trim();
    if last.is_empty() {
        return why;
    }
    let last = crate::sandbox::process::head_tail(last, 0, 300);
    if why.is_empty() {
        format!("it said: {last}")
    } else {
        format!("{why}; it said: {last}")
    }
}

/// Whether the call failed because the server went away. The service notices a closed pipe a
/// moment after the call does, so it is given that moment (which also lets the stderr reader
/// collect the server's last words).
fn stopped(peer: &Peer<RoleClient>, e: &ServiceError) -> bool {
    let closed = matches!(
        e,
        ServiceError::TransportClosed | ServiceError::TransportSend(_)
    );
    for _ in 0..5 {
        std::thread::sleep(Duration::from_millis(60));
        if closed || peer.is_transport_closed() {
            return true;
        }
    }
    false
}

async fn cancelled(cancel: &Cancel) {
    while !cancel.requested() {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The result's content as text: text as it is, other content named, structured content as JSON
/// when there is no text.
fn reply(result: CallToolResult) -> Reply {
    let mut parts: Vec<String> = result
        .content
        .iter()
        .map(|c| match c {
            ContentBlock::Text(t) => t.text.clone(),
            ContentBlock::Image(i) => format!("[an image, {}]", i.mime_type),
            ContentBlock::Audio(a) => format!("[audio, {}]", a.mime_type),
            ContentBlock::Resource(r) => {
                serde_json::to_string(&r.resource).unwrap_or_else(|_| "[a resource]".into())
            }
            ContentBlock::ResourceLink(l) => format!("[a resource: {}]", l.uri),
            _ => "[content of a kind cria does not show]".into(),
        })
        .collect();
    if parts.iter().all(|p| p.trim().is_empty()) {
        if let Some(v) = &result.structured_content {
            parts = vec![v.to_string()];
        }
    }
    Reply {
        text: parts.join("\n"),
        is_error: result.is_error == Some(true),
    }
}
