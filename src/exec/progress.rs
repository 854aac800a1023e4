//! Event sinks for headless runs: concise progress lines on stderr, or JSONL on stdout.

use std::io::Write;

use crate::protocol::{Event, EventSink, EVENT_SCHEMA_VERSION};

/// What the agent is doing, one line per step, on stderr; with `verbose`, the model's text as
/// it streams (tool-call markup held back: the calls get their own lines).
pub struct StderrProgress {
    pub verbose: bool,
    pub stream: crate::toolcall::DisplayFilter,
    /// A terminal gets progress redrawn in place; a log gets one line per long step.
    tty: bool,
    last_progress: Option<String>,
}

impl StderrProgress {
    pub fn new(verbose: bool) -> Self {
        use std::io::IsTerminal;
        StderrProgress {
            verbose,
            stream: Default::default(),
            tty: std::io::stderr().is_terminal(),
            last_progress: None,
        }
    }
}

fn first_line(s: &str, max: usize) -> String {
    let line = s
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    if line.chars().count() > max {
        format!("{}…", line.chars().take(max).collect::<String>())
    } else {
        line.to_string()
    }
}

impl EventSink for StderrProgress {
    fn emit(&mut self, event: Event) {
        let mut err = std::io::stderr().lock();
        let _ = match event {
            Event::Status { message, .. } => writeln!(err, "cria: {message}"),
            Event::Progress { what, fraction } => {
                let first = self.last_progress.as_deref() != Some(what.as_str());
                self.last_progress = Some(what.clone());
                let percent = fraction * 100.0;
                match (self.tty, first) {
                    (true, _) if fraction >= 1.0 => writeln!(err, "\rcria: {what} {percent:.0}%"),
                    (true, _) => write!(err, "\rcria: {what} {percent:.0}%"),
                    (false, true) => writeln!(err, "cria: {what}"),
                    (false, false) => Ok(()),
                }
            }
            Event::ModelDelta { text } if self.verbose => {
                write!(err, "{}", self.stream.push(&text))
            }
            Event::ModelDelta { .. } => Ok(()),
            Event::ModelDone {
                text,
                prompt_tokens,
                reused_tokens,
                generated_tokens,
                seconds,
            } => {
                if self.verbose {
                    let _ = writeln!(err, "{}", self.stream.finish());
                }
                let said = first_line(
                    text.split("<<<<<<<")
                        .next()
                        .unwrap_or("")
                        .split("<tool_call>")
                        .next()
                        .unwrap_or(""),
                    100,
                );
                writeln!(
                    err,
                    "  model: {generated_tokens} tokens in {seconds:.1} s (prompt {prompt_tokens}, {reused_tokens} reused){}",
                    if said.is_empty() { String::new() } else { format!(" — {said}") }
                )
            }
            Event::ToolCall { call } => writeln!(err, "  → {} {}", call.name, call.arguments),
            Event::ToolResult { result } => writeln!(
                err,
                "  ← {}{}",
                if result.ok { "" } else { "error: " },
                first_line(&result.output, 120)
            ),
            Event::EditApplied { changes, notes } => {
                for c in &changes {
                    let plus = c
                        .diff
                        .lines()
                        .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
                        .count();
                    let minus = c
                        .diff
                        .lines()
                        .filter(|l| l.starts_with('-') && !l.starts_with("---"))
                        .count();
                    let _ = writeln!(err, "  ✎ edited {} (+{plus} -{minus})", c.path);
                }
                for n in &notes {
                    let _ = writeln!(err, "    note: {n}");
                }
                Ok(())
            }
            Event::ToolCallMalformed { message } => {
                writeln!(
                    err,
                    "  ✗ malformed tool call: {}",
                    first_line(&message, 160)
                )
            }
            Event::EditFailed { message, .. } => {
                writeln!(err, "  ✗ edit refused: {}", first_line(&message, 160))
            }
            Event::TestsRun { run } => writeln!(err, "  ▶ {}", crate::testcmd::summary(&run)),
            Event::Approval { decision } if !decision.approved => writeln!(
                err,
                "  ✗ not approved: {}",
                first_line(decision.reason.as_deref().unwrap_or_default(), 160)
            ),
            // The terminal prompt asks the question itself.
            Event::Approval { .. } | Event::ApprovalRequested { .. } => Ok(()),
            // "showing the model: ..." says it in words.
            Event::Finished { .. }
            | Event::Localized { .. }
            | Event::Context { .. }
            | Event::Suspects { .. } => Ok(()),
        };
    }
}

/// One JSON object per event on stdout, each with `type` and the schema version `v`.
pub struct JsonlSink;

impl EventSink for JsonlSink {
    fn emit(&mut self, event: Event) {
        let mut value = serde_json::to_value(&event).unwrap_or_default();
        if let Some(obj) = value.as_object_mut() {
            obj.insert("v".into(), EVENT_SCHEMA_VERSION.into());
        }
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{value}");
        let _ = out.flush();
    }
}
