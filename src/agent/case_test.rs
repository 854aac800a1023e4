//! A case the issue states ([`super::cases`]), written as a test in the test file's own
//! framework: a pytest function or a `unittest.TestCase` method for Python, a `test(…)` or
//! `it(…)` call with node's `assert` for JavaScript, a `#[test]` function with `assert_eq!` for
//! Rust. A case the language cannot express (a Python tuple in JavaScript, a dict in Rust) is
//! no test.

use super::cases::{assigned, assigned_value, balanced, is_call, py_str, Case, Expect};
use super::prompt::fence_lang;

/// The test of `case`, the `n`th of the issue's, for the test file `path` (whose text is
/// `body`); `None` where it cannot be written there.
pub fn test_code(case: &Case, n: usize, path: &str, body: &str) -> Option<String> {
    match fence_lang(path) {
        "python" => Some(python(case, &format!("test_issue_example_{n}"), body)),
        "javascript" | "typescript" => javascript(case, &format!("issue example {n}"), body),
        "rust" => rust(case, &format!("test_issue_example_{n}")),
        _ => None,
    }
}

fn python(case: &Case, name: &str, body: &str) -> String {
    let base = test_case_class(body);
    let unittest = base.is_some();
    let call = &case.call;
    let check = match (&case.expect, unittest) {
        (Expect::Equals(v), false) => format!("assert {call} == {}", python_words(v)),
        (Expect::Is(v), false) => format!("assert {call} is {}", python_words(v)),
        (Expect::Prints(v), false) => format!("assert {} == {}", printed(call), py_str(v)),
        (Expect::Contains(v), false) => format!("assert {v} in {call}"),
        (Expect::Holds(v), false) => format!("assert {} in {call}", python_words(v)),
        (Expect::Equals(v), true) => format!("self.assertEqual({call}, {})", python_words(v)),
        (Expect::Is(v), true) => format!("self.assertIs({call}, {})", python_words(v)),
        (Expect::Prints(v), true) => {
            format!("self.assertEqual({}, {})", printed(call), py_str(v))
        }
        (Expect::Contains(v), true) => format!("self.assertIn({v}, {call})"),
        (Expect::Holds(v), true) => format!("self.assertIn({}, {call})", python_words(v)),
        (Expect::Completes, _) => call.to_string(),
    };
    let setup = case.setup.iter().map(|line| match is_call(line) {
        true => python_words(line),
        false => format!(
            "{} = {}",
            assigned(line),
            python_words(assigned_value(line))
        ),
    });
    let indent = if unittest { "        " } else { "    " };
    let mut lines: Vec<String> = setup
        .chain(std::iter::once(check))
        .map(|l| format!("{indent}{l}"))
        .collect();
    if let Some(base) = base {
        lines.insert(0, format!("    def {name}(self):"));
        lines.insert(0, format!("class {}({base}):", class_name(name)));
    } else {
        lines.insert(0, format!("def {name}():"));
    }
    lines.join("\n")
}

fn javascript(case: &Case, title: &str, body: &str) -> Option<String> {
    if !body.contains("assert") {
        return None;
    }
    let runner = js_runner(body)?;
    let call = &case.call;
    let check = match &case.expect {
        Expect::Equals(v) if v.starts_with('(') => return None,
        Expect::Equals(v) => format!("assert.deepStrictEqual({call}, {});", js_words(v)),
        Expect::Is(v) => format!("assert.strictEqual({call}, {});", js_words(v)),
        Expect::Prints(v) => format!("assert.strictEqual(String({call}), {});", py_str(v)),
        Expect::Contains(v) => format!("assert.ok({call}.includes({v}));"),
        // An item compared by value has no short form with node's assert.
        Expect::Holds(_) => return None,
        Expect::Completes => format!("{call};"),
    };
    let setup = case.setup.iter().map(|line| match is_call(line) {
        true => format!("{};", js_words(line)),
        false => format!(
            "const {} = {};",
            assigned(line),
            js_words(assigned_value(line))
        ),
    });
    let lines: Vec<String> = setup
        .chain(std::iter::once(check))
        .map(|l| format!("  {l}"))
        .collect();
    Some(format!(
        "{runner}('{title}', () => {{\n{}\n}});",
        lines.join("\n")
    ))
}

