//! The contract between the agent and its front ends: messages, tool calls and the events a run
//! reports. Nothing here does any work; every front end (stderr progress, JSONL, tests) and every
//! backend speaks these types.

use serde::{Deserialize, Serialize};

/// Version of the JSONL event schema written by `--json`.
/// 2: `status.busy`, `edit_failed.kind`, `tool_call_malformed`, `finished.files`, outcome
/// `unverified`.
pub const EVENT_SCHEMA_VERSION: u32 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
    Tool,
}

/// One conversation message, kept as the exact text the model saw or produced so that re-rendering
/// the conversation reproduces the same prompt prefix (the KV cache depends on it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

impl Message {
    pub fn new(role: Role, content: impl Into<String>) -> Self {
        Message {
            role,
            content: content.into(),
        }
    }
    pub fn system(content: impl Into<String>) -> Self {
        Self::new(Role::System, content)
    }
    pub fn user(content: impl Into<String>) -> Self {
        Self::new(Role::User, content)
    }
    pub fn assistant(content: impl Into<String>) -> Self {
        Self::new(Role::Assistant, content)
    }
    pub fn tool(content: impl Into<String>) -> Self {
        Self::new(Role::Tool, content)
    }
}

/// A tool call the model asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    pub name: String,
    pub arguments: serde_json::Value,
}

/// What a tool answered. `ok == false` means the model should correct itself; it is never fatal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolResult {
    pub name: String,
    pub ok: bool,
    pub output: String,
}

/// One file changed by an applied edit, with its unified diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileChange {
    pub path: String,
    pub diff: String,
}

/// Result of running the project's tests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestRun {
    pub command: String,
    pub passed: bool,
    pub exit_code: Option<i32>,
    pub timed_out: bool,
    pub seconds: f64,
    /// Head and tail of the combined output, capped.
    pub output: String,
}

/// How a run ended. `Fixed` is a promise: a test failed before cria's change (the project's own,
/// or one cria added that fails for the reported reason) and passes after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A test showed the bug before the change and passes after it.
    Fixed,
    /// A change was kept and the tests pass, but nothing showed the bug before it (no failing
    /// test, no reproduction, or no test command): the change may or may not fix the issue.
    Unverified,
    /// The run ended without a change that made the failing tests pass.
    NotFixed,
}

impl Outcome {
    /// The word a person reads for this outcome.
    pub fn word(self) -> &'static str {
        match self {
            Outcome::Fixed => "Fixed",
            Outcome::Unverified => "Unverified",
            Outcome::NotFixed => "Not fixed",
        }
    }
}

/// Why an edit was not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EditFailure {
    /// It could not be placed: no match, several, a bad path, a malformed block.
    NotApplied,
    /// The user declined it.
    Rejected,
    /// It changed no behaviour (imports, comments or blank space only).
    NoBehaviourChange,
    /// It changed a test that judges the fix; undone.
    ChangedTheJudge,
    /// The reply held no new code (a rewrite handed back as it was, the format example copied).
    NoNewCode,
}

/// Everything an agent run reports, in order. Front ends render these; nothing else flows out.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A phase of work began (loading, localizing, thinking...). `busy`: a long step (the
    /// model generating, the tests running) that front ends show as the current activity.
    Status {
        message: String,
        busy: bool,
    },
    /// Progress of a long step, 0.0..=1.0.
    Progress {
        what: String,
        fraction: f32,
    },
    /// The files the localizer ranked highest for the task, best first.
    Localized {
        files: Vec<String>,
    },
    /// What of the repository the first prompt shows (`context::select`: what `cria context`
    /// prints for the same task).
    Context {
        shown: Vec<crate::context::shown::ShownFile>,
        map: String,
        listed: Vec<String>,
    },
    /// A piece of model output as it streams.
    ModelDelta {
        text: String,
    },
    /// The model finished one reply.
    ModelDone {
        text: String,
        prompt_tokens: usize,
        reused_tokens: usize,
        generated_tokens: usize,
        seconds: f64,
    },
    ToolCall {
        call: ToolCall,
    },
    /// The reply tried to call a tool but the call does not parse; the model is told why.
    ToolCallMalformed {
        message: String,
    },
    ToolResult {
        result: ToolResult,
    },
    EditApplied {
        changes: Vec<FileChange>,
        notes: Vec<String>,
    },
    EditFailed {
        kind: EditFailure,
        message: String,
    },
    TestsRun {
        run: TestRun,
    },
    Finished {
        outcome: Outcome,
        reason: String,
        steps: usize,
        /// The files the run changed (and kept), repository-relative.
        files: Vec<String>,
        diff: String,
        summary: String,
    },
}

/// Where events go. Implemented by each front end.
pub trait EventSink {
    fn emit(&mut self, event: Event);
}

impl<F: FnMut(Event)> EventSink for F {
    fn emit(&mut self, event: Event) {
        self(event)
    }
}
