//! The cases an issue states, written as tests by cria itself. A report that shows a call and
//! what it should give (`` `to_roman(4)` returns "IIII" but it should return "IV" ``, a `>>>`
//! session with "I expected `ETA 2m 00s`", `free_slots(tue)   # -> …` and the list it should
//! be) holds everything a test needs: the call, its setup, and the value. Asking a small model
//! to copy those into a test loses them as often as not (it asserts the wrong column, invents
//! an input); cria writes the assertion from the issue's own values, and the reproduce stage
//! keeps only the ones that fail now, so each kept test is a check of exactly what the issue
//! says. Python only: its sessions and calls are what such reports quote.

use regex::Regex;

use super::stated::{self, DOES, FILLER, SHOULD};

/// What a case's call should give.
#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    /// Equal to this Python expression (a literal).
    Equals(String),
    /// `True`, `False` or `None`, compared with `is`.
    Is(String),
    /// Its `str()` equal to this text (a value the issue quotes as printed).
    Prints(String),
    /// A string holding this text (the part of a longer output the issue says is wrong).
    Contains(String),
}

/// One case: the assignments it needs, the call, and what the call should give.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub setup: Vec<String>,
    pub call: String,
    pub expect: Expect,
}

/// Cases a test holds at most (each is a test of its own).
const MOST: usize = 6;

/// The cases `issue` states in full: a call and the value it should give (see the module doc).
/// A value cria cannot place with certainty is left out, never guessed.
pub fn cases(issue: &str) -> Vec<Case> {
    let blocks = code_lines(issue);
    let (prose, _) = stated::split_sessions(issue);
    let mut out: Vec<Case> = Vec::new();
    let mut used: Vec<String> = Vec::new();
    for sentence in stated::sentences(&prose) {
        for (call, value) in prose_cases(&sentence) {
            let expect = match value {
                Value::Quoted(text) => Expect::Equals(py_str(&text)),
                Value::Code(text) if is_literal(&text) => literal(&text),
                Value::Code(text) => Expect::Prints(text.clone()),
                Value::Bare(text) => literal(&text),
            };
            used.push(value_text(&expect).to_string());
            out.push(case(&blocks.setup, call, expect));
        }
    }
    let mut expected = stated::stated(issue)
        .expected
        .into_iter()
        .filter(|e| !used.contains(e));
    // Sessions take the issue's other expected values in order, each the first that fits it.
    let mut left: Vec<String> = Vec::new();
    for (call, shown) in blocks.sessions {
        let fits = left
            .iter()
            .position(|e| session_expect(&shown, e).is_some())
            .map(|i| left.remove(i))
            .or_else(|| {
                for e in expected.by_ref() {
                    if session_expect(&shown, &e).is_some() {
                        return Some(e);
                    }
                    left.push(e);
                }
                None
            });
        if let Some(expect) = fits.and_then(|e| session_expect(&shown, &e)) {
            out.push(case(&blocks.setup, call, expect));
        }
    }
    out.dedup();
    out.truncate(MOST);
    out
}

/// The values `issue` says are expected that none of `checked` checks (`"IX"` of "likewise 9
/// should be "IX"", where no call gives the input).
pub fn unchecked(issue: &str, checked: &[Case]) -> Vec<String> {
    let used: Vec<&str> = checked.iter().map(|c| value_text(&c.expect)).collect();
    stated::stated(issue)
        .expected
        .into_iter()
        .filter(|e| !used.contains(&e.as_str()))
        .map(|e| format!("`{e}`"))
        .collect()
}

/// The case of `call`, with the setup lines whose names it uses.
fn case(setup: &[String], call: String, expect: Expect) -> Case {
    let setup = setup
        .iter()
        .filter(|line| {
            let name = line.split('=').next().unwrap_or("").trim();
            mentions(&call, name)
        })
        .cloned()
        .collect();
    Case {
        setup,
        call,
        expect,
    }
}

/// Whether the identifier `name` occurs in `code` as a word of its own.
fn mentions(code: &str, name: &str) -> bool {
    !name.is_empty()
        && code.match_indices(name).any(|(i, _)| {
            let before = code.get(..i).and_then(|s| s.chars().next_back());
            let after = code.get(i + name.len()..).and_then(|s| s.chars().next());
            let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            !word(before) && !word(after)
        })
}

/// The text of an expectation's value, as the issue wrote it (to tell which values a case took).
fn value_text(expect: &Expect) -> &str {
    match expect {
        Expect::Equals(v) | Expect::Is(v) | Expect::Prints(v) | Expect::Contains(v) => {
            let v = v.as_str();
            v.strip_prefix('"')
                .and_then(|r| r.strip_suffix('"'))
                .unwrap_or(v)
        }
    }
}

