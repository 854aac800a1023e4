//! The transcript's cells — what the user said, the model's answers, tool calls, changes, test
//! runs, notes and the outcome — and how each is drawn. Cells are data (saved for `--resume`);
//! drawing depends only on the cell, the width, whether details are expanded, and the time.

use std::time::Instant;

use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use serde::{Deserialize, Serialize};

use super::markdown;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeState {
    /// Written to disk by the agent.
    Applied,
    /// Waiting for the user's y/n.
    Proposed,
    Approved,
    Rejected,
    /// `/diff`: everything this session changed.
    Session,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Cell {
    User {
        text: String,
    },
    Assistant {
        text: String,
        #[serde(skip)]
        streaming: bool,
    },
    Tool {
        name: String,
        args: String,
        /// `None` while it runs.
        ok: Option<bool>,
        seconds: Option<f64>,
        output: String,
        #[serde(skip)]
        started: Option<Instant>,
    },
    Change {
        diff: String,
        state: ChangeState,
    },
    Command {
        command: String,
        state: ChangeState,
    },
    Tests {
        command: String,
        passed: bool,
        seconds: f64,
        output: String,
    },
    Note {
        text: String,
    },
    Warning {
        text: String,
    },
    Outcome {
        outcome: crate::protocol::Outcome,
        reason: String,
        summary: String,
    },
}

const SPINNER: &[char] = &['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/// Lines of a tool's output or a diff shown when details are collapsed.
const COLLAPSED_DIFF_LINES: usize = 40;
/// Lines of a tool's output shown when expanded (head and tail beyond that).
const EXPANDED_LINES: usize = 60;

pub fn spinner(now: Instant, since: Instant) -> char {
    let frame = (now.duration_since(since).as_millis() / 100) as usize;
    SPINNER
        .iter()
        .cycle()
        .nth(frame % SPINNER.len())
        .copied()
        .unwrap_or(' ')
}

fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

/// The first non-empty line of `text`, cut to `max` characters.
pub fn first_line(text: &str, max: usize) -> String {
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let line = line.trim();
    if line.chars().count() > max {
        format!("{}…", line.chars().take(max).collect::<String>())
    } else {
        line.to_string()
    }
}

/// A tool call's arguments, compact: `path=src/a.rs start_line=3`.
pub fn compact_args(args: &serde_json::Value) -> String {
    let Some(map) = args.as_object() else {
        return args.to_string();
    };
    map.iter()
        .map(|(k, v)| {
            let v = match v {
                serde_json::Value::String(s) => first_line(s, 60),
                other => other.to_string(),
            };
            format!("{k}={v}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `+a −b` for a unified diff.
pub fn diff_stat(diff: &str) -> String {
    let plus = diff
        .lines()
        .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
        .count();
    let minus = diff
        .lines()
        .filter(|l| l.starts_with('-') && !l.starts_with("---"))
        .count();
    format!("+{plus} −{minus}")
}

/// The files a unified diff touches.
pub fn diff_files(diff: &str) -> Vec<String> {
    diff.lines()
        .filter_map(|l| l.strip_prefix("+++ "))
        .map(|p| p.trim_start_matches("b/").to_string())
        .filter(|p| p != "/dev/null")
        .collect()
}

fn diff_lines(diff: &str, limit: Option<usize>) -> Vec<Line<'static>> {
    let all: Vec<&str> = diff.lines().collect();
    let shown = limit.map_or(all.len(), |n| n.min(all.len()));
    let mut out: Vec<Line<'static>> = all
        .iter()
        .take(shown)
        .map(|l| {
            let style = if l.starts_with("+++") || l.starts_with("---") {
                Style::new().add_modifier(Modifier::BOLD)
            } else if l.starts_with('+') {
                Style::new().fg(Color::Green)
            } else if l.starts_with('-') {
                Style::new().fg(Color::Red)
            } else if l.starts_with("@@") {
                Style::new().fg(Color::Cyan)
            } else {
                Style::new()
            };
            Line::from(vec![Span::raw("  "), Span::styled(l.to_string(), style)])
        })
        .collect();
    if shown < all.len() {
        out.push(Line::styled(
            format!("  … {} more lines (Ctrl-O expands)", all.len() - shown),
            dim(),
        ));
    }
    out
}

fn output_lines(output: &str, expanded: bool) -> Vec<Line<'static>> {
    if !expanded {
        return Vec::new();
    }
    let all: Vec<&str> = output.lines().collect();
    let gutter = || Span::styled("  │ ", dim());
    let line = |l: &str| Line::from(vec![gutter(), Span::raw(l.to_string())]);
    if all.len() <= EXPANDED_LINES {
        return all.iter().map(|l| line(l)).collect();
    }
    let half = EXPANDED_LINES / 2;
    let mut out: Vec<Line<'static>> = all.iter().take(half).map(|l| line(l)).collect();
    out.push(Line::from(vec![
        gutter(),
        Span::styled(format!("… {} lines …", all.len() - 2 * half), dim()),
    ]));
    out.extend(all.iter().skip(all.len() - half).map(|l| line(l)));
    out
}

impl Cell {
    /// The cell's lines (not yet wrapped), with a blank line before it.
    pub fn lines(&self, expanded: bool, now: Instant) -> Vec<Line<'static>> {
        let mut out = vec![Line::default()];
        match self {
            Cell::User { text } => {
                for (i, l) in text.lines().enumerate() {
                    let prompt = if i == 0 { "› " } else { "  " };
                    out.push(Line::from(vec![
                        Span::styled(prompt, Style::new().fg(Color::Cyan)),
                        Span::styled(l.to_string(), Style::new().add_modifier(Modifier::BOLD)),
                    ]));
                }
            }
            Cell::Assistant { text, streaming } => {
                let mut body = markdown::render(text);
                if *streaming {
                    match body.last_mut() {
                        Some(last) => last.spans.push(Span::styled("▌", dim())),
                        None => body.push(Line::styled("▌", dim())),
                    }
                }
                out.extend(body);
            }
            Cell::Tool {
                name,
                args,
                ok,
                seconds,
                output,
                started,
            } => {
                let (mark, style) = match ok {
                    None => (
                        started.map_or('…', |s| spinner(now, s)).to_string(),
                        Style::new().fg(Color::Yellow),
                    ),
                    Some(true) => ("✓".to_string(), Style::new().fg(Color::Green)),
                    Some(false) => ("✗".to_string(), Style::new().fg(Color::Red)),
                };
                let time = match (seconds, started) {
                    (Some(s), _) => format!("{s:.1} s"),
                    (None, Some(st)) => format!("{:.1} s", now.duration_since(*st).as_secs_f64()),
                    (None, None) => "interrupted".into(),
                };
                out.push(Line::from(vec![
                    Span::styled(format!("{mark} "), style),
                    Span::styled(name.clone(), Style::new().add_modifier(Modifier::BOLD)),
                    Span::raw(format!(" {args}")),
                    Span::styled(format!("  {time}"), dim()),
                ]));
                if ok.is_some() && !expanded {
                    let lines = output.lines().count();
                    let summary = first_line(output, 70);
                    if !summary.is_empty() {
                        let more = if lines > 2 {
                            format!(" (+{} lines)", lines - 1)
                        } else if lines == 2 {
                            " (+1 line)".to_string()
                        } else {
                            String::new()
                        };
                        out.push(Line::styled(format!("  └ {summary}{more}"), dim()));
                    }
                }
                out.extend(output_lines(output, expanded));
            }
            Cell::Change { diff, state } => {
                let files = diff_files(diff).join(", ");
                let stat = diff_stat(diff);
                let (head, style) = match state {
                    ChangeState::Applied => ("Edited", Style::new().fg(Color::Green)),
                    ChangeState::Proposed => ("Proposed change to", Style::new().fg(Color::Yellow)),
                    ChangeState::Approved => ("Approved change to", Style::new().fg(Color::Green)),
                    ChangeState::Rejected => ("Rejected change to", Style::new().fg(Color::Red)),
                    ChangeState::Session => ("Changes this session:", Style::new().fg(Color::Cyan)),
                };
                out.push(Line::from(vec![
                    Span::styled(format!("✎ {head} "), style.add_modifier(Modifier::BOLD)),
                    Span::styled(files, Style::new().add_modifier(Modifier::BOLD)),
                    Span::styled(format!(" ({stat})"), dim()),
                ]));
                let limit = match state {
                    ChangeState::Proposed | ChangeState::Session => None,
                    _ if expanded => None,
                    _ => Some(COLLAPSED_DIFF_LINES),
                };
                if *state != ChangeState::Rejected || expanded {
                    out.extend(diff_lines(diff, limit));
                }
            }
            Cell::Command { command, state } => {
                let (head, style) = match state {
                    ChangeState::Proposed => ("Run?", Style::new().fg(Color::Yellow)),
                    ChangeState::Rejected => ("Declined:", Style::new().fg(Color::Red)),
                    _ => ("Approved:", Style::new().fg(Color::Green)),
                };
                out.push(Line::from(vec![
                    Span::styled(format!("$ {head} "), style.add_modifier(Modifier::BOLD)),
                    Span::raw(command.clone()),
                ]));
            }
            Cell::Tests {
                command,
                passed,
                seconds,
                output,
            } => {
                let (mark, word, style) = if *passed {
                    ("✓", "tests pass", Style::new().fg(Color::Green))
                } else {
                    ("✗", "tests fail", Style::new().fg(Color::Red))
                };
                out.push(Line::from(vec![
                    Span::styled(format!("{mark} {word}"), style.add_modifier(Modifier::BOLD)),
                    Span::styled(format!("  {command}  {seconds:.1} s"), dim()),
                ]));
                if !passed && !expanded {
                    let key = crate::agent::rewrite::key_failure_lines(output);
                    for l in key.lines().take(4) {
                        out.push(Line::styled(format!("  └ {}", first_line(l, 100)), dim()));
                    }
                }
                out.extend(output_lines(output, expanded));
            }
            Cell::Note { text } => {
                out.pop();
                for l in text.lines() {
                    out.push(Line::styled(format!("· {l}"), dim()));
                }
            }
            Cell::Warning { text } => {
                for l in text.lines() {
                    out.push(Line::styled(
                        format!("! {l}"),
                        Style::new().fg(Color::Yellow),
                    ));
                }
            }
            Cell::Outcome {
                outcome,
                reason,
                summary,
            } => {
                use crate::protocol::Outcome;
                let (head, style) = match outcome {
                    Outcome::Fixed => ("✓ Fixed", Style::new().fg(Color::Green)),
                    Outcome::Unverified => ("? Unverified", Style::new().fg(Color::Yellow)),
                    Outcome::NotFixed => ("✗ Not fixed", Style::new().fg(Color::Red)),
                };
                out.push(Line::from(vec![
                    Span::styled(head, style.add_modifier(Modifier::BOLD)),
                    Span::raw(format!(" — {reason}")),
                ]));
                for l in summary.lines().skip(1) {
                    out.push(Line::styled(format!("  {l}"), dim()));
                }
            }
        }
        out
    }
}
