//! The cases an issue states, written as tests by cria itself. A report that shows a call and
//! what it should give (`` `to_roman(4)` returns "IIII" but it should return "IV" ``, a `>>>`
//! session with "I expected `ETA 2m 00s`", `free_slots(tue)   # -> …` and the list it should
//! be) holds everything a test needs: the call, its setup, and the value. Asking a small model
//! to copy those into a test loses them as often as not (it asserts the wrong column, invents
//! an input); cria writes the assertion from the issue's own values, and the reproduce stage
//! keeps only the ones that fail now, so each kept test is a check of exactly what the issue
//! says. Python, JavaScript and Rust ([`super::case_test`] writes the test in the file's
//! framework). A reported crash gives cases of its own ([`super::crash`]).

mod blocks;
mod ordinals;
mod tables;

use regex::Regex;

use super::stated::{self, DOES, FILLER, SHOULD};
use blocks::code_lines;
pub(super) use blocks::{assigned, assigned_value, balanced, is_call};
pub(super) use tables::{table_sentences, without_tables};

/// What a case's call should give.
#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    /// Equal to this literal, as the issue writes it.
    Equals(String),
    /// This keyword literal (`True`, `false`, `None`…), compared for identity.
    Is(String),
    /// Its `str()` equal to this text (a value the issue quotes as printed).
    Prints(String),
    /// A string holding this text (the part of a longer output the issue says is wrong).
    Contains(String),
    /// A collection with this literal among its items (the issue quotes one item of what the
    /// call gives).
    Holds(String),
    /// Returns at all: the issue shows the call crashing (`shown` is the error it ends with).
    Completes,
}

/// One case: the assignments it needs, the call, what the issue says it gives now (when it
/// quotes that), and what it should give.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// The assignments the call needs, then the calls the issue's session made before it.
    pub setup: Vec<String>,
    pub call: String,
    pub shown: Option<String>,
    pub expect: Expect,
}

/// Cases a test holds at most (each is a test of its own).
pub(super) const MOST: usize = 6;

/// The cases `issue` states in full: a call and the value it should give (see the module doc).
/// A value cria cannot place with certainty is left out, never guessed.
pub fn cases(issue: &str) -> Vec<Case> {
    let blocks = code_lines(issue);
    let (prose, _) = stated::split_sessions(issue);
    let mut out: Vec<Case> = Vec::new();
    let mut used: Vec<String> = Vec::new();
    let tabled = table_sentences(issue);
    let prose = if tabled.is_empty() {
        prose
    } else {
        without_tables(&prose)
    };
    let sentences = continued(&stated::sentences(&prose));
    for sentence in sentences.iter().chain(&blocks.said).chain(&tabled) {
        for (call, shown, value) in prose_cases(sentence) {
            let expect = match value {
                Value::Quoted(text) => Expect::Equals(py_str(&text)),
                Value::Code(text) if is_literal(&text) => literal(&text),
                Value::Code(text) => Expect::Prints(text.clone()),
                Value::Bare(text) => literal(&text),
            };
            used.push(value_text(&expect).to_string());
            out.push(case(&blocks.setup, &[], call, shown, expect));
        }
    }
    let sessions = blocks.sessions;
    // Values the prose gives a call by its place ("the second should be `[]`") are its own.
    let placed = ordinals::by_place(&prose, sessions.len());
    let mut expected = stated::stated(issue)
        .expected
        .into_iter()
        .filter(|e| !used.contains(e) && !placed.iter().any(|(_, p)| p == e));
    // Sessions take the issue's other expected values in order, each the first that fits it —
    // but for one a later session's output shares more with (the second of two calls is the
    // one whose output holds the item that should not be there).
    let mut left: Vec<String> = Vec::new();
    for (i, session) in sessions.iter().enumerate() {
        if let Some((_, value)) = placed.iter().find(|(at, _)| *at == i) {
            if let Some(expect) = session_expect(&session.shown, value) {
                let (call, shown) = (session.call.clone(), Some(session.shown.clone()));
                out.push(case(&blocks.setup, &session.before, call, shown, expect));
            }
            continue;
        }
        let fits = |e: &str| {
            let here = overlap(&session.shown, e);
            session_expect(&session.shown, e).is_some()
                && !sessions.iter().skip(i + 1).any(|later| {
                    session_expect(&later.shown, e).is_some() && overlap(&later.shown, e) > here
                })
        };
        let value = left
            .iter()
            .position(|e| fits(e))
            .map(|i| left.remove(i))
            .or_else(|| {
                for e in expected.by_ref() {
                    if fits(&e) {
                        return Some(e);
                    }
                    left.push(e);
                }
                None
            });
        if let Some(expect) = value.and_then(|e| session_expect(&session.shown, &e)) {
            let (call, shown) = (session.call.clone(), Some(session.shown.clone()));
            out.push(case(&blocks.setup, &session.before, call, shown, expect));
        }
    }
    out.dedup();
    out.truncate(MOST);
    out
}