/// What the issue's code blocks hold: assignments (a case's setup) and calls with the output
/// shown for them (after a `>>>` prompt, or in a `# -> …` comment).
#[derive(Debug, Default)]
struct Blocks {
    setup: Vec<String>,
    sessions: Vec<(String, String)>,
}

fn code_lines(issue: &str) -> Blocks {
    let mut out = Blocks::default();
    let mut fenced = false;
    let mut pending: Option<String> = None;
    for line in issue.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            fenced = !fenced;
            pending = None;
            continue;
        }
        let code = fenced || line.starts_with("    ") || line.starts_with('\t');
        if !code || t.is_empty() {
            pending = None;
            continue;
        }
        if let Some(stmt) = t.strip_prefix(">>>") {
            let stmt = stmt.trim();
            pending = None;
            if is_assignment(stmt) {
                out.setup.push(stmt.to_string());
            } else if is_call(stmt) {
                pending = Some(stmt.to_string());
            }
            continue;
        }
        if t.starts_with("...") {
            pending = None;
            continue;
        }
        if let Some(call) = pending.take() {
            if !t.starts_with("Traceback") {
                out.sessions.push((call, t.to_string()));
            }
            continue;
        }
        if let Some((call, shown)) = t.split_once("# ->") {
            let call = call.trim();
            if is_call(call) {
                out.sessions
                    .push((call.to_string(), shown.trim().to_string()));
            }
        } else if is_assignment(t) {
            out.setup.push(t.to_string());
        }
    }
    out
}

/// `name = expression` on one line, its brackets closed.
fn is_assignment(stmt: &str) -> bool {
    static RE: std::sync::OnceLock<Option<Regex>> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| Regex::new(r"^[A-Za-z_]\w*\s*=[^=]").ok());
    re.as_ref().is_some_and(|re| re.is_match(stmt)) && balanced(stmt)
}

/// A Python call expression (`render(5)`, `str(Money(1500, "JPY"))`, `q.pop()`).
fn is_call(text: &str) -> bool {
    static RE: std::sync::OnceLock<Option<Regex>> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| Regex::new(r"^[A-Za-z_][\w.]*\(.*\)(\[[^\]]*\])?$").ok());
    re.as_ref().is_some_and(|re| re.is_match(text)) && balanced(text) && !text.contains("::")
}

fn balanced(text: &str) -> bool {
    let mut depth = 0i32;
    for c in text.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    depth == 0
}

/// A value in a sentence: inline code, a double-quoted string, or a bare number or `True`,
/// `False`, `None` right after a cue word.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Code(String),
    Quoted(String),
    Bare(String),
}

/// Words that turn "should" around.
const NOT: &[&str] = &[
    "not", "never", "no", "shouldn", "mustn", "isn", "doesn", "nothing",
];

/// Words that make a case an error the call should (or should not) raise, not a value.
const RAISES: &[&str] = &[
    "raise",
    "raises",
    "raised",
    "raising",
    "throw",
    "throws",
    "error",
    "exception",
    "crash",
    "crashes",
    "fail",
    "fails",
    "panic",
    "panics",
];

