//! A fix that special-cases a table's key where the table is read. A small model asked to make
//! "1h30m" come out as 5400 seconds writes, in the parser, `if c == 'h' { total += n * 3600 }`,
//! while the table the parser reads says `('h', 60)`: the tests of the report pass, and every
//! other reader of the table (`seconds_in('h')`, a formatter) stays wrong. The special case says
//! which entry is wrong and what it should hold, so [`entries`] finds the entries keyed by the
//! literal the change compares with and sets each to a value the change brings; the run tries
//! them in its place (see `Run::lift_special_case`).
//!
//! Only literal keys count — strings and characters (`"JPY"`, `'h'`): a number compared with
//! (`if n == 0`) is a bound far more often than a table's key.

use regex::Regex;

use crate::agent::mutate::LineEdit;

/// At most this many entries are tried (one test run each).
const MOST: usize = 6;

/// A table entry set to the value a special case gave its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lifted {
    /// The key the change compared with, unquoted (`h` for `'h'`).
    pub key: String,
    /// The value written into the entry (`3600`).
    pub value: String,
    pub edit: LineEdit,
}

/// The entries `added` lines special-case (`removed`: the lines the change took out), in the
/// project's code files `files` (`(path, text)`, as they were before the change): each line
/// that holds a key the added lines newly compare with (`== 'h'`) followed by a value
/// (`('h', 60)`, `"JPY": 2`, `h: 60`, `'h' => 60`), with that value replaced by one of the same
/// kind the added lines bring (a number, a product of numbers, a string). None twice, at most
/// [`MOST`].
pub fn entries(added: &[&str], removed: &[&str], files: &[(String, String)]) -> Vec<Lifted> {
    let keys = keys(added, removed);
    if keys.is_empty() {
        return Vec::new();
    }
    let values = values(added, removed, &keys);
    let mut out: Vec<Lifted> = Vec::new();
    for key in &keys {
        let Some(entry) = entry_pattern(key) else {
            continue;
        };
        for (path, text) in files {
            for (i, line) in text.lines().enumerate() {
                let Some(c) = entry.captures(line) else {
                    continue;
                };
                let Some(old) = c.name("value") else {
                    continue;
                };
                for value in &values {
                    let Some(new_value) = value.in_place_of(old.as_str()) else {
                        continue;
                    };
                    let new = format!(
                        "{}{new_value}{}",
                        line.get(..old.start()).unwrap_or_default(),
                        line.get(old.end()..).unwrap_or_default()
                    );
                    let lifted = Lifted {
                        key: key.clone(),
                        value: new_value,
                        edit: LineEdit {
                            path: path.clone(),
                            line: i + 1,
                            old: format!("{line}\n"),
                            new: format!("{new}\n"),
                        },
                    };
                    if !out.iter().any(|o| o.edit == lifted.edit) {
                        out.push(lifted);
                    }
                }
            }
        }
    }
    out.truncate(MOST);
    out
}

/// The inner text of each string or character literal the added lines compare with for
/// equality that no removed line compares with: `c == 'h'`, `"JPY" === code`.
pub fn keys(added: &[&str], removed: &[&str]) -> Vec<String> {
    let (Ok(after), Ok(before)) = (
        Regex::new(r#"(?:^|[^!<>=])===?\s*(?:'([^'\\\n]{1,30})'|"([^"\\\n]{1,30})")"#),
        Regex::new(r#"(?:'([^'\\\n]{1,30})'|"([^"\\\n]{1,30})")\s*===?(?:[^=]|$)"#),
    ) else {
        return Vec::new();
    };
    let compared = |lines: &[&str]| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for line in lines {
            for re in [&after, &before] {
                for c in re.captures_iter(line) {
                    if let Some(m) = c.get(1).or_else(|| c.get(2)) {
                        if !out.iter().any(|o| o == m.as_str()) {
                            out.push(m.as_str().to_string());
                        }
                    }
                }
            }
        }
        out
    };
    let old = compared(removed);
    compared(added)
        .into_iter()
        .filter(|k| !old.contains(k))
        .collect()
}

/// A value a special case brings.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    /// A number's text (a product of integers worked out: `60 * 60` is `3600`).
    Number(String),
    /// A string's inner text.
    Text(String),
}

