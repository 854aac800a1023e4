//! Plan mode (`/plan`, `cria fix --plan`): the model may read, grep and list files, and ends
//! with a numbered plan. Nothing is edited and nothing runs; the front end then asks the user to
//! accept the plan, and only an accepted plan goes on to [`super::fix`], as part of the request.

use crate::context::select;
use crate::model::{Backend, BackendError, Flow, Piece, Request};
use crate::protocol::{Event, EventSink, Message, ToolCall, ToolResult};
use crate::tools::{self, ToolEnv};

use super::config::FixConfig;
use super::prompt::sanitize;

const SYSTEM: &str = include_str!("../../prompts/plan.md");

/// The only tools a plan may use.
const READ_ONLY: &[&str] = &["read_file", "grep", "list_files"];

/// Model replies a plan may take, tool calls included.
const MAX_STEPS: usize = 6;

/// Tokens of one planning reply.
const REPLY_TOKENS: usize = 600;

const END_WITH_THE_PLAN: &str = "End your reply with the plan now: `Plan:` and numbered steps, each naming a file and function and what to change there.";

/// A finished plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The reply that holds the plan, as the model wrote it.
    pub text: String,
    pub steps: usize,
}

/// The request a fix is given once `plan` is accepted.
pub fn with_plan(issue: &str, plan: &Plan) -> String {
    format!(
        "{issue}\n\nThe user accepted this plan; carry it out:\n{}",
        plan.text.trim()
    )
}

/// Plan the change `issue` asks for in `cfg.root`.
pub fn plan(
    backend: &mut dyn Backend,
    cfg: &FixConfig,
    issue: &str,
    sink: &mut dyn EventSink,
) -> Result<Plan, BackendError> {
    let specs: Vec<_> = tools::specs()
        .into_iter()
        .filter(|s| {
            let name = s
                .pointer("/function/name")
                .and_then(|n| n.as_str())
                .unwrap_or_default();
            READ_ONLY.contains(&name)
        })
        .collect();
    let selection = {
        let mut count = |t: &str| backend.count_tokens(t);
        select::select(&cfg.root, issue, "", cfg.context_tokens, &mut count)
    };
    let mut messages = vec![
        Message::system(SYSTEM.trim_end()),
        Message::user(sanitize(&format!(
            "# What the user wants\n{issue}\n\n{}",
            selection.render()
        ))),
    ];
    let mut nudged = false;
    for step in 1..=MAX_STEPS {
        let last = step == MAX_STEPS;
        if last {
            messages.push(Message::user(END_WITH_THE_PLAN));
        }
        sink.emit(Event::Status {
            message: format!("model is planning (step {step})"),
            busy: true,
        });
        // The last reply is asked for with no tools: it can only be the plan.
        let offered: &[serde_json::Value] = if last { &[] } else { &specs };
        let reply = ask(backend, cfg, &messages, offered, sink)?;
        messages.push(Message::assistant(reply.clone()));
        let parsed = crate::toolcall::parse(&reply);
        if !parsed.calls.is_empty() && !last {
            for call in parsed.calls {
                let text = read_only(cfg, &call, sink);
                messages.push(Message::tool(sanitize(&text)));
            }
            continue;
        }
        if !has_plan(&reply) && !nudged && !last {
            nudged = true;
            messages.push(Message::user(END_WITH_THE_PLAN));
            continue;
        }
        return Ok(Plan {
            text: plan_part(&reply).to_string(),
            steps: step,
        });
    }
    Err(BackendError::Cancelled)
}

/// One reply, streamed to `sink`.
fn ask(
    backend: &mut dyn Backend,
    cfg: &FixConfig,
    messages: &[Message],
    specs: &[serde_json::Value],
    sink: &mut dyn EventSink,
) -> Result<String, BackendError> {
    let request = Request {
        messages,
        tools: specs,
        max_tokens: REPLY_TOKENS.min(cfg.limits.reply_tokens),
        temperature: 0.0,
        seed: 0,
        stop_after: &[],
        prefill: "",
        constraints: None,
        deadline: None,
    };
    let cancel = &cfg.cancel;
    let mut stream = |piece: Piece<'_>| {
        if cancel.requested() {
            return Flow::Stop;
        }
        if let Piece::Text(text) = piece {
            sink.emit(Event::ModelDelta {
                text: text.to_string(),
            });
        }
        Flow::Continue
    };
    let done = backend.complete(&request, &mut stream)?;
    if cancel.requested() {
        return Err(BackendError::Cancelled);
    }
    sink.emit(Event::ModelDone {
        text: done.text.clone(),
        prompt_tokens: done.prompt_tokens,
        reused_tokens: done.reused_tokens,
        generated_tokens: done.generated_tokens,
        seconds: done.seconds,
    });
    Ok(done.text)
}

/// Run a read-only tool; any other is refused without running.
fn read_only(cfg: &FixConfig, call: &ToolCall, sink: &mut dyn EventSink) -> String {
    sink.emit(Event::ToolCall { call: call.clone() });
    let refuse = |_: &str| Err("nothing runs or changes until the plan is accepted".to_string());
    let (ok, text) = if READ_ONLY.contains(&call.name.as_str()) {
        let guard = |_: &str, _: Option<&[u8]>| Err("planning: nothing is edited".to_string());
        let env = ToolEnv {
            root: &cfg.root,
            guard: &guard,
            test_cmd: None,
            test_timeout: cfg.test_timeout,
            runner: &cfg.runner,
            approve: &refuse,
            approve_change: &refuse,
            shell_timeout: cfg.shell_timeout,
        };
        let out = tools::run(call, &env);
        (out.ok, out.text)
    } else {
        (
            false,
            format!(
                "`{}` is not available while planning: only {} are; nothing runs or changes \
                 until the plan is accepted",
                call.name,
                READ_ONLY.join(", ")
            ),
        )
    };
    sink.emit(Event::ToolResult {
        result: ToolResult {
            name: call.name.clone(),
            ok,
            output: text.clone(),
        },
    });
    text
}

/// Whether `reply` holds numbered (or bulleted) steps.
fn has_plan(reply: &str) -> bool {
    reply.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("1.") || l.starts_with("1)") || l.starts_with("- ") || l.starts_with("* ")
    })
}

/// The reply from its `Plan:` heading on (the whole reply when it has none).
fn plan_part(reply: &str) -> &str {
    let start = reply
        .match_indices("Plan:")
        .chain(reply.match_indices("## Plan"))
        .map(|(i, _)| i)
        .min();
    match start {
        Some(i) => reply.get(i..).unwrap_or(reply),
        None => reply,
    }
    .trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plan_part_starts_at_its_heading() {
        let reply = "The total subtracts.\n\nPlan:\n1. shop/cart.py `total`: multiply\n";
        assert_eq!(plan_part(reply), "Plan:\n1. shop/cart.py `total`: multiply");
        assert!(has_plan(reply));
        assert!(!has_plan("I think the bug is in total."));
        assert_eq!(plan_part("1. a\n2. b"), "1. a\n2. b");
    }
}
