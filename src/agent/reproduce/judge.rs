//! Whether a test cria added shows the bug: it fails, in the new test, for a reason other than
//! the test itself being broken — and, on the code before any change, with the output the issue
//! reports.

use crate::agent::{mismatch, stated};
use crate::protocol::TestRun;

/// Signs that a test failed because the test itself is broken, not the code it tests.
const BROKEN: &[&str] = &[
    "SyntaxError",
    "IndentationError",
    "ImportError",
    "ModuleNotFoundError",
    "NameError",
    "error[E",
    "ReferenceError",
    "is not defined",
    "cannot find",
    "undefined:",
];

/// Signs that a test calls the code the wrong way (too many arguments, a float where a count
/// goes, a method that does not exist) rather than meets the bug — unless the issue itself is
/// about a crash.
const MISCALLED: &[&str] = &["TypeError", "AttributeError", "is not a function"];

/// Words with which an issue reports a crash, where any exception may be the bug itself.
const CRASH: &[&str] = &[
    "crash",
    "exception",
    "traceback",
    "raise",
    "throw",
    "error:",
];

/// Whether `run` (after adding the test `name`) shows the bug: it fails, in the new test, and
/// not because the test cannot compile, names something that does not exist, or calls the code
/// wrongly (unless the issue itself is about such an error). `Err` says why the test is not
/// kept.
pub fn judge(run: &TestRun, name: &str, issue: &str) -> Result<(), String> {
    if run.passed {
        return Err(
            "it passes, so it does not show the bug; check the input and the expected \
                    value the issue states"
                .into(),
        );
    }
    if run.timed_out {
        return Err("the tests timed out with it".into());
    }
    let lower = issue.to_lowercase();
    // An issue that names the error it reports (`ValueError: bad entry`) is about that one:
    // another, of those a wrong call raises, is still the test's.
    let crash = CRASH.iter().any(|w| lower.contains(w)) && !names_an_error(issue);
    let miscalled = MISCALLED.iter().filter(|_| !crash);
    if let Some(sign) = BROKEN
        .iter()
        .chain(miscalled)
        .find(|s| run.output.contains(*s) && !issue.contains(*s))
    {
        let line = run
            .output
            .lines()
            .find(|l| l.contains(sign))
            .unwrap_or("")
            .trim();
        return Err(format!("the test itself is broken ({line})"));
    }
    if !run.output.contains(name) {
        return Err(format!(
            "the tests fail, but the output does not mention `{name}`"
        ));
    }
    Ok(())
}

/// Whether `issue` names an error by its type (`ValueError`, `KeyError`, `RangeError`,
/// `IllegalStateException`).
fn names_an_error(issue: &str) -> bool {
    issue
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .any(|word| {
            let named = word
                .strip_suffix("Error")
                .or(word.strip_suffix("Exception"));
            named.is_some_and(|kind| kind.starts_with(|c: char| c.is_ascii_uppercase()))
        })
}

/// [`judge`] for a test run on the code before any change, where it must also show the output
/// the issue reports ([`not_the_reported_output`]).
pub fn judge_before(run: &TestRun, name: &str, issue: &str) -> Result<(), String> {
    judge(run, name, issue)?;
    not_the_reported_output(&run.output, name, issue).map_or(Ok(()), Err)
}

/// [`judge_before`] for a candidate test sampled freely (beside the greedy one): kept only when
/// its failure is anchored in what the issue states — the value it wanted is one the issue
/// expects, what it got is one the issue reports as wrong, or the output holds an error line
/// the issue quotes. A freer sample often invents its own case and its own answer (20 hits on
/// one page where the issue says 20 fill two): it fails, and shows nothing of the bug.
pub fn judge_anchored(run: &TestRun, name: &str, issue: &str) -> Result<(), String> {
    judge_before(run, name, issue)?;
    let said = stated::stated(issue);
    let value = |v: &String| stated::unquote(v).trim().to_string();
    let wrong: Vec<String> = said.wrong.iter().chain(&said.shown).map(value).collect();
    let expected: Vec<String> = said.expected.iter().map(value).collect();
    let own = section(&run.output, name);
    let matched = mismatch::mismatches(own).into_iter().any(|m| {
        let (got, want) = (m.got.trim().to_string(), m.want.trim().to_string());
        expected.contains(&want) || wrong.contains(&got)
    });
    let quoted_error = code_lines(issue)
        .filter(|l| l.chars().count() >= 12)
        .any(|l| own.contains(l) || error_message(l).is_some_and(|m| own.contains(m)));
    if matched || quoted_error {
        return Ok(());
    }
    Err(UNANCHORED.into())
}

/// Why [`judge_anchored`] turned down a test that [`judge_before`] keeps.
pub const UNANCHORED: &str = "it fails, but neither on a value the issue states nor with the \
                              error it quotes: its case and answer may be its own";

/// The lines of the issue's code blocks (fenced, or indented by four spaces or a tab), trimmed.
fn code_lines(issue: &str) -> impl Iterator<Item = &str> {
    let mut fenced = false;
    issue.lines().filter_map(move |line| {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            return None;
        }
        let code = fenced || line.starts_with("    ") || line.starts_with('\t');
        (code && !line.trim().is_empty()).then(|| line.trim())
    })
}

/// The message of an error line (`attempt to subtract with overflow` of `thread 'main'
/// panicked at src/bar.rs:38:17: attempt to subtract with overflow`, `bad entry` of
/// `ValueError: bad entry`), when it is long enough to tell.
fn error_message(line: &str) -> Option<&str> {
    let (_, message) = line.rsplit_once(": ")?;
    (message.trim().chars().count() >= 12).then(|| message.trim())
}

