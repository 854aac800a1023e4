//! One `cria fix` run, as a loop: prompt → generate → parse → execute → append → follow up?
//!
//! Before the first model call the tests run and the likely files are localized and shown.
//! Every applied edit is followed by the tests; an attempt that does not reduce the failures is
//! reverted so the model starts the next one from clean code. The run stops when the tests pass,
//! when the model gives up, or at a limit (steps, identical tool calls, failed edits in a row,
//! wall time), always with a reason.

use std::time::{Duration, Instant};

use super::localize;
use super::prompt::{self, ShownFile};
use super::workspace::Workspace;
use crate::edit::{self, FileChange};
use crate::model::{Backend, BackendError, Flow, Request};
use crate::protocol::{Event, EventSink, Message, Outcome, TestRun, ToolCall, ToolResult};
use crate::sandbox::paths::Root;
use crate::toolcall;
use crate::tools::{self, ToolEnv};

#[derive(Debug, Clone)]
pub struct Limits {
    pub max_steps: usize,
    pub max_identical_calls: usize,
    pub max_failed_edits: usize,
    pub max_wall: Duration,
    pub reply_tokens: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_steps: 10,
            max_identical_calls: 3,
            max_failed_edits: 4,
            max_wall: Duration::from_secs(900),
            reply_tokens: 1024,
        }
    }
}

#[derive(Debug, Clone)]
pub struct FixConfig {
    pub root: Root,
    pub test_cmd: Option<String>,
    pub test_timeout: Duration,
    pub limits: Limits,
    /// Tokens of repository code to show in the first prompt.
    pub context_tokens: usize,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct FixReport {
    pub outcome: Option<Outcome>,
    pub reason: String,
    pub steps: usize,
    pub diff: String,
    pub summary: String,
    pub files_changed: Vec<String>,
    pub tests_before: Option<TestRun>,
    pub tests_after: Option<TestRun>,
    pub tokens_in: usize,
    pub tokens_reused: usize,
    pub tokens_out: usize,
    pub edits_applied: usize,
    pub edits_failed: usize,
    pub seconds: f64,
}

impl FixReport {
    pub fn fixed(&self) -> bool {
        self.outcome == Some(Outcome::Fixed)
    }
}

struct Run<'a> {
    backend: &'a mut dyn Backend,
    cfg: &'a FixConfig,
    sink: &'a mut dyn EventSink,
    history: Vec<Message>,
    work: Workspace,
    report: FixReport,
    start: Instant,
    temperature: f32,
    failed_in_a_row: usize,
    last_failed_edit: Option<String>,
    same_failed_edit: usize,
    last_call: Option<ToolCall>,
    same_call: usize,
    nudges: usize,
    baseline_failures: Option<usize>,
    /// Files the model has seen (shown or read): where plain code blocks are anchored.
    seen: Vec<String>,
    /// Diffs of attempts that applied but did not make the tests pass.
    tried: Vec<String>,
}

enum Next {
    Continue,
    Stop(Outcome, String),
}

/// Fix `issue` in `cfg.root` with `backend`, reporting progress to `sink`.
pub fn fix(
    backend: &mut dyn Backend,
    cfg: &FixConfig,
    issue: &str,
    sink: &mut dyn EventSink,
) -> Result<FixReport, BackendError> {
    let mut run = Run {
        backend,
        cfg,
        sink,
        history: Vec::new(),
        work: Workspace::default(),
        report: FixReport::default(),
        start: Instant::now(),
        temperature: 0.0,
        failed_in_a_row: 0,
        last_failed_edit: None,
        same_failed_edit: 0,
        last_call: None,
        same_call: 0,
        nudges: 0,
        baseline_failures: None,
        seen: Vec::new(),
        tried: Vec::new(),
    };
    let result = run.go(issue);
    let (outcome, reason) = match result {
        Ok(end) => end,
        Err(e) => {
            run.finish(Outcome::NotFixed, format!("model failure: {e}"));
            return Err(e);
        }
    };
    run.finish(outcome, reason);
    Ok(run.report)
}