impl Value {
    /// This value written in place of the entry's value `old`, when they are of one kind and
    /// differ (a string in `old`'s own quotes).
    fn in_place_of(&self, old: &str) -> Option<String> {
        let quote = old.chars().next().filter(|q| matches!(q, '"' | '\''));
        match (self, quote) {
            (Value::Number(n), None) => (number_value(n) != number_value(old)).then(|| n.clone()),
            (Value::Text(t), Some(q)) => {
                let new = format!("{q}{t}{q}");
                (!t.contains(q) && new != old).then_some(new)
            }
            _ => None,
        }
    }
}

/// The numbers and strings the added lines bring that no removed line holds, the keys left
/// out.
fn values(added: &[&str], removed: &[&str], keys: &[String]) -> Vec<Value> {
    let (Ok(number), Ok(string)) = (
        Regex::new(r"\b\d[\d_]*(?:\.\d+)?(?:\s*\*\s*\d[\d_]*(?:\.\d+)?)*"),
        Regex::new(r#"'([^'\\\n]{1,60})'|"([^"\\\n]{1,60})""#),
    ) else {
        return Vec::new();
    };
    let old = removed.join("\n");
    let mut out: Vec<Value> = Vec::new();
    for line in added {
        for m in number.find_iter(line) {
            let text = m.as_str();
            let value = match product(text) {
                Some(p) => Value::Number(p),
                None => Value::Number(text.to_string()),
            };
            let Value::Number(n) = &value else { continue };
            let held = Regex::new(&format!(r"\b{}\b", regex::escape(text)))
                .is_ok_and(|re| re.is_match(&old));
            if !held && !out.contains(&value) && number_value(n).is_some() {
                out.push(value);
            }
        }
        for c in string.captures_iter(line) {
            let Some(m) = c.get(1).or_else(|| c.get(2)) else {
                continue;
            };
            let value = Value::Text(m.as_str().to_string());
            let held = old.contains(&format!("'{}'", m.as_str()))
                || old.contains(&format!("\"{}\"", m.as_str()));
            if !held && !keys.iter().any(|k| k == m.as_str()) && !out.contains(&value) {
                out.push(value);
            }
        }
    }
    out
}

/// `60 * 60` worked out (`3600`); `None` for one number, or a product with a fraction in it.
fn product(text: &str) -> Option<String> {
    let factors: Vec<&str> = text.split('*').map(str::trim).collect();
    if factors.len() < 2 {
        return None;
    }
    let mut total: u128 = 1;
    for f in factors {
        let n: u128 = f.replace('_', "").parse().ok()?;
        total = total.checked_mul(n)?;
    }
    Some(total.to_string())
}

/// A number literal's value (`3_600` is `3600`).
fn number_value(text: &str) -> Option<f64> {
    text.replace('_', "").parse().ok()
}

/// An entry of the table `key` keys, on one line: the key quoted either way (or, for a name,
/// bare before a colon, as in a JavaScript object), then `,` `:` or `=>`, then the value, a
/// number or a string.
fn entry_pattern(key: &str) -> Option<Regex> {
    let k = regex::escape(key);
    let bare = key.chars().all(|c| c.is_alphanumeric() || c == '_')
        && key.chars().next().is_some_and(|c| !c.is_ascii_digit());
    let quoted = format!(r#"'{k}'\s*(?:,|:|=>)|"{k}"\s*(?:,|:|=>)"#);
    let key_part = if bare {
        format!(r"{quoted}|(?:^|[{{(\[ ,]){k}\s*:")
    } else {
        quoted
    };
    Regex::new(&format!(
        r#"(?:{key_part})\s*(?P<value>-?\d[\d_]*(?:\.\d+)?|'[^'\\\n]*'|"[^"\\\n]*")"#
    ))
    .ok()
}

#[cfg(test)]
#[path = "lift_tests.rs"]
mod tests;
