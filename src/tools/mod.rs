//! The tools the model may call. Each is described to the model by a JSON file in `tools/`
//! (name, description, JSON-schema parameters) and implemented here. A bad call is an error the
//! model can act on, never a crash.

mod fs_tools;
pub mod grep;
mod shell;

use std::time::Duration;

use serde_json::Value;

use crate::edit::{self, parse::SearchReplaceBlock, ApplyReport, Edit};
use crate::protocol::{TestRun, ToolCall};
use crate::sandbox::approval::Decision;
use crate::sandbox::paths::Root;
use crate::sandbox::process::Runner;

/// The specifications exactly as the model is told them.
pub const SPECS: &[(&str, &str)] = &[
    ("read_file", include_str!("../../tools/read_file.json")),
    ("grep", include_str!("../../tools/grep.json")),
    ("list_files", include_str!("../../tools/list_files.json")),
    ("run_tests", include_str!("../../tools/run_tests.json")),
    ("shell", include_str!("../../tools/shell.json")),
    ("edit", include_str!("../../tools/edit.json")),
];

/// Tool specs in the OpenAI function format the chat templates expect.
pub fn specs() -> Vec<Value> {
    SPECS
        .iter()
        .filter_map(|(_, json)| serde_json::from_str::<Value>(json).ok())
        .map(|f| serde_json::json!({"type": "function", "function": f}))
        .collect()
}

/// What the tools need from the session.
pub struct ToolEnv<'a> {
    pub root: &'a Root,
    /// Consulted before any file is edited.
    pub guard: crate::edit::plan::Guard<'a>,
    pub test_cmd: Option<&'a str>,
    pub test_timeout: Duration,
    /// Runs commands, sandboxed as configured.
    pub runner: &'a Runner,
    /// Asked before any command the model chose (not the configured test command).
    pub approve: &'a dyn Fn(&str) -> Decision,
    /// Shown every change set (as a diff) before it is written.
    pub approve_change: &'a dyn Fn(&str) -> Decision,
    pub shell_timeout: Duration,
}

/// The result of one tool call: text for the model plus any side effects the agent reports.
#[derive(Debug, Default)]
pub struct ToolOutput {
    pub ok: bool,
    pub text: String,
    pub edit: Option<ApplyReport>,
    pub tests: Option<TestRun>,
}

impl ToolOutput {
    /// A tool outside this module's set (an MCP server's) answered.
    pub fn succeeded(text: String) -> Self {
        Self::ok(text)
    }

    /// A tool outside this module's set failed, or was not called.
    pub fn failed(text: impl Into<String>) -> Self {
        Self::err(text)
    }

    fn ok(text: String) -> Self {
        ToolOutput {
            ok: true,
            text,
            ..Default::default()
        }
    }
    fn err(text: impl Into<String>) -> Self {
        ToolOutput {
            ok: false,
            text: text.into(),
            ..Default::default()
        }
    }
}

fn str_arg<'v>(args: &'v Value, key: &str) -> Option<&'v str> {
    args.get(key).and_then(Value::as_str)
}

fn usize_arg(args: &Value, key: &str) -> Option<usize> {
    match args.get(key)? {
        Value::Number(n) => n.as_u64().map(|n| n as usize),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Run one tool call.
pub fn run(call: &ToolCall, env: &ToolEnv<'_>) -> ToolOutput {
    let args = &call.arguments;
    if !args.is_object() {
        return ToolOutput::err("arguments must be a JSON object");
    }
    let required = |key: &str| {
        str_arg(args, key)
            .ok_or_else(|| format!("`{}` needs the string argument `{key}`", call.name))
    };
    match call.name.as_str() {
        "read_file" => match required("path") {
            Ok(path) => fs_tools::read_file(
                env.root,
                path,
                usize_arg(args, "start_line"),
                usize_arg(args, "end_line"),
            ),
            Err(e) => ToolOutput::err(e),
        },
        "list_files" => {
            fs_tools::list_files(env.root, str_arg(args, "path"), str_arg(args, "glob"))
        }
        "grep" => match required("pattern") {
            Ok(p) => grep::grep(env.root, p, str_arg(args, "path"), str_arg(args, "glob")),
            Err(e) => ToolOutput::err(e),
        },
        "run_tests" => shell::run_tests(env, str_arg(args, "command")),
        "shell" => match required("command") {
            Ok(command) => shell::shell(env, command),
            Err(e) => ToolOutput::err(e),
        },
        "edit" => {
            let (path, search, replace) =
                match (required("path"), required("search"), required("replace")) {
                    (Ok(p), Ok(s), Ok(r)) => (p, s, r),
                    (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return ToolOutput::err(e),
                };
            let block = SearchReplaceBlock {
                path: path.to_string(),
                search: with_newline(search),
                replace: with_newline(replace),
                index: 1,
                ..Default::default()
            };
            let report = edit::apply_approved(
                env.root,
                &[Edit::Replace(block)],
                env.guard,
                env.approve_change,
            );
            let text = describe_report(&report);
            ToolOutput {
                ok: report.applied(),
                text,
                edit: Some(report),
                tests: None,
            }
        }
        other => ToolOutput::err(format!(
            "unknown tool `{other}`; the tools are: {}",
            SPECS.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
        )),
    }
}

fn with_newline(s: &str) -> String {
    if s.is_empty() || s.ends_with('\n') {
        s.to_string()
    } else {
        format!("{s}\n")
    }
}

/// The model-facing account of an apply: what changed, or why nothing did.
pub fn describe_report(report: &ApplyReport) -> String {
    if !report.failures.is_empty() {
        let mut s = String::from("No edit was applied (all or nothing):\n");
        for f in &report.failures {
            s.push_str("- ");
            s.push_str(f);
            s.push('\n');
        }
        return s;
    }
    let mut s = String::new();
    for c in &report.changes {
        s.push_str(&format!("Edited {}\n", c.rel));
    }
    for n in &report.notes {
        s.push_str(&format!("Note: {n}\n"));
    }
    if s.is_empty() {
        s.push_str("The edit changed nothing (the file already has that content).\n");
    }
    s
}
