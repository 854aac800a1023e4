//! The rewrite stage, for models too small to write SEARCH/REPLACE reliably: pick the definition
//! most likely at fault, show it, and ask for the whole corrected definition in one code block.
//! cria knows exactly which lines it asked about, so it replaces them itself — the model never
//! has to copy anything exactly. Candidates come from the model's own diagnosis, the issue text
//! and the failing test output.

use regex::Regex;

use crate::edit::loose::{extent, indent_len, reindent};
use crate::edit::parse::SearchReplaceBlock;

mod rank;

pub use rank::{calls, constant_files, ranked};

/// A definition the model may be asked to rewrite.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub path: String,
    pub name: String,
    /// The definition's lines as they are in the file, each ending in `\n`.
    pub code: String,
    /// 1-based first line.
    pub line: usize,
    pub score: f64,
    /// The one line of its body that running the tests singled out, as written (trimmed).
    pub hint: Option<String>,
}

const STARTS: &[&str] = &[
    "def ",
    "async def ",
    "fn ",
    "pub fn ",
    "pub(crate) fn ",
    "pub async fn ",
    "async fn ",
    "func ",
    "function ",
    "async function ",
    "export function ",
    "export async function ",
    "static ",
    "public ",
    "private ",
    "protected ",
];

const NOT_METHODS: &[&str] = &[
    "if", "for", "while", "switch", "catch", "return", "match", "else", "do",
];

fn name_of(line: &str) -> Option<String> {
    let t = line.trim_start();
    // JavaScript/TypeScript: `const name = (a) => {` at the top level (inside a function it
    // is a local, not a definition to rewrite), and class methods `name(a) {`.
    for kw in ["const ", "let ", "var ", "export const "] {
        if let Some(rest) = t.strip_prefix(kw) {
            if line.starts_with([' ', '\t']) {
                return None;
            }
            let (name, value) = rest.split_once('=')?;
            let name = name.trim().split(':').next()?.trim();
            let arrow = value.contains("=>") || value.trim_start().starts_with("function");
            return (arrow
                && !name.is_empty()
                && name.chars().all(|c| c.is_alphanumeric() || c == '_'))
            .then(|| name.to_string());
        }
    }
    // A match arm (`Err(e) => {`) looks like a method too: it is not one.
    if line.starts_with([' ', '\t']) && t.trim_end().ends_with('{') && !t.contains("=>") {
        let head = t.trim_start_matches("async ").trim_start_matches("static ");
        if let Some((name, _)) = head.split_once('(') {
            let ok = !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_');
            if ok && !NOT_METHODS.contains(&name) {
                return Some(name.to_string());
            }
        }
    }
    let rest = STARTS.iter().find_map(|s| t.strip_prefix(s))?;
    let rest = rest
        .trim_start_matches("async ")
        .trim_start_matches("fn ")
        .trim_start_matches("def ");
    // Java-ish `public int name(`: the identifier right before the first `(`.
    let before_paren = rest.split('(').next()?;
    let name = before_paren
        .split_whitespace()
        .last()?
        .trim_start_matches('*');
    let name = name.split('<').next()?;
    (!name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_'))
        .then(|| name.to_string())
}

pub fn is_constant(t: &Target) -> bool {
    t.code.lines().next().and_then(constant_name).is_some()
}

/// A module-level constant's name: `NAME = ...` (Python), `const NAME: T = ...` / `static`
/// (Rust), `const NAME = ...` (JavaScript) — data a bug can live in (a factor, a table).
fn constant_name(line: &str) -> Option<String> {
    if line.starts_with([' ', '\t']) {
        return None;
    }
    let t = line
        .trim_start_matches("export ")
        .trim_start_matches("pub(crate) ")
        .trim_start_matches("pub ");
    let rest = ["const ", "static "]
        .iter()
        .find_map(|k| t.strip_prefix(k))
        .unwrap_or(t);
    let name: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    let after = rest.get(name.len()..).unwrap_or_default().trim_start();
    let upper = name.len() > 1
        && name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    (upper && (after.starts_with('=') && !after.starts_with("==") || after.starts_with(':')))
        .then_some(name)
}

/// Where a constant starting at `start` ends: when its brackets close again.
fn constant_extent(lines: &[&str], start: usize) -> usize {
    let mut depth = 0i64;
    for (k, l) in lines.iter().enumerate().skip(start) {
        depth += l.matches(['(', '[', '{']).count() as i64;
        depth -= l.matches([')', ']', '}']).count() as i64;
        if depth <= 0 {
            return k + 1;
        }
    }
    lines.len()
}

/// Every function-like definition in a file, and its module-level constants.
pub fn definitions(path: &str, body: &str) -> Vec<Target> {
    let lines: Vec<&str> = body.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if let Some(name) = constant_name(line) {
            let end = constant_extent(&lines, i);
            if end - i <= 80 {
                out.push(Target {
                    path: path.to_string(),
                    name,
                    code: lines_of(&lines, i, end),
                    line: i + 1,
                    score: 0.0,
                    hint: None,
                });
            }
            continue;
        }
        let Some(name) = name_of(line) else { continue };
        if !line.contains('(') {
            continue;
        }
        let prev = i
            .checked_sub(1)
            .and_then(|p| lines.get(p))
            .map_or("", |l| l.trim());
        if prev == "#[test]" || name.starts_with("test_") {
            continue;
        }
        let end = extent(&lines, i);
        if end - i > 80 {
            continue; // too large to ask a small model to rewrite whole
        }
        let code = lines_of(&lines, i, end);
        out.push(Target {
            path: path.to_string(),
            name,
            code,
            line: i + 1,
            score: 0.0,
            hint: None,
        });
    }
    out
}

