//! What an issue says comes out and what it says should: the values a report quotes as the
//! wrong output (`prints `¥15.00``, the lines after a `>>>` prompt, the `X` of "`X` instead of
//! `Y`") and the ones it expects (`I expected `ETA 2m 00s``, the `Y`). A small model asked
//! for a test of the issue copies whichever value it sees first, and a test that expects the
//! wrong output verifies nothing; naming the two columns is what keeps it on the right one.

use regex::Regex;

use super::asserted;

mod others;
mod respelled;
mod restated;

pub use others::{other_cases, touches};
pub use restated::restated;

/// The issue's wrong and expected values, in the order it gives them.
#[derive(Debug, Default, PartialEq)]
pub struct Stated {
    pub wrong: Vec<String>,
    pub expected: Vec<String>,
    /// The wrong values the issue shows as output (after a `>>>` prompt, in a `# ->` comment, a
    /// block a line says came out): never an input, whatever the prose around them.
    pub shown: Vec<String>,
}

/// Each sentence of `issue`'s `prose` (see [`split_sessions`]) with what it quotes as wrong
/// and as expected; a table of cases is read row by row, each as the sentence it stands for.
pub(super) fn by_sentence(issue: &str, prose: &str) -> Vec<(String, Stated)> {
    let tabled = super::cases::table_sentences(issue);
    let prose = if tabled.is_empty() {
        prose.to_string()
    } else {
        super::cases::without_tables(prose)
    };
    (sentences(&prose).into_iter().chain(tabled))
        .map(|sentence| {
            let mut said = Stated::default();
            classify(&sentence, &mut said);
            (sentence, said)
        })
        .collect()
}

/// Words after which a quoted value is what the code does now.
pub(super) const DOES: &[&str] = &[
    "prints",
    "printed",
    "gives",
    "gave",
    "returns",
    "returned",
    "shows",
    "showed",
    "outputs",
    "produces",
    "produced",
    "yields",
    "displays",
    "displayed",
    "reads",
    "becomes",
    "became",
    "get",
    "gets",
    "got",
    "comes",
    "came",
    "renders",
    "rendered",
    "writes",
    "wrote",
    "says",
    "said",
];

/// Words after which a quoted value is what the code should do.
pub(super) const SHOULD: &[&str] = &[
    "expected",
    "expect",
    "expecting",
    "should",
    "ought",
    "must",
    "correct",
    "supposed",
    "instead",
    "rather",
];

/// What a report cites as the truth: the next verb of [`TELLS`] after one of these gives what
/// should come out ("the docs say `1s, 2s, 4s`"), where "it says" gives what does.
const AUTHORITIES: &[&str] = &[
    "docs",
    "documentation",
    "documented",
    "readme",
    "manual",
    "spec",
    "specification",
    "docstring",
    "changelog",
    "rfc",
    "standard",
];

/// Verbs by which an [`AUTHORITIES`] word tells what should be.
const TELLS: &[&str] = &[
    "say",
    "says",
    "said",
    "state",
    "states",
    "stated",
    "specifies",
];

/// Small words that may stand between a cue and its value ("should be", "instead of").
pub(super) const FILLER: &[&str] = &[
    "as", "be", "is", "are", "of", "to", "the", "it", "give", "return", "print", "read", "show",
    "say", "mean", "get", "still", "now", "just", "always", "me", "us", "you",
];

/// What `issue` quotes as wrong and as expected (see the module doc). A call (`render(5)`) is
/// an input, never a value; a value quoted as both is left out of both.
pub fn stated(issue: &str) -> Stated {
    let mut out = Stated::default();
    let (prose, sessions) = split_sessions(issue);
    out.wrong.extend(sessions.iter().cloned());
    out.shown = sessions;
    for (_, said) in by_sentence(issue, &prose) {
        out.wrong.extend(said.wrong);
        out.expected.extend(said.expected);
    }
    let both: Vec<String> = out
        .wrong
        .iter()
        .filter(|w| out.expected.contains(w))
        .cloned()
        .collect();
    out.wrong.retain(|w| !both.contains(w));
    out.expected.retain(|e| !both.contains(e));
    out.shown.retain(|w| !both.contains(w));
    dedup(&mut out.wrong);
    dedup(&mut out.expected);
    dedup(&mut out.shown);
    out
}

