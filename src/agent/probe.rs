//! A case the issue states in prose, with no call to write a test of ("with 59.6 seconds left
//! it shows `ETA 60s` rather than `ETA 1m 00s`"), put to the functions the failing tests ran.
//! The two values differ in a part (`60s`, `1m 00s`: the words they begin and end with alike
//! taken off); a function that the tracer saw a failing test call with plain values
//! ([`super::spectrum::Call`]) — one whose result was a part of what the issue says comes out
//! first — is called with the sentence's number or quoted value in its one argument of that
//! kind (`money(amount=1500, code='JPY')` from the test's `money(amount=1999, code='JPY')`),
//! the others as the test passed them, and the test asserts the right part. Each is a guess
//! until it runs: the stage keeps one only when it passes with the change and, on the code
//! before it, fails giving the wrong part (`'60s'`) — the case the issue states, checked.
//! Python: its tracer writes the calls down.

use regex::Regex;

use super::cases::{py_str, Case, Expect};
use super::spectrum::Call;
use super::stated;

/// A test of one sentence's case: the case (its `shown`, how the wrong part shows in a failed
/// assertion: Python's `repr`), and the expected value it checks, as the issue wrote it.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    pub case: Case,
    pub covers: String,
}

impl Probe {
    /// How the wrong part shows in a failed assertion.
    pub fn wrong(&self) -> &str {
        self.case.shown.as_deref().unwrap_or_default()
    }
}

/// Guesses tried at most for one value: each costs runs of the tests.
const MOST: usize = 3;

/// The probes of the expected values `left` (the ones no case of the issue checks): for each
/// sentence that says one of them should come out where another does, each function in
/// `calls` called with each input the sentence names ([`probe`]) — the functions whose result
/// was part of a value the issue says is wrong first — asserting the part of the right value
/// that differs from the wrong one, or all of it from a function that gave all of a wrong one.
pub fn probes(issue: &str, left: &[String], calls: &[Call]) -> Vec<Probe> {
    let wrong_anywhere = stated::stated(issue).wrong;
    let functions = functions(calls, &wrong_anywhere);
    let mut out: Vec<Probe> = Vec::new();
    for ProseCase {
        wrong,
        right,
        inputs,
    } in prose_cases(issue, left)
    {
        let Some(parts) = parts(&wrong, &right) else {
            continue;
        };
        for input in inputs {
            for f in &functions {
                let values = match parts.around(&f.result) {
                    true => (wrong.as_str(), right.as_str()),
                    false => (parts.wrong, parts.right),
                };
                let Some(probe) = probe(f, &input, values, &right) else {
                    continue;
                };
                let of_value = out.iter().filter(|p| p.covers == right).count();
                if of_value < MOST && !out.contains(&probe) {
                    out.push(probe);
                }
            }
        }
    }
    out
}

/// Whether `issue` states a case of one of the values `left` in prose that a probe could check
/// (see [`probes`]): worth tracing the tests for.
pub fn in_prose(issue: &str, left: &[String]) -> bool {
    !prose_cases(issue, left).is_empty()
}

/// A sentence's case: the value it says comes out, the one it says should, and its inputs.
struct ProseCase {
    wrong: String,
    right: String,
    inputs: Vec<Input>,
}

/// The sentences of `issue` that say one of the values `left` should come out where another
/// one does, and name an input. A sentence may state several such pairs ("`1024 B` rather than
/// `1.0 KiB`, and a 1 MiB file (1048576 bytes) shows up as `1024.0 KiB` instead of `1.0
/// MiB`"): the wrong and expected values pair in order, and each pair's inputs are those
/// between the pair before and its own wrong value, then the sentence's others.
fn prose_cases(issue: &str, left: &[String]) -> Vec<ProseCase> {
    let (prose, _) = stated::split_sessions(issue);
    let mut out = Vec::new();
    for (sentence, said) in stated::by_sentence(issue, &prose) {
        if said.wrong.len() != said.expected.len() {
            continue;
        }
        let values: Vec<&String> = said.wrong.iter().chain(&said.expected).collect();
        let all = inputs(&sentence, &values);
        let mut from = 0;
        for (wrong, right) in said.wrong.iter().zip(&said.expected) {
            let at = (sentence.get(from..))
                .and_then(|rest| rest.find(wrong.as_str()))
                .map(|i| from + i);
            // The text between two values, less the quotes that close one and open the other.
            let mut own = match at.and_then(|at| sentence.get(from..at)) {
                Some(before) => inputs(before.trim_matches(['`', '"']), &values),
                None => Vec::new(),
            };
            if let Some(end) = (sentence.get(from..))
                .and_then(|rest| rest.find(right.as_str()))
                .map(|i| from + i + right.len())
            {
                from = end;
            }
            if !left.contains(right) || parts(wrong, right).is_none() {
                continue;
            }
            own.extend(
                all.iter()
                    .filter(|i| !own.contains(i))
                    .cloned()
                    .collect::<Vec<_>>(),
            );
            if !own.is_empty() {
                out.push(ProseCase {
                    wrong: wrong.clone(),
                    right: right.clone(),
                    inputs: own,
                });
            }
        }
    }
    out
}

