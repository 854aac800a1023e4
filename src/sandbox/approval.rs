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

/// A decision on one command; `Err` carries the reason given to the model.
pub type Decision = Result<(), String>;

/// Answers a yes/no question put to the user.
pub type Answers = Box<dyn FnMut(&str) -> bool + Send>;

pub struct Approver {
    pub approval: Approval,
    /// The sandbox is enforced here.
    pub sandboxed: bool,
    /// The sandbox was turned off on purpose: `auto` then trusts the user's choice.
    pub sandbox_off: bool,
    /// Answers for `ask`; `None` reads the terminal.
    pub answers: Option<Answers>,
}

impl Approver {
    pub fn new(approval: Approval, sandboxed: bool, sandbox_off: bool) -> Approver {
        Approver {
            approval,
            sandboxed,
            sandbox_off,
            answers: None,
        }
    }

    /// Whether `command` (to run in `dir`) may run.
    pub fn decide(&mut self, command: &str, dir: &str) -> Decision {
        match self.approval {
            Approval::Deny => Err(
                "commands are denied in this session (--approval deny); use the other tools".into(),
            ),
            Approval::Auto if self.sandboxed || self.sandbox_off => Ok(()),
            Approval::Auto | Approval::Ask => {
                let question = format!("run `{command}` in {dir}?");
                let yes = match &mut self.answers {
                    Some(answer) => answer(&question),
                    None => match ask_terminal(&question) {
                        Some(yes) => yes,
                        None => {
                            return Err(format!(
                                "this command needs approval ({}) and there is no terminal to \
                                 ask; it was not run",
                                if self.approval == Approval::Ask {
                                    "--approval ask"
                                } else {
                                    "the sandbox is not enforced on this machine"
                                }
                            ))
                        }
                    },
                };
                if yes {
                    Ok(())
                } else {
                    Err("the user declined to run this command".into())
                }
            }
        }
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
        asked.answers = Some(Box::new(|_| false));
        assert!(asked.decide("ls", ".").is_err());
        let mut sandboxed = Approver::new(Approval::Auto, true, false);
        sandboxed.answers = Some(Box::new(|_| panic!("must not ask")));
        assert!(sandboxed.decide("ls", ".").is_ok());
        let mut deny = Approver::new(Approval::Deny, true, false);
        assert!(deny.decide("ls", ".").unwrap_err().contains("denied"));
        let mut ask = Approver::new(Approval::Ask, true, false);
        ask.answers = Some(Box::new(|q| q.contains("`ls`")));
        assert!(ask.decide("ls", ".").is_ok());
    }
}
