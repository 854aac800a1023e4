//! A test that copies the shape of a value the issue expects and gets its numbers wrong. Asked
//! for a test of "a job past its total should show `docs [##########] 140%`", a small model
//! writes the line out again from memory — `"docs [##########] 100%"` — or copies the wrong
//! output the issue quotes. Such a test fails before the change and after any right one: it
//! can never verify a fix. When a string the test expects has the expected value's
//! words and differs from it only in value tokens (no letters in them: numbers, signs,
//! brackets), cria puts the tokens in their places, keeping the test's own spacing —
//! the spacing is the user's, typed, while the test's came from the code it calls.

use super::super::asserted;
use super::super::reassert::{offset, spliced};
use super::Stated;

/// A test's expected string put right from an issue's expected value.
#[derive(Debug, PartialEq)]
pub struct Respelled {
    /// The test's code with the string put right.
    pub code: String,
    /// The string as the test wrote it, and as it now reads.
    pub was: String,
    pub now: String,
}

impl Stated {
    /// `code` with the first string it asserts that is a near copy of one of the issue's
    /// expected values (see the module's note) put right; `None` when no string is. A string
    /// that is one of the expected values, or a near copy of more than one, is left alone.
    pub fn respelled(&self, code: &str) -> Option<Respelled> {
        for assertion in asserted::assertions(code) {
            for literal in asserted::literals(assertion) {
                // A value the issue expects is right as it is; a near copy of two is ambiguous.
                let expected = self.expected.iter().map(|e| super::unquote(e));
                if expected.clone().any(|e| e == literal) {
                    continue;
                }
                let copies: Vec<String> = expected.filter_map(|e| near_copy(&literal, e)).collect();
                let [now] = copies.as_slice() else {
                    continue;
                };
                let now = now.clone();
                // Only a string written as it reads (no escapes) is found again in the code.
                if literal.contains(['\\', '"', '\'', '\n'])
                    || assertion.matches(&literal).count() != 1
                {
                    continue;
                }
                let start = offset(code, assertion)?;
                let fixed = assertion.replacen(&literal, &now, 1);
                return Some(Respelled {
                    code: spliced(code, start, assertion.len(), &fixed)?,
                    was: literal,
                    now,
                });
            }
        }
        None
    }
}

/// `literal` with the tokens that differ from `expected` replaced by `expected`'s, when the two
/// have the same number of words (two at least), share every word with a letter in it, and
/// differ somewhere — each differing pair letter-free and of one shape (`100%` and `140%`,
/// `8.45` and `8.05`).
fn near_copy(literal: &str, expected: &str) -> Option<String> {
    let ours: Vec<&str> = literal.split_whitespace().collect();
    let theirs: Vec<&str> = expected.split_whitespace().collect();
    if ours.len() < 2 || ours.len() != theirs.len() || expected.contains('\n') {
        return None;
    }
    let mut differ = false;
    for (a, b) in ours.iter().zip(&theirs) {
        if a == b {
            continue;
        }
        if a.chars().chain(b.chars()).any(char::is_alphabetic) || shape(a) != shape(b) {
            return None;
        }
        differ = true;
    }
    if !differ {
        return None;
    }
    // The test's own spacing, the tokens.
    let mut out = String::with_capacity(literal.len());
    let mut rest = literal;
    for (a, b) in ours.iter().zip(&theirs) {
        let at = rest.find(a)?;
        out.push_str(rest.get(..at)?);
        out.push_str(b);
        rest = rest.get(at + a.len()..)?;
    }
    out.push_str(rest);
    Some(out)
}

/// A token's shape: each run of digits one `9`, every other character itself (`140%` → `9%`,
/// `8.05` → `9.9`, `(16.60)` → `(9.9)`).
fn shape(token: &str) -> String {
    let mut out = String::new();
    for c in token.chars() {
        if c.is_ascii_digit() {
            if !out.ends_with('9') {
                out.push('9');
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
#[path = "respelled_tests.rs"]
mod tests;