/// One function the failing tests called with literals only: its name, the arguments they
/// passed, whether it gave back a string (else a number), and what it gave back (a string's
/// text).
#[derive(Debug)]
struct Function {
    name: String,
    args: Vec<Arg>,
    text_out: bool,
    result: String,
}

/// An argument a test passed: the parameter's name, whether the value is a number or a string
/// ([`kind`]), and the value as `repr` shows it.
#[derive(Debug)]
struct Arg {
    name: String,
    kind: Option<bool>,
    value: String,
}

impl Arg {
    /// Whether the value can be written back into a call as it is: a number, a string, `True`,
    /// `False` or `None`, not cut short by the tracer.
    fn literal(&self) -> bool {
        (self.kind.is_some() || matches!(self.value.as_str(), "True" | "False" | "None"))
            && !self.value.contains("...")
    }
}

impl Function {
    /// The argument an input takes: the only one of the input's kind (`number`), so that the
    /// others can stay as the test passed them.
    fn slot(&self, number: bool) -> Option<usize> {
        let mut of_kind = (self.args.iter().enumerate()).filter(|(_, a)| a.kind == Some(number));
        match (of_kind.next(), of_kind.next()) {
            (Some((i, _)), None) => Some(i),
            _ => None,
        }
    }
}

/// The functions of `calls` given numbers, strings and `True`/`False`/`None` only (none cut
/// short by the tracer) and giving back a number or a string: those whose result is a part of
/// a value in `wrong` first, then those of fewer arguments.
fn functions(calls: &[Call], wrong: &[String]) -> Vec<Function> {
    let mut out: Vec<(bool, Function)> = Vec::new();
    for call in calls {
        let args: Vec<Arg> = (call.passed().into_iter())
            .map(|(name, value)| Arg {
                name,
                kind: kind(&value),
                value,
            })
            .collect();
        let ident = call.name.chars().all(|c| c.is_alphanumeric() || c == '_');
        let Some((text_out, result)) = result(&call.result) else {
            continue;
        };
        let seen = out.iter().any(|(_, f)| f.name == call.name);
        if !ident || seen || args.is_empty() || !args.iter().all(Arg::literal) {
            continue;
        }
        let part_of_wrong = result.chars().filter(|c| c.is_alphanumeric()).count() >= 2
            && wrong.iter().any(|w| w.contains(result.as_str()));
        let f = Function {
            name: call.name.clone(),
            args,
            text_out,
            result,
        };
        out.push((part_of_wrong, f));
    }
    out.sort_by_key(|(first, f)| (!first, f.args.len()));
    out.into_iter().map(|(_, f)| f).collect()
}

/// Whether a value as `repr` shows it is a number (`Some(true)`) or a string (`Some(false)`).
fn kind(repr: &str) -> Option<bool> {
    if repr.parse::<f64>().is_ok() {
        return Some(true);
    }
    let quoted = ["'", "\""]
        .iter()
        .any(|q| repr.len() >= 2 && repr.starts_with(q) && repr.ends_with(q));
    quoted.then_some(false)
}

/// A call's result as `(is a string, its text)`: a string's quotes taken off, a number as it is.
fn result(repr: &str) -> Option<(bool, String)> {
    match kind(repr)? {
        true => Some((false, repr.to_string())),
        false => Some((true, repr.get(1..repr.len() - 1)?.to_string())),
    }
}