/// `sentences`, each that begins with "It" and names no call of its own given the last call of
/// the one before in its place: "`parse_config("")` raises IndexError. It should return an
/// empty dict." says what that call should give.
fn continued(sentences: &[String]) -> Vec<String> {
    // A sentence's inline code is every other piece between backticks.
    let last_call = |sentence: &str| {
        (sentence.split('`').skip(1).step_by(2))
            .map(str::trim)
            .filter(|code| is_call(code))
            .last()
            .map(str::to_string)
    };
    let mut out: Vec<String> = Vec::with_capacity(sentences.len());
    let mut before: Option<String> = None;
    for sentence in sentences {
        let own = last_call(sentence);
        let rest = (sentence.trim_start().strip_prefix("It ")).filter(|_| own.is_none());
        let now = match (rest, &before) {
            (Some(rest), Some(call)) => format!("`{call}` {rest}"),
            _ => sentence.clone(),
        };
        before = own;
        out.push(now);
    }
    out
}

/// The cases of another input that `sentence` names ("Addresses like `kim@studio.design` are
/// refused too", [`stated::other_cases`]), by analogy with the stated `cases`: each case whose
/// expected value is a verdict — the same for any input it holds for (`True`, `None`, `{}`) —
/// with a quoted argument replaced by a value of the sentence's inline code that has the
/// argument's shape (the same marks: `jo@uni.ac.uk` and `kim@studio.design`). A value the
/// result depends on (`to_roman(9)`) is never guessed: such cases give none.
pub fn analogous(cases: &[Case], sentence: &str) -> Vec<Case> {
    let (Ok(span), Ok(quoted)) = (
        Regex::new(r"`([^`\n]+)`"),
        Regex::new(r#""([^"\\\n]+)"|'([^'\\\n]+)'"#),
    ) else {
        return Vec::new();
    };
    let values: Vec<&str> = span
        .captures_iter(sentence)
        .filter_map(|c| c.get(1).map(|m| m.as_str().trim()))
        .filter(|v| !is_call(v) && !v.contains(['"', '\'', '\\', ' ']))
        .collect();
    let marks = |s: &str| {
        let mut m: Vec<char> = s.chars().filter(|c| !c.is_alphanumeric()).collect();
        m.sort_unstable();
        m.dedup();
        m
    };
    let mut out: Vec<Case> = Vec::new();
    for case in cases.iter().filter(|c| is_verdict(&c.expect)) {
        for c in quoted.captures_iter(&case.call) {
            let (Some(whole), Some(arg)) = (c.get(0), c.get(1).or_else(|| c.get(2))) else {
                continue;
            };
            for value in values.iter().filter(|v| **v != arg.as_str()) {
                if marks(value) != marks(arg.as_str()) {
                    continue;
                }
                let q = whole.as_str().get(..1).unwrap_or("\"");
                let call = format!(
                    "{}{q}{value}{q}{}",
                    case.call.get(..whole.start()).unwrap_or_default(),
                    case.call.get(whole.end()..).unwrap_or_default()
                );
                let analog = Case {
                    call,
                    shown: None,
                    ..case.clone()
                };
                if !out.contains(&analog) {
                    out.push(analog);
                }
            }
        }
    }
    out.truncate(MOST);
    out
}

/// Whether `expect` is the same for every input a case holds for: a keyword (`True`,
/// `None`…) or an empty collection or string.
fn is_verdict(expect: &Expect) -> bool {
    match expect {
        Expect::Is(_) => true,
        Expect::Equals(v) => matches!(v.as_str(), "{}" | "[]" | "()" | "\"\"" | "''"),
        _ => false,
    }
}

/// The values `issue` says are expected that none of `checked` checks (`"IX"` of "likewise 9
/// should be "IX"", where no call gives the input).
pub fn unchecked(issue: &str, checked: &[Case]) -> Vec<String> {
    (unchecked_values(issue, checked).into_iter())
        .map(|e| format!("`{e}`"))
        .collect()
}

/// [`unchecked`], each value as the issue writes it.
pub fn unchecked_values(issue: &str, checked: &[Case]) -> Vec<String> {
    let used: Vec<&str> = checked.iter().map(|c| value_text(&c.expect)).collect();
    stated::stated(issue)
        .expected
        .into_iter()
        .filter(|e| !used.contains(&e.as_str()))
        .collect()
}

/// The case of `call`, after the calls `before` it, with the setup lines whose names these
/// use (and those these use), in the issue's order.
fn case(
    setup: &[String],
    before: &[String],
    call: String,
    shown: Option<String>,
    expect: Expect,
) -> Case {
    let mut needed = vec![false; setup.len()];
    let mut uses: Vec<String> = before.iter().chain([&call]).cloned().collect();
    while let Some(code) = uses.pop() {
        for (line, need) in setup.iter().zip(needed.iter_mut()) {
            if !*need && mentions(&code, assigned(line)) {
                *need = true;
                uses.push(assigned_value(line).to_string());
            }
        }
    }
    let setup = setup
        .iter()
        .zip(needed)
        .filter(|(_, need)| *need)
        .map(|(line, _)| line.clone())
        .chain(before.iter().cloned())
        .collect();
    Case {
        setup,
        call,
        shown,
        expect,
    }
}

/// How many of the words and numbers of `expected` `shown` holds too.
fn overlap(shown: &str, expected: &str) -> usize {
    let words = |t: &str| -> Vec<String> {
        let mut w: Vec<String> = t
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect();
        w.sort_unstable();
        w.dedup();
        w
    };
    let shown = words(shown);
    words(expected).iter().filter(|w| shown.contains(w)).count()
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

/// Whether a line of the test `code` asserts `case`: its call and its value (a crash's call
/// checks no value).
pub fn written_in(case: &Case, code: &str) -> bool {
    let value = value_text(&case.expect);
    !value.is_empty()
        && code
            .lines()
            .any(|line| line.contains(&case.call) && line.contains(value))
}

/// The text of an expectation's value, as the issue wrote it (to tell which values a case took).
fn value_text(expect: &Expect) -> &str {
    match expect {
        Expect::Equals(v)
        | Expect::Is(v)
        | Expect::Prints(v)
        | Expect::Contains(v)
        | Expect::Holds(v) => {
            let v = v.as_str();
            v.strip_prefix('"')
                .and_then(|r| r.strip_suffix('"'))
                .unwrap_or(v)
        }
        Expect::Completes => "",
    }
}

/// A value in a sentence: inline code, a double-quoted string, or a bare number or keyword
/// (`True`, `false`, `None`…) right after a cue word.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Code(String),
    Quoted(String),
    Bare(String),
}

impl Value {
    /// The value as a Python literal would show it (a quoted string with its quotes).
    fn repr(&self) -> String {
        match self {
            Value::Code(t) | Value::Bare(t) => t.clone(),
            Value::Quoted(t) => py_str(t),
        }
    }
}

/// The literals that are words: Python's and JavaScript's.
const KEYWORDS: &[&str] = &["True", "False", "None", "true", "false", "null"];

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

/// A value stated in words right after a cue: "should return an empty dict" (the kind is the
/// capture). A set is left out: its literal, `set()`, reads as a call.
const EMPTY: &str = r"(?i:\b(?:an?\s+)?empty\s+(dict|dictionary|mapping|map|object|list|array|vec|vector|string|str|tuple)\b)";

/// The Python literal of an empty value of `kind` (a capture of [`EMPTY`]); the test writer
/// puts it in the test's language ([`super::case_test`]).
fn empty_literal(kind: &str) -> &'static str {
    match kind.to_lowercase().as_str() {
        "list" | "array" | "vec" | "vector" => "[]",
        "string" | "str" => "\"\"",
        "tuple" => "()",
        _ => "{}",
    }
}