/// Words that, in the line leading into a block, say the block is what came out ("the file
/// has this line:", "invoices come out like this:") — with the words of [`DOES`].
const SHOWN_BELOW: &[&str] = &[
    "has", "have", "contains", "come", "out", "output", "looks", "actual", "result",
];

/// The issue's prose (code blocks and indented sessions left out), and the outputs its code
/// blocks show: after a `>>>` line (a string's quotes taken off), in a `# -> …` comment, and a
/// whole block a line ending in a colon says came out ("the file has this line:"), or one
/// ending in a word of [`DOES`] ("For `f(x)` I get") — one value, its lines joined, since some
/// of them may be right (a table's header). A sentence a block interrupts ("I get ⟨block⟩ but
/// expected `…`") goes on after it, in the prose, as one sentence.
pub(super) fn split_sessions(issue: &str) -> (String, Vec<String>) {
    let mut prose: Vec<Piece> = Vec::new();
    let mut outputs = Vec::new();
    let mut fenced = false;
    let mut after_prompt = false;
    // Whether the last line of prose led into a block of output, and that block's lines (`None`
    // once one looks like code or a session).
    let mut output_below = false;
    let mut block: Option<Vec<String>> = Some(Vec::new());
    let flush = |block: &mut Option<Vec<String>>, output_below: bool, outputs: &mut Vec<_>| {
        if let Some(lines) = block.replace(Vec::new()) {
            if output_below && !lines.is_empty() {
                outputs.push(lines.join("\n"));
            }
        }
    };
    for line in issue.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            if fenced {
                flush(&mut block, output_below, &mut outputs);
            }
            fenced = !fenced;
            after_prompt = false;
            prose.push(Piece::Block);
            continue;
        }
        let code = fenced || line.starts_with("    ") || line.starts_with('\t');
        if !code {
            flush(&mut block, output_below, &mut outputs);
            after_prompt = false;
            if !t.is_empty() {
                output_below = leads_into_output(t)
                    && (t.ends_with(':') || DOES.contains(&last_word(t).as_str()));
            }
            prose.push(if t.is_empty() {
                Piece::Blank
            } else {
                Piece::Text(line)
            });
            continue;
        }
        prose.push(Piece::Block);
        let session = commented_output(t).is_some() || t.starts_with(">>>");
        if session || looks_like_code(t) {
            block = None;
        } else if let Some(lines) = block.as_mut().filter(|_| !t.starts_with("$ ")) {
            let inner = if fenced {
                line
            } else {
                (line.strip_prefix("    "))
                    .or_else(|| line.strip_prefix('\t'))
                    .unwrap_or(line)
            };
            lines.push(inner.trim_end().to_string());
        }
        if let Some(shown) = commented_output(t) {
            outputs.push(shown.to_string());
            continue;
        }
        if t.starts_with(">>>") || t.starts_with("...") {
            after_prompt = t.starts_with(">>>");
        } else if t.is_empty() {
            after_prompt = false;
        } else if after_prompt && !t.starts_with("Traceback") {
            outputs.push(unquote(t).to_string());
        }
    }
    flush(&mut block, output_below, &mut outputs);
    (joined(&prose), outputs)
}

/// A line of an issue's prose, a blank line, or a line of a block (code or output).
enum Piece<'a> {
    Text(&'a str),
    Blank,
    Block,
}

