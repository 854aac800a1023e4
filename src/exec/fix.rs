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

/// How `cria fix` runs beyond its configuration.
#[derive(Debug, Clone, Default)]
pub struct FixOptions {
    /// Stream JSONL events on stdout.
    pub json: bool,
    /// Commit a verified fix (`Some(branch)`: on that new branch).
    pub commit: Option<Option<String>>,
    /// Plan first; the fix starts only once the user accepts the plan.
    pub plan: bool,
    /// The configuration (a profile's model) that continues when the local model finds no
    /// verified fix ([`escalation`]).
    pub escalate: Option<Box<Config>>,
}

/// `--escalate PROFILE`: the settings of `args` with the model taken from the profile (the
/// model flags of the command line are for the local model, so they are set aside).
pub fn escalation(args: &crate::cli::AgentArgs, profile: &str) -> Result<Config, String> {
    let mut a = args.clone();
    a.profile = Some(profile.to_string());
    a.model = None;
    a.endpoint = None;
    a.api_key_env = None;
    a.model_name = None;
    a.script = None;
    let cfg = Config::resolve(&a).map_err(|e| format!("--escalate {profile}: {e}"))?;
    Ok(cfg)
}

/// Run the agent on `issue` as `opts` say.
pub fn run(cfg: &Config, issue: &str, opts: &FixOptions) -> ExitCode {
    let (json, commit) = (opts.json, &opts.commit);
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
    let mut cfg = cfg.clone();
    for problem in cfg.start_mcp() {
        eprintln!("cria: {problem}");
    }
    let cfg = &cfg;
    let mut backend = match crate::model::open::open(cfg) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cria: {e}");
            return ExitCode::Backend;
        }
    };
    let mut escalation = match &opts.escalate {
        Some(esc) => match crate::model::open::open(esc) {
            Ok(b) => Some(b),
            Err(e) => {
                eprintln!("cria: --escalate: {e}");
                return ExitCode::Backend;
            }
        },
        None => None,
    };
    let planned;
    let issue = if opts.plan {
        match plan_first(cfg, backend.as_mut(), issue, sink, json) {
            Some(with_plan) => {
                planned = with_plan;
                planned.as_str()
            }
            None => return ExitCode::NotFixed,
        }
    } else {
        issue
    };
    let second: Option<&mut dyn crate::model::Backend> = match escalation.as_mut() {
        Some(b) => Some(b.as_mut()),
        None => None,
    };
    match agent::fix_escalating(backend.as_mut(), second, &cfg.fix, issue, sink) {
        Ok(report) => {
            if !json {
                print!("{}", report.diff);
                if !report.diff.is_empty() {
                    println!();
                }
                println!("{}", report.summary);
            }
            if let (Some(branch), Some(dirty)) = (commit, &dirty_before) {
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

/// `--plan`: the model plans with read-only tools; the user is asked to accept the plan. The
/// request with the plan in it, or `None` (said why) when nothing is to be changed.
fn plan_first(
    cfg: &Config,
    backend: &mut dyn crate::model::Backend,
    issue: &str,
    sink: &mut dyn EventSink,
    json: bool,
) -> Option<String> {
    let plan = match agent::plan(backend, &cfg.fix, issue, sink) {
        Ok(plan) => plan,
        Err(e) => {
            eprintln!("cria: planning failed: {e}");
            return None;
        }
    };
    if !json {
        println!("{}\n", plan.text);
    }
    let mut approver = crate::sandbox::approval::Approver::new(
        crate::sandbox::approval::Approval::Ask,
        cfg.fix.runner.enforced(),
        cfg.fix.runner.off(),
    );
    approver.answers = cfg.fix.ask.as_ref().map(|a| a.0.clone());
    let decision = approver.decide_plan(&plan.text);
    for decision in approver.take_decisions() {
        sink.emit(crate::protocol::Event::Approval { decision });
    }
    match decision {
        Ok(()) => Some(agent::with_plan(issue, &plan)),
        Err(why) => {
            eprintln!("cria: {why}; nothing was changed");
            None
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