/// Whether the word before byte `at` of `sentence` says a value is returned ("should *be* an
/// empty list"), not printed: the text an empty list prints as differs by language.
fn returned(sentence: &str, at: usize) -> bool {
    const VERBS: &[&str] = &[
        "return", "returns", "returned", "be", "is", "was", "give", "gives", "gave", "get", "gets",
        "got", "yield", "yields", "produce", "produces", "become", "becomes",
    ];
    let before = sentence.get(..at).unwrap_or_default();
    let word = before.split_whitespace().last().unwrap_or_default();
    VERBS.contains(&word.to_lowercase().as_str())
}

/// The calls of one sentence, what it says they give now (when it quotes that) and the value it
/// says they should give: "`f(4)` returns "IIII" but it should return "IV"", "`a(1)` and
/// `a(2)` are both True; both should be False".
fn prose_cases(sentence: &str) -> Vec<(String, Option<String>, Value)> {
    let Ok(token) = Regex::new(&format!(
        r#"`([^`\n]+)`|"([^"\n]*)"|(-?\d+(?:\.\d+)?)|{EMPTY}|([A-Za-z]+)"#
    )) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut calls: Vec<String> = Vec::new();
    let mut shown: Option<String> = None;
    let mut does = false;
    let mut should = false;
    let mut cued = false;
    // Whether a value came after the calls so far: a call after one starts a new case ("`f(1)`
    // gives 2 and `g(1)` should give 3" says nothing of what `f(1)` should give).
    let mut valued = false;
    for c in token.captures_iter(sentence) {
        let Some(whole) = c.get(0) else {
            continue;
        };
        if let Some(word) = c.get(5).map(|m| m.as_str()) {
            let lower = word.to_lowercase();
            if NOT.contains(&lower.as_str()) && should || RAISES.contains(&lower.as_str()) {
                // "should not be `X`", "should raise `ValueError`": no value to equal.
                calls.clear();
                should = false;
            } else if KEYWORDS.contains(&word) {
                valued |= cued;
                if should && cued && !calls.is_empty() {
                    let value = Value::Bare(word.to_string());
                    out.extend(calls.drain(..).map(|k| (k, shown.clone(), value.clone())));
                } else if does && cued {
                    shown.get_or_insert_with(|| word.to_string());
                }
                cued = false;
            } else if SHOULD.contains(&lower.as_str()) {
                should = true;
                does = false;
                cued = true;
            } else if DOES.contains(&lower.as_str()) {
                should = false;
                does = true;
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
                if calls.is_empty() || valued {
                    calls.clear();
                    shown = None;
                    does = false;
                    valued = false;
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
        } else if let Some(kind) = c
            .get(4)
            .filter(|_| cued && returned(sentence, whole.start()))
        {
            Value::Bare(empty_literal(kind.as_str()).to_string())
        } else {
            valued |= c.get(3).is_some() || c.get(4).is_some();
            cued = false;
            continue;
        };
        cued = false;
        valued = true;
        if should && !calls.is_empty() {
            out.extend(calls.drain(..).map(|k| (k, shown.clone(), value.clone())));
            should = false;
        } else if does && !calls.is_empty() {
            shown.get_or_insert_with(|| value.repr());
        }
    }
    out
}

/// Whether the failed assertion of `case` (in a test run's `output`) shows the call giving a
/// value of another kind than the issue quotes (a list, where it quotes one of its tuples):
/// the issue quotes a part of what comes out, and equality with that part's right value would
/// fail however right the fix.
pub fn quotes_a_part(case: &Case, output: &str) -> bool {
    let (Some(shown), Expect::Equals(_)) = (&case.shown, &case.expect) else {
        return false;
    };
    // pytest's `E   assert [...] == (...)` (not the source line it quotes, marked `>`), or
    // unittest's `AssertionError: [...] != (...)`.
    let actual = output.lines().find_map(|line| {
        let (_, rest) = line
            .split_once("assert ")
            .filter(|_| !line.trim_start().starts_with('>'))?;
        Some(rest.split_once(" == ")?.0.trim())
    });
    let actual = actual.or_else(|| {
        output.lines().find_map(|line| {
            let (_, rest) = line.split_once("AssertionError: ")?;
            Some(rest.split_once(" != ")?.0.trim())
        })
    });
    actual.is_some_and(|a| is_literal(shown) && is_literal(a) && kind(a) != kind(shown))
}

/// `case` checked as one item of what its call gives, when it was checked as all of it and
/// [`quotes_a_part`] says the issue quoted a part.
pub fn as_part(case: &Case) -> Option<Case> {
    let Expect::Equals(v) = &case.expect else {
        return None;
    };
    Some(Case {
        expect: Expect::Holds(v.clone()),
        ..case.clone()
    })
}

/// A literal: a number, a string, a list, tuple, dict or set of literals, or a keyword.
pub(super) fn is_literal(text: &str) -> bool {
    let t = text.trim();
    let Some(first) = t.chars().next() else {
        return false;
    };
    let quoted = (first == '\'' || first == '"') && t.len() >= 2 && t.ends_with(first);
    let bracketed = matches!(
        (first, t.chars().last()),
        ('[', Some(']')) | ('(', Some(')')) | ('{', Some('}'))
    ) && balanced(t);
    KEYWORDS.contains(&t) || t.parse::<f64>().is_ok() || quoted || bracketed
}

fn literal(text: &str) -> Expect {
    let t = text.trim();
    if KEYWORDS.contains(&t) {
        Expect::Is(t.to_string())
    } else {
        Expect::Equals(t.to_string())
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

/// `text` as a string literal (Python's and JavaScript's alike).
pub(super) fn py_str(text: &str) -> String {
    let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
    format!("\"{escaped}\"")
}

#[cfg(test)]
#[path = "cases_tests.rs"]
mod tests;
