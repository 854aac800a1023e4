//! Another case an issue says goes wrong the same way, with no values of its own ("Swiss
//! francs have the same problem"), and whether a test speaks of it.

use regex::Regex;

use super::prose_sentences;

/// Phrases with which an issue says another case goes wrong the same way.
const SAME: &[&str] = &[
    "same problem",
    "same issue",
    "same bug",
    "same thing",
    "same way",
    "same wrong",
    "same with",
    "same for",
    "same happens",
    "also happens",
    "as well",
];

/// Words too common to tell whether a test checks a sentence's case.
const COMMON: &[&str] = &[
    "the", "and", "with", "from", "have", "has", "had", "are", "was", "were", "this", "that",
    "same", "problem", "issue", "bug", "way", "wrong", "thing", "also", "happens", "well", "too",
    "off", "for", "our", "its", "their", "them", "together", "when", "then", "there", "here",
    "still", "gets", "get", "does", "not", "but", "all", "any", "one", "lists", "list", "order",
];

/// The sentences in which the issue says another case goes wrong the same way ("Korean won
/// amounts have the same problem", "Same with `-t 4`", "`x@studio.design` is refused too",
/// "Single quotes are the same"): a case with no values of its own, which
/// a test of the issue's examples easily leaves out — and then a fix of the first case alone
/// would pass for the whole.
pub fn other_cases(issue: &str) -> Vec<String> {
    prose_sentences(issue)
        .into_iter()
        .filter(|s| {
            let lower = s.to_lowercase();
            // "… are refused too.", not "too long".
            let too = lower
                .trim_end()
                .trim_end_matches(['.', '!', ')'])
                .ends_with(" too")
                || lower.contains(", too");
            // "Single quotes are the same.", not "the same output as before".
            let same = lower
                .trim_end()
                .trim_end_matches(['.', '!', ')'])
                .ends_with(" the same");
            too || same || SAME.iter().any(|p| lower.contains(p))
        })
        .collect()
}

/// Whether the test `code` checks the case `sentence` speaks of, as far as words can tell: it
/// holds one of the sentence's inline-code spans (or a name in one: `render` for
/// `Table::render()`), or one of its own words.
pub fn touches(code: &str, sentence: &str) -> bool {
    let Ok(span) = Regex::new(r"`([^`\n]+)`") else {
        return true;
    };
    let Ok(word) = Regex::new(r"[A-Za-z][A-Za-z0-9_-]{2,}") else {
        return true;
    };
    let lower = code.to_lowercase();
    let spans: Vec<&str> = span
        .captures_iter(sentence)
        .filter_map(|c| c.get(1).map(|m| m.as_str().trim()))
        .collect();
    // A span of punctuation or one character (`'`, `0`) is in any test: no sign of the case.
    let telling = |s: &str| s.chars().filter(|c| c.is_alphanumeric()).count() >= 2;
    let in_spans = spans.iter().filter(|s| telling(s)).any(|s| {
        lower.contains(&s.to_lowercase())
            || word
                .find_iter(s)
                .any(|w| w.as_str().len() > 2 && lower.contains(&w.as_str().to_lowercase()))
    });
    let without_spans = span.replace_all(sentence, " ");
    let in_words = word.find_iter(&without_spans).any(|w| {
        let w = w.as_str().to_lowercase();
        !COMMON.contains(&w.as_str()) && lower.contains(&w)
    });
    in_spans || in_words
}
