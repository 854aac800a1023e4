//! `cria eval DIR`: the fix rate on a folder of tasks (`<task>/repo/`, `<task>/ISSUE.md`,
//! `<task>/check.sh`). Each task runs on a scratch copy of its repo (the original is never
//! touched); `check.sh` decides, and the agent never sees it. A task not solved on try 1 gets a
//! second try on the same copy with the check's output added to the issue, as Aider's harness
//! does. The model is loaded once for all tasks.

use std::path::Path;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::tasks::{self, CountingSink, Counts, SharedBackend};
use crate::cli::AgentArgs;
use crate::exit::ExitCode;
use crate::sandbox::process;

#[derive(Debug, Default, Serialize)]
pub struct TaskResult {
    pub task: String,
    pub solved: bool,
    /// 1 or 2 when solved.
    pub solved_on_try: Option<usize>,
    pub tries: usize,
    pub steps: usize,
    pub tokens_in: usize,
    pub tokens_reused: usize,
    pub tokens_out: usize,
    #[serde(flatten)]
    pub counts: Counts,
    /// cria's own time on the task (every try, its test runs included), without the checks.
    pub seconds: f64,
    /// The time the task's `check.sh` took, every try together: a hidden test that hangs
    /// costs its own timeout here, not in `seconds`.
    pub check_seconds: f64,
    pub error: Option<String>,
    /// The localizer's top 3 on the first try, and whether they hold every file the reference
    /// fix changes (`<task>/FIXED_FILES`; `None` without one).
    pub localized: Vec<String>,
    pub localizer_hit: Option<bool>,
    /// Where the rewrite stage (first try) ranked a definition the reference fix changes
    /// (`<task>/reference.patch`), 1-based; `None` when the stage did not run, there is no
    /// reference, or it was not among the candidates.
    pub definition_rank: Option<usize>,
    /// Whether that could be judged (the stage ran and the task has a reference fix).
    pub definition_judged: bool,
    /// What cria said on its last try: fixed, unverified or not_fixed.
    pub outcome: String,
    /// Why it stopped on its last try: the typed reason `cria fix --json` ends with.
    pub stop: Option<crate::protocol::StopReason>,
    /// cria said "fixed" on a try whose check then failed: a false claim, which must never
    /// happen.
    pub false_fixed: bool,
    /// The test cria added that shows the issue (a reproduction, or a test of the issue's
    /// examples), on the last try: what makes a fix checkable.
    pub issue_test: Option<String>,
    /// One-token changes tried before the model's first reply, every try together.
    pub mutants_tried: usize,
    /// The one that made every test pass on the last try, if one did.
    pub mutant_passed: Option<String>,
    /// Candidate tests of the issue that stood together on the last try (0: none), and
    /// whether a one-token change told them apart.
    pub pooled_tests: usize,
    pub pool_told: bool,
}

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub tasks: usize,
    pub solved: usize,
    pub solved_try1: usize,
    pub solved_try2: usize,
    /// The median of the tasks' `seconds` (cria's time, the checks left out).
    pub median_seconds: f64,
    pub responses: usize,
    /// Model replies whose edits were all applied or that made no edit (tool calls, prose).
    pub well_formed_responses: usize,
    pub edits_applied: usize,
    pub edits_refused: usize,
    pub malformed_tool_calls: usize,
    pub tokens_in: usize,
    pub tokens_reused: usize,
    pub tokens_out: usize,
    /// Tasks with a `FIXED_FILES` reference, and those whose files the localizer's top 3 held.
    pub localizer_tasks: usize,
    pub localizer_top3: usize,
    /// Tasks whose rewrite stage ran against a reference fix, and those where it ranked a
    /// definition the reference changes first.
    pub definition_tasks: usize,
    pub definition_first: usize,
    /// Tasks whose last try ended "unverified" (a change kept that no test could judge).
    pub unverified: usize,
    /// Tries that cria called fixed while the task's check failed (must be 0).
    pub false_fixed: usize,
    /// Tasks where cria added a test that shows the issue.
    pub issue_tests: usize,
    /// One-token changes tried, over all tasks, and the tasks where one made the tests pass.
    pub mutants_tried: usize,
    pub mutant_passes: usize,
    /// Tasks whose candidate tests stood together, and those where a change told them apart.
    pub pooled_tasks: usize,
    pub pools_told: usize,
}

