//! `cria fix`: the one-shot agent. Progress on stderr; the diff and a summary (or JSONL events)
//! on stdout.

use std::io::Read;

use super::progress::{JsonlSink, StderrProgress};
use crate::agent;
use crate::config::Config;
use crate::exit::ExitCode;
use crate::git;
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

/// Run the agent on `issue`; with `commit` (`Some(branch)`), commit a verified fix.
pub fn run(cfg: &Config, issue: &str, json: bool, commit: Option<Option<String>>) -> ExitCode {
    // Before anything runs: what the user had not committed (and whether this is a repository).
    let dirty_before = match commit
        .as_ref()
        .map(|_| git::dirty_files(cfg.fix.root.path()))
    {
        Some(Err(e)) => {
            eprintln!("cria: --commit: {e}");
            return ExitCode::Usage;
        }
        Some(Ok(dirty)) => Some(dirty),
        None => None,
    };
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
            if let (Some(branch), Some(dirty)) = (&commit, &dirty_before) {
                commit_fix(
                    cfg,
                    issue,
                    &report,
                    dirty,
                    branch.as_deref(),
                    &backend.name(),
                );
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

/// `--commit`: commit the change if — and only if — it is a verified fix, and say what happened.
fn commit_fix(
    cfg: &Config,
    issue: &str,
    report: &agent::FixReport,
    dirty_before: &std::collections::BTreeSet<String>,
    branch: Option<&str>,
    model: &str,
) {
    if report.outcome != Some(Outcome::Fixed) || report.files_changed.is_empty() {
        let word = report.outcome.map_or("not fixed", |o| o.word());
        eprintln!(
            "cria: nothing committed: the outcome is {}",
            word.to_lowercase()
        );
        return;
    }
    let (subject, body) = git::message(issue, &report.files_changed, &report.reason, model);
    match git::commit(
        cfg.fix.root.path(),
        &report.files_changed,
        dirty_before,
        (&subject, &body),
        branch,
    ) {
        Ok(done) => eprintln!(
            "cria: committed {} on {}: {}",
            done.commit, done.branch, done.subject
        ),
        Err(e) => eprintln!("cria: not committed: {e}"),
    }
}
