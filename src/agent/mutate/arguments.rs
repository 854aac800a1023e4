//! A call right but for its arguments, the way library calls are most often slipped: a
//! JavaScript `sort()` with no comparator (it compares numbers as text: `[10, 9].sort()` is
//! `[10, 9]`), a split on one space where any run of whitespace was meant (`"a  b".split(" ")`
//! has an empty word), a Python sort missing its `reverse=True`.

use tree_sitter::Node;

use super::calls::callee_name;
use super::{source, Lang};

/// The changes to `call`'s arguments (or its method and arguments) worth a try, as (bytes in
/// the file, new text).
pub(super) fn slips(call: Node<'_>, file: &str, lang: Lang) -> Vec<((usize, usize), String)> {
    let (Some(function), Some(arguments)) = (
        call.child_by_field_name("function"),
        call.child_by_field_name("arguments"),
    ) else {
        return Vec::new();
    };
    let at = (arguments.start_byte(), arguments.end_byte());
    let inner = source(file, arguments)
        .strip_prefix('(')
        .and_then(|a| a.strip_suffix(')'))
        .map(str::trim);
    let Some(inner) = inner else {
        return Vec::new();
    };
    let one_space = matches!(inner, "\" \"" | "' '");
    let new = match (lang, callee_name(function, file)) {
        (Lang::Script, "sort") if inner.is_empty() => "((a, b) => a - b)".to_string(),
        (Lang::Script, "split") if one_space => "(/\\s+/)".to_string(),
        (Lang::Python, "split") if one_space => "()".to_string(),
        (Lang::Python, "sorted" | "sort") if !inner.contains("reverse") => {
            let comma = if inner.is_empty() { "" } else { ", " };
            format!("({inner}{comma}reverse=True)")
        }
        // `s.split(' ')` → `s.split_whitespace()`: the method changes with its arguments.
        (Lang::Rust, "split") if one_space => {
            let method = function.child_by_field_name("field");
            return method
                .map(|m| vec![((m.start_byte(), at.1), "split_whitespace()".to_string())])
                .unwrap_or_default();
        }
        _ => return Vec::new(),
    };
    vec![(at, new)]
}
