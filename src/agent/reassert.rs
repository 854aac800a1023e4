//! A model's test of the issue whose call is right and whose expected value is not. Asked for a
//! test of a report, a small model often sets the example up faithfully (the version,
//! its commit lines, its ticket) and then writes the whole expected output from memory: a
//! section left as it was, a quote too many. Such a test fails on any change, right or wrong,
//! and verifies nothing. When its expected value leaves out a value the issue itself says
//! should come out ([`contradicts`]), cria keeps the test's setup and calls and asserts the
//! issue's own expected values in what they give ([`reassert`]) — a test the reproduce stage
//! still keeps only if it fails on the code before the change.

use super::asserted;
use super::callers::{closing, code_chars, split_top};
use super::cases::{is_literal, py_str};

/// Whether the equality assertions of `code` leave out one of the issue's `expected` values:
/// no literal they expect holds it. A test with no equality assertion contradicts nothing.
pub(super) fn contradicts(code: &str, expected: &[String]) -> bool {
    let literals: Vec<String> = asserted::assertions(code)
        .into_iter()
        .flat_map(asserted::literals)
        .collect();
    !literals.is_empty()
        && usable(expected).any(|e| !literals.iter().any(|l| l.contains(e.as_str())))
}

/// `code` with its equality assertions replaced by one check that what their calls give holds
/// each of the issue's `expected` values, in the language of the test file `path`; the setup
/// and every other statement kept as written. `None` when an assertion is not one read here
/// (the test is then left to be judged as it is), or when there is nothing to assert.
pub(super) fn reassert(code: &str, path: &str, expected: &[String]) -> Option<String> {
    let expected: Vec<&String> = usable(expected).collect();
    let assertions = asserted::assertions(code);
    if expected.is_empty() || assertions.is_empty() {
        return None;
    }
    let mut actuals = Vec::new();
    for a in &assertions {
        actuals.push(actual(a)?);
    }
    let lang = Lang::of(path)?;
    let mut out = String::new();
    let mut at = 0;
    for (k, a) in assertions.iter().enumerate() {
        let start = offset(code, a)?;
        out.push_str(code.get(at..start)?);
        at = start + a.len();
        if k + 1 == assertions.len() {
            let indent: String = a.chars().take_while(|c| c.is_whitespace()).collect();
            let lines = lang.check(&actuals, &expected, a.contains("expect("));
            let block: Vec<String> = lines.iter().map(|l| format!("{indent}{l}")).collect();
            out.push_str(&block.join("\n"));
            if a.ends_with('\n') {
                out.push('\n');
            }
        }
    }
    out.push_str(code.get(at..)?);
    Some(out)
}

/// The expected values worth asserting: one line, and more than a character or two (a `0`
/// or a `,` is in nearly any output).
pub(super) fn usable(expected: &[String]) -> impl Iterator<Item = &String> {
    expected
        .iter()
        .filter(|e| !e.contains('\n') && !e.trim().is_empty() && e.chars().count() >= 3)
}

/// Where the slice `part` of `code` begins in it.
pub(super) fn offset(code: &str, part: &str) -> Option<usize> {
    let at = (part.as_ptr() as usize).checked_sub(code.as_ptr() as usize)?;
    (at + part.len() <= code.len()).then_some(at)
}

/// `code` with the `len` bytes at `at` replaced by `new`; `None` off a character boundary.
pub(super) fn spliced(code: &str, at: usize, len: usize, new: &str) -> Option<String> {
    let mut out = String::with_capacity(code.len() + new.len());
    out.push_str(code.get(..at)?);
    out.push_str(new);
    out.push_str(code.get(at + len..)?);
    Some(out)
}

