//! A value made and thrown away: `value[1:-1]` or `text.strip()` as a statement of its own (a
//! string is never changed in place, so the line does nothing), a function's last line that
//! computes its result and does not return it (`cut.rstrip() + "…"`: the caller gets `None`),
//! and, in an async function, a promise or coroutine kept where its value was meant
//! (`const open = store.countOpen()`: "[object Promise] open tasks"). The fixes are one word
//! each: keep the value (`value = value[1:-1]`), return it, await it.
//!
//! Only an expression that does nothing but make its value is kept or returned — an operation,
//! an index, a method of a string or a list that returns a new one (`strip`, `replace`,
//! `slice`…) — never a call that may act (`log(x)`, `items.sort()`), which is what a call alone
//! on its line usually is. Python and JavaScript; Rust warns of both itself.

use tree_sitter::Node;

use super::calls::callee_name;
use super::{source, Lang, DEFINITIONS};

/// Methods that return a new value and change nothing (strings and lists in Python).
const PY_PURE_METHODS: &[&str] = &[
    "strip",
    "lstrip",
    "rstrip",
    "lower",
    "upper",
    "casefold",
    "title",
    "capitalize",
    "swapcase",
    "replace",
    "removeprefix",
    "removesuffix",
    "zfill",
    "ljust",
    "rjust",
    "center",
    "expandtabs",
    "format",
    "split",
    "rsplit",
    "splitlines",
    "partition",
    "join",
    "encode",
    "decode",
];

/// Python's functions that return a new value and change nothing.
const PY_PURE_FUNCTIONS: &[&str] = &[
    "sorted", "reversed", "str", "int", "float", "round", "abs", "list", "tuple", "set", "len",
    "sum", "min", "max", "bool",
];

/// Methods that return a new value and change nothing (strings and arrays in JavaScript).
const JS_PURE_METHODS: &[&str] = &[
    "trim",
    "trimStart",
    "trimEnd",
    "toLowerCase",
    "toUpperCase",
    "toLocaleLowerCase",
    "toLocaleUpperCase",
    "normalize",
    "replace",
    "replaceAll",
    "slice",
    "substring",
    "concat",
    "padStart",
    "padEnd",
    "repeat",
    "split",
    "map",
    "filter",
    "flat",
    "flatMap",
    "toSorted",
    "toReversed",
    "toFixed",
    "toString",
    "join",
];

/// Expressions that only make a value (a call is judged by its callee, [`pure_call`]).
const PY_VALUES: &[&str] = &[
    "subscript",
    "binary_operator",
    "boolean_operator",
    "comparison_operator",
    "conditional_expression",
    "not_operator",
    "unary_operator",
    "attribute",
    "identifier",
    "parenthesized_expression",
    "list",
    "tuple",
    "dictionary",
    "list_comprehension",
    "dictionary_comprehension",
    "set_comprehension",
    "generator_expression",
];
const JS_VALUES: &[&str] = &[
    "subscript_expression",
    "binary_expression",
    "ternary_expression",
    "unary_expression",
    "member_expression",
    "identifier",
    "parenthesized_expression",
    "template_string",
    "array",
];

/// The ways to keep the value of `statement`, an expression statement that makes one and drops
/// it: assigned back to the name it was made from (`value = value[1:-1]`), and returned where it
/// ends its block in a function (`return cut + "…"`). (Bytes in the file, new text.)
pub(super) fn kept(statement: Node<'_>, file: &str, lang: Lang) -> Vec<((usize, usize), String)> {
    let Some(value) = statement.named_child(0) else {
        return Vec::new();
    };
    if lang == Lang::Rust || statement.named_child_count() != 1 || !makes_a_value(value, file, lang)
    {
        return Vec::new();
    }
    let at = (statement.start_byte(), statement.end_byte());
    let text = source(file, value);
    let end = if lang == Lang::Script { ";" } else { "" };
    let mut out = Vec::new();
    if let Some(root) = root(value, file) {
        if root != text {
            out.push((at, format!("{root} = {text}{end}")));
        }
    }
    if ends_a_block_in_a_function(statement) {
        out.push((at, format!("return {text}{end}")));
    }
    out
}