/// The prose of `pieces`, a line each, blocks left out; a line that goes on a sentence a block
/// interrupted (the line before it ends no sentence, and it starts in lower case) joined to
/// that sentence's line.
fn joined(pieces: &[Piece<'_>]) -> String {
    let mut out = String::new();
    let mut blanks = 0;
    let mut block = false;
    let mut open = false;
    for piece in pieces {
        match piece {
            Piece::Blank => blanks += 1,
            Piece::Block => block = true,
            Piece::Text(line) => {
                let lower = line.trim_start().starts_with(|c: char| c.is_lowercase());
                if block && open && lower {
                    out.pop();
                    out.push(' ');
                    out.push_str(line.trim_start());
                } else {
                    out.push_str(&"\n".repeat(blanks));
                    out.push_str(line);
                }
                out.push('\n');
                let end = line.trim_end();
                open = !end.ends_with(['.', '!', '?', ':']);
                (blanks, block) = (0, false);
            }
        }
    }
    out.push_str(&"\n".repeat(blanks));
    out
}

/// The last word of `line`, in lower case.
fn last_word(line: &str) -> String {
    line.rsplit(|c: char| !c.is_alphanumeric())
        .find(|w| !w.is_empty())
        .unwrap_or_default()
        .to_lowercase()
}

/// Whether a line ending in a colon says what follows came out of the code: a word of what it
/// does, and none of what it should do ("Expected output:").
fn leads_into_output(line: &str) -> bool {
    let has = has_word(line);
    !has(SHOULD) && (has(DOES) || has(SHOWN_BELOW))
}

/// Whether `text` has a word of a list, in any case: asked of each list in turn.
fn has_word(text: &str) -> impl Fn(&[&str]) -> bool {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .collect();
    move |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()))
}

/// A line that makes a block code rather than output: a statement, a comment, a call. (A
/// shell prompt line, `$ cmd`, is left out of the output after it.)
fn looks_like_code(line: &str) -> bool {
    static CALL: std::sync::OnceLock<Option<Regex>> = std::sync::OnceLock::new();
    let call = CALL.get_or_init(|| Regex::new(r"^[\w.:]+\(.*\);?$").ok());
    line.starts_with("//")
        || line.starts_with('#')
        || line.ends_with(';')
        || call.as_ref().is_some_and(|re| re.is_match(line))
}

/// The output a line of code shows in its comment: `f(x)   # -> [1, 2]`, `g() // => "a"`;
/// not when the comment says what it should be.
fn commented_output(line: &str) -> Option<&str> {
    let (_, comment) = line.split_once(" # ").or_else(|| line.split_once(" // "))?;
    let shown = comment
        .trim()
        .strip_prefix("->")
        .or_else(|| comment.trim().strip_prefix("=>"))?
        .trim();
    let lower = shown.to_lowercase();
    let wish = SHOULD.iter().any(|w| lower.contains(w));
    (!shown.is_empty() && !wish).then_some(unquote(shown))
}

/// A Python repr's text: `'abc'` → `abc`.
pub(super) fn unquote(s: &str) -> &str {
    for q in ['\'', '"'] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            if !inner.contains(q) {
                return inner;
            }
        }
    }
    s
}

/// The prose cut at sentence ends (`.`, `!`, `?` before a space or line end, outside inline
/// code, not an abbreviation's: `e.g.`), blank lines and list items.
pub(super) fn sentences(prose: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut in_code = false;
    let chars: Vec<char> = prose.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        current.push(c);
        if c == '`' {
            in_code = !in_code;
        }
        let next = chars.get(i + 1).copied();
        let end_mark = matches!(c, '.' | '!' | '?')
            && next.is_none_or(char::is_whitespace)
            && !abbreviated(&current);
        let rest: String = chars
            .get(i + 1..)
            .unwrap_or_default()
            .iter()
            .take(4)
            .collect();
        let rest = rest.trim_start_matches(' ');
        let item = rest.starts_with("- ") || rest.starts_with("* ");
        let blank = c == '\n' && (next == Some('\n') || item);
        if !in_code && (end_mark || blank) {
            out.push(std::mem::take(&mut current));
        }
    }
    out.push(current);
    out
}

/// Whether `text` ends in an abbreviation whose period ends no sentence ("…its real
/// percentage, e.g. `docs [##] 140%`": the value is the sentence's own).
fn abbreviated(text: &str) -> bool {
    let lower = text.to_lowercase();
    ["e.g.", "i.e.", "vs.", "cf."].iter().any(|a| {
        lower.strip_suffix(a).is_some_and(|before| {
            before.is_empty() || before.ends_with(|c: char| c.is_whitespace() || c == '(')
        })
    })
}

