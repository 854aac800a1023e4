//! Another variant of the same enum: `Ok(Level::Error)` where `Ok(Level::Warn)` was meant — a
//! table written as a `match` whose one arm gives the wrong case. Only a variant of an enum
//! the file itself declares is swapped, and only where a value is made (never in a pattern
//! that matches one).

use regex::Regex;
use tree_sitter::Node;

/// The other variants `node` could be, when it is a Rust path `Enum::Variant` used as a value
/// and `file` declares `enum Enum`: (the variant's byte range, each other variant).
pub(super) fn other_variants(node: Node<'_>, file: &str) -> Vec<((usize, usize), String)> {
    if node.kind() != "scoped_identifier" || in_pattern(node) {
        return Vec::new();
    }
    let (Some(path), Some(name)) = (
        node.child_by_field_name("path"),
        node.child_by_field_name("name"),
    ) else {
        return Vec::new();
    };
    let (Some(enum_name), Some(variant)) =
        (file.get(path.byte_range()), file.get(name.byte_range()))
    else {
        return Vec::new();
    };
    let declared = variants(file, enum_name);
    if !declared.iter().any(|v| v == variant) {
        return Vec::new();
    }
    (declared.into_iter())
        .filter(|v| v != variant)
        .map(|v| ((name.start_byte(), name.end_byte()), v))
        .collect()
}

/// Whether `node` is part of a pattern (a `match` arm's, a `let`'s, an `if let`'s).
fn in_pattern(node: Node<'_>) -> bool {
    let mut at = node.parent();
    while let Some(n) = at {
        match n.kind() {
            "match_pattern" | "tuple_struct_pattern" | "let_condition" | "or_pattern" => {
                return true
            }
            "match_arm" | "block" | "function_item" => return false,
            _ => at = n.parent(),
        }
    }
    false
}

/// The unit and tuple variants of `enum name { … }` in `file`, in their order (none when the file
/// does not declare it).
pub(in crate::agent) fn variants(file: &str, name: &str) -> Vec<String> {
    let Ok(head) = Regex::new(&format!(
        r"(?m)^\s*(?:pub(?:\([^)]*\))?\s+)?enum\s+{}\b[^{{]*\{{",
        regex::escape(name)
    )) else {
        return Vec::new();
    };
    let Some(start) = head.find(file).map(|m| m.end()) else {
        return Vec::new();
    };
    let body = file.get(start..).unwrap_or_default();
    let body = body
        .get(..body.find('}').unwrap_or(body.len()))
        .unwrap_or_default();
    static VARIANT: std::sync::OnceLock<Option<Regex>> = std::sync::OnceLock::new();
    let Some(variant) = VARIANT
        .get_or_init(|| Regex::new(r"(?m)^\s*([A-Z]\w*)\s*(?:[,(]|$)").ok())
        .as_ref()
    else {
        return Vec::new();
    };
    (variant.captures_iter(body))
        .filter_map(|c| Some(c.get(1)?.as_str().to_string()))
        .collect()
}