/// `wrong` and `right` less the words they begin and end with alike: the part of the output
/// that goes wrong, and what it should be (`ETA 60s`, `ETA 1m 00s` → `60s`, `1m 00s`). `None`
/// when either is all alike.
fn parts<'v>(wrong: &'v str, right: &'v str) -> Option<Parts<'v>> {
    let Ok(word) = Regex::new(r"\S+") else {
        return None;
    };
    let words = |text: &'v str| -> Vec<(usize, usize, &'v str)> {
        (word.find_iter(text))
            .map(|m| (m.start(), m.end(), m.as_str()))
            .collect()
    };
    let (w, r) = (words(wrong), words(right));
    let alike = |a: &(usize, usize, &str), b: &(usize, usize, &str)| a.2 == b.2;
    let head = w.iter().zip(&r).take_while(|(a, b)| alike(a, b)).count();
    let room = w.len().min(r.len()).saturating_sub(head);
    let tail = (w.iter().rev().zip(r.iter().rev()))
        .take_while(|(a, b)| alike(a, b))
        .count()
        .min(room);
    let part = |words: &[(usize, usize, &str)]| {
        let first = words.get(head)?;
        let last = words.get(words.len().checked_sub(tail + 1)?)?;
        (first.0 < last.1).then_some(first.0..last.1)
    };
    let (w, r) = (part(&w)?, part(&r)?);
    Some(Parts {
        wrong: wrong.get(w.clone())?,
        right: right.get(r)?,
        head: wrong.get(..w.start)?.trim_end(),
        tail: wrong.get(w.end..)?.trim_start(),
    })
}

/// The part of a wrong value that differs from the right one, that part of the right one, and
/// the words the wrong one begins and ends with around it.
#[derive(Debug, PartialEq)]
struct Parts<'v> {
    wrong: &'v str,
    right: &'v str,
    head: &'v str,
    tail: &'v str,
}

impl Parts<'_> {
    /// Whether a function's `result` is all of such a value, not the part: it has the words
    /// around the part.
    fn around(&self, result: &str) -> bool {
        !(self.head.is_empty() && self.tail.is_empty())
            && result.starts_with(self.head)
            && result.ends_with(self.tail)
    }
}

/// The inputs `sentence` names, outside its `values`: its numbers (`59.6 seconds`), then
/// its inline code that is no call and no bare name (a number, or else a string).
fn inputs(sentence: &str, values: &[&String]) -> Vec<Input> {
    let (Ok(code), Ok(number)) = (
        Regex::new(r"`([^`\n]+)`"),
        Regex::new(r"(^|[\s(])(-?\d+(?:\.\d+)?)([\s,;:)]|\.?$|\.\s)"),
    ) else {
        return Vec::new();
    };
    let outside = code.replace_all(sentence, " ");
    let mut out: Vec<Input> = (number.captures_iter(&outside))
        .filter_map(|c| Some(Input::Number(c.get(2)?.as_str().to_string())))
        .collect();
    let texts = (code.captures_iter(sentence))
        .filter_map(|c| c.get(1).map(|m| m.as_str()))
        .filter(|v| !values.iter().any(|w| w.as_str() == *v) && !super::cases::is_call(v))
        .filter_map(|v| match v.parse::<f64>() {
            Ok(_) => Some(Input::Number(v.to_string())),
            Err(_) if v.chars().all(|c| c.is_alphanumeric() || c == '_') => None,
            Err(_) => Some(Input::Text(v.to_string())),
        });
    out.extend(texts);
    out.dedup();
    out
}

#[derive(Debug, Clone, PartialEq)]
enum Input {
    Number(String),
    Text(String),
}

/// The probe of `f` given `input` in its one argument of the input's kind (see
/// [`Function::slot`]), the others as the test passed them — by name when there are several (a
/// parameter may be keyword-only): the call, the wrong part as Python's `repr` shows it, and
/// the right part as the literal the test asserts.
fn probe(f: &Function, input: &Input, (wrong, right): (&str, &str), covers: &str) -> Option<Probe> {
    let (number, given) = match input {
        Input::Number(n) => (true, n.clone()),
        Input::Text(t) => (false, py_str(t)),
    };
    let slot = f.slot(number)?;
    let args: Vec<String> = (f.args.iter().enumerate())
        .map(|(i, arg)| {
            let value = if i == slot { &given } else { &arg.value };
            match f.args.len() {
                1 => value.clone(),
                _ => format!("{}={value}", arg.name),
            }
        })
        .collect();
    let (shown, expected) = if f.text_out {
        (repr(wrong), py_str(right))
    } else {
        let numbers = wrong.parse::<f64>().is_ok() && right.parse::<f64>().is_ok();
        numbers.then(|| (wrong.to_string(), right.to_string()))?
    };
    Some(Probe {
        case: Case {
            setup: Vec::new(),
            call: format!("{}({})", f.name, args.join(", ")),
            shown: Some(shown),
            expect: Expect::Equals(expected),
        },
        covers: covers.to_string(),
    })
}

/// A string as Python's `repr` writes it: in single quotes, unless it holds one and no double.
fn repr(text: &str) -> String {
    if text.contains('\'') && !text.contains('"') {
        return format!("\"{}\"", text.replace('\\', "\\\\"));
    }
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

#[cfg(test)]
#[path = "probe_tests.rs"]
mod tests;
