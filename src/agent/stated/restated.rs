//! A test that checks a named value — a field, a key — against the number the code gives now,
//! where the issue states the number it should be ("The docs say `retries` is 3 when the file
//! leaves it out" and the test asserts `settings.retries` is 0). Asked about a report whose
//! title names the symptom ("… turns retries off"), a small model asserts the symptom: its test
//! passes and shows nothing. cria puts the issue's number in the assertion.

use regex::Regex;

use super::super::asserted;
use super::super::mutate::{names_word, numbers_in};
use super::super::reassert::{offset, spliced};
use super::{has_word, sentences, split_sessions, AUTHORITIES, SHOULD, TELLS};

/// A test's asserted number for a named value put right from the issue.
#[derive(Debug, PartialEq)]
pub struct Restated {
    /// The test's code with the number put right.
    pub code: String,
    /// The value's name, and its number as the test wrote it and as it now reads.
    pub name: String,
    pub was: String,
    pub now: String,
}

/// `code` with the first number it asserts for a named value (`settings.retries, 0`,
/// `cfg["retries"] == 0`) changed to the number `issue` states for that name — the first number
/// after the name in each sentence naming it that says what should be ("should", "expected",
/// "the docs say"; "I set `interval` to 60" gives an input), of the same kind (integer or
/// decimal), and one number over all those sentences; `None` when no assertion has such a value.
pub fn restated(issue: &str, code: &str) -> Option<Restated> {
    let named = Regex::new(
        r#"(?:\.|\[["'])([A-Za-z_]\w*)["']?\]?\s*(?:,|===?)\s*(-?\d+(?:\.\d+)?)\s*(?:[,);]|$)"#,
    )
    .ok()?;
    let (prose, _) = split_sessions(issue);
    let sentences = sentences(&prose);
    for assertion in asserted::assertions(code) {
        for c in named.captures_iter(assertion) {
            let (Some(name), Some(was)) = (c.get(1), c.get(2)) else {
                continue;
            };
            let Some(now) = stated_for(&sentences, name.as_str(), was.as_str()) else {
                continue;
            };
            let start = offset(code, assertion)? + was.start();
            return Some(Restated {
                code: spliced(code, start, was.len(), &now)?,
                name: name.as_str().to_string(),
                was: was.as_str().to_string(),
                now,
            });
        }
    }
    None
}

/// The one number `sentences` state for `name` other than `was`, of its kind.
fn stated_for(sentences: &[String], name: &str, was: &str) -> Option<String> {
    let decimal = was.contains('.');
    let mut found: Vec<String> = Vec::new();
    for s in sentences
        .iter()
        .filter(|s| names_word(s, name) && says_should(s))
    {
        let first = after_name(s, name).and_then(|after| numbers_in(after).into_iter().next());
        if let Some(n) = first.filter(|n| n.contains('.') == decimal) {
            if !found.contains(&n) {
                found.push(n);
            }
        }
    }
    match found.as_slice() {
        [one] if one.as_str() != was.trim_start_matches('-') => Some(one.clone()),
        _ => None,
    }
}

/// Whether `sentence` says what should be: a word of [`SHOULD`], or a word of [`AUTHORITIES`]
/// with one of [`TELLS`].
fn says_should(sentence: &str) -> bool {
    let has = has_word(sentence);
    has(SHOULD) || (has(AUTHORITIES) && has(TELLS))
}

/// The text of `sentence` after its first word that is `name`, in any case.
fn after_name<'s>(sentence: &'s str, name: &str) -> Option<&'s str> {
    let lower = sentence.to_lowercase();
    let name = name.to_lowercase();
    let mut from = 0;
    while let Some(i) = lower.get(from..)?.find(&name) {
        let at = from + i;
        let end = at + name.len();
        let word = |c: char| c.is_alphanumeric() || c == '_';
        let before = lower.get(..at)?.chars().last().is_some_and(word);
        let after = lower.get(end..)?.chars().next().is_some_and(word);
        if !before && !after {
            return sentence.get(end..);
        }
        from = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUE: &str = "A settings file without `retries` turns retries off\n\nOur file is just\n\n    remote = \"backup.example.org\"\n    interval = 300\n\nThe docs say `retries` is 3 when the file leaves it out, and `timeout` 30.\n";

    #[test]
    fn a_named_value_asserted_as_it_is_now_takes_the_number_the_issue_states() {
        let rust = "#[test]\nfn defaults() {\n    let s = parse(\"remote = \\\"nas\\\"\\n\").unwrap();\n    assert_eq!(s.retries, 0);\n    assert_eq!(s.timeout, 30);\n}";
        let r = restated(ISSUE, rust).expect("put right");
        assert_eq!(
            (r.name.as_str(), r.was.as_str(), r.now.as_str()),
            ("retries", "0", "3")
        );
        assert!(r.code.contains("assert_eq!(s.retries, 3);"), "{}", r.code);
        assert!(r.code.contains("assert_eq!(s.timeout, 30);"), "{}", r.code);
        let python = "def test_defaults():\n    cfg = load('remote = nas')\n    assert cfg[\"retries\"] == 0\n";
        let r = restated(ISSUE, python).expect("a key too");
        assert!(
            r.code.contains("assert cfg[\"retries\"] == 3\n"),
            "{}",
            r.code
        );
    }

    #[test]
    fn a_value_already_right_or_never_stated_is_left_alone() {
        // Right already; a name the issue gives no number; a number of another kind.
        for code in [
            "assert_eq!(s.retries, 3);",
            "assert_eq!(s.interval, 600);",
            "assert_eq!(s.timeout, 30.5);",
            "assert_eq!(s.retries + 1, 4);",
        ] {
            assert_eq!(restated(ISSUE, code), None, "{code}");
        }
        // A number given as an input, not as what should be.
        let input = "I set `retries` to 5 and it never retries.";
        assert_eq!(restated(input, "assert_eq!(s.retries, 0);"), None);
        // Two numbers stated for one name: no telling which.
        let two = "The docs say `retries` is 3. The `retries` setting should be 5.";
        assert_eq!(restated(two, "assert_eq!(s.retries, 0);"), None);
    }
}
