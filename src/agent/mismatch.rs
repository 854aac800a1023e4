//! What a failed equality assertion compared, read from the runner's report of it — pytest's
//! `assert 'a' == 'b'`, unittest's `'a' != 'b'`, Rust's `left:` and `right:` lines, node's
//! `actual:` and `expected:` —
//! and one case's correction carried to another ([`carried`]). A report that says another case
//! "has the same problem" states no value for it: what it means is the change the first case
//! needed, made to what the other one gives (`¥1,200.00` → `¥1,200`, so `₩1,500.00` →
//! `₩1,500`).

use super::callers::code_chars;

/// One failed comparison: what the code gave and what the test wanted.
#[derive(Debug, PartialEq)]
pub(super) struct Mismatch {
    pub(super) got: String,
    pub(super) want: String,
}

/// The failed comparisons of one-line string values in a test run's `output`, in its order.
/// The side the runner does not name is taken as the convention writes it: Python's and
/// Rust's left is what the code gave.
pub(super) fn mismatches(output: &str) -> Vec<Mismatch> {
    let lines: Vec<&str> = output.lines().map(str::trim).collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let next = lines.get(i + 1).copied().unwrap_or_default();
        let found = python(line)
            .or_else(|| paired(line, next, "left:", "right:", false))
            .or_else(|| paired(line, next, "expected:", "actual:", true));
        if let Some(found) = found.filter(|m| m.got != m.want) {
            out.push(found);
        }
    }
    out
}

/// pytest's `E   AssertionError: assert 'a' == 'b'` (or `E   assert …`), or unittest's
/// `AssertionError: 'a' != 'b'`, both sides string literals.
fn python(line: &str) -> Option<Mismatch> {
    // pytest puts `E` before each line of the error, unittest's own included.
    let rest = line.strip_prefix('E').map_or(line, str::trim_start);
    let (got, want) = match rest.strip_prefix("AssertionError: ") {
        Some(said) if !said.starts_with("assert ") => split_at(said, " != ")?,
        said => split_at(said.unwrap_or(rest).strip_prefix("assert ")?, " == ")?,
    };
    // pytest cuts a long value's repr short in the middle, quotes and all.
    let whole = |side: &str| !(side.chars().count() >= CUT && side.contains("..."));
    if !whole(got) || !whole(want) {
        return None;
    }
    Some(Mismatch {
        got: literal(got)?,
        want: literal(want)?,
    })
}

/// How long a value's repr pytest may cut short in its report is, about (it cuts at 240).
const CUT: usize = 200;

/// Two lines `first_key value` and `second_key value`; `swapped`: the first names the wanted
/// value (node writes `expected:` before `actual:`).
fn paired(line: &str, next: &str, first: &str, second: &str, swapped: bool) -> Option<Mismatch> {
    let a = literal(line.strip_prefix(first)?.trim())?;
    let b = literal(next.strip_prefix(second)?.trim())?;
    let (got, want) = if swapped { (b, a) } else { (a, b) };
    Some(Mismatch { got, want })
}

/// `text` split at its `operator` outside quotes.
pub(super) fn split_at<'t>(text: &'t str, operator: &str) -> Option<(&'t str, &'t str)> {
    let (at, _, _) = code_chars(text)
        .find(|(i, _, _)| text.get(*i..).is_some_and(|r| r.starts_with(operator)))?;
    Some((text.get(..at)?, text.get(at + operator.len()..)?))
}

/// The value of a quoted literal that is the whole of `text`, as Python's `repr`, Rust's
/// `Debug`, JavaScript's `inspect` and YAML write one: common escapes read (`\n`, `\t`, `\\`,
/// quotes, `\xNN`, `\u{…}`, `\uNNNN`; a single-quoted YAML or inspect string's `''`). `None`
/// for anything else, a literal cut short (`'abc...`) among them.
fn literal(text: &str) -> Option<String> {
    let q = text.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let body = text.get(1..)?.strip_suffix(q)?;
    let mut out = String::new();
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c == q {
            // Only YAML's doubled quote may stand inside; any other ends the literal early.
            if q == '\'' && chars.next_if_eq(&'\'').is_some() {
                out.push('\'');
                continue;
            }
            return None;
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '0' => out.push('\0'),
            'x' => out.push(hex(&mut chars, 2)?),
            'u' if chars.next_if_eq(&'{').is_some() => {
                let digits: String = chars.by_ref().take_while(|c| *c != '}').collect();
                out.push(char::from_u32(u32::from_str_radix(&digits, 16).ok()?)?);
            }
            'u' => out.push(hex(&mut chars, 4)?),
            other => out.push(other),
        }
    }
    Some(out)
}

/// The character the next `n` hex digits of `chars` stand for.
fn hex(chars: &mut impl Iterator<Item = char>, n: usize) -> Option<char> {
    let digits: String = chars.take(n).collect();
    (digits.len() == n)
        .then(|| u32::from_str_radix(&digits, 16).ok())
        .flatten()
        .and_then(char::from_u32)
}

/// `got` changed the way `before` had to change to become `after`, when that change takes a
/// part out or puts one in (not when it puts one value in place of another): the part between
/// what the two share at the start and at the end, taken out where it stands in `got` — at its
/// end when `before` ended with it (less what the two share there), else at the same place
/// from the start, else at its one occurrence — or put in beside what it stood beside. `None`
/// when the correction does not carry or changes nothing.
pub(super) fn carried(before: &str, after: &str, got: &str) -> Option<String> {
    let b: Vec<char> = before.chars().collect();
    let a: Vec<char> = after.chars().collect();
    let prefix = b.iter().zip(&a).take_while(|(x, y)| x == y).count();
    let most = b.len().min(a.len()) - prefix;
    let suffix = (b.iter().rev().zip(a.iter().rev()))
        .take_while(|(x, y)| x == y)
        .count()
        .min(most);
    let cut = |v: &[char], from: usize, to: usize| -> String {
        v.get(from..to).unwrap_or_default().iter().collect()
    };
    let removed = cut(&b, prefix, b.len() - suffix);
    let added = cut(&a, prefix, a.len() - suffix);
    // A value put in place of another may be the first case's own (`°F` → `°C` says nothing
    // of kelvin); only what is taken out or added alone is the same for every case.
    if !removed.is_empty() && !added.is_empty() {
        return None;
    }
    let (head, tail) = (cut(&b, 0, prefix), cut(&b, b.len() - suffix, b.len()));
    let at = if removed.is_empty() {
        // An insertion stands beside what it was inserted between.
        if !tail.is_empty() && got.ends_with(&tail) {
            got.len() - tail.len()
        } else if !head.is_empty() && got.starts_with(&head) {
            head.len()
        } else {
            return None;
        }
    } else {
        let ending = format!("{removed}{tail}");
        if got.ends_with(&ending) {
            got.len() - ending.len()
        } else if got
            .get(head.len()..)
            .is_some_and(|r| r.starts_with(&removed))
        {
            head.len()
        } else if got.matches(&removed).count() == 1 {
            got.find(&removed)?
        } else {
            return None;
        }
    };
    let out = format!(
        "{}{added}{}",
        got.get(..at)?,
        got.get(at + removed.len()..)?
    );
    (out != got).then_some(out)
}

/// `value` as a double-quoted string literal that Python, JavaScript and Rust all read back
/// as it is.
pub(super) fn quoted(value: &str) -> String {
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
#[path = "mismatch_tests.rs"]
mod tests;
