//! Changes to an expression's operands rather than its tokens: a difference or a comparison
//! facing the other way (`a - b` for `b - a`, `self.seq.cmp(&other.seq)` for
//! `other.seq.cmp(&self.seq)`), two names passed in the wrong order, a count or a 0-based
//! position passed on one more or one less, and a power or a shift counted from the wrong end
//! (`2 ** retry` for `2 ** (retry - 1)`).

use tree_sitter::Node;

use super::{between, calls, source};

/// Whether `node` is a plain operand: a name, a field or a number, so swapping it with another
/// is a change of one token's worth.
fn simple(node: Node<'_>) -> bool {
    matches!(
        node.kind(),
        "identifier"
            | "field_expression"
            | "member_expression"
            | "attribute"
            | "self"
            | "integer"
            | "integer_literal"
            | "number"
    )
}

/// `a - b` → `b - a`, for plain operands (a comparator's difference facing the wrong way).
pub(super) fn swapped_difference(node: Node<'_>, file: &str) -> Option<String> {
    let left = node.child_by_field_name("left")?;
    let right = node.child_by_field_name("right")?;
    let op = node.child_by_field_name("operator").or(node.child(1))?;
    if source(file, op) != "-" || !simple(left) || !simple(right) {
        return None;
    }
    let text = |n: Node<'_>| source(file, n);
    Some(format!("{} - {}", text(right), text(left)))
}

/// `a.cmp(&b)` → `b.cmp(&a)` (also `partial_cmp`, and JavaScript's `a.localeCompare(b)`): an
/// ordering facing the wrong way.
/// Functions whose two arguments may come in either order.
const SYMMETRIC: &[&str] = &[
    "min",
    "max",
    "hypot",
    "gcd",
    "lcm",
    "eq",
    "add",
    "mul",
    "isclose",
    "print",
    "println",
    "assert_eq",
    "assert_ne",
    "isinstance",
    "issubclass",
    "setattr",
    "getattr",
    "hasattr",
];

/// Calls whose result is a count or a 0-based position: the values most often off by one.
const COUNTS: &[&str] = &[
    "len",
    "count",
    "size",
    "getMonth",
    "getUTCMonth",
    "getDay",
    "getUTCDay",
    "weekday",
    "index",
    "indexOf",
    "lastIndexOf",
    "findIndex",
];

/// Whether `node`, a call, is an argument of another call and gives a count or a position
/// ([`COUNTS`]: `len(xs)`, `d.getMonth()`, `s.len()`).
pub(super) fn passed_count(node: Node<'_>, file: &str) -> bool {
    let argument = node
        .parent()
        .is_some_and(|p| matches!(p.kind(), "arguments" | "argument_list"));
    let callee = node
        .child_by_field_name("function")
        .map(|f| source(file, f))
        .unwrap_or_default();
    let name = callee.rsplit(['.', ':']).next().unwrap_or_default();
    argument && COUNTS.contains(&name)
}

/// A call's two arguments in the other order (`divmod(total, 60)` is left alone, but
/// `divmod(size, unit)` → `divmod(unit, size)`): only names and fields (a Rust `&` before one
/// kept), never a function whose arguments commute. The arguments' span and their new text.
pub(super) fn swapped_arguments(node: Node<'_>, file: &str) -> Option<((usize, usize), String)> {
    let text = |n: Node<'_>| source(file, n);
    let function = node.child_by_field_name("function")?;
    let name = calls::callee_name(function, file);
    if SYMMETRIC.contains(&name) {
        return None;
    }
    let args = node.child_by_field_name("arguments")?;
    let mut cursor = args.walk();
    let named: Vec<Node<'_>> = (args.named_children(&mut cursor))
        .filter(|n| !n.kind().contains("comment"))
        .collect();
    let [first, second] = named.as_slice() else {
        return None;
    };
    let plain = |n: Node<'_>| match n.kind() {
        "reference_expression" => n.child_by_field_name("value").is_some_and(plain_name),
        _ => plain_name(n),
    };
    if !plain(*first) || !plain(*second) || text(*first) == text(*second) {
        return None;
    }
    let between = between(file, first.end_byte(), second.start_byte());
    Some((
        (first.start_byte(), second.end_byte()),
        format!("{}{between}{}", text(*second), text(*first)),
    ))
}

/// A name or a field: an argument another could stand for.
fn plain_name(node: Node<'_>) -> bool {
    matches!(
        node.kind(),
        "identifier" | "field_expression" | "member_expression" | "attribute"
    )
}

pub(super) fn swapped_comparison(node: Node<'_>, file: &str) -> Option<String> {
    let text = |n: Node<'_>| source(file, n);
    let function = node.child_by_field_name("function")?;
    let (receiver, method) = match function.kind() {
        "field_expression" => (
            function.child_by_field_name("value")?,
            function.child_by_field_name("field")?,
        ),
        "member_expression" => (
            function.child_by_field_name("object")?,
            function.child_by_field_name("property")?,
        ),
        _ => return None,
    };
    let method = text(method);
    if !matches!(method, "cmp" | "partial_cmp" | "localeCompare") {
        return None;
    }
    let args = node.child_by_field_name("arguments")?;
    let mut cursor = args.walk();
    let named: Vec<Node<'_>> = args.named_children(&mut cursor).collect();
    let [arg] = named.as_slice() else {
        return None;
    };
    let (borrow, inner) = match arg.kind() {
        "reference_expression" => ("&", arg.child_by_field_name("value")?),
        _ => ("", *arg),
    };
    if !simple(receiver) || !simple(inner) {
        return None;
    }
    Some(format!(
        "{}.{method}({borrow}{})",
        text(inner),
        text(receiver)
    ))
}

/// Calls that raise their receiver or first argument to the power of their last.
const POWERS: &[&str] = &["pow", "powi", "powf"];

/// A named exponent or shift one more or one less: `2 ** retry` → `2 ** (retry - 1)`,
/// `1 << bit` → `1 << (bit + 1)`, `base.pow(n)` → `base.pow(n - 1)`, `Math.pow(2, n)` →
/// `Math.pow(2, n + 1)` — a count from 1 used where the power counts from 0, or the other way.
/// (A number there is already tried one off, with every other number.) Each: the exponent's
/// span and its new text.
pub(super) fn shifted_exponents(node: Node<'_>, file: &str) -> Vec<((usize, usize), String)> {
    let exponent = match node.kind() {
        "binary_expression" | "binary_operator" => {
            let op = node.child_by_field_name("operator").or(node.child(1));
            let power = op.is_some_and(|op| matches!(source(file, op), "**" | "<<"));
            node.child_by_field_name("right").filter(|_| power)
        }
        "call_expression" | "call" => {
            let power = node
                .child_by_field_name("function")
                .is_some_and(|f| POWERS.contains(&calls::callee_name(f, file)));
            let args = node.child_by_field_name("arguments").filter(|_| power);
            args.and_then(|args| {
                let mut cursor = args.walk();
                let last = args.named_children(&mut cursor).last();
                last
            })
        }
        _ => None,
    };
    let Some(exponent) = exponent.filter(|e| plain_name(*e)) else {
        return Vec::new();
    };
    let in_call = exponent
        .parent()
        .is_some_and(|p| matches!(p.kind(), "arguments" | "argument_list"));
    let name = source(file, exponent);
    let at = (exponent.start_byte(), exponent.end_byte());
    ["- 1", "+ 1"]
        .into_iter()
        .map(|offset| match in_call {
            true => (at, format!("{name} {offset}")),
            false => (at, format!("({name} {offset})")),
        })
        .collect()
}