/// The expression an equality assertion checks — the side that is not a literal, or the first
/// (`assert_eq!(got, want)`, `assert got == want`, `expect(got).toBe(want)`); `None` for a
/// statement of another shape (an `if a == b:` line the scan took for one).
fn actual(assertion: &str) -> Option<String> {
    let t = assertion.trim().trim_end_matches(';').trim_end();
    if let Some(rest) = t.strip_prefix("expect(") {
        let close = closing(t, "expect".len())?;
        let after = t.get(close + 1..)?;
        if !after.starts_with(".to") {
            return None;
        }
        return Some(rest.get(..close - "expect(".len())?.trim().to_string());
    }
    let (left, right) = if let Some(rest) = t.strip_prefix("assert ") {
        split_equality(split_top(rest).first()?)?
    } else {
        const CALLS: &[&str] = &[
            "assert_eq!(",
            "self.assertEqual(",
            "assertEqual(",
            "assert.equal(",
            "assert.strictEqual(",
            "assert.deepEqual(",
            "assert.deepStrictEqual(",
            "assert(",
        ];
        let open = CALLS.iter().find(|c| t.starts_with(*c))?.len() - 1;
        let close = closing(t, open)?;
        let args = split_top(t.get(open + 1..close)?);
        match args.as_slice() {
            [one] => split_equality(one)?,
            [left, right, ..] => (left.clone(), right.clone()),
            [] => return None,
        }
    };
    let pick = if is_literal(&left) && !is_literal(&right) {
        right
    } else {
        left
    };
    (!pick.is_empty()).then_some(pick)
}

/// `a == b` (or `===`) split at its equality sign outside brackets and strings.
fn split_equality(text: &str) -> Option<(String, String)> {
    let mut depth = 0i32;
    for (i, c, prev) in code_chars(text) {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            '=' if depth == 0 && prev == '=' => {
                let left = text.get(..i - 1)?.trim_end_matches(['=', '!']).trim();
                let right = text.get(i + 1..)?.trim_start_matches('=').trim();
                let not_equal = text.get(..i - 1)?.ends_with(['!', '<', '>']);
                return (!not_equal).then(|| (left.to_string(), right.to_string()));
            }
            _ => {}
        }
    }
    None
}

/// The languages a check is written in.
#[derive(Clone, Copy)]
enum Lang {
    Python,
    JavaScript,
    Rust,
}

impl Lang {
    fn of(path: &str) -> Option<Lang> {
        match crate::context::shown::fence_lang(path) {
            "python" => Some(Lang::Python),
            "javascript" | "typescript" => Some(Lang::JavaScript),
            "rust" => Some(Lang::Rust),
            _ => None,
        }
    }

    /// The lines that gather what `actuals` give as text and assert each `expected` value in
    /// it (`expect_style`: the test file checks with `expect(…)`, not `assert`).
    fn check(self, actuals: &[String], expected: &[&String], expect_style: bool) -> Vec<String> {
        let mut lines = Vec::new();
        match self {
            Lang::Python => {
                let items: Vec<String> = actuals.iter().map(|a| format!("str({a})")).collect();
                lines.push(format!("issue_got = \"\\n\".join([{}])", items.join(", ")));
                for e in expected {
                    lines.push(format!("assert {} in issue_got, issue_got", py_str(e)));
                }
            }
            Lang::JavaScript => {
                let items: Vec<String> = actuals.iter().map(|a| format!("String({a})")).collect();
                lines.push(format!(
                    "const issueGot = [{}].join('\\n');",
                    items.join(", ")
                ));
                for e in expected {
                    let lit = serde_json::to_string(e).unwrap_or_default();
                    lines.push(if expect_style {
                        format!("expect(issueGot).toContain({lit});")
                    } else {
                        format!("assert.ok(issueGot.includes({lit}), issueGot);")
                    });
                }
            }
            Lang::Rust => {
                let items: Vec<String> = actuals
                    .iter()
                    .map(|a| format!("({a}).to_string()"))
                    .collect();
                lines.push(format!(
                    "let issue_got = [{}].join(\"\\n\");",
                    items.join(", ")
                ));
                for e in expected {
                    lines.push(format!(
                        "assert!(issue_got.contains({e:?}), \"{{}}\", issue_got);"
                    ));
                }
            }
        }
        lines
    }
}

#[cfg(test)]
#[path = "reassert_tests.rs"]
mod tests;
