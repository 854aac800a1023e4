//! The rewrite constraint: a rewrite reply is one code block (the backend opens its fence, the
//! closing fence stops the reply), and its code must begin with the target definition's head —
//! its first line up to the name (`def parse_args`, `pub fn peek`, `DEFAULTS`) — after any
//! indentation or blank lines. A reply that starts with prose, with another definition, or
//! with nothing can no longer be written.

use super::Step;

/// Where a reply's code stands against the head it must begin with.
#[derive(Debug, Clone)]
pub(super) struct Head {
    head: Vec<u8>,
    /// Bytes of `head` written so far (indentation before them is free).
    matched: usize,
}

impl Head {
    pub(super) fn new(head: &str) -> Head {
        Head {
            head: head.trim().as_bytes().to_vec(),
            matched: 0,
        }
    }

    pub(super) fn step(&mut self, b: u8) -> Step {
        if self.matched == 0 && b.is_ascii_whitespace() {
            return Step::Inside;
        }
        if self.head.get(self.matched) != Some(&b) {
            return Step::Broken;
        }
        self.matched += 1;
        if self.matched == self.head.len() {
            Step::Done
        } else {
            Step::Inside
        }
    }

    /// Whether `piece` keeps the code on its way to the head (what follows the head is free).
    pub(super) fn allows(&self, piece: &[u8]) -> bool {
        let mut probe = self.clone();
        for &b in piece {
            match probe.step(b) {
                Step::Inside => {}
                Step::Done => return true,
                Step::Broken => return false,
            }
        }
        true
    }
}

/// The head a rewrite of the definition whose code is `code` and name is `name` must begin
/// with: the code's first line, from its first non-blank byte through the name (the whole line
/// when the name is not on it, as after a decorator or an attribute).
pub fn of_definition(code: &str, name: &str) -> String {
    let first = code
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .trim();
    if name.is_empty() {
        return first.to_string();
    }
    let word = |c: char| c.is_alphanumeric() || c == '_';
    let through_name = first.match_indices(name).find_map(|(at, _)| {
        let (before, rest) = first.split_at_checked(at)?;
        let after = rest.get(name.len()..)?;
        let whole_word = !before.chars().next_back().is_some_and(word)
            && !after.chars().next().is_some_and(word);
        whole_word.then(|| format!("{before}{name}"))
    });
    through_name.unwrap_or_else(|| first.to_string())
}

#[cfg(test)]
#[path = "head_tests.rs"]
mod tests;
