//! The issue's code: what its blocks hold (a case's setup, and calls with the output shown
//! for them, after the calls their block made before them), and the shapes of a line of code
//! the cases are read with (an assignment, a call, balanced brackets).

use regex::Regex;

use super::{NOT, RAISES};
use crate::agent::stated::{DOES, FILLER, SHOULD};

/// What the issue's code blocks hold: assignments (a case's setup) and calls with the output
/// shown for them (after a `>>>` prompt, or in a `# -> …` comment), and calls whose comment
/// says in words what they give, as sentences.
#[derive(Debug, Default)]
pub(super) struct Blocks {
    pub(super) setup: Vec<String>,
    pub(super) sessions: Vec<Session>,
    pub(super) said: Vec<String>,
}

/// A call an issue's code shows the output of, after the calls its block made before it (a
/// second call that goes wrong because of what the first left behind needs the first).
#[derive(Debug)]
pub(super) struct Session {
    pub(super) before: Vec<String>,
    pub(super) call: String,
    pub(super) shown: String,
}

pub(super) fn code_lines(issue: &str) -> Blocks {
    let mut out = Blocks::default();
    let mut fenced = false;
    let mut pending: Option<String> = None;
    // The calls the current block made so far (that did not fail), with the output shown.
    let mut before: Vec<(String, Option<String>)> = Vec::new();
    for line in issue.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            fenced = !fenced;
            pending = None;
            before.clear();
            continue;
        }
        let code = fenced || line.starts_with("    ") || line.starts_with('\t');
        if !code || t.is_empty() {
            pending = None;
            before.clear();
            continue;
        }
        if let Some(stmt) = t.strip_prefix(">>>") {
            let stmt = stmt.trim();
            // A call shown with no output before this prompt returned nothing, and ran.
            before.extend(pending.take().map(|call| (call, None)));
            if is_assignment(stmt) {
                out.setup.push(stmt.to_string());
            } else if is_call(stmt) {
                pending = Some(stmt.to_string());
            }
            continue;
        }
        if t.starts_with("...") {
            pending = None;
            continue;
        }
        if let Some(call) = pending.take() {
            if !t.starts_with("Traceback") {
                out.sessions.push(Session {
                    before: carried(&before, &call, t),
                    call: call.clone(),
                    shown: t.to_string(),
                });
                before.push((call, Some(t.to_string())));
            }
            continue;
        }
        if let Some((call, shown)) = commented(t) {
            if is_call(call) {
                out.sessions.push(Session {
                    before: carried(&before, call, shown),
                    call: call.to_string(),
                    shown: shown.to_string(),
                });
                before.push((call.to_string(), Some(shown.to_string())));
            }
        } else if let Some(sentence) = said(t) {
            out.said.push(sentence);
        } else if is_assignment(t) {
            out.setup.push(t.to_string());
        }
    }
    let inputs = named_inputs(issue, &out.setup);
    out.setup.extend(inputs);
    out
}

/// The issue's inputs shown as blocks of their own and named by the line before them ("On this
/// log", "With this config:"), as assignments of the block's text to each name that line
/// could give it (`log = "2024-05-01 WARN disk full\n…"`): a case whose call passes `log`
/// then has its input. A block with code in it (a prompt, a call, an assignment) is none.
fn named_inputs(issue: &str, setup: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut intro: Option<&str> = None;
    let mut block: Vec<&str> = Vec::new();
    // Inside a fence: whether its language says it holds data (`toml`, `csv`, `text`…).
    let mut fence: Option<bool> = None;
    let flush =
        |intro: Option<&str>, block: &mut Vec<&str>, tagged: bool, out: &mut Vec<String>| {
            let data = !block.is_empty() && (tagged || block.iter().all(|l| is_data(l.trim())));
            let text = format!("{}\n", block.join("\n"));
            block.clear();
            let (Some(intro), true, Some(value)) = (intro, data, quoted(&text)) else {
                return;
            };
            for name in input_names(intro, issue) {
                let known = setup.iter().chain(out.iter()).any(|l| assigned(l) == name);
                if !known {
                    out.push(format!("{name} = {value}"));
                }
            }
        };
    for line in issue.lines() {
        let t = line.trim();
        if let Some(tag) = t.strip_prefix("```") {
            match fence {
                Some(tagged) => {
                    flush(intro, &mut block, tagged, &mut out);
                    fence = None;
                }
                None => fence = Some(DATA_FENCES.contains(&tag.trim())),
            }
            continue;
        }
        let indented = line
            .strip_prefix("    ")
            .or_else(|| line.strip_prefix('\t'));
        match (fence, indented) {
            (Some(_), _) => block.push(line),
            (None, Some(code)) if !t.is_empty() => block.push(code),
            _ => {
                flush(intro, &mut block, false, &mut out);
                if !t.is_empty() {
                    intro = Some(t);
                }
            }
        }
    }
    flush(intro, &mut block, false, &mut out);
    out
}