/// The files the reference fix changes, one path per line in `<task>/FIXED_FILES`.
fn reference_files(task: &Path) -> Option<Vec<String>> {
    let text = std::fs::read_to_string(task.join("FIXED_FILES")).ok()?;
    Some(
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect(),
    )
}

/// The definitions (`path::name`) the task's `reference.patch` changes or adds: the patch
/// applied (`git apply`, which works outside a repository too) to a scratch copy of `repo/`,
/// each file's definitions compared.
fn reference_definitions(task: &Path) -> Option<Vec<String>> {
    let patch = std::fs::read(task.join("reference.patch")).ok()?;
    let scratch = tempfile::tempdir().ok()?;
    let repo = scratch.path().join("repo");
    tasks::copy_repo(&task.join("repo"), &repo).ok()?;
    let mut child = std::process::Command::new("git")
        .args(["apply", "-p1", "-"])
        .current_dir(&repo)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    std::io::Write::write_all(&mut child.stdin.take()?, &patch).ok()?;
    if !child.wait().ok()?.success() {
        return None;
    }
    let mut changed = Vec::new();
    for file in reference_files(task)? {
        let before = std::fs::read_to_string(task.join("repo").join(&file)).unwrap_or_default();
        let after = std::fs::read_to_string(repo.join(&file)).unwrap_or_default();
        let old = crate::agent::rewrite::definitions(&file, &before);
        for def in crate::agent::rewrite::definitions(&file, &after) {
            if !old.iter().any(|o| o.name == def.name && o.code == def.code) {
                changed.push(format!("{file}::{}", def.name));
            }
        }
    }
    Some(changed)
}

/// Run the task's check in `dir` the way its author wrote it: an executable script with a `#!`
/// line by that interpreter, any other with bash (checks use bash-isms such as `BASH_SOURCE`).
/// It runs in the agent's sandbox: it executes code the model wrote.
fn check(runner: &process::Runner, dir: &Path, script: &Path) -> (bool, String) {
    let quoted = shell_quote(&script.to_string_lossy());
    let command = if runs_by_itself(script) {
        quoted
    } else {
        format!("bash {quoted}")
    };
    match runner.run(&command, dir, Duration::from_secs(900)) {
        Ok(out) => (out.success(), process::head_tail(&out.output, 1_000, 2_000)),
        Err(e) => (false, format!("could not run {}: {e}", script.display())),
    }
}

/// An executable file that names its interpreter.
fn runs_by_itself(script: &Path) -> bool {
    use std::io::Read;
    use std::os::unix::fs::PermissionsExt;
    let executable = std::fs::metadata(script).is_ok_and(|m| m.permissions().mode() & 0o111 != 0);
    let mut head = [0u8; 2];
    let shebang = std::fs::File::open(script)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == b"#!");
    executable && shebang
}

/// `text` as one word for `sh`.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

