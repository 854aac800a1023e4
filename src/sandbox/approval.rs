//! Who decides whether a command the model chose may run: `--approval ask|auto|deny`.
//!
//! Read-only tools never ask. `auto` runs commands without asking only while the sandbox is
//! enforced; on a machine that cannot enforce it, `auto` becomes `ask`. Asking needs a terminal:
//! without one (CI, a pipe) a command that needs approval is refused with a reason the model
//! and the user both see. Nothing the model writes changes any of this.

use std::io::{BufRead, Write};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Approval {
    /// Ask before every command.
    Ask,
    /// Run commands inside the sandbox without asking.
    Auto,
    /// Refuse every command the model proposes (the configured test command still runs).
    Deny,
}

use crate::protocol::{ApprovalSubject, Decider};

/// A decision on one command; `Err` carries the reason given to the model.
pub type Decision = Result<(), String>;

/// What the user is asked to approve.
pub type Question = ApprovalSubject;

impl std::fmt::Display for Question {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Question::Command { command, dir } => write!(f, "run `{command}` in {dir}?"),
            Question::Change { diff } => write!(f, "{diff}\napply this change?"),
            Question::Tool { name, arguments } => {
                write!(f, "call the MCP tool `{name}` {arguments}?")
            }
            Question::Plan { plan } => write!(f, "{plan}\ncarry out this plan?"),
        }
    }
}

/// Answers a yes/no question put to the user (the TUI's approval prompt, a test's script).
pub type Answers = std::sync::Arc<dyn Fn(&Question) -> bool + Send + Sync>;

/// [`Answers`] that can sit in a `Debug + Clone` configuration.
#[derive(Clone)]
pub struct Asker(pub Answers);

impl std::fmt::Debug for Asker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Asker(..)")
    }
}

pub struct Approver {
    pub approval: Approval,
    /// The sandbox is enforced here.
    pub sandboxed: bool,
    /// The sandbox was turned off on purpose: `auto` then trusts the user's choice.
    pub sandbox_off: bool,
    /// Answers for `ask`; `None` reads the terminal.
    pub answers: Option<Answers>,
    /// Decisions not yet reported (see [`Approver::take_decisions`]).
    decided: Vec<crate::protocol::Decision>,
    /// `PreToolUse` hooks for changes (the tool `edit`), run in this folder before anyone is
    /// asked; their warnings wait in `notes`.
    pub hooks: Option<(crate::hooks::Hooks, std::path::PathBuf)>,
    pub notes: Vec<String>,
}

impl Approver {
    pub fn new(approval: Approval, sandboxed: bool, sandbox_off: bool) -> Approver {
        Approver {
            approval,
            sandboxed,
            sandbox_off,
            answers: None,
            decided: Vec::new(),
            hooks: None,
            notes: Vec::new(),
        }
    }

    /// The decisions made since the last call, oldest first, for the event stream.
    pub fn take_decisions(&mut self) -> Vec<crate::protocol::Decision> {
        std::mem::take(&mut self.decided)
    }

    fn record(&mut self, subject: Question, decision: &Decision, by: Decider) {
        self.decided.push(crate::protocol::Decision {
            subject,
            approved: decision.is_ok(),
            by,
            reason: decision.as_ref().err().cloned(),
        });
    }

    /// Whether `command` (to run in `dir`) may run.
    pub fn decide(&mut self, command: &str, dir: &str) -> Decision {
        let question = Question::Command {
            command: command.to_string(),
            dir: dir.to_string(),
        };
        let by_policy = match self.approval {
            Approval::Deny => Some(Err(
                "commands are denied in this session (--approval deny); use the other tools".into(),
            )),
            Approval::Auto if self.sandboxed || self.sandbox_off => Some(Ok(())),
            Approval::Auto | Approval::Ask => None,
        };
        match by_policy {
            Some(decision) => {
                self.record(question, &decision, Decider::Policy);
                decision
            }
            None => self.ask(question),
        }
    }

    /// Whether the model may call an MCP server's tool. Like a command, except that `auto` does
    /// not cover it (a server runs outside the sandbox): it is asked unless the user marked the
    /// server `trusted`, and `deny` refuses it.
    pub fn decide_tool(&mut self, name: &str, arguments: &str, trusted: bool) -> Decision {
        let question = Question::Tool {
            name: name.to_string(),
            arguments: arguments.to_string(),
        };
        let by_policy = if trusted {
            Some(Ok(()))
        } else if self.approval == Approval::Deny {
            Some(Err(
                "MCP tools of servers not marked trusted are denied in this session (--approval deny)"
                    .into(),
            ))
        } else {
            None
        };
        match by_policy {
            Some(decision) => {
                self.record(question, &decision, Decider::Policy);
                decision
            }
            None => self.ask(question),
        }
    }

    /// Whether the user accepts `plan` (only a person can: no policy accepts it).
    pub fn decide_plan(&mut self, plan: &str) -> Decision {
        self.ask(Question::Plan {
            plan: plan.to_string(),
        })
    }

