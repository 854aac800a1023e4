//! Python's shared default: `def add(item, basket=[])` makes one list when the function is
//! defined, and every call that leaves `basket` out adds to that same list, so a second call
//! sees the first one's items. The fix is always the same two lines: `basket=None`, and a new
//! list made at the top of the body.

use tree_sitter::Node;

use super::source;

/// For a Python function definition, each parameter whose default is a list, dict or set
/// literal made fresh per call: (bytes in the file from the parameter to the end of the body's
/// first statement, the new text there).
pub(super) fn fresh_defaults(function: Node<'_>, file: &str) -> Vec<((usize, usize), String)> {
    let (Some(parameters), Some(body)) = (
        function.child_by_field_name("parameters"),
        function.child_by_field_name("body"),
    ) else {
        return Vec::new();
    };
    let mut statements = body
        .named_children(&mut body.walk())
        .collect::<Vec<_>>()
        .into_iter();
    let docstring = |n: &Node<'_>| {
        n.kind() == "expression_statement" && n.named_child(0).is_some_and(|c| c.kind() == "string")
    };
    let mut first = statements.next();
    if first.as_ref().is_some_and(docstring) {
        first = statements.next();
    }
    let Some(first) = first else {
        return Vec::new();
    };
    let indent = " ".repeat(first.start_position().column);
    let mut out = Vec::new();
    for parameter in parameters.named_children(&mut parameters.walk()) {
        if !matches!(
            parameter.kind(),
            "default_parameter" | "typed_default_parameter"
        ) {
            continue;
        }
        let (Some(name), Some(value)) = (
            parameter.child_by_field_name("name"),
            parameter.child_by_field_name("value"),
        ) else {
            continue;
        };
        if !matches!(value.kind(), "list" | "dictionary" | "set") {
            continue;
        }
        let (name, fresh) = (source(file, name), source(file, value));
        let head = file
            .get(parameter.start_byte()..value.start_byte())
            .unwrap_or_default();
        let between = file
            .get(value.end_byte()..first.start_byte())
            .unwrap_or_default();
        out.push((
            (parameter.start_byte(), first.end_byte()),
            format!(
                "{head}None{between}if {name} is None:\n{indent}    {name} = {fresh}\n{indent}{}",
                source(file, first)
            ),
        ));
    }
    out
}