impl Run<'_> {
    fn emit(&mut self, e: Event) {
        self.sink.emit(e);
    }

    fn status(&mut self, msg: impl Into<String>) {
        self.emit(Event::Status { message: msg.into() });
    }

    fn go(&mut self, issue: &str) -> Result<(Outcome, String), BackendError> {
        let tests = self.cfg.test_cmd.clone().map(|cmd| {
            self.status(format!("running the tests: {cmd}"));
            self.run_tests(&cmd)
        });
        self.baseline_failures = tests.as_ref().and_then(|t| failure_count(&t.output));
        self.report.tests_before = tests.clone();

        self.status("localizing the problem");
        let test_output = tests.as_ref().map(|t| t.output.as_str()).unwrap_or("");
        let ranked = localize::rank(&self.cfg.root, issue, test_output);
        let shown = self.pick_files(&ranked);
        self.seen = shown.iter().map(|f| f.path.clone()).collect();
        let names: Vec<&str> = shown.iter().map(|f| f.path.as_str()).collect();
        self.status(format!("showing the model: {}", names.join(", ")));
        let file_list = edit::plan::list_files(self.cfg.root.path());
        self.history.push(Message::system(prompt::system(&shown)));
        self.history.push(Message::user(sanitize(&prompt::task(issue, tests.as_ref(), &file_list, &shown))));

        loop {
            if self.report.steps >= self.cfg.limits.max_steps {
                return Ok((Outcome::NotFixed, format!("step limit reached ({})", self.cfg.limits.max_steps)));
            }
            if self.start.elapsed() > self.cfg.limits.max_wall {
                return Ok((Outcome::NotFixed, format!("time limit reached ({} s)", self.cfg.limits.max_wall.as_secs())));
            }
            self.report.steps += 1;
            let reply = self.generate()?;
            if let Next::Stop(outcome, why) = self.handle(&reply) {
                return Ok((outcome, why));
            }
        }
    }

    fn pick_files(&mut self, ranked: &[localize::Candidate]) -> Vec<ShownFile> {
        let mut budget = self.cfg.context_tokens;
        let mut shown = Vec::new();
        for c in ranked.iter().take(8) {
            let Ok(bytes) = std::fs::read(self.cfg.root.path().join(&c.path)) else { continue };
            let Ok(text) = edit::text::FileText::decode(&bytes) else { continue };
            let tokens = self.backend.count_tokens(&text.body);
            if tokens <= budget {
                budget -= tokens;
                shown.push(ShownFile { path: c.path.clone(), content: text.body });
            } else if shown.is_empty() {
                // The top file is too large: show its beginning, the model can read on.
                let keep = text.body.len() * budget / tokens.max(1);
                let cut = text.body[..keep.min(text.body.len())].rfind('\n').unwrap_or(0);
                let mut content = text.body[..cut].to_string();
                content.push_str("\n[... truncated: use read_file with start_line to see the rest]\n");
                shown.push(ShownFile { path: c.path.clone(), content });
                break;
            }
            if budget < 200 {
                break;
            }
        }
        shown
    }

    fn generate(&mut self) -> Result<String, BackendError> {
        self.fit_context();
        self.status(format!("model is thinking (step {})", self.report.steps));
        let specs = tools::specs();
        let request = Request {
            messages: &self.history,
            tools: &specs,
            max_tokens: self.cfg.limits.reply_tokens,
            temperature: self.temperature,
            seed: 42 + self.report.steps as u32,
            stop_after: &[toolcall::CLOSE],
        };
        let sink = &mut *self.sink;
        let mut stream = |piece: &str| {
            sink.emit(Event::ModelDelta { text: piece.to_string() });
            Flow::Continue
        };
        let c = self.backend.complete(&request, &mut stream)?;
        self.report.tokens_in += c.prompt_tokens - c.reused_tokens;
        self.report.tokens_reused += c.reused_tokens;
        self.report.tokens_out += c.generated_tokens;
        self.emit(Event::ModelDone {
            text: c.text.clone(),
            prompt_tokens: c.prompt_tokens,
            reused_tokens: c.reused_tokens,
            generated_tokens: c.generated_tokens,
            seconds: c.seconds,
        });
        self.history.push(Message::assistant(c.text.clone()));
        Ok(c.text)
    }

    /// Keep the conversation inside the window: trim the oldest follow-ups' bodies first.
    fn fit_context(&mut self) {
        let window = self.backend.context_window();
        let limit = window.saturating_sub(self.cfg.limits.reply_tokens + 64);
        let mut sizes: Vec<usize> =
            self.history.iter().map(|m| self.backend.count_tokens(&m.content) + 4).collect();
        // The system prompt, the task and the latest two messages always stay whole.
        let mut i = 2;
        while sizes.iter().sum::<usize>() > limit && i + 2 < self.history.len() {
            let m = &mut self.history[i];
            if sizes[i] > 64 && !m.content.starts_with("[trimmed") {
                m.content = format!("[trimmed to save context: {} tokens]", sizes[i]);
                sizes[i] = 12;
            }
            i += 1;
        }
    }

    fn handle(&mut self, reply: &str) -> Next {
        let has_edit_markers = reply.contains("<<<<<<<") || reply.contains(">>>>>>>");
        let strict = match edit::parse_edits(reply) {
            Ok(edits) if !edits.is_empty() => {
                Some(edit::apply_edits(&self.cfg.root, &edits, edit::Mode::CommitUnrecorded))
            }
            Err(e) if has_edit_markers => Some(edit::ApplyReport {
                blocks: 1,
                failures: vec![e.to_string()],
                ..Default::default()
            }),
            _ => None,
        };
        match strict {
            Some(report) if report.applied() => return self.after_edit(report, reply),
            Some(report) => {
                // A malformed block often still holds the corrected code: try reading it plainly.
                let loose = self.loose(reply);
                return self.after_edit(loose.filter(edit::ApplyReport::applied).unwrap_or(report), reply);
            }
            None => {}
        }
        let calls = toolcall::parse(reply);
        if !calls.errors.is_empty() && calls.calls.is_empty() {
            let msg = format!("{}\nWrite tool calls as <tool_call>{{\"name\": \"...\", \"arguments\": {{...}}}}</tool_call>.", calls.errors.join("\n"));
            self.emit(Event::ToolResult { result: ToolResult { name: "?".into(), ok: false, output: msg.clone() } });
            self.history.push(Message::tool(msg));
            return Next::Continue;
        }
        if calls.calls.is_empty() {
            if let Some(report) = self.loose(reply).filter(edit::ApplyReport::applied) {
                return self.after_edit(report, reply);
            }
            return self.no_action();
        }
        for call in calls.calls.into_iter().take(3) {
            if call.name == "read_file" {
                if let Some(p) = call.arguments.get("path").and_then(|p| p.as_str()) {
                    if !self.seen.iter().any(|s| s == p) {
                        self.seen.push(p.to_string());
                    }
                }
            }
            if let Next::Stop(o, why) = self.tool_call(call) {
                return Next::Stop(o, why);
            }
        }
        Next::Continue
    }

    /// The reply's plain code blocks read as edits of the files the model has seen.
    fn loose(&mut self, reply: &str) -> Option<edit::ApplyReport> {
        let files: Vec<(String, String)> = self
            .seen
            .iter()
            .filter_map(|p| {
                let bytes = std::fs::read(self.cfg.root.path().join(p)).ok()?;
                Some((p.clone(), edit::text::FileText::decode(&bytes).ok()?.body))
            })
            .collect();
        let blocks = edit::loose::loose_edits(reply, &files);
        if blocks.is_empty() {
            return None;
        }
        let edits: Vec<edit::Edit> = blocks.into_iter().map(edit::Edit::Replace).collect();
        let mut report = edit::apply_edits(&self.cfg.root, &edits, edit::Mode::CommitUnrecorded);
        report.notes.push("read the reply's code block(s) as the new version of the code they match".into());
        Some(report)
    }

    fn no_action(&mut self) -> Next {
        if !self.work.changes().is_empty() && self.cfg.test_cmd.is_none() {
            return Next::Stop(Outcome::Fixed, "edits applied; the project has no tests to run".into());
        }
        self.nudges += 1;
        if self.nudges > 2 {
            return Next::Stop(Outcome::NotFixed, "the model stopped without producing a fix".into());
        }
        self.history.push(Message::user(prompt::NUDGE));
        Next::Continue
    }

    fn tool_call(&mut self, call: ToolCall) -> Next {
        if self.last_call.as_ref() == Some(&call) {
            self.same_call += 1;
        } else {
            self.same_call = 1;
            self.last_call = Some(call.clone());
        }
        if self.same_call >= self.cfg.limits.max_identical_calls {
            return Next::Stop(
                Outcome::NotFixed,
                format!("the model made the same `{}` call {} times in a row", call.name, self.same_call),
            );
        }
        self.emit(Event::ToolCall { call: call.clone() });
        let env = ToolEnv {
            root: &self.cfg.root,
            test_cmd: self.cfg.test_cmd.as_deref(),
            test_timeout: self.cfg.test_timeout,
        };
        let out = tools::run(&call, &env);
        self.emit(Event::ToolResult {
            result: ToolResult { name: call.name.clone(), ok: out.ok, output: out.text.clone() },
        });
        if let Some(run) = &out.tests {
            self.emit(Event::TestsRun { run: run.clone() });
        }
        if let Some(report) = out.edit {
            let text = serde_json::to_string(&call.arguments).unwrap_or_default();
            return self.after_edit(report, &text);
        }
        self.history.push(Message::tool(sanitize(&out.text)));
        Next::Continue
    }

    fn after_edit(&mut self, report: edit::ApplyReport, reply: &str) -> Next {
        if !report.applied() {
            self.report.edits_failed += 1;
            self.failed_in_a_row += 1;
            self.emit(Event::EditFailed { message: report.failures.join("\n") });
            let key = reply.to_string();
            if self.last_failed_edit.as_deref() == Some(&key) {
                self.same_failed_edit += 1;
            } else {
                self.same_failed_edit = 1;
                self.last_failed_edit = Some(key);
            }
            if self.same_failed_edit >= 3 {
                return Next::Stop(Outcome::NotFixed, "the model repeated the same failing edit 3 times".into());
            }
            if self.failed_in_a_row >= self.cfg.limits.max_failed_edits {
                return Next::Stop(Outcome::NotFixed, format!("{} failed edits in a row", self.failed_in_a_row));
            }
            let mut msg = prompt::edit_failed(&report.failures);
            if self.same_failed_edit == 2 {
                msg = format!("{}\n{msg}", prompt::REPEATED);
            }
            self.temperature = 0.4;
            self.history.push(Message::user(sanitize(&msg)));
            return Next::Continue;
        }
        self.failed_in_a_row = 0;
        self.report.edits_applied += 1;
        self.work.remember(&report.changes);
        let changes: Vec<crate::protocol::FileChange> = report
            .changes
            .iter()
            .map(|c| crate::protocol::FileChange { path: c.rel.clone(), diff: edit::diff::unified(c) })
            .collect();
        self.emit(Event::EditApplied { changes, notes: report.notes.clone() });
        let Some(cmd) = self.cfg.test_cmd.clone() else {
            return Next::Stop(Outcome::Fixed, "edits applied; the project has no tests to run".into());
        };
        let attempt = edit::diff::unified_all(&report.changes);
        if self.tried.contains(&attempt) {
            // The same change again: its result is known, so skip the tests and push harder.
            if let Err(e) = self.work.revert(&self.cfg.root, &report.changes) {
                return Next::Stop(Outcome::NotFixed, format!("could not revert a failed attempt: {e}"));
            }
            self.status("the model repeated an attempt that already failed; reverted");
            let repeats = self.tried.iter().filter(|t| **t == attempt).count();
            self.tried.push(attempt);
            if repeats >= 2 {
                return Next::Stop(Outcome::NotFixed, "the model repeated the same failed fix 3 times".into());
            }
            self.temperature = (self.temperature + 0.3).min(1.0);
            self.history.push(Message::user(prompt::ALREADY_TRIED));
            return Next::Continue;
        }
        let run = self.run_tests(&cmd);
        if run.passed {
            return Next::Stop(Outcome::Fixed, "the tests pass".into());
        }
        let now = failure_count(&run.output);
        let improved = matches!((now, self.baseline_failures), (Some(n), Some(b)) if n < b);
        self.temperature = (self.temperature + 0.3).min(0.9);
        if improved {
            self.baseline_failures = now;
            let shown: Vec<ShownFile> = report
                .changes
                .iter()
                .filter_map(|c| {
                    let content = String::from_utf8(c.after.clone()?).ok()?;
                    Some(ShownFile { path: c.rel.clone(), content })
                })
                .collect();
            self.history.push(Message::user(sanitize(&prompt::still_failing(&run, &shown))));
            return Next::Continue;
        }
        if let Err(e) = self.work.revert(&self.cfg.root, &report.changes) {
            return Next::Stop(Outcome::NotFixed, format!("could not revert a failed attempt: {e}"));
        }
        self.tried.push(attempt);
        // Start over from the original task (its tokens are still in the KV cache) with a note
        // of what failed, rather than letting a small model wade through a growing transcript.
        self.history.truncate(2);
        self.history.push(Message::user(sanitize(&prompt::retry(&self.tried, &run))));
        Next::Continue
    }

    fn run_tests(&mut self, cmd: &str) -> TestRun {
        let run = crate::testcmd::run(cmd, self.cfg.root.path(), self.cfg.test_timeout);
        self.emit(Event::TestsRun { run: run.clone() });
        self.report.tests_after = Some(run.clone());
        run
    }

    fn finish(&mut self, outcome: Outcome, reason: String) {
        let changes: Vec<FileChange> = self.work.changes();
        if let Err(e) = self.work.record(&self.cfg.root) {
            self.status(format!("could not save the undo record: {e}"));
        }
        self.report.files_changed = changes.iter().map(|c| c.rel.clone()).collect();
        self.report.diff = self.work.diff();
        self.report.outcome = Some(outcome);
        self.report.reason = reason.clone();
        self.report.seconds = self.start.elapsed().as_secs_f64();
        self.report.summary = summarize(&self.report);
        self.emit(Event::Finished {
            outcome,
            reason,
            steps: self.report.steps,
            diff: self.report.diff.clone(),
            summary: self.report.summary.clone(),
        });
    }
}

