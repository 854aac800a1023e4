//! The wrong one of a pair of functions: `int` where `round` was meant, `floor` for `ceil`,
//! `starts_with` for `ends_with`, `any` for `all`, a string's length in bytes for its length in
//! characters. Only a name that is called is changed (`math.floor(x)`, `s.len()`), never a
//! parameter or a type that happens to share it.

use tree_sitter::Node;

use super::Lang;

/// Whether `node` names the function of a call: `f` in `f(x)`, `g` in `a.g(x)`.
pub(super) fn callee(node: Node<'_>) -> bool {
    let Some(parent) = node.parent() else {
        return false;
    };
    let is_function_of = |call: Node<'_>, child: Node<'_>| {
        matches!(call.kind(), "call" | "call_expression")
            && call.child_by_field_name("function") == Some(child)
    };
    if is_function_of(parent, node) {
        return matches!(node.kind(), "identifier");
    }
    // The method's name in `a.g(x)`: the attribute, field or property of the callee.
    let Some(member) = member_field(parent.kind()) else {
        return false;
    };
    parent.child_by_field_name(member) == Some(node)
        && parent
            .parent()
            .is_some_and(|call| is_function_of(call, parent))
}

/// The name a call's `function` ends in: `f` for `f`, `g` for `a.g` or `A::g`.
pub(super) fn callee_name<'f>(function: Node<'_>, file: &'f str) -> &'f str {
    let kind = function.kind();
    let Some(field) = member_field(kind).or((kind == "scoped_identifier").then_some("name")) else {
        return super::source(file, function);
    };
    (function.child_by_field_name(field)).map_or("", |n| super::source(file, n))
}

/// The field that names the member in an `a.g` of each grammar.
fn member_field(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "attribute" => "attribute",
        "field_expression" => "field",
        "member_expression" => "property",
        _ => return None,
    })
}

/// The functions a called `name` is tried as instead.
pub(super) fn swaps(name: &str, lang: Lang) -> &'static [&'static str] {
    // `min`/`max` are swapped wherever they are named, called or not (`super::collect`).
    let shared: &'static [&'static str] = match name {
        "floor" => &["ceil", "round"],
        "ceil" => &["floor", "round"],
        "round" if lang != Lang::Python => &["floor", "ceil"],
        _ => &[],
    };
    if !shared.is_empty() {
        return shared;
    }
    match lang {
        Lang::Python => match name {
            // A mean divided by the count where the weights' total was meant, or the reverse.
            "len" => &["sum"],
            "sum" => &["len"],
            "int" => &["round"],
            "round" => &["int"],
            "any" => &["all"],
            "all" => &["any"],
            "startswith" => &["endswith"],
            "endswith" => &["startswith"],
            "lstrip" | "rstrip" => &["strip"],
            "upper" => &["lower"],
            "lower" => &["upper"],
            "find" => &["rfind"],
            "rfind" => &["find"],
            "index" => &["rindex"],
            "split" => &["rsplit"],
            "rsplit" => &["split"],
            "partition" => &["rpartition"],
            "rpartition" => &["partition"],
            // `re.match` is anchored at the start; `re.search` is not.
            "match" => &["search", "fullmatch"],
            "search" => &["match"],
            _ => &[],
        },
        Lang::Rust => match name {
            // A `str`'s `len()` counts bytes; what is shown is characters.
            "len" => &["chars().count"],
            "bytes" => &["chars"],
            "any" => &["all"],
            "all" => &["any"],
            "starts_with" => &["ends_with"],
            "ends_with" => &["starts_with"],
            "trim_start" | "trim_end" => &["trim"],
            "trim_start_matches" => &["trim_end_matches"],
            "trim_end_matches" => &["trim_start_matches"],
            "to_uppercase" => &["to_lowercase"],
            "to_lowercase" => &["to_uppercase"],
            "to_ascii_uppercase" => &["to_ascii_lowercase"],
            "to_ascii_lowercase" => &["to_ascii_uppercase"],
            "first" => &["last"],
            "last" => &["first"],
            "find" => &["rfind"],
            "rfind" => &["find"],
            "split_once" => &["rsplit_once"],
            "rsplit_once" => &["split_once"],
            "min_by_key" => &["max_by_key"],
            "max_by_key" => &["min_by_key"],
            "min_by" => &["max_by"],
            "max_by" => &["min_by"],
            _ => &[],
        },
        Lang::Script => match name {
            "some" => &["every"],
            "every" => &["some"],
            "startsWith" => &["endsWith"],
            "endsWith" => &["startsWith"],
            "trimStart" | "trimEnd" => &["trim"],
            "toUpperCase" => &["toLowerCase"],
            "toLowerCase" => &["toUpperCase"],
            "indexOf" => &["lastIndexOf"],
            "lastIndexOf" => &["indexOf"],
            "parseInt" => &["parseFloat"],
            "parseFloat" => &["parseInt"],
            // A string's `replace` changes the first match alone.
            "replace" => &["replaceAll"],
            _ => &[],
        },
    }
}