fn run_task(
    args: &AgentArgs,
    backend: &mut SharedBackend,
    task: &Path,
    tries: usize,
) -> TaskResult {
    let name = task
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut result = TaskResult {
        task: name,
        ..Default::default()
    };
    let start = Instant::now();
    let fail = |mut r: TaskResult, e: String| {
        r.error = Some(e);
        r
    };
    let issue = match std::fs::read_to_string(task.join("ISSUE.md")) {
        Ok(t) => t,
        Err(e) => return fail(result, format!("ISSUE.md: {e}")),
    };
    let scratch = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => return fail(result, e.to_string()),
    };
    let work = scratch.path().join("repo");
    if let Err(e) = tasks::copy_repo(&task.join("repo"), &work) {
        return fail(result, format!("copying repo/: {e}"));
    }
    let cfg = match tasks::config_for(args, &work, None) {
        Ok(c) => c,
        Err(e) => return fail(result, e),
    };
    if let Err(e) = backend.begin_task(&cfg) {
        return fail(result, e.to_string());
    }
    let mut text = issue.clone();
    for attempt in 1..=tries.max(1) {
        result.tries = attempt;
        let mut sink = CountingSink {
            counts: Counts::default(),
            inner: None,
            localized: None,
            suspects: None,
        };
        let mut said_fixed = false;
        match backend.fix(&cfg, &text, &mut sink) {
            Ok(r) => {
                said_fixed = r.fixed();
                result.issue_test = r.repro_test.clone();
                result.mutants_tried += r.mutants_tried;
                result.mutant_passed = r.mutant_passed.clone();
                result.pooled_tests = r.pooled_tests;
                result.pool_told = r.pool_told;
                result.outcome = super::batch::outcome_name(r.outcome).into();
                result.stop = r.stop.clone();
                result.steps += r.steps;
                result.tokens_in += r.tokens_in;
                result.tokens_reused += r.tokens_reused;
                result.tokens_out += r.tokens_out;
            }
            Err(e) => {
                result.error = Some(e.to_string());
            }
        }
        if attempt == 1 {
            result.localized = sink.localized.take().unwrap_or_default();
            result.localized.truncate(3);
            result.localizer_hit =
                reference_files(task).map(|want| want.iter().all(|f| result.localized.contains(f)));
            if let (Some(suspects), Some(wanted)) =
                (sink.suspects.take(), reference_definitions(task))
            {
                result.definition_judged = true;
                result.definition_rank = suspects
                    .iter()
                    .position(|s| wanted.contains(s))
                    .map(|i| i + 1);
            }
        }
        let c = sink.counts;
        result.counts.responses += c.responses;
        result.counts.edits_applied += c.edits_applied;
        result.counts.edits_refused += c.edits_refused;
        result.counts.malformed_tool_calls += c.malformed_tool_calls;
        // The sandbox grants a folder by where it really is: a task folder that is a link to
        // one elsewhere is granted, and its check run, at the link's target.
        let real = task.canonicalize().unwrap_or_else(|_| task.to_path_buf());
        let runner = cfg.fix.runner.with_readable(std::slice::from_ref(&real));
        let checking = Instant::now();
        let (ok, output) = check(&runner, &work, &real.join("check.sh"));
        result.check_seconds += checking.elapsed().as_secs_f64();
        result.false_fixed |= said_fixed && !ok;
        if ok {
            result.solved = true;
            result.solved_on_try = Some(attempt);
            break;
        }
        text = format!(
            "{issue}\n\nA previous attempt did not fix it. The check still fails:\n```\n{}\n```",
            output.trim()
        );
    }
    result.seconds = start.elapsed().as_secs_f64() - result.check_seconds;
    result
}

pub fn summarize(results: &[TaskResult]) -> Summary {
    let mut s = Summary {
        tasks: results.len(),
        ..Default::default()
    };
    for r in results {
        s.solved += r.solved as usize;
        s.solved_try1 += (r.solved_on_try == Some(1)) as usize;
        s.solved_try2 += (r.solved_on_try == Some(2)) as usize;
        s.responses += r.counts.responses;
        s.edits_applied += r.counts.edits_applied;
        s.edits_refused += r.counts.edits_refused;
        s.malformed_tool_calls += r.counts.malformed_tool_calls;
        s.tokens_in += r.tokens_in;
        s.tokens_reused += r.tokens_reused;
        s.tokens_out += r.tokens_out;
        s.unverified += (r.outcome == "unverified") as usize;
        s.false_fixed += r.false_fixed as usize;
        s.issue_tests += r.issue_test.is_some() as usize;
        s.mutants_tried += r.mutants_tried;
        s.mutant_passes += r.mutant_passed.is_some() as usize;
        s.pooled_tasks += usize::from(r.pooled_tests > 0);
        s.pools_told += usize::from(r.pool_told);
        if let Some(hit) = r.localizer_hit {
            s.localizer_tasks += 1;
            s.localizer_top3 += hit as usize;
        }
        s.definition_tasks += r.definition_judged as usize;
        s.definition_first += (r.definition_rank == Some(1)) as usize;
    }
    s.well_formed_responses = s
        .responses
        .saturating_sub(s.edits_refused + s.malformed_tool_calls);
    s.median_seconds = tasks::median(results.iter().map(|r| r.seconds).collect());
    s
}