/// The calls of one sentence and the value it says they should give: "`f(4)` returns "IIII"
/// but it should return "IV"", "`a(1)` and `a(2)` are both True; both should be False".
fn prose_cases(sentence: &str) -> Vec<(String, Value)> {
    let Ok(token) = Regex::new(r#"`([^`\n]+)`|"([^"\n]*)"|(-?\d+(?:\.\d+)?)|([A-Za-z]+)"#) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut calls: Vec<String> = Vec::new();
    let mut should = false;
    let mut cued = false;
    for c in token.captures_iter(sentence) {
        if let Some(word) = c.get(4).map(|m| m.as_str()) {
            let lower = word.to_lowercase();
            if NOT.contains(&lower.as_str()) && should || RAISES.contains(&lower.as_str()) {
                // "should not be `X`", "should raise `ValueError`": no value to equal.
                calls.clear();
                should = false;
            } else if matches!(word, "True" | "False" | "None") {
                if should && cued && !calls.is_empty() {
                    out.extend(calls.drain(..).map(|k| (k, Value::Bare(word.to_string()))));
                }
                cued = false;
            } else if SHOULD.contains(&lower.as_str()) {
                should = true;
                cued = true;
            } else if DOES.contains(&lower.as_str()) {
                should = false;
                cued = true;
            } else if !FILLER.contains(&lower.as_str()) {
                cued = false;
            }
            continue;
        }
        let value = if let Some(code) = c.get(1).map(|m| m.as_str().trim()) {
            if is_call(code) {
                if should {
                    // A call after "should" is what it should equal, not a new case.
                    calls.clear();
                    should = false;
                }
                calls.push(code.to_string());
                cued = false;
                continue;
            }
            Value::Code(code.to_string())
        } else if let Some(q) = c.get(2) {
            Value::Quoted(q.as_str().to_string())
        } else if let Some(n) = c.get(3).filter(|_| cued) {
            Value::Bare(n.as_str().to_string())
        } else {
            cued = false;
            continue;
        };
        cued = false;
        if should && !calls.is_empty() {
            out.extend(calls.drain(..).map(|k| (k, value.clone())));
            should = false;
        }
    }
    out
}

/// A Python literal: a number, a string, a list, tuple, dict or set of literals, or a keyword.
fn is_literal(text: &str) -> bool {
    let t = text.trim();
    let Some(first) = t.chars().next() else {
        return false;
    };
    let quoted = (first == '\'' || first == '"') && t.len() >= 2 && t.ends_with(first);
    let bracketed = matches!(
        (first, t.chars().last()),
        ('[', Some(']')) | ('(', Some(')')) | ('{', Some('}'))
    ) && balanced(t);
    matches!(t, "True" | "False" | "None") || t.parse::<f64>().is_ok() || quoted || bracketed
}

fn literal(text: &str) -> Expect {
    match text.trim() {
        k @ ("True" | "False" | "None") => Expect::Is(k.to_string()),
        t => Expect::Equals(t.to_string()),
    }
}

/// What a call shown as giving `shown` (a repr) should give instead, if `expected` fits it: a
/// literal of the same kind, or — for a string output — the text that replaces the wrong part.
fn session_expect(shown: &str, expected: &str) -> Option<Expect> {
    if is_literal(expected) {
        return (is_literal(shown) && kind(shown) == kind(expected)).then(|| literal(expected));
    }
    let text = stated_text(shown)?;
    let head = expected.split_whitespace().next()?;
    (text.contains(head) && !text.contains(expected)).then(|| Expect::Contains(py_str(expected)))
}

/// The text of a Python string repr.
fn stated_text(repr: &str) -> Option<&str> {
    let first = repr.chars().next().filter(|c| matches!(c, '\'' | '"'))?;
    repr.strip_prefix(first)?.strip_suffix(first)
}

fn kind(literal: &str) -> char {
    match literal.trim().chars().next() {
        Some('"') => '\'',
        Some(c) if c.is_ascii_digit() || c == '-' => '0',
        Some(c) => c,
        None => ' ',
    }
}

/// `text` as a Python string literal.
fn py_str(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\"")
}

/// The test of `case` named `name`, in the style of the test file `body` (a `TestCase` method
/// when it uses unittest, a plain function with `assert` otherwise).
pub fn test_code(case: &Case, name: &str, body: &str) -> String {
    let unittest = body.contains("unittest") && !body.contains("pytest");
    let check = match (&case.expect, unittest) {
        (Expect::Equals(v), false) => format!("assert {} == {v}", case.call),
        (Expect::Is(v), false) => format!("assert {} is {v}", case.call),
        (Expect::Prints(v), false) => format!("assert {} == {}", printed(&case.call), py_str(v)),
        (Expect::Contains(v), false) => format!("assert {v} in {}", case.call),
        (Expect::Equals(v), true) => format!("self.assertEqual({}, {v})", case.call),
        (Expect::Is(v), true) => format!("self.assertIs({}, {v})", case.call),
        (Expect::Prints(v), true) => {
            format!("self.assertEqual({}, {})", printed(&case.call), py_str(v))
        }
        (Expect::Contains(v), true) => format!("self.assertIn({v}, {})", case.call),
    };
    let indent = if unittest { "        " } else { "    " };
    let mut lines: Vec<String> = case
        .setup
        .iter()
        .chain(std::iter::once(&check))
        .map(|l| format!("{indent}{l}"))
        .collect();
    if unittest {
        lines.insert(0, format!("    def {name}(self):"));
        lines.insert(0, format!("class {}(unittest.TestCase):", class_name(name)));
    } else {
        lines.insert(0, format!("def {name}():"));
    }
    lines.join("\n")
}

/// `call` as text: itself when it already is `str(…)`, else wrapped in `str()`.
fn printed(call: &str) -> String {
    let inner = call.strip_prefix("str(").and_then(|r| r.strip_suffix(')'));
    if inner.is_some_and(balanced) {
        call.to_string()
    } else {
        format!("str({call})")
    }
}

/// `test_issue_example_2` → `TestIssueExample2`.
fn class_name(name: &str) -> String {
    name.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
#[path = "cases_tests.rs"]
mod tests;
