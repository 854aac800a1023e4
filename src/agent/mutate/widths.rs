//! A number formatted without its zero padding: `format!("{}.{}", euros, cents)` gives `1.5`
//! for one euro five, `f"{h}:{m}"` gives `9:5`, `` `${y}-${m}` `` gives `2024-3`. Each field of
//! a format that a separator (`.`, `:`, `-`, `/`) stands beside, and that has no format of its
//! own yet, is tried padded to two digits — `{:02}`, `{m:02}`, `%02d`,
//! `${String(m).padStart(2, '0')}` — one field at a time.

use tree_sitter::Node;

use super::{source, Lang};

/// What stands between the fields of a date, a time or an amount.
const SEPARATORS: &[u8] = b".:-/";

/// More fields than this and the literal is no short format of numbers.
const MOST_FIELDS: usize = 6;

/// `node`'s literal (quotes and all) with one of its fields padded, one literal per field; none
/// unless `node` is a format: a Rust macro's string, a Python f-string, `"…".format` or `"…" %`,
/// a JavaScript template.
pub(super) fn zero_padded(node: Node<'_>, file: &str, lang: Lang) -> Vec<String> {
    let text = source(file, node);
    let fields = match (lang, node.kind()) {
        (Lang::Rust, "string_literal") if in_macro(node) => brace_fields(text, ":02"),
        (Lang::Python, "string") if python_format(node, file) => brace_fields(text, ":02"),
        (Lang::Python, "string") if percent_formatted(node) => percent_fields(text),
        (Lang::Script, "template_string") => template_fields(text),
        _ => return Vec::new(),
    };
    if fields.len() > MOST_FIELDS {
        return Vec::new();
    }
    fields
        .into_iter()
        .filter(|f| beside_separator(text, f.at))
        .filter_map(|f| {
            Some(format!(
                "{}{}{}",
                text.get(..f.at.0)?,
                f.new,
                text.get(f.at.1..)?
            ))
        })
        .collect()
}

/// One field of a format: its bytes in the literal and what it becomes padded.
struct Field {
    at: (usize, usize),
    new: String,
}

/// Whether a separator stands just before or just after the field at `at`.
fn beside_separator(text: &str, at: (usize, usize)) -> bool {
    let bytes = text.as_bytes();
    let before = at.0.checked_sub(1).and_then(|i| bytes.get(i));
    let after = bytes.get(at.1);
    [before, after]
        .into_iter()
        .flatten()
        .any(|b| SEPARATORS.contains(b))
}

/// A Rust string inside a macro's arguments (`format!`, `write!`, `println!`).
fn in_macro(node: Node<'_>) -> bool {
    let mut n = node;
    while let Some(parent) = n.parent() {
        match parent.kind() {
            "token_tree" => n = parent,
            "macro_invocation" => return true,
            _ => return false,
        }
    }
    false
}

/// A Python f-string, or a string `.format` is called on.
fn python_format(node: Node<'_>, file: &str) -> bool {
    let text = source(file, node);
    let prefix = text
        .get(..text.find(['"', '\'']).unwrap_or(0))
        .unwrap_or_default();
    let formatted = node.parent().is_some_and(|p| {
        p.kind() == "attribute"
            && p.child_by_field_name("object") == Some(node)
            && p.child_by_field_name("attribute")
                .is_some_and(|a| source(file, a) == "format")
    });
    prefix.contains(['f', 'F']) || formatted
}

/// `node` is the left side of a `%` (`"%d:%d" % (h, m)`).
fn percent_formatted(node: Node<'_>) -> bool {
    node.parent().is_some_and(|p| {
        p.kind() == "binary_operator"
            && p.child_by_field_name("left") == Some(node)
            && p.child_by_field_name("operator")
                .is_some_and(|op| op.kind() == "%")
    })
}

/// The `{…}` fields of a Rust or Python format that have no format of their own (`{}`, `{m}`),
/// each with `spec` added; `{{` and `}}` are braces, not fields.
fn brace_fields(text: &str, spec: &str) -> Vec<Field> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let doubled = bytes.get(i + 1) == Some(&b);
        match b {
            b'{' | b'}' if doubled => i += 2,
            b'{' => {
                let rest = text.get(i + 1..).unwrap_or_default();
                let Some(len) = rest.find(['{', '}']) else {
                    break;
                };
                let end = i + 1 + len;
                let inner = rest.get(..len).unwrap_or_default();
                if bytes.get(end) == Some(&b'}') && !inner.contains([':', '!', '=', '"', '\'']) {
                    out.push(Field {
                        at: (i, end + 1),
                        new: format!("{{{inner}{spec}}}"),
                    });
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    out
}

/// The `%d`, `%i` and `%s` fields of a `%` format, as `%02d`.
fn percent_fields(text: &str) -> Vec<Field> {
    let bytes = text.as_bytes();
    (0..bytes.len())
        .filter(|&i| bytes.get(i) == Some(&b'%') && (i == 0 || bytes.get(i - 1) != Some(&b'%')))
        .filter(|&i| matches!(bytes.get(i + 1), Some(b'd' | b'i' | b's')))
        .map(|i| Field {
            at: (i, i + 2),
            new: "%02d".to_string(),
        })
        .collect()
}

/// The `${…}` substitutions of a JavaScript template, each as `${String(…).padStart(2, '0')}`.
fn template_fields(text: &str) -> Vec<Field> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(found) = text.get(from..).and_then(|t| t.find("${")) {
        let start = from + found;
        let body = text.get(start + 2..).unwrap_or_default();
        let mut depth = 0usize;
        let close = body.char_indices().find_map(|(j, c)| match c {
            '{' => {
                depth += 1;
                None
            }
            '}' if depth == 0 => Some(start + 2 + j),
            '}' => {
                depth -= 1;
                None
            }
            _ => None,
        });
        let Some(close) = close else { break };
        let expr = text.get(start + 2..close).unwrap_or_default().trim();
        if !expr.contains("padStart") {
            out.push(Field {
                at: (start, close + 1),
                new: format!("${{String({expr}).padStart(2, '0')}}"),
            });
        }
        from = close + 1;
    }
    out
}