/// The function a JavaScript test file declares its tests with: the runner's own call, with a
/// title (`test('…'`, `it("…"`), not a regex's `.test(s)`.
pub(super) fn js_runner(body: &str) -> Option<&'static str> {
    let calls = |name: &str| {
        regex::Regex::new(&format!(r#"(?m)(^|[^\w.]){name}\(\s*['"`]"#))
            .is_ok_and(|re| re.is_match(body))
    };
    ["test", "it"].into_iter().find(|name| calls(name))
}

/// A `#[test]` function, for a test file of its own (an integration test in `tests/`, which
/// calls the crate's public items); the names it needs are imported when the build says so.
fn rust(case: &Case, name: &str) -> Option<String> {
    let call = rust_words(&case.call)?;
    let check = match &case.expect {
        // An empty list, map or string: `is_empty` needs no type its literal would leave open.
        Expect::Equals(v) if ["[]", "{}", "\"\"", "''"].contains(&v.as_str()) => {
            format!("assert!({call}.is_empty());")
        }
        Expect::Equals(v) if v == "()" => return None,
        Expect::Equals(v) | Expect::Is(v) => format!("assert_eq!({call}, {});", rust_words(v)?),
        Expect::Prints(v) => format!("assert_eq!({call}.to_string(), {});", py_str(v)),
        Expect::Contains(v) => format!("assert!({call}.contains({}));", rust_words(v)?),
        Expect::Holds(v) => format!("assert!({call}.contains(&{}));", rust_words(v)?),
        Expect::Completes => format!("let _ = {call};"),
    };
    let mut lines = case
        .setup
        .iter()
        .map(|line| match is_call(line) {
            true => Some(format!("    let _ = {};", rust_words(line)?)),
            false => {
                let value = rust_words(assigned_value(line))?;
                Some(format!("    let {} = {value};", assigned(line)))
            }
        })
        .collect::<Option<Vec<String>>>()?;
    lines.push(format!("    {check}"));
    Some(format!("#[test]\nfn {name}() {{\n{}\n}}", lines.join("\n")))
}

/// `value` in Rust's words: `true`, `false` and `None` for the keywords of Python and
/// JavaScript, a string in single quotes (Python's) in double ones (a one-character one stays a
/// `char`); `None` when it holds a dict or set, which Rust has no literal for.
fn rust_words(value: &str) -> Option<String> {
    let value = swap_words(
        value,
        &[("True", "true"), ("False", "false"), ("null", "None")],
    );
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        match c {
            '{' => return None,
            '"' => out.push_str(&format!("\"{}\"", literal_text(&mut chars, '"'))),
            '\'' => {
                let text = literal_text(&mut chars, '\'');
                let char = text.chars().count() == 1 || (text.len() == 2 && text.starts_with('\\'));
                if char {
                    out.push_str(&format!("'{text}'"));
                } else {
                    let text = text.replace("\\'", "'").replace('"', "\\\"");
                    out.push_str(&format!("\"{text}\""));
                }
            }
            _ => out.push(c),
        }
    }
    Some(out)
}

/// A string literal's text up to its closing `quote` (escapes as written); the quote is taken.
fn literal_text(chars: &mut std::str::Chars<'_>, quote: char) -> String {
    let mut text = String::new();
    let mut escaped = false;
    for c in chars.by_ref() {
        if c == quote && !escaped {
            break;
        }
        escaped = c == '\\' && !escaped;
        text.push(c);
    }
    text
}

/// `value` with JavaScript's keyword literals in Python's words (`true` → `True`).
fn python_words(value: &str) -> String {
    swap_words(
        value,
        &[("true", "True"), ("false", "False"), ("null", "None")],
    )
}

/// `value` with Python's keyword literals in JavaScript's words (`None` → `null`).
fn js_words(value: &str) -> String {
    swap_words(
        value,
        &[("True", "true"), ("False", "false"), ("None", "null")],
    )
}

/// `value` with each whole word `from` replaced by `to`, outside string literals.
fn swap_words(value: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let flush = |word: &mut String, out: &mut String| {
        let swapped = pairs
            .iter()
            .find(|(from, _)| from == word)
            .map_or(word.as_str(), |(_, to)| to);
        out.push_str(swapped);
        word.clear();
    };
    for c in value.chars() {
        if quote.is_none() && (c.is_alphanumeric() || c == '_') {
            word.push(c);
            continue;
        }
        flush(&mut word, &mut out);
        match quote {
            Some(q) if c == q => quote = None,
            None if c == '\'' || c == '"' => quote = Some(c),
            _ => {}
        }
        out.push(c);
    }
    flush(&mut word, &mut out);
    out
}

/// The `TestCase` class as the test file `body` names it, when its tests are unittest's.
pub(super) fn test_case_class(body: &str) -> Option<&'static str> {
    if body.contains("unittest.TestCase") {
        Some("unittest.TestCase")
    } else if body.contains("(TestCase)") {
        Some("TestCase")
    } else {
        None
    }
}

/// `call` as text: itself when it already is `str(…)`, else wrapped in `str()`.
fn printed(call: &str) -> String {
    let inner = call.strip_prefix("str(").and_then(|r| r.strip_suffix(')'));
    if inner.is_some_and(balanced) {
        call.to_string()
    } else {
        format!("str({call})")
    }
}

/// `test_issue_example_2` → `TestIssueExample2`.
fn class_name(name: &str) -> String {
    name.split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
#[path = "case_test_tests.rs"]
mod tests;
