//! `cria fix`: the one-shot agent. Progress on stderr; the diff and a summary (or JSONL events)
//! on stdout.

use std::io::Read;

use super::progress::{JsonlSink, StderrProgress};
use crate::agent;
use crate::config::Config;
use crate::exit::ExitCode;
use crate::protocol::{EventSink, Outcome};

/// The issue text: literal, `-` for stdin, or `@FILE`.
pub fn read_issue(arg: &str) -> Result<String, String> {
    let text = if arg == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("reading stdin: {e}"))?;
        s
    } else if let Some(path) = arg.strip_prefix('@') {
        std::fs::read_to_string(path).map_err(|e| format!("reading {path}: {e}"))?
    } else {
        arg.to_string()
    };
    if text.trim().is_empty() {
        return Err("the issue text is empty: say what is wrong".into());
    }
    Ok(text)
}

pub fn run(cfg: &Config, issue: &str, json: bool) -> ExitCode {
    let mut progress = StderrProgress::new(cfg.verbose);
    let mut jsonl = JsonlSink;
    let sink: &mut dyn EventSink = if json { &mut jsonl } else { &mut progress };
    if let Some(cmd) = &cfg.fix.test_cmd {
        if !json {
            eprintln!(
                "cria: repository {} (tests: {cmd})",
                cfg.fix.root.path().display()
            );
        }
    }
    let mut backend = match crate::model::open::open(cfg) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cria: {e}");
            return ExitCode::Backend;
        }
    };
    match agent::fix(backend.as_mut(), &cfg.fix, issue, sink) {
        Ok(report) => {
            if !json {
                print!("{}", report.diff);
                if !report.diff.is_empty() {
                    println!();
                }
                println!("{}", report.summary);
            }
            match report.outcome {
                Some(Outcome::Fixed) => ExitCode::Fixed,
                Some(Outcome::Unverified) => ExitCode::Unverified,
                Some(Outcome::NotFixed) | None => ExitCode::NotFixed,
            }
        }
        Err(e) => {
            eprintln!("cria: model failure: {e}");
            ExitCode::Backend
        }
    }
}