/// The languages of a fence that holds data, not code.
const DATA_FENCES: &[&str] = &[
    "toml", "ini", "cfg", "conf", "csv", "tsv", "json", "yaml", "yml", "text", "txt", "log",
];

/// The names the line before a block gives its input ("On this log", "With this `config`:"):
/// its lower-case words of three characters or more, not the words around them ("this",
/// "with"), nor a function the issue calls. None when the line quotes a call: the block is
/// then what that call gave.
fn input_names<'i>(intro: &'i str, issue: &str) -> Vec<&'i str> {
    const PROSE: &[&str] = &[
        "the",
        "this",
        "that",
        "these",
        "those",
        "with",
        "from",
        "for",
        "and",
        "here",
        "following",
        "when",
        "below",
        "above",
        "gives",
        "get",
        "got",
        "run",
        "file",
        "data",
    ];
    if intro.contains('(') {
        return Vec::new();
    }
    intro
        .split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| {
            w.chars().count() >= 3
                && w.starts_with(|c: char| c.is_ascii_lowercase())
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && !PROSE.contains(w)
                && !issue.contains(&format!("{w}("))
        })
        .collect()
}

/// Whether a line of a block is data, not code: no prompt, call, assignment or comment.
fn is_data(line: &str) -> bool {
    !(line.starts_with(">>>")
        || line.starts_with("$ ")
        || is_call(line)
        || is_assignment(line)
        || commented(line).is_some()
        || said(line).is_some())
}

/// `text` as a double-quoted string literal that Python, JavaScript and Rust all read alike;
/// `None` when it holds a control character other than a newline or a tab.
fn quoted(text: &str) -> Option<String> {
    let mut out = String::from('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => return None,
            c => out.push(c),
        }
    }
    out.push('"');
    Some(out)
}

/// A call whose comment says in words what it gives and should give (`f(12)  // gives "12.00",
/// should be "12"`, `to_roman(4)  # IIII, expected IV`), as the sentence of prose it is, the
/// call in inline code.
fn said(line: &str) -> Option<String> {
    let (code, comment) = line.split_once(" # ").or_else(|| line.split_once(" // "))?;
    let code = code.trim().trim_end_matches(';');
    let comment = comment.trim();
    let arrow = comment.starts_with("->") || comment.starts_with("=>");
    if !is_call(code) || arrow || code.contains('`') {
        return None;
    }
    Some(format!(
        "`{code}` {}",
        ticked(comment).unwrap_or_else(|| comment.to_string())
    ))
}

