//! Constraints written as a llama.cpp grammar (GBNF), for a server that samples remotely but
//! accepts one (llama-server's `grammar` field). Only a reply whose whole shape is known can be
//! given this way: a rewrite — one fenced code block beginning with the definition's head and
//! ending at the closing fence. SEARCH lines and tool calls are spans inside free text, which a
//! grammar for the whole reply cannot leave free; they stay with the in-process engine.

/// The grammar of a rewrite reply whose code begins with `head`: the opening fence (the server
/// cannot be prefilled with it), optional indentation or blank lines, the head, any code without
/// a fence, the closing fence.
pub fn rewrite(head: &str) -> String {
    format!(
        "root ::= \"```\" [a-zA-Z0-9_+.-]{{0,16}} \"\\n\" [ \\t\\r\\n]* {} code \"```\"\n\
         code ::= ([^`] | \"`\" [^`] | \"``\" [^`])*\n",
        literal(head.trim())
    )
}

/// `text` as a GBNF string literal.
fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\x{:02X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_is_quoted_as_one_literal() {
        let g = rewrite("def parse_args");
        assert!(g.starts_with("root ::= \"```\""), "{g}");
        assert!(g.contains(" \"def parse_args\" code \"```\"\n"), "{g}");
        assert_eq!(literal(r#"say("a\b")"#), r#""say(\"a\\b\")""#);
        assert_eq!(literal("a\tb\u{1}"), "\"a\\tb\\x01\"");
    }
}
