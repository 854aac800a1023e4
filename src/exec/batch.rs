//! `cria batch TASKS.jsonl --out DIR`: many issues, many repositories, no TUI. Each task runs on
//! an isolated copy of its repository; the result is `DIR/<id>.patch` (for `git apply` against
//! the source) and one line in `DIR/results.jsonl`. Tasks already in results.jsonl are skipped,
//! so an interrupted batch resumes; `--shard I/N` takes every N-th task (I counts from 0) so a job
//! array splits a batch without a coordinator; a failing task never stops the batch.

use std::collections::{BTreeSet, VecDeque};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use super::tasks::{self, CountingSink, Counts, SharedBackend};
use crate::cli::AgentArgs;
use crate::edit::{commit, FileChange, Plan};
use crate::exit::ExitCode;
use crate::protocol::Outcome;

#[derive(Debug, Clone, Deserialize)]
pub struct Task {
    pub id: String,
    pub repo: PathBuf,
    pub issue: String,
    #[serde(default)]
    pub test_cmd: Option<String>,
}

#[derive(Debug, Default, Serialize)]
pub struct TaskOutcome {
    pub id: String,
    /// fixed, unverified, not_fixed or error (see [`crate::protocol::Outcome`]).
    pub status: String,
    pub tests_before: Option<bool>,
    pub tests_after: Option<bool>,
    pub steps: usize,
    pub tokens_in: usize,
    pub tokens_out: usize,
    pub tokens_reused: usize,
    pub tokens_reprocessed: usize,
    pub edits_applied: usize,
    pub edits_refused: usize,
    pub files_changed: Vec<String>,
    pub applied_to_source: bool,
    /// The branch written in the source repository (`--branch-per-task`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    pub seconds: f64,
    pub reason: String,
}

pub struct BatchOptions {
    pub tasks: PathBuf,
    pub out: PathBuf,
    pub jobs: usize,
    pub apply: bool,
    pub shard: Option<(usize, usize)>,
    /// Also write each kept change as the branch `cria/<id>` in its source repository.
    pub branch_per_task: bool,
}

/// Parse `I/N` (0 <= I < N).
pub fn parse_shard(s: &str) -> Result<(usize, usize), String> {
    let (i, n) = s.split_once('/').ok_or("--shard takes I/N, e.g. 0/4")?;
    let (i, n): (usize, usize) = (
        i.trim().parse().map_err(|_| "--shard: I is not a number")?,
        n.trim().parse().map_err(|_| "--shard: N is not a number")?,
    );
    if n == 0 || i >= n {
        return Err(format!("--shard {s}: need 0 <= I < N"));
    }
    Ok((i, n))
}

fn done_ids(results: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(results)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("id").and_then(|i| i.as_str()).map(str::to_string))
        .collect()
}