pub fn run(args: &AgentArgs, dir: &Path, tries: usize, json: bool) -> ExitCode {
    // check.sh runs inside the scratch copy: task paths must not be relative.
    let dir = &match dir.canonicalize() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("cria: {}: {e}", dir.display());
            return ExitCode::Usage;
        }
    };
    let mut dirs: Vec<_> = match std::fs::read_dir(dir) {
        Ok(it) => it
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.join("ISSUE.md").is_file())
            .collect(),
        Err(e) => {
            eprintln!("cria: {}: {e}", dir.display());
            return ExitCode::Usage;
        }
    };
    dirs.sort();
    if dirs.is_empty() {
        eprintln!(
            "cria: {} holds no task folders (<task>/repo, ISSUE.md, check.sh)",
            dir.display()
        );
        return ExitCode::Usage;
    }
    let template = match tasks::config_for(args, dir, None) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cria: {e}");
            return ExitCode::Usage;
        }
    };
    let mut backend = match SharedBackend::open(&template) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cria: {e}");
            return ExitCode::Backend;
        }
    };
    let mut results = Vec::new();
    for (i, task) in dirs.iter().enumerate() {
        let r = run_task(args, &mut backend, task, tries);
        let verdict = match (r.solved_on_try, &r.error) {
            (Some(t), _) => format!("solved on try {t}"),
            (None, Some(e)) => format!("error: {e}"),
            (None, None) => "not solved".into(),
        };
        let verdict = format!("{verdict}; cria said {}", r.outcome);
        eprintln!(
            "cria eval: [{}/{}] {} — {verdict} ({:.0} s; its check {:.0} s)",
            i + 1,
            dirs.len(),
            r.task,
            r.seconds,
            r.check_seconds
        );
        if json {
            println!("{}", serde_json::to_string(&r).unwrap_or_default());
        }
        results.push(r);
    }
    let s = summarize(&results);
    if json {
        println!("{}", serde_json::to_string(&s).unwrap_or_default());
    } else {
        println!(
            "{:<24} {:>8} {:>11} {:>6} {:>6} {:>8} {:>8} {:>6}",
            "task", "solved", "cria said", "steps", "edits", "refused", "seconds", "top3"
        );
        for r in &results {
            let solved = r
                .solved_on_try
                .map(|t| format!("try {t}"))
                .unwrap_or_else(|| "no".into());
            let top3 = match r.localizer_hit {
                Some(true) => "yes",
                Some(false) => "no",
                None => "-",
            };
            println!(
                "{:<24} {:>8} {:>11} {:>6} {:>6} {:>8} {:>8.1} {:>6}",
                r.task,
                solved,
                r.outcome,
                r.steps,
                r.counts.edits_applied,
                r.counts.edits_refused,
                r.seconds,
                top3
            );
        }
        println!(
            "solved {}/{} (try 1: {}, try 2: {}), median {:.1} s per task (cria's time, checks apart), {} of {} responses well-formed, {} refused edits, {} malformed tool calls, tokens: {} processed, {} reused, {} generated",
            s.solved, s.tasks, s.solved_try1, s.solved_try2, s.median_seconds, s.well_formed_responses,
            s.responses, s.edits_refused, s.malformed_tool_calls, s.tokens_in, s.tokens_reused, s.tokens_out
        );
        println!(
            "localizer: the reference fix's files in the top 3 for {} of {} tasks",
            s.localizer_top3, s.localizer_tasks
        );
        println!(
            "rewrite stage: a definition the reference fix changes ranked first in {} of {} tasks",
            s.definition_first, s.definition_tasks
        );
        println!(
            "honesty: {} task(s) ended unverified; cria said fixed where the check failed {} time(s); a test of the issue was added in {} task(s)",
            s.unverified, s.false_fixed, s.issue_tests
        );
    }
    if s.solved == s.tasks {
        ExitCode::Fixed
    } else {
        ExitCode::NotFixed
    }
}