/// `call` awaited, where it is what a name of an async function is given (`const open =
/// store.countOpen()`, `rows = fetch(url)`) and is not awaited yet.
pub(super) fn awaited(call: Node<'_>, file: &str) -> Option<String> {
    let parent = call.parent()?;
    let given = match parent.kind() {
        "variable_declarator" => parent.child_by_field_name("value"),
        "assignment" | "assignment_expression" => parent.child_by_field_name("right"),
        _ => None,
    };
    if given.map(|n| n.id()) != Some(call.id()) || !in_async_function(call) {
        return None;
    }
    let callee = call.child_by_field_name("function")?;
    let method = callee_name(callee, file);
    let pure = PY_PURE_METHODS.contains(&method)
        || PY_PURE_FUNCTIONS.contains(&method)
        || JS_PURE_METHODS.contains(&method);
    (!pure).then(|| format!("await {}", source(file, call)))
}

/// Whether `value`, alone on its line, only makes a value (see the module doc).
fn makes_a_value(value: Node<'_>, file: &str, lang: Lang) -> bool {
    let kind = value.kind();
    match lang {
        Lang::Python if kind == "call" => pure_call(value, file, lang),
        Lang::Script if kind == "call_expression" => pure_call(value, file, lang),
        Lang::Python => PY_VALUES.contains(&kind),
        Lang::Script => JS_VALUES.contains(&kind),
        Lang::Rust => false,
    }
}

/// Whether `call` is of a method or a function that returns a new value and changes nothing.
fn pure_call(call: Node<'_>, file: &str, lang: Lang) -> bool {
    let Some(callee) = call.child_by_field_name("function") else {
        return false;
    };
    let name = callee_name(callee, file);
    match (lang, callee.kind()) {
        (Lang::Python, "attribute") => PY_PURE_METHODS.contains(&name),
        (Lang::Python, "identifier") => PY_PURE_FUNCTIONS.contains(&name),
        (Lang::Script, "member_expression") => JS_PURE_METHODS.contains(&name),
        _ => false,
    }
}

/// The name or field a value is made from, that the value could be kept in: `value` of
/// `value[1:-1]`, `self.name` of `self.name.strip()`, `cut` of `cut.rstrip() + "…"`.
fn root<'f>(value: Node<'_>, file: &'f str) -> Option<&'f str> {
    let field = match value.kind() {
        "identifier" => return Some(source(file, value)),
        "attribute" | "member_expression" if plain_field(value) => {
            return Some(source(file, value))
        }
        "subscript" | "subscript_expression" => "value",
        "attribute" | "member_expression" => "object",
        "call" | "call_expression" => "function",
        "binary_operator" | "binary_expression" => "left",
        _ => return None,
    };
    root(value.child_by_field_name(field)?, file)
}

/// Whether `node` is a field of a name (`self.name`, `this.items`), not of a call's result.
fn plain_field(node: Node<'_>) -> bool {
    let object = node.child_by_field_name("object");
    let is_method = node
        .parent()
        .is_some_and(|p| p.child_by_field_name("function").map(|f| f.id()) == Some(node.id()));
    !is_method && object.is_some_and(|o| matches!(o.kind(), "identifier" | "this"))
}

/// Whether `statement` is the last statement of its block (comments aside), inside a function
/// and not in a loop, where the value it makes could be what the function returns.
fn ends_a_block_in_a_function(statement: Node<'_>) -> bool {
    let Some(block) = statement.parent() else {
        return false;
    };
    let mut cursor = block.walk();
    let last = block
        .named_children(&mut cursor)
        .filter(|c| c.kind() != "comment")
        .last();
    if last.map(|l| l.id()) != Some(statement.id()) {
        return false;
    }
    let mut n = block;
    loop {
        let kind = n.kind();
        if kind.contains("for") || kind.contains("while") || kind.starts_with("do_") {
            return false;
        }
        if DEFINITIONS.contains(&kind) {
            return !kind.starts_with("class") && kind != "impl_item";
        }
        let Some(parent) = n.parent() else {
            return false;
        };
        n = parent;
    }
}

/// Whether the function `node` is in is an async one (`async def`, `async function`, `async
/// () =>`).
fn in_async_function(node: Node<'_>) -> bool {
    let mut n = node;
    while let Some(parent) = n.parent() {
        if DEFINITIONS.contains(&parent.kind()) {
            let mut cursor = parent.walk();
            let is_async = parent.children(&mut cursor).any(|c| c.kind() == "async");
            return is_async;
        }
        n = parent;
    }
    false
}

#[cfg(test)]
#[path = "dropped_tests.rs"]
mod tests;