pub fn run(args: &AgentArgs, opts: &BatchOptions) -> ExitCode {
    // Bytes, not text: one line with invalid UTF-8 fails that task alone.
    let text = match std::fs::read(&opts.tasks) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cria: {}: {e}", opts.tasks.display());
            return ExitCode::Usage;
        }
    };
    if let Err(e) = std::fs::create_dir_all(&opts.out) {
        eprintln!("cria: {}: {e}", opts.out.display());
        return ExitCode::Usage;
    }
    let results_path = opts.out.join("results.jsonl");
    let done = done_ids(&results_path);
    // Every line is a task, in order; a line that does not parse becomes an error result.
    let mut queue: VecDeque<(usize, Result<Task, String>)> = VecDeque::new();
    let mut ids = BTreeSet::new();
    for (n, line) in text
        .split(|b| *b == b'\n')
        .enumerate()
        .filter(|(_, l)| !l.trim_ascii().is_empty())
    {
        let parsed = std::str::from_utf8(line)
            .map_err(|e| format!("line {}: not UTF-8 text ({e})", n + 1))
            .and_then(|l| {
                serde_json::from_str::<Task>(l).map_err(|e| format!("line {}: {e}", n + 1))
            })
            .and_then(|task| {
                // A second task with the same id would overwrite the first one's patch.
                if ids.insert(task.id.clone()) {
                    Ok(task)
                } else {
                    Err(format!("line {}: duplicate id `{}`", n + 1, task.id))
                }
            });
        queue.push_back((n, parsed));
    }
    let total_lines = queue.len();
    let mut picked: VecDeque<(usize, Result<Task, String>)> = queue
        .into_iter()
        .enumerate()
        .filter(|(k, _)| opts.shard.is_none_or(|(i, n)| k % n == i))
        .map(|(_, t)| t)
        .collect();
    picked.retain(|(n, t)| match t {
        Ok(task) => !done.contains(&task.id),
        Err(_) => !done.contains(&format!("line-{}", n + 1)),
    });
    let todo = picked.len();
    eprintln!(
        "cria batch: {todo} task(s) to run ({} in the file, {} already done{})",
        total_lines,
        done.len(),
        opts.shard
            .map(|(i, n)| format!(", shard {i}/{n}"))
            .unwrap_or_default()
    );
    let template = match tasks::config_for(args, Path::new("."), None) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cria: {e}");
            return ExitCode::Usage;
        }
    };
    let queue = Mutex::new(picked);
    let output = Mutex::new((0usize, 0usize, 0usize)); // (done, fixed, unverified)
    let start = Instant::now();
    let jobs = opts.jobs.max(1).min(todo.max(1));
    let failed_to_load = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                let mut backend = match SharedBackend::open(&template) {
                    Ok(b) => b,
                    Err(e) => {
                        *failed_to_load.lock().unwrap_or_else(|p| p.into_inner()) =
                            Some(e.to_string());
                        return;
                    }
                };
                loop {
                    let next = queue.lock().unwrap_or_else(|p| p.into_inner()).pop_front();
                    let Some((n, task)) = next else { break };
                    let outcome = match task {
                        Ok(task) => run_task(args, &mut backend, &task, opts),
                        Err(e) => TaskOutcome {
                            id: format!("line-{}", n + 1),
                            status: "error".into(),
                            reason: e,
                            ..Default::default()
                        },
                    };
                    let mut guard = output.lock().unwrap_or_else(|p| p.into_inner());
                    guard.0 += 1;
                    guard.1 += (outcome.status == "fixed") as usize;
                    guard.2 += (outcome.status == "unverified") as usize;
                    append_result(&results_path, &outcome);
                    let elapsed = start.elapsed().as_secs_f64();
                    let eta = elapsed / guard.0 as f64 * (todo - guard.0) as f64;
                    let width = 20;
                    let filled = guard.0 * width / todo.max(1);
                    eprintln!(
                        "cria batch: [{}{}] {}/{} done, {} fixed, {} unverified, eta {:.0} s — {}: {}",
                        "#".repeat(filled),
                        ".".repeat(width - filled),
                        guard.0,
                        todo,
                        guard.1,
                        guard.2,
                        eta,
                        outcome.id,
                        outcome.status
                    );
                }
            });
        }
    });
    if let Some(e) = failed_to_load.into_inner().unwrap_or(None) {
        eprintln!("cria: {e}");
        return ExitCode::Backend;
    }
    let (finished, fixed, unverified) = output.into_inner().unwrap_or((0, 0, 0));
    eprintln!(
        "cria batch: {fixed} of {finished} fixed, {unverified} unverified; results in {}",
        results_path.display()
    );
    if fixed == finished {
        ExitCode::Fixed
    } else {
        ExitCode::NotFixed
    }
}

fn append_result(path: &Path, outcome: &TaskOutcome) {
    let line = serde_json::to_string(outcome).unwrap_or_default();
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path);
    if let Ok(mut f) = file {
        let _ = writeln!(f, "{line}");
        let _ = f.sync_all();
    }
}