/// Why a test that expects the issue's own value still does not show the bug the issue reports:
/// on the code before the change, what it compares is none of the outputs the issue says come
/// out (`[object Promise] open tasks, 2 overdue` where the issue shows `…, 1 overdue`). Its inputs
/// are of its own making — a store with three open tasks where the issue has two — and it
/// would fail after a right fix as well. `None` when the issue quotes no such output, or the
/// test `name` fails in another way (a crash, a comparison of other values).
pub fn not_the_reported_output(output: &str, name: &str, issue: &str) -> Option<String> {
    let said = stated::stated(issue);
    let value = |v: &String| stated::unquote(v).to_string();
    let wrong: Vec<String> = said.wrong.iter().chain(&said.shown).map(value).collect();
    let expected: Vec<String> = said.expected.iter().map(value).collect();
    let m = mismatch::mismatches(section(output, name))
        .into_iter()
        .find(|m| expected.contains(&m.want))?;
    // The wrong outputs that may stand for the expected one the test asserts: those that share
    // something with it at its ends (`[object Promise] open tasks, 1 overdue` and `1024 B` may
    // stand for `2 open tasks, 1 overdue` and `1.0 KB`; the title's `[object Promise] open
    // tasks` does not). What the test got must be one of them.
    let mut counterparts: Vec<&String> = wrong.iter().filter(|w| affixes(w, &m.want) > 0).collect();
    counterparts.sort_by_key(|w| std::cmp::Reverse(affixes(w, &m.want)));
    let likeliest = counterparts.first()?;
    let reported = |w: &&String| m.got.contains(w.as_str()) || w.contains(m.got.as_str());
    if counterparts.iter().any(reported) {
        return None;
    }
    Some(format!(
        "on the code before the change it gives `{}` where the issue says `{likeliest}` comes \
         out: its inputs are not the issue's, so it would fail after a right fix too",
        m.got
    ))
}

/// Why a test that fails alike before and after a change does not reach the bug: both times it
/// ends in the same error (`ConfigError: line 1: setting outside a [job]`), one the issue never
/// names — raised by the test's own setup (a job file without its `[job]` header), so the
/// change could not have made it pass. `None` when the two failures differ, either is an
/// assertion's, or the issue reports a crash without naming its error (any error may be it).
pub fn own_error(before: &str, after: &str, name: &str, issue: &str) -> Option<String> {
    let lower = issue.to_lowercase();
    if CRASH.iter().any(|w| lower.contains(w)) && !names_an_error(issue) {
        return None;
    }
    let (kind, line) = last_error(section(before, name))?;
    if last_error(section(after, name))? != (kind.clone(), line.clone())
        || kind == "AssertionError"
        || issue.contains(&kind)
        || reports_message(issue, &line)
    {
        return None;
    }
    Some(format!(
        "it fails with `{line}` on the code before the change and with the change alike, an \
         error the issue never reports: its own setup raises it, so it never reaches the bug"
    ))
}

/// Whether `issue` reports the error `line` by its message, not its kind ("it says invalid
/// duration" for `ValueError: invalid duration '1h30m'`): half or more of the message's words
/// of four characters or more are the issue's.
fn reports_message(issue: &str, line: &str) -> bool {
    let message = line.split_once(':').map_or("", |(_, m)| m);
    let words: Vec<&str> = message
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 4)
        .collect();
    let lower = issue.to_lowercase();
    let said = words
        .iter()
        .filter(|w| lower.contains(&w.to_lowercase()))
        .count();
    !words.is_empty() && said * 2 >= words.len()
}

/// The last error line of a test's `output` (pytest's `E   pkg.ConfigError: …`, unittest's or
/// node's `ConfigError: …`): its kind, and the line from the kind on.
fn last_error(output: &str) -> Option<(String, String)> {
    static RE: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let re = RE
        .get_or_init(|| {
            regex::Regex::new(
                r"^(?:E\s+)?(?:[A-Za-z_]\w*\.)*(([A-Z]\w*(?:Error|Exception))(?::\s.*)?)$",
            )
            .ok()
        })
        .as_ref()?;
    let c = output.lines().rev().find_map(|l| re.captures(l.trim()))?;
    Some((
        c.get(2)?.as_str().to_string(),
        c.get(1)?.as_str().to_string(),
    ))
}

/// The part of a test run's `output` about the test `name`: from the first header that names
/// it to the next header of another test — pytest's `____ Case.name ____`, unittest's `FAIL:
/// name (…)`, node's `# Subtest: name` and `not ok 3 - name`, cargo's `---- name stdout ----`;
/// the whole output when no header names it.
pub(in crate::agent) fn section<'o>(output: &'o str, name: &str) -> &'o str {
    let header = |line: &str| {
        let t = line.trim();
        (t.starts_with("__") && t.ends_with("__"))
            || (t.starts_with("---- ") && t.ends_with(" ----"))
            || ["FAIL: ", "ERROR: ", "not ok ", "# Subtest: "]
                .iter()
                .any(|p| t.starts_with(p))
    };
    let mut start = None;
    let mut at = 0;
    for line in output.split_inclusive('\n') {
        if header(line) {
            match start {
                None if line.contains(name) => start = Some(at),
                Some(from) if !line.contains(name) => {
                    return output.get(from..at).unwrap_or(output)
                }
                _ => {}
            }
        }
        at += line.len();
    }
    start.and_then(|from| output.get(from..)).unwrap_or(output)
}

/// How many characters `a` and `b` share at their start and at their end.
fn affixes(a: &str, b: &str) -> usize {
    let start = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let end = a
        .chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let shortest = a.chars().count().min(b.chars().count());
    (start + end).min(shortest)
}
