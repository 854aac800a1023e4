//! The contract between the agent and its front ends: messages, tool calls, the requests a front
//! end makes ([`Op`]) and the events a run reports ([`Event`]). Nothing here does any work; every front end (stderr progress, JSONL, tests) and every
//! backend speaks these types.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Version of the JSONL event schema written by `--json`.
/// 2: `status.busy`, `edit_failed.kind`, `tool_call_malformed`, `finished.files`, outcome
/// `unverified`. 3: `finished.stop`, the typed reason; `approval` events. 4:
/// `approval_requested` (answered by [`Op::Approve`]). 5: approval subjects `tool` (an MCP
/// server's tool) and `plan`.
pub const EVENT_SCHEMA_VERSION: u32 = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
    Tool,
}

/// One conversation message, kept as the exact text the model saw or produced so that re-rendering
/// the conversation reproduces the same prompt prefix (the KV cache depends on it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ToolCall {
    pub name: String,
    pub arguments: serde_json::Value,
}

/// What a tool answered. `ok == false` means the model should correct itself; it is never fatal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ToolResult {
    pub name: String,
    pub ok: bool,
    pub output: String,
}

/// One file changed by an applied edit, with its unified diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FileChange {
    pub path: String,
    pub diff: String,
}

/// Result of running the project's tests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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

/// Why a run stopped, typed: front ends and scripts match on this, people read its `Display`
/// (the `reason` beside it in reports). Each reason implies one [`Outcome`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StopReason {
    /// The tests pass and a test had shown the bug before: verified.
    TestsPass {
        /// Two failed candidates that changed different files passed together.
        combined: bool,
        /// A test of the issue's own examples passed too.
        examples: bool,
    },
    /// A change was kept but no test command could run.
    NoTests,
    /// The tests pass, but they passed before the change too and nothing reproduced the issue.
    BugNotShown,
    /// The tests pass, but the issue states several cases and no test of them could be written,
    /// so the cases the project's tests miss are unchecked (`why`: what went wrong).
    ExamplesUnchecked {
        why: String,
    },
    /// The tests that showed the bug pass with the change, but the test cria wrote of the
    /// issue's examples (`test`) failed on it and kept failing until the run stopped (`then`):
    /// the change may be incomplete, or the test may expect a wrong value. The test was taken
    /// out; the change that passed the tests is kept.
    OwnTestDisagrees {
        test: String,
        then: String,
    },
    Cancelled,
    StepLimit {
        steps: usize,
    },
    TimeLimit {
        seconds: u64,
    },
    TokenLimit {
        used: usize,
        limit: usize,
    },
    /// The model stopped answering with anything cria could act on.
    ModelStopped,
    SameCall {
        tool: String,
        times: usize,
    },
    SameFailedEdit {
        times: usize,
    },
    SameFailedFix {
        times: usize,
    },
    FailedEdits {
        in_a_row: usize,
    },
    /// The user (or the approval policy) declined every change offered.
    NotApproved {
        why: String,
    },
    RewritesExhausted {
        rewrites: usize,
    },
    /// A failed attempt could not be undone; the run stops rather than build on it.
    RevertFailed {
        why: String,
    },
    /// The model backend failed.
    ModelFailure {
        why: String,
    },
    /// A `UserPromptSubmit` hook refused the request (exit 2); `why` is its stderr.
    HookRefused {
        why: String,
    },
}

impl StopReason {
    pub fn outcome(&self) -> Outcome {
        match self {
            StopReason::TestsPass { .. } => Outcome::Fixed,
            StopReason::NoTests
            | StopReason::BugNotShown
            | StopReason::ExamplesUnchecked { .. }
            | StopReason::OwnTestDisagrees { .. } => Outcome::Unverified,
            _ => Outcome::NotFixed,
        }
    }
}

impl std::fmt::Display for StopReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StopReason::TestsPass { combined, examples } => {
                f.write_str("the tests pass")?;
                if *combined {
                    f.write_str(" (two candidates combined)")?;
                }
                if *examples {
                    f.write_str(", and so does a test of the issue's examples")?;
                }
                Ok(())
            }
            StopReason::NoTests => f.write_str(
                "a change was applied, but no test command could run here, so nothing verified it",
            ),
            StopReason::BugNotShown => f.write_str(
                "the tests pass, but they passed before the change too and no test reproduced \
                 the issue, so nothing shows that the change fixes it",
            ),
            StopReason::ExamplesUnchecked { why } => write!(
                f,
                "the project's tests pass, but the issue states several cases and no test of \
                 them could be written ({why}), so the ones those tests miss are unchecked"
            ),
            StopReason::OwnTestDisagrees { test, then } => write!(
                f,
                "the tests that showed the bug pass with the change, but the test cria wrote of \
                 the issue's examples (`{test}`) still failed when the run stopped ({then}): the \
                 change may be incomplete, or the test may expect a wrong value; the test was \
                 taken out"
            ),
            StopReason::Cancelled => f.write_str("cancelled by the user"),
            StopReason::StepLimit { steps } => write!(f, "step limit reached ({steps})"),
            StopReason::TimeLimit { seconds } => write!(f, "time limit reached ({seconds} s)"),
            StopReason::TokenLimit { used, limit } => {
                write!(f, "token limit reached ({used} of {limit})")
            }
            StopReason::ModelStopped => f.write_str("the model stopped without producing a fix"),
            StopReason::SameCall { tool, times } => {
                write!(
                    f,
                    "the model made the same `{tool}` call {times} times in a row"
                )
            }
            StopReason::SameFailedEdit { times } => {
                write!(f, "the model repeated the same failing edit {times} times")
            }
            StopReason::SameFailedFix { times } => {
                write!(f, "the model repeated the same failed fix {times} times")
            }
            StopReason::FailedEdits { in_a_row } => write!(f, "{in_a_row} failed edits in a row"),
            StopReason::NotApproved { why } => write!(f, "no change was approved: {why}"),
            StopReason::RewritesExhausted { rewrites } => write!(
                f,
                "{rewrites} rewrites of the likely definitions did not fix it"
            ),
            StopReason::RevertFailed { why } => write!(f, "could not undo a failed attempt: {why}"),
            StopReason::ModelFailure { why } => write!(f, "model failure: {why}"),
            StopReason::HookRefused { why } => write!(f, "a hook refused the request: {why}"),
        }
    }
}

