//! What an issue quotes as its examples and inputs: whether it states a concrete case at all,
//! the short literals it gives as examples, and the string literals its code and inline spans
//! pass in — what a test of its examples must use.

use regex::Regex;

use crate::agent::stated;

/// Whether the issue states a concrete case: a call, literal or number, and what it should be
/// — or what comes out, set against what is so ("the summary says `8.45 km`. It's 8.05 km").
pub fn states_expectation(issue: &str) -> bool {
    let lower = issue.to_lowercase();
    let expects = [
        "should",
        "expected",
        "instead",
        "rather than",
        "but it",
        "returns",
        "gives",
        "must",
        "ought",
        "supposed to",
        "say",
        "shows",
        "prints",
        "reads",
        "come out",
        "comes out",
        "it's",
        "it’s",
        "it is",
        "correct",
        "wrong",
    ]
    .iter()
    .any(|w| lower.contains(w));
    let concrete = Regex::new(r"\w\(.*\)|`[^`]+`|\d")
        .map(|re| re.is_match(issue))
        .unwrap_or(false);
    expects && concrete
}

/// Lines of the issue's code told again at most: a block is an example, not a log.
const RESTATED_LINES: usize = 16;

/// The issue's example told again for the end of a request for a test: its code blocks (not a
/// traceback) and the sentences that say what should happen. Shown once at the top of a long
/// request (the issue, the code, the test file), the example is what a small model's test
/// loses first: it builds one from the test file's own inputs instead, the last thing it read.
/// Empty when the issue has neither.
pub fn restated(issue: &str) -> String {
    let mut lines: Vec<&str> = Vec::new();
    for block in code_blocks(issue) {
        let first = block.first().map_or("", |l| l.trim());
        if first.starts_with("Traceback") || lines.len() >= RESTATED_LINES {
            continue;
        }
        if !lines.is_empty() {
            lines.push("");
        }
        let room = RESTATED_LINES.saturating_sub(lines.len());
        lines.extend(block.iter().take(room).copied());
    }
    let mut s = String::new();
    if !lines.is_empty() {
        s.push_str(&format!(
            "\n\nThe issue's example:\n```\n{}\n```",
            lines.join("\n")
        ));
    }
    let said: Vec<String> = stated::expectations(issue)
        .iter()
        .map(|e| format!("\"{e}\""))
        .collect();
    if !said.is_empty() {
        s.push_str(if lines.is_empty() { "\n\n" } else { "\n" });
        s.push_str(&format!("The issue says: {}", said.join(" ")));
    }
    s
}

/// The issue's code blocks, each as its lines: fenced ones, and runs of lines indented by four
/// spaces or a tab (that indent taken off).
fn code_blocks(issue: &str) -> Vec<Vec<&str>> {
    let mut blocks: Vec<Vec<&str>> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut fenced = false;
    for line in issue.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            blocks.push(std::mem::take(&mut current));
            continue;
        }
        let indented = line
            .strip_prefix("    ")
            .or_else(|| line.strip_prefix('\t'));
        match (fenced, indented) {
            (true, _) => current.push(line),
            (false, Some(code)) => current.push(code),
            (false, None) => blocks.push(std::mem::take(&mut current)),
        }
    }
    blocks.push(current);
    blocks.retain(|b| b.iter().any(|l| !l.trim().is_empty()));
    blocks
}

/// The short literals an issue quotes as examples (inline code that is not just a name or a
/// file): `*/15`, `9-17/2`, `parse("")`. Code blocks (tracebacks, sessions) are left out.
pub fn stated_examples(issue: &str) -> Vec<String> {
    let Ok(span) = Regex::new(r"`([^`\n]{1,40})`") else {
        return Vec::new();
    };
    let Ok(name) = Regex::new(r"^[A-Za-z_][\w.:]*(\(\))?$") else {
        return Vec::new();
    };
    let mut prose = String::new();
    let mut fenced = false;
    for line in issue.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced && !line.starts_with("    ") && !line.starts_with('\t') {
            prose.push_str(line);
            prose.push('\n');
        }
    }
    let mut out: Vec<String> = Vec::new();
    for c in span.captures_iter(&prose) {
        let Some(s) = c.get(1).map(|m| m.as_str().trim()) else {
            continue;
        };
        let file = [".py", ".rs", ".js", ".ts", ".go", ".md", ".toml", ".json"]
            .iter()
            .any(|ext| s.ends_with(ext));
        if !s.is_empty() && !name.is_match(s) && !file && !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    out
}