fn run_task(
    args: &AgentArgs,
    backend: &mut SharedBackend,
    task: &Task,
    opts: &BatchOptions,
) -> TaskOutcome {
    let start = Instant::now();
    let mut out = TaskOutcome {
        id: task.id.clone(),
        status: "error".into(),
        ..Default::default()
    };
    let safe_id: String = task
        .id
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let result = (|| -> Result<(), String> {
        if !task.repo.is_dir() {
            return Err(format!(
                "repository {} is not a directory",
                task.repo.display()
            ));
        }
        let source = task.repo.canonicalize().map_err(|e| e.to_string())?;
        let scratch = tempfile::tempdir().map_err(|e| e.to_string())?;
        let work = scratch.path().join("repo");
        tasks::copy_repo(&source, &work).map_err(|e| format!("copying the repository: {e}"))?;
        let cfg = tasks::config_for(args, &work, task.test_cmd.as_deref())?;
        backend.begin_task(&cfg).map_err(|e| e.to_string())?;
        let mut sink = CountingSink {
            localized: None,
            suspects: None,
            counts: Counts::default(),
            inner: None,
        };
        let report = backend
            .fix(&cfg, &task.issue, &mut sink)
            .map_err(|e| format!("model failure: {e}"))?;
        out.status = outcome_name(report.outcome).into();
        out.tests_before = report.tests_before.as_ref().map(|t| t.passed);
        out.tests_after = report.tests_after.as_ref().map(|t| t.passed);
        out.steps = report.steps;
        out.tokens_in = report.tokens_in;
        out.tokens_out = report.tokens_out;
        out.tokens_reused = report.tokens_reused;
        out.tokens_reprocessed = report.tokens_reprocessed;
        out.edits_applied = sink.counts.edits_applied;
        out.edits_refused = sink.counts.edits_refused;
        out.files_changed = report.files_changed.clone();
        out.reason = report.reason.clone();
        std::fs::write(opts.out.join(format!("{safe_id}.patch")), &report.diff)
            .map_err(|e| e.to_string())?;
        if opts.apply && report.fixed() {
            apply_to_source(&source, &work, &report.files_changed)?;
            out.applied_to_source = true;
        }
        let kept = matches!(
            report.outcome,
            Some(Outcome::Fixed) | Some(Outcome::Unverified)
        );
        if opts.branch_per_task && kept && !report.files_changed.is_empty() {
            let name = format!("cria/{safe_id}");
            let (subject, mut body) = crate::git::message(
                &task.issue,
                &report.files_changed,
                &report.reason,
                &backend.name(),
            );
            if report.outcome == Some(Outcome::Unverified) {
                body = format!("UNVERIFIED: no test showed the bug before this change.\n\n{body}");
            }
            match crate::git::branch_from(
                &source,
                &name,
                &work,
                &report.files_changed,
                (&subject, &body),
            ) {
                Ok(_) => out.branch = Some(name),
                Err(e) => out.reason = format!("{}; branch not written: {e}", out.reason),
            }
        }
        Ok(())
    })();
    if let Err(e) = result {
        out.status = "error".into();
        out.reason = e;
    }
    out.seconds = start.elapsed().as_secs_f64();
    out
}

/// The name an outcome has in results.jsonl (as in the `--json` events).
pub fn outcome_name(outcome: Option<Outcome>) -> &'static str {
    match outcome {
        Some(Outcome::Fixed) => "fixed",
        Some(Outcome::Unverified) => "unverified",
        Some(Outcome::NotFixed) | None => "not_fixed",
    }
}

/// Copy the fixed files from the working copy into the source repository, atomically and
/// recorded for `cria undo`.
fn apply_to_source(source: &Path, work: &Path, files: &[String]) -> Result<(), String> {
    let root = crate::sandbox::paths::Root::new(source).map_err(|e| e.to_string())?;
    let mut changes = Vec::new();
    for rel in files {
        let abs = root.resolve(rel).map_err(|e| e.to_string())?;
        changes.push(FileChange {
            abs,
            rel: rel.clone(),
            before: std::fs::read(source.join(rel)).ok(),
            after: std::fs::read(work.join(rel)).ok(),
        });
    }
    commit::commit(
        root.path(),
        &Plan {
            changes,
            notes: Vec::new(),
        },
    )
    .map_err(|e| e.to_string())
}