/// Text from files and tools is data: special tokens in it must not reach the tokenizer as
/// control tokens, and `<tool_call>` in a file must not look like a call.
pub fn sanitize(text: &str) -> String {
    text.replace("<|", "<\u{200b}|")
        .replace(toolcall::OPEN, "<tool\u{200b}_call>")
        .replace(toolcall::CLOSE, "</tool\u{200b}_call>")
}

/// Failing tests reported by common runners (pytest, unittest, cargo test, go test), if readable.
pub fn failure_count(output: &str) -> Option<usize> {
    static RES: std::sync::OnceLock<Vec<regex::Regex>> = std::sync::OnceLock::new();
    let res = RES.get_or_init(|| {
        [
            r"(\d+) failed",
            r"(\d+) errors?\b",
            r"failures=(\d+)",
            r"errors=(\d+)",
            r"(?m)^--- FAIL",
        ]
        .iter()
        .filter_map(|r| regex::Regex::new(r).ok())
        .collect()
    });
    let mut total = None;
    for re in res {
        for cap in re.captures_iter(output) {
            let n = cap.get(1).and_then(|m| m.as_str().parse::<usize>().ok()).unwrap_or(1);
            *total.get_or_insert(0) += n;
        }
    }
    total
}

fn summarize(r: &FixReport) -> String {
    let files = if r.files_changed.is_empty() {
        "no files changed".to_string()
    } else {
        format!("changed {}", r.files_changed.join(", "))
    };
    let tests = match (&r.tests_before, &r.tests_after) {
        (Some(b), Some(a)) => format!(
            " Tests (`{}`): {} before, {} after.",
            a.command,
            if b.passed { "passing" } else { "failing" },
            if a.passed { "passing" } else { "failing" }
        ),
        _ => " No test command was found, so the change is unverified.".to_string(),
    };
    let verdict = if r.fixed() { "Fixed" } else { "Not fixed" };
    format!(
        "{verdict}: {}. cria {files} in {} model step(s), {} edit(s) applied and {} refused, {:.0} s.{tests}{}",
        r.reason,
        r.steps,
        r.edits_applied,
        r.edits_failed,
        r.seconds,
        if r.fixed() || r.files_changed.is_empty() { "" } else { " The partial change is kept; `cria undo` reverts it." }
    )
}