/// The string literals an issue's own code and inline spans use as input (`q.push("resize-1",
/// ...)`, `Money(1500, "JPY")`), and those its prose quotes: double-quoted, two characters or
/// more, once each (see [`quoted`]). What the issue shows coming out is no input: a block of
/// output ([`stated::split_sessions`]), a value it quotes as the wrong or the expected one
/// (`` `Button says "Save instead of "Submit""` ``, the "we get" column of a table).
pub fn quoted_inputs(issue: &str) -> Vec<String> {
    quoted(issue, true)
}

/// Every string literal the issue quotes, what comes out of the code as well as what goes in
/// (see [`quoted`]).
pub fn quoted_literals(issue: &str) -> Vec<String> {
    quoted(issue, false)
}

/// The issue's double-quoted literals, read where they are written, never across a span's
/// edge (`` `Button says "Save"` `` and the `"` of `` `27"` `` are no pair); not the lines of a
/// traceback (`File "...", line 3`), nor a template that prints the values
/// (`println!("{job}")`, `f"{total}"`). `inputs`: the values it shows coming out left out
/// ([`quoted_inputs`]).
fn quoted(issue: &str, inputs: bool) -> Vec<String> {
    let (Ok(literal), Ok(placeholder), Ok(span)) = (
        Regex::new(r#""([^"\n]{2,80})""#),
        Regex::new(r"\{[^{}\s]*\}"),
        Regex::new(r"`([^`\n]+)`"),
    ) else {
        return Vec::new();
    };
    let said = stated::stated(issue);
    let (_, shown) = stated::split_sessions(issue);
    let output_line = |t: &str| inputs && shown.iter().any(|s| s.lines().any(|l| l.trim() == t));
    let valued = |v: &str| inputs && said.wrong.iter().chain(&said.expected).any(|s| s == v);
    let mut out: Vec<String> = Vec::new();
    // `prose`: a value the issue says comes out, or should, is left out.
    let mut take = |text: &str, prose: bool| {
        for c in literal.captures_iter(text) {
            let (Some(whole), Some(s)) = (c.get(0), c.get(1).map(|m| m.as_str())) else {
                continue;
            };
            let before = text.get(..whole.start()).unwrap_or_default();
            let formats = before.trim_end().ends_with("!(") || before.ends_with('f');
            if (formats && placeholder.is_match(s)) || (prose && valued(s)) {
                continue;
            }
            if !s.trim().is_empty() && !out.iter().any(|o| o == s) {
                out.push(s.to_string());
            }
        }
    };
    let mut fenced = false;
    for line in issue.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if t.starts_with("File \"") || t.starts_with("Traceback") {
            continue;
        }
        if fenced || line.starts_with("    ") || line.starts_with('\t') {
            if !output_line(t) {
                take(line, false);
            }
            continue;
        }
        for c in span.captures_iter(line) {
            if let Some(inner) = c.get(1).map(|m| m.as_str()).filter(|v| !valued(v)) {
                take(inner, true);
            }
        }
        take(&span.replace_all(line, " "), true);
    }
    out
}

/// The issue's quoted inputs a test of its examples leaves out, when it leaves out more than
/// half of them: such a test checks a case of the model's own making (two equal jobs where the
/// issue shows four), which can pass by accident, so it verifies nothing the issue states.
pub fn inputs_left_out(code: &str, issue: &str) -> Vec<String> {
    let inputs = quoted_inputs(issue);
    let missing: Vec<String> = inputs
        .iter()
        .filter(|i| !code.contains(i.as_str()))
        .cloned()
        .collect();
    if inputs.len() >= 2 && missing.len() * 2 > inputs.len() {
        missing
    } else {
        Vec::new()
    }
}
