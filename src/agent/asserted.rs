//! What a test asserts: its equality assertions, each read whole (from the line it begins on to
//! where its brackets and strings close), and the string literals each one expects, read as the
//! language reads them — so that a value the test copies from an issue can be compared with it
//! whether written on one line or over several (a Rust string continued with `\`, a
//! triple-quoted table, literals side by side).

/// Words that make a line an equality assertion, and those that negate one.
const EQUALITY: &[&str] = &["==", "assert_eq!", "equal(", "tobe("];
const NEGATED: &[&str] = &[
    "!=",
    " not in ",
    "assert_ne!",
    "notequal",
    "notstrictequal",
    "notdeepequal",
    "notdeepstrictequal",
    ".not.",
];

/// The longest assertion read whole; a longer one is read as its first line.
const MAX_ASSERTION: usize = 4_000;

/// The equality assertions of a test, each from the line it begins on to the end of its
/// statement (its brackets and strings closed).
pub(super) fn assertions(code: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(rest) = code.get(at..).filter(|r| !r.is_empty()) {
        let line_end = rest.find('\n').map_or(code.len(), |i| at + i + 1);
        let lower = rest.get(..line_end - at).unwrap_or_default().to_lowercase();
        if !EQUALITY.iter().any(|e| lower.contains(e)) {
            at = line_end;
            continue;
        }
        let end = statement_end(code, at).filter(|&e| e - at <= MAX_ASSERTION);
        let end = end.unwrap_or(line_end).max(line_end);
        let unit = code.get(at..end).unwrap_or_default();
        let lower = unit.to_lowercase();
        if !NEGATED.iter().any(|n| lower.contains(n)) {
            out.push(unit);
        }
        at = end;
    }
    out
}

/// Where the statement beginning at `from` ends: after the first line break (or `;`) outside
/// any string and bracket; `None` when the code ends first.
fn statement_end(code: &str, from: usize) -> Option<usize> {
    let text = code.get(from..)?;
    let mut depth = 0i32;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' | '\'' => {
                // `r"…"`, `r#"…"#`: no escapes, closed by the quote and as many `#`.
                let before = text.get(..i).unwrap_or_default();
                let hashes = before.len() - before.trim_end_matches('#').len();
                let raw = before.trim_end_matches('#').ends_with('r');
                let triple = text
                    .get(i..i + 3)
                    .is_some_and(|t| t.chars().all(|d| d == c));
                let quotes = if triple { 3 } else { 1 };
                let close = c.to_string().repeat(quotes) + &"#".repeat(hashes * raw as usize);
                let end = string_end(text, i + quotes, &close, raw)?;
                while chars.peek().is_some_and(|&(j, _)| j < end) {
                    chars.next();
                }
            }
            // A comment (`# it's`, `// don't`) holds no string to follow.
            '#' | '/' if comment_at(text.get(i..).unwrap_or_default()) => {
                while chars.peek().is_some_and(|&(_, d)| d != '\n') {
                    chars.next();
                }
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ';' | '\n' if depth <= 0 => return Some(from + i + 1),
            _ => {}
        }
    }
    None
}

/// Whether a comment begins `text`: `//`, or `#` but not a Rust attribute (`#[`, `#![`) or a
/// raw string's `#` (`r#"`).
fn comment_at(text: &str) -> bool {
    let after_hash = text.strip_prefix('#').and_then(|t| t.chars().next());
    text.starts_with("//")
        || (text.starts_with('#') && !matches!(after_hash, Some('[' | '!' | '"' | '#')))
}

/// The byte after the string whose body starts at `body` and ends with `close` (a raw one has
/// no escapes).
fn string_end(text: &str, body: usize, close: &str, raw: bool) -> Option<usize> {
    let mut i = body;
    while let Some(rest) = text.get(i..) {
        if rest.starts_with(close) {
            return Some(i + close.len());
        }
        let c = rest.chars().next()?;
        i += c.len_utf8();
        if c == '\\' && !raw {
            i += rest.get(1..)?.chars().next()?.len_utf8();
        }
    }
    None
}

/// The string literals of one assertion that are not arguments of a call other than the
/// assertion itself (`assert_eq!(`, `assertEqual(`, `assert.equal(`, `expect(…).toBe(`),
/// each as its value (escapes read, a line continued with `\` joined, trailing spaces of each
/// line dropped as the issue's block has them), literals with only space between them joined.
pub(super) fn literals(assertion: &str) -> Vec<String> {
    let rust = assertion.contains("assert_eq!") || assertion.contains("assert!(");
    let chars: Vec<(usize, char)> = assertion.char_indices().collect();
    let mut callers: Vec<bool> = Vec::new(); // per open parenthesis: a call other than assert
    let mut out: Vec<String> = Vec::new();
    // Where the last literal taken ended, to join the next to it when only space is between.
    let mut last_end: Option<usize> = None;
    let mut i = 0;
    while let Some(&(at, c)) = chars.get(i) {
        match c {
            '"' | '\'' => {
                let mut j = i + 1;
                while let Some(&(_, d)) = chars.get(j) {
                    if d == '\\' {
                        j += 2;
                        continue;
                    }
                    if d == c {
                        break;
                    }
                    j += 1;
                }
                let end = chars.get(j).map_or(assertion.len(), |&(e, _)| e);
                if !callers.iter().any(|&other| other) {
                    let value = unescape(assertion.get(at + 1..end).unwrap_or_default(), rust);
                    let between = last_end.and_then(|e| assertion.get(e..at));
                    match out.last_mut() {
                        Some(prev) if between.is_some_and(|b| b.trim().is_empty()) => {
                            prev.push_str(&value)
                        }
                        _ => out.push(value),
                    }
                    last_end = Some((end + 1).min(assertion.len()));
                }
                i = j + 1;
                continue;
            }
            '(' => {
                let name: String = (assertion.get(..at).unwrap_or_default())
                    .chars()
                    .rev()
                    .take_while(|c| c.is_alphanumeric() || "_.!".contains(*c))
                    .collect::<String>()
                    .to_lowercase();
                let name: String = name.chars().rev().collect();
                let assertion = ["assert", "equal", "expect", "tobe"]
                    .iter()
                    .any(|a| name.contains(a));
                // A bare parenthesis groups; it passes nothing to a call.
                callers.push(!name.is_empty() && !assertion);
            }
            ')' => {
                callers.pop();
            }
            _ => {}
        }
        i += 1;
    }
    out.iter()
        .map(|v| v.lines().map(str::trim_end).collect::<Vec<_>>().join("\n"))
        .collect()
}

/// A literal's body as its value: `\n`, `\t`, `\r`, `\0` and escaped quotes and backslashes
/// read; a backslash ending a line joins the next (in Rust its leading space dropped too); any
/// other escape kept as written.
fn unescape(body: &str, rust: bool) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some(q @ ('"' | '\'' | '\\')) => out.push(q),
            Some('\n') => {
                while rust && chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}