    /// Whether a change set (its unified `diff`) may be written. Only `ask` asks: edits stay
    /// inside the repository and are undoable, so `auto` and `deny` (which is about commands)
    /// let them through.
    pub fn decide_change(&mut self, diff: &str) -> Decision {
        let question = Question::Change {
            diff: diff.to_string(),
        };
        if let Some((hooks, dir)) = &self.hooks {
            let files: Vec<&str> = diff
                .lines()
                .filter_map(|l| l.strip_prefix("+++ b/"))
                .collect();
            let input = serde_json::json!({"tool_input": {"files": files, "diff": diff}});
            let verdict = hooks.run(
                crate::hooks::HookEvent::PreToolUse,
                Some("edit"),
                input,
                dir,
            );
            self.notes.extend(verdict.warnings);
            if let Some(why) = verdict.blocked {
                let decision = Err(format!("a PreToolUse hook refused this change: {why}"));
                self.record(question, &decision, Decider::Hook);
                return decision;
            }
        }
        match self.approval {
            Approval::Ask => self.ask(question),
            Approval::Auto | Approval::Deny => {
                self.record(question, &Ok(()), Decider::Policy);
                Ok(())
            }
        }
    }

    fn ask(&mut self, question: Question) -> Decision {
        let answer = match &self.answers {
            Some(answer) => Some(answer(&question)),
            None => ask_terminal(&question.to_string()),
        };
        let by = if answer.is_some() {
            Decider::User
        } else {
            Decider::NoTerminal
        };
        let decision = match answer {
            Some(true) => Ok(()),
            Some(false) => Err(match question {
                Question::Command { .. } => "the user declined to run this command".into(),
                Question::Change { .. } => "the user rejected this change".into(),
                Question::Tool { .. } => "the user declined this tool call".into(),
                Question::Plan { .. } => "the user did not accept the plan".into(),
            }),
            None => Err(format!(
                "this needs approval ({}) and there is no terminal to ask; nothing was done",
                match (&question, self.approval) {
                    (Question::Tool { .. }, _) => "the MCP server is not marked trusted",
                    (Question::Plan { .. }, _) => "a plan is accepted by a person",
                    (_, Approval::Ask) => "--approval ask",
                    _ => "the sandbox is not enforced on this machine",
                }
            )),
        };
        self.record(question, &decision, by);
        decision
    }
}

/// Ask on the controlling terminal; `None` when there is none.
fn ask_terminal(question: &str) -> Option<bool> {
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .ok()?;
    let mut out = tty.try_clone().ok()?;
    write!(out, "cria: {question} [y/N] ").ok()?;
    out.flush().ok()?;
    let mut line = String::new();
    std::io::BufReader::new(tty).read_line(&mut line).ok()?;
    Some(matches!(line.trim(), "y" | "Y" | "yes" | "Yes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_asks_when_the_sandbox_is_not_enforced() {
        let mut asked = Approver::new(Approval::Auto, false, false);
        asked.answers = Some(std::sync::Arc::new(|_| false));
        assert!(asked.decide("ls", ".").is_err());
        let mut sandboxed = Approver::new(Approval::Auto, true, false);
        sandboxed.answers = Some(std::sync::Arc::new(|_| panic!("must not ask")));
        assert!(sandboxed.decide("ls", ".").is_ok());
        let mut deny = Approver::new(Approval::Deny, true, false);
        assert!(deny.decide("ls", ".").unwrap_err().contains("denied"));
        let mut ask = Approver::new(Approval::Ask, true, false);
        ask.answers = Some(std::sync::Arc::new(|q| q.to_string().contains("`ls`")));
        assert!(ask.decide("ls", ".").is_ok());
        // Changes ask only under `ask`.
        assert!(ask.decide_change("+x").is_err());
        assert!(sandboxed.decide_change("+x").is_ok());
        assert!(deny.decide_change("+x").is_ok());
    }

    #[test]
    fn mcp_tools_are_asked_even_under_auto_unless_trusted() {
        let mut auto = Approver::new(Approval::Auto, true, false);
        auto.answers = Some(std::sync::Arc::new(|q| {
            q.to_string().contains("`docs__search`")
        }));
        assert!(auto.decide_tool("docs__search", "{}", false).is_ok());
        assert!(auto.decide_tool("docs__delete", "{}", false).is_err());
        let mut trusted = Approver::new(Approval::Ask, true, false);
        trusted.answers = Some(std::sync::Arc::new(|_| panic!("must not ask")));
        assert!(trusted.decide_tool("docs__search", "{}", true).is_ok());
        let mut deny = Approver::new(Approval::Deny, true, false);
        assert!(deny.decide_tool("docs__search", "{}", false).is_err());
        assert!(deny.decide_tool("docs__search", "{}", true).is_ok());
        let decided = auto.take_decisions();
        assert_eq!(decided.len(), 2);
        assert_eq!(decided[0].by, Decider::User);
        assert_eq!(
            decided[1].reason.as_deref(),
            Some("the user declined this tool call")
        );
    }

    #[test]
    fn only_a_person_accepts_a_plan() {
        let mut auto = Approver::new(Approval::Auto, true, false);
        auto.answers = Some(std::sync::Arc::new(|q| {
            q.to_string().ends_with("carry out this plan?")
        }));
        assert!(auto.decide_plan("Plan:\n1. x").is_ok());
        let mut deny = Approver::new(Approval::Deny, true, false);
        deny.answers = Some(std::sync::Arc::new(|_| false));
        assert_eq!(
            deny.decide_plan("Plan:\n1. x").unwrap_err(),
            "the user did not accept the plan"
        );
    }
}
