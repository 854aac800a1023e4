//! A regular expression too narrow for the text it must take: `\((\w+)\)` reads a commit's
//! scope, and `api/v2` or `date-picker` is no scope to it; `@[\w-]+\.[a-z]{2,3}$` takes no
//! `uni.ac.uk` and no `.design`. The usual fixes: take anything up to the delimiter that ends
//! the part (`\(([^)]+)\)`), let the part hold its delimiter too (`[\w.-]+\.`, parts of
//! parts), or lift a count's upper bound (`{2,}`). Each repeated class (`\w+`, `\d*`,
//! `[a-z]+`) followed by a delimiter is tried both ways, and each bounded count without its
//! bound, one change each. Only in a pattern: a JavaScript regex literal, or a raw string
//! (`r"..."`) that escapes a class, as Python's and Rust's patterns are written.

/// What ends a part rather than separates parts: a part never holds its own closing bracket.
const CLOSERS: &str = ")]}>\"'`";

/// The characters with a meaning of their own in a pattern, outside a class.
const META: &str = ".^$|?*+()[]{}\\";

/// `literal` (a whole regex literal or raw string, delimiters and all) with one repeated class
/// widened to "anything but the delimiter after it" or to take that delimiter too, or one
/// bounded count without its upper bound, one change each; none when the literal is no
/// pattern.
pub(super) fn widened(literal: &str, regex_literal: bool) -> Vec<String> {
    let Some((from, to)) = body(literal, regex_literal) else {
        return Vec::new();
    };
    let part = |a: usize, b: usize| literal.get(a..b).unwrap_or_default();
    let chars: Vec<(usize, char)> = part(from, to)
        .char_indices()
        .map(|(at, c)| (from + at, c))
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&(_, c)) = chars.get(i) {
        let Some(end) = class_end(&chars, i) else {
            i += if c == '\\' { 2 } else { 1 };
            continue;
        };
        let quantifier = chars.get(end).filter(|q| matches!(q.1, '+' | '*'));
        if let (Some(&(q, _)), Some(delimiter)) = (quantifier, delimiter_after(&chars, end + 1)) {
            let (a, _) = chars.get(i).copied().unwrap_or_default();
            let delimiter = in_class(&delimiter, regex_literal);
            let negated = format!("[^{delimiter}]");
            out.push(format!("{}{negated}{}", part(0, a), part(q, literal.len())));
            // A separator (not a closing bracket or quote) the part may hold too, first in the
            // class, where it cannot end a range (`[\w-]`).
            let class = part(a, q);
            let with = match class.strip_prefix('[') {
                Some(rest) => format!("[{delimiter}{rest}"),
                None => format!("[{delimiter}{class}]"),
            };
            if !CLOSERS.contains(delimiter.trim_start_matches('\\')) {
                out.push(format!("{}{with}{}", part(0, a), part(q, literal.len())));
            }
        }
        i = end;
    }
    out.extend(unbounded(literal, &chars));
    out
}

/// `literal` with one count `{m,n}` of its pattern (`chars`) as `{m,}`, one change each.
fn unbounded(literal: &str, chars: &[(usize, char)]) -> Vec<String> {
    let part = |a: usize, b: usize| literal.get(a..b).unwrap_or_default();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&(at, c)) = chars.get(i) {
        if c == '\\' {
            i += 2;
            continue;
        }
        i += 1;
        if c != '{' {
            continue;
        }
        let rest = literal.get(at + 1..).unwrap_or_default();
        let Some((count, _)) = rest.split_once('}') else {
            continue;
        };
        let Some((low, high)) = count.split_once(',') else {
            continue;
        };
        let digits = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_digit());
        if digits(low) && digits(high) {
            let (before, after) = (part(0, at), rest.get(count.len()..).unwrap_or_default());
            out.push(format!("{before}{{{low},{after}"));
        }
    }
    out
}

/// Where the pattern lies in `literal` (bytes): between a regex literal's slashes, or inside a
/// raw string's quotes when it escapes a class (`r"\d+"`, `r'(\w+)'`, `r#"..."#`); `None` for
/// any other string, which is no pattern.
fn body(literal: &str, regex_literal: bool) -> Option<(usize, usize)> {
    if regex_literal {
        let end = literal.rfind('/')?;
        return (end > 0 && literal.starts_with('/')).then_some((1, end));
    }
    let raw = literal.starts_with(['r', 'R']) || literal.starts_with("br");
    let quotes = |c: char| matches!(c, '"' | '\'' | '#');
    let from = literal.find(['"', '\''])?;
    let from = literal.len() - literal.get(from..)?.trim_start_matches(quotes).len();
    let to = literal.trim_end_matches(quotes).len();
    let pattern = literal.get(from..to)?;
    let escapes = ["\\w", "\\d", "\\s", "\\("]
        .iter()
        .any(|c| pattern.contains(c));
    (raw && escapes).then_some((from, to))
}

/// Where the class starting at `i` ends (the index after it): `\w`, `\d` or a bracket class
/// that is not negated. `None` when no such class starts there.
fn class_end(chars: &[(usize, char)], i: usize) -> Option<usize> {
    match (chars.get(i)?.1, chars.get(i + 1).map(|c| c.1)) {
        ('\\', Some('w' | 'd')) => Some(i + 2),
        ('[', Some(next)) if next != '^' => {
            let mut j = i + 1;
            while let Some(&(_, c)) = chars.get(j) {
                match c {
                    '\\' => j += 2,
                    ']' => return Some(j + 1),
                    _ => j += 1,
                }
            }
            None
        }
        _ => None,
    }
}

/// The literal character the pattern goes on with after index `from`, past a lazy `?` and the
/// groups that close there: `)` for `\)`, `:` for `:`, `\s` for whitespace; `None` at the
/// pattern's end, an anchor or anything else with a meaning.
fn delimiter_after(chars: &[(usize, char)], from: usize) -> Option<String> {
    let mut j = from;
    if chars.get(j).map(|c| c.1) == Some('?') {
        j += 1;
    }
    while chars.get(j).map(|c| c.1) == Some(')') {
        j += 1;
    }
    match (chars.get(j)?.1, chars.get(j + 1).map(|c| c.1)) {
        ('\\', Some('s')) => Some("\\s".into()),
        ('\\', Some(c)) if !c.is_alphanumeric() => Some(c.to_string()),
        (c, _) if !META.contains(c) && !c.is_whitespace() => Some(c.to_string()),
        _ => None,
    }
}

/// `delimiter` as it is written inside a bracket class (`\s` as it is; `]`, `\`, `^` and `-`
/// escaped; `/` too in a JavaScript regex literal).
fn in_class(delimiter: &str, regex_literal: bool) -> String {
    match delimiter {
        "]" | "\\" | "^" | "-" => format!("\\{delimiter}"),
        "/" if regex_literal => "\\/".into(),
        _ => delimiter.to_string(),
    }
}