/// Lines `start..end`, each ended by a newline.
fn lines_of(lines: &[&str], start: usize, end: usize) -> String {
    let picked = lines.get(start..end).unwrap_or_default();
    picked.iter().map(|l| format!("{l}\n")).collect()
}

pub(super) fn mentions(text: &str, name: &str) -> bool {
    text.match_indices(name)
        .any(|(at, _)| word_at(text, at, name))
}

/// Whether `name` stands as a whole word at byte `at` of `text`.
pub(super) fn word_at(text: &str, at: usize, name: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let before = text.get(..at).and_then(|t| t.chars().next_back());
    let after = text.get(at + name.len()..).and_then(|t| t.chars().next());
    !before.is_some_and(word) && !after.is_some_and(word)
}

/// A rewrite that was put in place and did not fix the bug.
#[derive(Debug, Clone)]
pub struct Tried {
    /// The definition it rewrote.
    pub name: String,
    pub code: String,
    /// What the tests said with it in place ([`key_failure_lines`]); `None` when they were not
    /// run on it (the same change again, or one refused before the tests).
    pub failure: Option<String>,
}

/// The request for one rewrite: the problem restated (it is far back in the context by now),
/// the failure's key lines, the definition as it is, what the failing tests called it with and
/// what it gave back (`seen`: a small model that reads `format_duration(seconds=119.7) returned
/// '1m 60s'` sees where the output goes wrong), and the versions that already failed.
pub fn request(
    t: &Target,
    lang: &str,
    issue: &str,
    failure: &str,
    seen: &[super::spectrum::Call],
    failed: &[&Tried],
) -> String {
    let issue: String = issue.trim().chars().take(600).collect();
    let mut s = format!("The problem: {issue}\n");
    if !failure.trim().is_empty() {
        s.push_str(&format!(
            "The failing test says:\n```\n{}\n```\n",
            failure.trim()
        ));
    }
    s.push_str(&format!(
        "Here is `{}` from `{}`:\n```{lang}\n{}```\n",
        t.name, t.path, t.code
    ));
    if let Some(line) = &t.hint {
        s.push_str(&format!(
            "Running the tests points at this line of it: `{line}`.\n"
        ));
    }
    if !seen.is_empty() {
        let lines: Vec<String> = seen.iter().map(|c| c.line()).collect();
        s.push_str(&format!(
            "When the failing tests ran, it was called like this:\n```\n{}\n```\n",
            lines.join("\n")
        ));
    }
    for f in failed.iter().rev().take(2) {
        s.push_str(&format!(
            "This version was tried and did NOT fix it; do not write it again:\n```{lang}\n{}```\n",
            f.code
        ));
        // What it led to is the most useful thing a failed attempt says: a new error further
        // on is a fix half made, the same error is a change in the wrong place.
        match f.failure.as_deref().map(str::trim) {
            Some(said) if said == failure.trim() => {
                s.push_str("With it, the tests failed the same way.\n");
            }
            Some(said) if !said.is_empty() => {
                s.push_str(&format!(
                    "With it, the tests failed with:\n```\n{said}\n```\n"
                ));
            }
            _ => {}
        }
    }
    if let Some(constant) = fixed_setting(t, &issue) {
        s.push_str(&format!(
            "`{}` uses the fixed value `{constant}`. If a setting should decide it instead, add a parameter for it; cria passes it at every call.\n",
            t.name
        ));
    }
    s.push_str(&format!(
        "Rewrite `{}` so that the problem is fixed; if the fix needs a new function or method, add it after it. Answer with the complete code only, in one code block.",
        t.name
    ));
    s
}