/// Sort the values of one sentence: each takes the sense of the last cue word before it; the
/// values before "instead of" / "rather than" with no cue of their own are the wrong ones.
fn classify(sentence: &str, out: &mut Stated) {
    let Ok(token) = Regex::new(r#"`([^`\n]+)`|"([^"\n]+)"|([A-Za-z]+)"#) else {
        return;
    };
    let Ok(call) = Regex::new(r"^[\w.:]+\(.*\)$") else {
        return;
    };
    let Ok(name) = Regex::new(r"^[A-Za-z_]\w*((::|\.)\w+)*$") else {
        return;
    };
    #[derive(Clone, Copy, PartialEq)]
    enum Sense {
        Unknown,
        Wrong,
        Expected,
    }
    let mut sense = Sense::Unknown;
    let mut unsorted: Vec<String> = Vec::new();
    let mut wrong_seen = false;
    let mut authority_seen = false;
    // Whether the last word was a cue (small words between them aside): a name right after
    // one is a value (`gives `creme``), elsewhere it is what the issue talks about (`pop`).
    let mut cued = false;
    for c in token.captures_iter(sentence) {
        if let Some(word) = c.get(3) {
            let word = word.as_str().to_lowercase();
            authority_seen |= AUTHORITIES.contains(&word.as_str());
            if authority_seen && TELLS.contains(&word.as_str()) {
                // A name after it is what the docs talk about (`retries` is 3), not a value.
                authority_seen = false;
                sense = Sense::Expected;
                cued = false;
            } else if DOES.contains(&word.as_str()) {
                sense = Sense::Wrong;
                cued = true;
            } else if SHOULD.contains(&word.as_str()) {
                // "`X` instead of `Y`": the value right before is the wrong one, unless the
                // sentence already said what comes out ("with `2` it shows `A` rather than").
                if matches!(word.as_str(), "instead" | "rather") && !wrong_seen {
                    out.wrong.extend(unsorted.pop());
                }
                sense = Sense::Expected;
                cued = true;
            } else if !FILLER.contains(&word.as_str()) {
                cued = false;
            }
            continue;
        }
        let (value, named) = match (c.get(1), c.get(2)) {
            (Some(code), _) => (code.as_str(), name.is_match(code.as_str())),
            (None, Some(quoted)) => (quoted.as_str(), false),
            (None, None) => continue,
        };
        let after_cue = std::mem::replace(&mut cued, false);
        // A call is the input (`f(2)` gives …) unless it comes right after a cue (gives
        // `Some(&1)`, comes in as `date(2024, 7, 3)`).
        let input = call.is_match(value.trim());
        let trivial = !value.chars().any(char::is_alphanumeric);
        if trivial || ((named || input) && !after_cue) {
            continue;
        }
        match sense {
            Sense::Unknown => unsorted.push(value.to_string()),
            Sense::Wrong => {
                wrong_seen = true;
                out.wrong.push(value.to_string());
            }
            Sense::Expected => out.expected.push(value.to_string()),
        }
    }
}

/// What a request for a test of the issue adds from what the issue states: which values are
/// wrong and which expected ([`Stated::hint`]), and each other case it names ([`other_cases`]);
/// each sentence led by a space, or nothing.
pub fn request_notes(issue: &str) -> String {
    let mut s = String::new();
    if let Some(hint) = stated(issue).hint() {
        s.push(' ');
        s.push_str(&hint);
    }
    for case in other_cases(issue) {
        s.push_str(&format!(
            " The issue also says \"{case}\": check that case too."
        ));
    }
    s
}

/// Why the test `code` of `issue` tests nothing: it expects a value the issue reports as the
/// wrong output ([`Stated::asserted_wrong`]).
pub fn expects_wrong(issue: &str, code: &str) -> Option<String> {
    let stated = stated(issue);
    let wrong = stated.asserted_wrong(code)?;
    Some(format!(
        "it expects `{wrong}`, which the issue reports as the wrong output"
    ))
}