/// A comment that says what should come out with its values in inline code, so that a bare one
/// (`IV`) reads as a value, not a word: each part between commas, semicolons or brackets is its
/// cue words (`expected`, `gives`, `should be`) and the value after them, and a first part with
/// no cue is what the call gives now. `None` for a comment with no "should" cue, inline code or
/// double quotes of its own (read as they are), or words that make it an error or a negation.
fn ticked(comment: &str) -> Option<String> {
    let words = || {
        comment
            .split(|c: char| !c.is_alphanumeric())
            .map(str::to_lowercase)
    };
    let cue = |w: &str| {
        let w = w.trim_end_matches(':').to_lowercase();
        [DOES, SHOULD, FILLER]
            .iter()
            .any(|list| list.contains(&w.as_str()))
    };
    let turned = words().any(|w| NOT.contains(&w.as_str()) || RAISES.contains(&w.as_str()));
    let coded = comment.contains(['`', '"']);
    if turned || coded || !words().any(|w| SHOULD.contains(&w.as_str())) {
        return None;
    }
    let mut out = Vec::new();
    // A comma with a space after it parts a comment; one in a number (`1,500`) does not.
    let parts = comment.replace(", ", ";");
    for (i, part) in parts.split([';', '(', ')']).enumerate() {
        let part = part.trim().trim_end_matches('.');
        let mut rest = part;
        let mut cues = Vec::new();
        while let Some((word, after)) = rest.split_once(char::is_whitespace) {
            if !cue(word) {
                break;
            }
            cues.push(word.trim_end_matches(':'));
            rest = after.trim_start();
        }
        if cue(rest) {
            cues.push(rest.trim_end_matches(':'));
            rest = "";
        }
        if cues.is_empty() && i == 0 && !rest.is_empty() {
            cues.push("gives");
        }
        let value = (!rest.is_empty()).then(|| format!("`{rest}`"));
        out.push(
            cues.into_iter()
                .map(str::to_string)
                .chain(value)
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    Some(out.join(", "))
}

/// The calls of `before` (each with the output shown for it) a call whose output is `shown`
/// comes after in its own right: one shown returning nothing (it was made for what it does),
/// or one whose output the later output holds (`[('tea', 1, 350)]` in `[('tea', 1, 350),
/// ('mug', 2, 900)]`: what it left behind shows up). Calls merely listed one after another
/// are independent cases — unless made on the same object (`book.add(…)` before
/// `book.add(…)`): what the first left in it is the second's to see, whatever either showed.
fn carried(before: &[(String, Option<String>)], call: &str, shown: &str) -> Vec<String> {
    let receiver = |c: &str| {
        let (name, _) = c.split_once('.')?;
        let plain = !name.is_empty() && name.chars().all(|ch| ch.is_alphanumeric() || ch == '_');
        plain.then(|| name.to_string())
    };
    let own = receiver(call);
    let inner = |t: &str| {
        let t = t.trim();
        let open = t.starts_with(['[', '(', '{']);
        let t = if open {
            t.get(1..t.len() - 1).unwrap_or(t)
        } else {
            t
        };
        t.trim().to_string()
    };
    before
        .iter()
        .filter(|(c, out)| match out {
            _ if own.is_some() && receiver(c) == own => true,
            None => true,
            Some(out) => {
                let out = inner(out);
                !out.is_empty() && out != inner(shown) && shown.contains(&out)
            }
        })
        .map(|(call, _)| call.clone())
        .collect()
}

/// A line of code and the output its comment shows: `f(x)   # -> [1]`, `g(2) // => 'a';`.
fn commented(line: &str) -> Option<(&str, &str)> {
    let (code, comment) = line.split_once(" # ").or_else(|| line.split_once(" // "))?;
    let comment = comment.trim();
    let shown = comment
        .strip_prefix("->")
        .or_else(|| comment.strip_prefix("=>"))?;
    Some((code.trim().trim_end_matches(';'), shown.trim()))
}

/// `name = expression` on one line (`const`, `let` or `var` before it in JavaScript), its
/// brackets closed.
fn is_assignment(stmt: &str) -> bool {
    static RE: std::sync::OnceLock<Option<Regex>> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| Regex::new(r"^((const|let|var)\s+)?[A-Za-z_$][\w$]*\s*=[^=]").ok());
    re.as_ref().is_some_and(|re| re.is_match(stmt)) && balanced(stmt)
}

/// What an assignment line assigns (no `;` after it).
pub(in crate::agent) fn assigned_value(line: &str) -> &str {
    line.split_once('=')
        .map_or("", |(_, v)| v)
        .trim()
        .trim_end_matches(';')
        .trim_end()
}

/// The name an assignment line assigns.
pub(in crate::agent) fn assigned(line: &str) -> &str {
    let target = line.split('=').next().unwrap_or("").trim();
    ["const ", "let ", "var "]
        .iter()
        .find_map(|k| target.strip_prefix(k))
        .unwrap_or(target)
        .trim()
}

/// A call expression (`render(5)`, `str(Money(1500, "JPY"))`, `q.pop()`,
/// `Money::from_cents(105).to_string()`, `book.add("a #b").tags`, `rows(t)[0]`).
pub(in crate::agent) fn is_call(text: &str) -> bool {
    static RE: std::sync::OnceLock<Option<Regex>> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"^[A-Za-z_]\w*(?:(?:\.|::)[A-Za-z_]\w*)*\(.*\)(?:\.[A-Za-z_]\w*|\[[^\]]*\])*$")
            .ok()
    });
    re.as_ref().is_some_and(|re| re.is_match(text)) && balanced(text)
}

pub(in crate::agent) fn balanced(text: &str) -> bool {
    let mut depth = 0i32;
    for c in text.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return false;
        }
    }
    depth == 0
}