/// A constant `t` reads that the issue talks about (`TAB_STOP` where the report says `--tabs`
/// is ignored), when the issue speaks of an option ([`names_an_option`]): a value fixed in the
/// code where an option should decide it — a fix that needs a new parameter, which
/// [`super::callers`] then passes at every call. A report that only names what a table holds
/// ("the currency symbol" and `SYMBOLS`) asks for no new parameter.
pub fn fixed_setting(t: &Target, issue: &str) -> Option<String> {
    if is_constant(t) || !names_an_option(issue) {
        return None;
    }
    let said: Vec<String> = issue
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 3)
        .map(str::to_lowercase)
        .collect();
    let body = t.code.split_once('\n').map_or("", |(_, b)| b);
    // Words in strings are text (`f"… ETA {eta}"`), not constants the code reads.
    let mut code = String::with_capacity(body.len());
    let mut next = 0;
    for (i, c, _) in super::callers::code_chars(body) {
        if i > next {
            code.push(' ');
        }
        code.push(c);
        next = i + c.len_utf8();
    }
    let mut seen = Vec::new();
    for word in code.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
        if seen.contains(&word) || constant_name(&format!("{word} =")).is_none() {
            continue;
        }
        seen.push(word);
        let named = word
            .split('_')
            .filter(|p| p.len() >= 3)
            .map(str::to_lowercase)
            .any(|p| {
                said.iter()
                    .any(|w| w.starts_with(&p) || p.starts_with(w.as_str()))
            });
        if named {
            return Some(word.to_string());
        }
    }
    None
}

/// Whether `issue` speaks of something a user sets: a command-line flag (`--tabs`, `-t 4`) or
/// an option, setting, flag, parameter or argument by that word.
fn names_an_option(issue: &str) -> bool {
    static FLAG: std::sync::OnceLock<Option<Regex>> = std::sync::OnceLock::new();
    let flag = FLAG.get_or_init(|| Regex::new(r"(^|[\s`(])--?[A-Za-z][\w-]*").ok());
    let words = [
        "option",
        "setting",
        "flag",
        "config",
        "parameter",
        "argument",
    ];
    let lower = issue.to_lowercase();
    flag.as_ref().is_some_and(|re| re.is_match(issue)) || words.iter().any(|w| lower.contains(w))
}

/// The few lines of test output that say what failed (assertions, errors, panics).
pub fn key_failure_lines(output: &str) -> String {
    let keys = [
        "Error", "error[", "assert", "panicked", "FAIL", "expected", "left:", "right:", "!=",
    ];
    let mut lines: Vec<&str> = output
        .lines()
        .map(str::trim_end)
        .filter(|l| keys.iter().any(|k| l.contains(k)) && !l.trim().is_empty())
        .collect();
    lines.dedup();
    let n = lines.len();
    lines.split_off(n.saturating_sub(6)).join("\n")
}

/// The edit that puts the model's rewrite in place of the target's lines.
///
/// `existing` names the definitions already in the file: the model often repeats neighbouring
/// ones (dropped), but a definition that does not exist yet is new code the fix needs (kept,
/// after the target) — how a "small feature" gets added.
pub fn edit_for(t: &Target, reply: &str, existing: &[String]) -> Option<SearchReplaceBlock> {
    let mut block = crate::edit::loose::first_code_block(reply)?;
    while block.first().is_some_and(|l| l.trim().is_empty()) {
        block.remove(0);
    }
    let constant = t.code.lines().next().and_then(constant_name).is_some();
    let at = block
        .iter()
        .position(|l| constant_name(l).as_deref() == Some(&t.name));
    if let (true, Some(start)) = (constant, at) {
        // A constant: exactly its new value, whatever else the reply repeats.
        let lines: Vec<&str> = block.iter().map(String::as_str).collect();
        let end = constant_extent(&lines, start);
        block = block.get(start..end).unwrap_or_default().to_vec();
    } else if let Some(start) = block
        .iter()
        .position(|l| name_of(l).as_deref() == Some(&t.name))
    {
        let lines: Vec<&str> = block.iter().map(String::as_str).collect();
        let base = lines.get(start).map_or(0, |l| indent_len(l));
        let end = extent(&lines, start);
        let mut kept: Vec<String> = block.get(start..end).unwrap_or_default().to_vec();
        let mut i = 0;
        while let Some(line) = lines.get(i) {
            let new_def = name_of(line)
                .filter(|n| *n != t.name && !existing.contains(n))
                .filter(|_| indent_len(line) == base && (i < start || i >= end));
            if new_def.is_some() {
                let e = extent(&lines, i).max(i + 1);
                kept.push(String::new());
                kept.extend(block.get(i..e).unwrap_or_default().iter().cloned());
                i = e;
            } else {
                i += 1;
            }
        }
        block = kept;
    } else if block
        .iter()
        .find(|l| !l.trim().is_empty())
        .and_then(|l| name_of(l).or_else(|| constant_name(l)))
        .is_some_and(|other| other != t.name)
    {
        // A reply that opens with another definition and never defines the target is not a
        // rewrite of it: put in the target's place, it would delete the target.
        return None;
    }
    let first = t.code.lines().next()?;
    let indent = first.get(..indent_len(first)).unwrap_or_default();
    let replace = reindent(&block, indent);
    if replace.trim().is_empty() || replace == t.code {
        return None;
    }
    Some(SearchReplaceBlock {
        path: t.path.clone(),
        search: t.code.clone(),
        replace,
        index: 1,
        ..Default::default()
    })
}

#[cfg(test)]
#[path = "rewrite_tests.rs"]
mod tests;
