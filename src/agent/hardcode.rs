//! Recognizing a "fix" that special-cases the failing test: the change compares against the
//! very input a failing assertion passes and hands back the very value it expects, as in
//! `if text == "*/15": return [0, 15, 30, 45]`. Small models do this when a rule is hard; the
//! tests then pass and prove nothing about the rule the issue asks for. Such a change is undone
//! like any failed attempt, and the model is told why.
//!
//! Only the combination counts: a fix may well name a test's input (a currency code in a
//! table) or its expected value (`"IV"` for 4 in a numeral table); comparing for equality with
//! the input *and* producing the expected value verbatim is what a general rule never needs.

use regex::Regex;

/// A failing assertion's input literals and expected values, from a test run's output (the
/// assertion lines runners print: pytest's `>   assert f("x") == [1]`, a JS or Rust
/// `assert...(f("x"), [1])` in a traceback).
#[derive(Debug, Default, PartialEq)]
pub struct Assertions {
    /// Quoted string literals passed in (at least two characters).
    pub inputs: Vec<String>,
    /// The expected values, with their whitespace removed.
    pub expected: Vec<String>,
}

pub fn assertions(output: &str) -> Assertions {
    let quoted = Regex::new(r#""([^"\\]{2,60})"|'([^'\\]{2,60})'"#).ok();
    let mut out = Assertions::default();
    for line in output.lines().filter(|l| l.contains("assert")) {
        let line = line.trim_start_matches(|c: char| c == '>' || c.is_whitespace());
        // `assert ACTUAL == EXPECTED` or `assert_eq!(ACTUAL, EXPECTED)` / `assertEqual(A, E)`.
        let (actual, expected) = match line.split_once("==") {
            Some((a, e)) => (a, e),
            None => match first_argument_end(line) {
                Some(i) => (
                    line.get(..i).unwrap_or_default(),
                    line.get(i + 1..)
                        .unwrap_or_default()
                        .trim_end_matches([')', ';', ' ']),
                ),
                None => continue,
            },
        };
        if let Some(re) = &quoted {
            for c in re.captures_iter(actual) {
                if let Some(m) = c.get(1).or_else(|| c.get(2)) {
                    out.inputs.push(m.as_str().to_string());
                }
            }
        }
        let expected: String = expected.chars().filter(|c| !c.is_whitespace()).collect();
        if expected.len() >= 3 {
            out.expected.push(expected);
        }
    }
    out
}

/// Where the first argument of the outermost call on `line` ends (its comma), outside strings
/// and nested brackets: `assert_eq!(f("a, b"), [1, 2])` splits after `f("a, b")`.
fn first_argument_end(line: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match quote {
            Some(_) if escaped => escaped = false,
            Some(_) if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' => quote = Some(c),
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth = depth.saturating_sub(1),
                ',' if depth == 1 => return Some(i),
                _ => {}
            },
        }
    }
    None
}

/// The input a change special-cases while returning the expected value, if it does: `added`
/// are the lines the change adds to the code (not to tests).
pub fn special_cased(added: &[&str], seen: &Assertions) -> Option<String> {
    let squeezed: Vec<String> = added
        .iter()
        .map(|l| l.chars().filter(|c| !c.is_whitespace()).collect())
        .collect();
    let returns_expected = seen
        .expected
        .iter()
        .any(|e| squeezed.iter().any(|l| l.contains(e.as_str())));
    if !returns_expected {
        return None;
    }
    seen.inputs
        .iter()
        .find(|input| {
            let forms = [
                format!("==\"{input}\""),
                format!("=='{input}'"),
                format!("\"{input}\"=="),
                format!("'{input}'=="),
            ];
            squeezed
                .iter()
                .any(|l| forms.iter().any(|f| l.contains(f.as_str())))
        })
        .cloned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PYTEST: &str = "    def test_step_values():\n>       assert parse_field(\"*/15\", MINUTE) == [0, 15, 30, 45]\nE       ValueError: bad minute field: '*/15'\n";

    #[test]
    fn a_returned_answer_for_the_tests_own_input_is_caught() {
        let seen = assertions(PYTEST);
        assert_eq!(seen.inputs, ["*/15"]);
        assert_eq!(seen.expected, ["[0,15,30,45]"]);
        let gamed = ["    if text == \"*/15\":", "        return [0, 15, 30, 45]"];
        assert_eq!(special_cased(&gamed, &seen).as_deref(), Some("*/15"));
    }

    #[test]
    fn a_general_rule_and_a_table_entry_are_not() {
        let seen = assertions(PYTEST);
        let rule = [
            "    if \"/\" in text:",
            "        base, step = text.split(\"/\", 1)",
            "        return list(range(spec.low, spec.high + 1, int(step)))",
        ];
        assert_eq!(special_cased(&rule, &seen), None);
        // The expected value alone (a table) or the input alone (a key) is fine.
        let roman = assertions(">       assert to_roman(4) == \"IV\"\n");
        assert_eq!(special_cased(&["    (4, \"IV\"),"], &roman), None);
        let money = assertions(">       assert str(Money(1500, \"JPY\")) == \"¥1,500\"\n");
        assert_eq!(
            special_cased(
                &["    if currency == \"JPY\":", "        digits = 0"],
                &money
            ),
            None
        );
        assert_eq!(
            special_cased(&["    if currency == \"JPY\": return \"¥1,500\""], &money).as_deref(),
            Some("JPY")
        );
    }

    #[test]
    fn rust_and_unittest_assertions_are_read_too() {
        let seen = assertions("    assert_eq!(wrap(\"aaa bbb\", 3), \"aaa\\nbbb\");\n");
        assert_eq!(seen.inputs, ["aaa bbb"]);
        let unit = assertions("    self.assertEqual(slugify('Hello, World!'), 'hello-world')\n");
        assert_eq!(unit.inputs, ["Hello, World!"]);
        assert_eq!(unit.expected, ["'hello-world'"]);
        let list = assertions("    assert_eq!(parse(\"*/15\"), [0, 15, 30, 45]);\n");
        assert_eq!(list.expected, ["[0,15,30,45]"]);
    }
}
