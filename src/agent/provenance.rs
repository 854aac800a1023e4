//! Where a wrong value was made. A failing assertion shows what the code gave (`ada: 43.0 (F)`)
//! against what the test wanted (`ada: 86.0 (B)`); the tracer wrote down what the failing
//! tests called each function with and what it gave back. A call that returned a wrong value,
//! whole, though none was given to it made that value — unless a function it calls made it first. That
//! function is where the bug is, however many callers pass the value on, and however many
//! passing tests run it too: what hides a helper from the spectrum is a passing test where it
//! happens to be right (`weighted_mean` is right whenever the weights add up to 1).

use super::mismatch::split_at;
use super::rewrite;
use super::spectrum::Call;

/// A wrong value, and the call that first made it.
#[derive(Debug, PartialEq)]
pub(super) struct Origin<'c> {
    pub(super) value: String,
    pub(super) call: &'c Call,
}

/// The call that first made one of the wrong values the failing assertions in `output` show,
/// among `calls`; `code(path, name)` is the source of a traced function (to see whom it
/// calls). `None` when no assertion compares values, or no call made one of them, or several
/// unrelated calls did (nothing singles one out).
pub(super) fn origin<'c>(
    output: &str,
    calls: &'c [Call],
    code: impl Fn(&str, &str) -> Option<String>,
) -> Option<Origin<'c>> {
    let wrong = wrong_values(output);
    if wrong.is_empty() {
        return None;
    }
    let holds = |text: &str| wrong.iter().any(|w| tokens(text).any(|t| same(w, t)));
    // Made here: a wrong value comes out whole, none went in. A value only part of what came
    // out (`10` of `'10:30'`) may be what went in, shown another way (`minutes=630`).
    let is = |result: &str| {
        let value = result.trim_matches(|c| c == '\'' || c == '"');
        wrong.iter().find(|w| same(w, value))
    };
    let makers: Vec<(&Call, &String)> = (calls.iter())
        .filter(|c| !holds(&c.arguments))
        .filter_map(|c| Some((c, is(&c.result)?)))
        .collect();
    // Made first: by a function that calls none of the others that made one.
    let first: Vec<&(&Call, &String)> = (makers.iter())
        .filter(|(c, _)| {
            let body = code(&c.path, &c.name).unwrap_or_default();
            !(makers.iter())
                .any(|(other, _)| other.name != c.name && rewrite::calls(&body, &other.name))
        })
        .collect();
    let &&(call, value) = first.first()?;
    if (first.iter()).any(|(c, _)| c.path != call.path || c.name != call.name) {
        return None;
    }
    Some(Origin {
        value: value.to_string(),
        call,
    })
}

/// The values on the code's side of the failing comparisons in `output` that its wanted side
/// lacks: numbers and words of two letters or more (`43.0` and `Fail` in `['ada: 43.0 (Fail)']
/// != ['ada: 86.0 (Pass)']`). `None`, `True` and `False` are left out: every function that
/// returns nothing gives `None`.
pub(super) fn wrong_values(output: &str) -> Vec<String> {
    let lines: Vec<&str> = output.lines().map(str::trim).collect();
    let mut out: Vec<String> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let next = lines.get(i + 1).copied().unwrap_or_default();
        let Some((got, want)) = sides(line, next) else {
            continue;
        };
        let wanted: Vec<&str> = tokens(want).collect();
        for t in tokens(got) {
            let kept = !["None", "True", "False"].contains(&t)
                && !wanted.iter().any(|w| same(t, w))
                && !out.iter().any(|o| o == t);
            if kept {
                out.push(t.to_string());
            }
        }
    }
    out
}

/// The two sides of one failed comparison, what the code gave first: pytest's `assert a == b`,
/// unittest's `a != b` (after `Lists differ: ` and the like), Rust's `left:`/`right:` lines,
/// node's `expected:`/`actual:` lines.
fn sides<'l>(line: &'l str, next: &'l str) -> Option<(&'l str, &'l str)> {
    let rest = line.strip_prefix('E').map_or(line, str::trim_start);
    if let Some(said) = rest.strip_prefix("AssertionError: ") {
        let said = said.split_once(" differ: ").map_or(said, |(_, s)| s);
        return match said.strip_prefix("assert ") {
            Some(compared) => split_at(compared, " == "),
            None => split_at(said, " != "),
        };
    }
    if let Some(compared) = rest.strip_prefix("assert ") {
        return split_at(compared, " == ");
    }
    let paired = |first: &str, second: &str| {
        Some((
            line.strip_prefix(first)?.trim(),
            next.strip_prefix(second)?.trim(),
        ))
    };
    paired("left:", "right:")
        .or_else(|| paired("actual:", "expected:"))
        .or_else(|| paired("expected:", "actual:").map(|(want, got)| (got, want)))
}

/// The numbers (`-3`, `43.0`) and words of two characters or more in `text`.
fn tokens(text: &str) -> impl Iterator<Item = &str> {
    static RE: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| regex::Regex::new(r"-?\d+(?:\.\d+)?|[A-Za-z_]\w+").ok());
    re.iter()
        .flat_map(move |re| re.find_iter(text).map(|m| m.as_str()))
}

/// Whether token `a` (as the failure shows it) and `b` (as a call's value shows it) are one
/// value: the same word, or the same number at `a`'s precision (`43.0` is `43.0` and
/// `42.99999999`; `43` is `43` alone).
fn same(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (Ok(x), Ok(y)) = (a.parse::<f64>(), b.parse::<f64>()) else {
        return false;
    };
    let places = a.split_once('.').map_or(0, |(_, d)| d.len());
    if places == 0 {
        return x == y;
    }
    let scale = 10f64.powi(i32::try_from(places).unwrap_or(0));
    (x * scale).round() == (y * scale).round()
}

#[cfg(test)]
#[path = "provenance_tests.rs"]
mod tests;
