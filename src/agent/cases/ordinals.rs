//! Expected values an issue gives a session's calls by their place: after showing three calls
//! and what each gave, a report says "The second should be `['family']` and the third `[]`".
//! Taken in order instead, the first expected value would go to the first call, which is right.

use regex::Regex;

use crate::agent::stated::{sentences, SHOULD};

const ORDINALS: &[&str] = &[
    "first", "second", "third", "fourth", "fifth", "sixth", "last",
];

/// The expected values `prose` gives calls by their place among `count` calls shown, each as
/// (the call's index, the value) — only in a sentence that says what should be (`last` is the
/// last; a place past the calls shown is kept, so that its value goes to no other call).
pub(super) fn by_place(prose: &str, count: usize) -> Vec<(usize, String)> {
    let Ok(place) = Regex::new(
        r"(?i)\b(first|second|third|fourth|fifth|sixth|last)\b(?:\s+(?:one|call|line|result|output))?[^`.;]{0,30}?`([^`\n]+)`",
    ) else {
        return Vec::new();
    };
    let mut out: Vec<(usize, String)> = Vec::new();
    if count < 2 {
        return out;
    }
    for sentence in sentences(prose) {
        let lower = sentence.to_lowercase();
        let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric()).collect();
        if !SHOULD.iter().any(|s| words.contains(s)) {
            continue;
        }
        for m in place.captures_iter(&sentence) {
            let (Some(word), Some(value)) = (m.get(1), m.get(2)) else {
                continue;
            };
            let word = word.as_str().to_lowercase();
            let index = match ORDINALS.iter().position(|o| *o == word) {
                Some(i) if ORDINALS.get(i) == Some(&"last") => count - 1,
                Some(i) => i,
                None => continue,
            };
            if !out.iter().any(|(i, _)| *i == index) {
                out.push((index, value.as_str().to_string()));
            }
        }
    }
    out
}