/// What was put to the approval policy (or the user).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ApprovalSubject {
    /// A command the model proposes, to run in `dir`.
    Command { command: String, dir: String },
    /// A change set, as a unified diff, before it is written.
    Change { diff: String },
    /// A call of an MCP server's tool (`server__tool`), with its arguments as JSON.
    Tool { name: String, arguments: String },
    /// A plan (`/plan`, `cria fix --plan`): accepted, the fix starts with it.
    Plan { plan: String },
}

/// Who decided an approval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Decider {
    /// `--approval auto|deny` (and the sandbox's state) decided without asking.
    Policy,
    /// The user answered.
    User,
    /// Asking was needed but there was no terminal: refused.
    NoTerminal,
    /// A `PreToolUse` hook the user configured refused it (exit 2).
    Hook,
}

/// One approval decision, as the event stream reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Decision {
    pub subject: ApprovalSubject,
    pub approved: bool,
    pub by: Decider,
    /// Why not, as the model is told (`None` when approved).
    pub reason: Option<String>,
}

/// Why an edit was not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
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
    /// It special-cased a failing test's input to return the expected value; undone.
    HardCoded,
    /// The reply held no new code (a rewrite handed back as it was, the format example copied).
    NoNewCode,
}

/// What a front end asks the engine to do: the one vocabulary of requests, as [`Event`] is of
/// reports. The TUI sends nothing else to its worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// Work on an issue with the agent until it is verified fixed or stops.
    Fix { issue: String },
    /// Plan the change first (read-only tools); the fix starts once the plan is accepted.
    Plan { issue: String },
    /// Run the test command once.
    RunTests,
    /// Revert the last change set.
    Undo,
    /// Report what the first prompt would show for this focus text.
    Context { focus: String },
    /// Load another model (a tier name or a GGUF path).
    LoadModel { spec: String },
    /// Answer the approval question `id` ([`Event::ApprovalRequested`]).
    Approve { id: u64, yes: bool },
    /// Stop the request in progress; what it applied stays undoable.
    Cancel,
}

/// Everything an agent run reports, in order. Front ends render these; nothing else flows out.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
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
    /// The definitions the rewrite stage will ask for, most suspicious first (`path::name`).
    Suspects {
        definitions: Vec<String>,
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
    /// The run waits until the front end answers with [`Op::Approve`] carrying this `id`.
    ApprovalRequested {
        id: u64,
        subject: ApprovalSubject,
    },
    /// A command or change was approved or refused (by the policy or the user).
    Approval {
        decision: Decision,
    },
    Finished {
        outcome: Outcome,
        /// Why it stopped, typed; `reason` is the same in words.
        stop: StopReason,
        reason: String,
        steps: usize,
        /// The files the run changed (and kept), repository-relative.
        files: Vec<String>,
        diff: String,
        summary: String,
    },
}

/// The JSON schema of one `--json` line: an [`Event`], whose `type` names the variant, with
/// the schema version `v` beside it. `docs/events.schema.json` is this, kept current by a test.
pub fn event_schema() -> serde_json::Value {
    let mut event = schemars::schema_for!(Event).to_value();
    let mut take = |key: &str| {
        event
            .as_object_mut()
            .and_then(|fields| fields.remove(key))
            .unwrap_or_default()
    };
    let (dialect, defs) = (take("$schema"), take("$defs"));
    take("title");
    serde_json::json!({
        "$schema": dialect,
        "title": format!("cria event, schema version {EVENT_SCHEMA_VERSION}"),
        "description": "One line of `cria fix --json` (and of the batch and eval logs): an \
            event, tagged by `type`, with the schema version in `v`.",
        "type": "object",
        "properties": { "v": { "const": EVENT_SCHEMA_VERSION } },
        "required": ["v"],
        "allOf": [event],
        "$defs": defs,
    })
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