/// The sentences of the issue's prose, each on one line, a list item's marker taken off.
fn prose_sentences(issue: &str) -> Vec<String> {
    let (prose, _) = split_sessions(issue);
    sentences(&prose)
        .into_iter()
        .map(|s| {
            let line = s.split_whitespace().collect::<Vec<_>>().join(" ");
            match line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
                Some(item) => item.to_string(),
                None => line,
            }
        })
        .collect()
}

/// The issue's sentences that say what should happen ("Expected thumbnail, then resize-1…",
/// "Both directions should use YYYY-MM-DD"), at most three, each one line: told again to a
/// model whose test asserted the wrong column, in the issue's own words.
pub fn expectations(issue: &str) -> Vec<String> {
    let Ok(word) = Regex::new(r"[A-Za-z]+") else {
        return Vec::new();
    };
    prose_sentences(issue)
        .into_iter()
        .filter(|s| {
            s.chars().count() <= 240
                && word
                    .find_iter(s)
                    .any(|w| SHOULD.contains(&w.as_str().to_lowercase().as_str()))
        })
        .take(3)
        .collect()
}

fn dedup(values: &mut Vec<String>) {
    let mut seen: Vec<String> = Vec::new();
    values.retain(|v| {
        let new = !seen.contains(v);
        seen.push(v.clone());
        new
    });
}

impl Stated {
    /// A line for a request: which quoted values are the wrong output and which the expected
    /// one. Only when the issue gives both: a value with a cue of one kind alone is too often an
    /// input (`` `9-17/2` should mean ``), and a hint must not mislead — except a value the issue
    /// shows as output ([`Stated::shown`]), which is named alone ("the file has this line:").
    pub fn hint(&self) -> Option<String> {
        // A block of several lines is too long to name; a test that copies it is caught after.
        let list = |values: &[String]| {
            values
                .iter()
                .filter(|v| !v.contains('\n'))
                .take(4)
                .map(|v| match v.char_indices().nth(80) {
                    Some((cut, _)) => format!("`{}…`", v.get(..cut).unwrap_or(v)),
                    None => format!("`{v}`"),
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let one_line = |values: &[String]| values.iter().any(|v| !v.contains('\n'));
        if !one_line(&self.expected) && one_line(&self.shown) {
            return Some(format!(
                "The issue shows {} as what the code gives now, the wrong output: a test must \
                 not expect it; assert what the issue says should happen instead.",
                list(&self.shown)
            ));
        }
        if !one_line(&self.wrong) || !one_line(&self.expected) {
            return None;
        }
        Some(format!(
            "The issue reports {} as the wrong output, and expects {}: assert the expected \
             values, never the wrong ones.",
            list(&self.wrong),
            list(&self.expected)
        ))
    }

    /// A wrong value `code` asserts as expected: a string literal in an equality assertion
    /// that is the wrong output, or holds it, with no expected value beside it. A literal passed
    /// to a call inside the assertion (`slugify("Hello World")`) is an input, not what is
    /// asserted. An assertion is read whole, its literals as the language reads them: a table
    /// written over several lines (a Rust string continued with `\`, a triple-quoted one,
    /// literals side by side) is compared with the issue's block of output.
    pub fn asserted_wrong(&self, code: &str) -> Option<&str> {
        for assertion in asserted::assertions(code) {
            for l in asserted::literals(assertion) {
                let holds = |w: &str| l == w || (w.chars().count() >= 5 && l.contains(w));
                let Some(w) = self.wrong.iter().find(|w| holds(w)) else {
                    continue;
                };
                // An expected value beside it (not just a piece of the wrong one) makes it a
                // different assertion.
                let expected = self
                    .expected
                    .iter()
                    .any(|e| l.contains(e.as_str()) && !w.contains(e.as_str()));
                if !expected {
                    return Some(w.as_str());
                }
            }
        }
        None
    }
}

#[cfg(test)]
#[path = "stated_tests.rs"]
mod tests;
