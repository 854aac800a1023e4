//! Parsing edit blocks out of a model's free text. Pure: text in, typed edits out.
//!
//! Accepted format (what cria asks models to write):
//!
//! ```text
//! path/to/file.py
//! <<<<<<< SEARCH
//! exact lines from the file
//! =======
//! replacement lines
//! >>>>>>> REPLACE
//! ```
//!
//! Tolerances, each one seen in real model output:
//! - the block may sit inside a code fence with or without a language tag (```` ```python ````),
//!   or have no fence at all; prose and unrelated code blocks around the edits are ignored;
//! - the path may be on the line before the fence, or the first line inside the fence;
//! - the path may be decorated: wrapped in backticks or `**bold**`, preceded by `#`, `File:`,
//!   `Filename:` or `Path:`, or followed by a colon;
//! - a block with no path line reuses the path of the previous block; the first block of a reply
//!   may have no path at all (an empty `path`): the planner then uses the one file that contains
//!   the SEARCH text, or refuses;
//! - markers may use 5 to 9 marker characters (`<<<<<`, `=========`), trailing spaces, and
//!   `SEARCH`/`REPLACE` in any case;
//! - a missing `>>>>>>> REPLACE` at the very end of the text closes the block there (a reply cut
//!   off by a token limit), or at a closing fence inside it; but when a line after a blank line
//!   reads as prose (the model talking again, not code), the block is refused, never swallowed
//!   into the file; a missing final newline is fine;
//! - an empty SEARCH section means "create this file".
//!
//! Anything else malformed (a SEARCH without `=======`, a stray `>>>>>>> REPLACE`) is reported as
//! a [`ParseError`] naming the block, never silently dropped.

use std::fmt;

/// One SEARCH/REPLACE block as written by the model. `search` and `replace` hold whole lines,
/// each ending in `\n` (a missing final newline is added here; the file's own convention is
/// restored when the edit is applied).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchReplaceBlock {
    pub path: String,
    pub search: String,
    pub replace: String,
    /// 1-based index of the block in the reply, for messages.
    pub index: usize,
    /// What the edit says about where it belongs, when its text occurs more than once.
    pub anchor: Anchor,
}

/// Where an edit's format says it belongs, used only to choose between several places that
/// match its text equally well.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Anchor {
    #[default]
    None,
    /// An apply_patch hunk's `@@ def name` line(s): the first match after the line that holds
    /// the text (several `@@` lines narrow it in turn: `@@ class A`, then `@@ def f`).
    Context(Vec<String>),
    /// A unified diff hunk's old start line (1-based): the nearest match, if one is nearest.
    Line(usize),
}

impl Anchor {
    /// The start (0-based line) among `starts` that this anchor points to in `file`.
    pub fn choose(&self, starts: &[usize], file: &[&str]) -> Option<usize> {
        match self {
            Anchor::None => None,
            Anchor::Context(lines) => {
                let mut from = 0;
                let mut found = None;
                for ctx in lines.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
                    let rules: [&dyn Fn(&str) -> bool; 3] = [
                        &|l| l.trim() == ctx,
                        &|l| l.trim_start().starts_with(ctx),
                        &|l| l.contains(ctx),
                    ];
                    let rest = file.get(from..)?;
                    let at = from
                        + rules
                            .iter()
                            .find_map(|rule| rest.iter().position(|l| rule(l)))?;
                    found = Some(at);
                    from = at + 1;
                }
                let at = found?;
                starts.iter().copied().find(|&s| s > at)
            }
            Anchor::Line(line) => {
                let want = line.saturating_sub(1);
                let distance = |s: usize| s.abs_diff(want);
                let best = starts.iter().copied().min_by_key(|&s| distance(s))?;
                let tied = starts
                    .iter()
                    .filter(|&&s| distance(s) == distance(best))
                    .count();
                (tied == 1).then_some(best)
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub block: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "edit block {}: {}", self.block, self.message)
    }
}

impl std::error::Error for ParseError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker {
    Search,
    Divider,
    Replace,
}

fn marker(line: &str) -> Option<Marker> {
    let t = line.trim();
    let run = |c: char| t.chars().take_while(|&x| x == c).count();
    let rest = |n: usize| t.get(n..).unwrap_or_default().trim().to_ascii_uppercase();
    let n = run('<');
    if (5..=9).contains(&n) && rest(n) == "SEARCH" {
        return Some(Marker::Search);
    }
    let n = run('=');
    if (5..=9).contains(&n) && n == t.len() {
        return Some(Marker::Divider);
    }
    let n = run('>');
    if (5..=9).contains(&n) && rest(n) == "REPLACE" {
        return Some(Marker::Replace);
    }
    None
}

fn is_fence(line: &str) -> bool {
    line.trim_start().starts_with("```")
}

/// Strip the decorations models put around a file path; `None` when the line is not a path.
pub fn clean_path_line(line: &str) -> Option<String> {
    let mut s = line.trim();
    for prefix in ["```", "#", "//"] {
        s = s.trim_start_matches(prefix).trim();
    }
    let lower = s.to_ascii_lowercase();
    for prefix in ["filename:", "file:", "path:", "edit:", "in "] {
        if lower.starts_with(prefix) {
            s = s.get(prefix.len()..).unwrap_or_default().trim();
            break;
        }
    }
    s = s.trim_end_matches(':').trim();
    s = s
        .trim_matches(|c| c == '`' || c == '*' || c == '"' || c == '\'')
        .trim();
    s = s.trim_end_matches(':').trim();
    if s.is_empty() || s.len() > 250 || s.contains(char::is_whitespace) {
        return None;
    }
    // A path has an extension or a directory separator, and no code punctuation.
    let pathish = s.contains('.') || s.contains('/');
    let codeish = s.contains(['(', ')', '{', '}', ';', '=', '<', '>', ',', '[', ']']);
    if !pathish || codeish || s.ends_with('.') || s.starts_with("http") {
        return None;
    }
    Some(s.to_string())
}

/// The path named just before a SEARCH marker at `lines[at]`, looking back over blank and fence
/// lines (and a fence's language tag) but never past another block's end.
fn path_before(lines: &[&str], at: usize, floor: usize) -> Option<String> {
    let above = lines.get(floor..at).unwrap_or_default();
    for line in above.iter().rev() {
        if line.trim().is_empty() {
            continue;
        }
        if is_fence(line) {
            // "```python" is a fence; "```src/app.py" names the file inside it.
            let tag = line.trim().trim_start_matches('`');
            if tag.contains('.') || tag.contains('/') {
                return clean_path_line(tag);
            }
            continue;
        }
        return clean_path_line(line);
    }
    None
}

fn ensure_newline(mut s: String) -> String {
    if !s.is_empty() && !s.ends_with('\n') {
        s.push('\n');
    }
    s
}

/// The replacement of a block the reply never closed: up to a closing fence (what follows the
/// fence is the model talking again), or everything when the reply was cut off inside the code.
/// `None` when, with no fence, a line after a blank line reads as prose: then where the code ends
/// cannot be told.
fn unclosed_replacement(replace: &str) -> Option<String> {
    let lines: Vec<&str> = replace.split_inclusive('\n').collect();
    if let Some(fence) = lines.iter().position(|l| is_fence(l)) {
        return Some(lines.get(..fence).unwrap_or_default().concat());
    }
    let prose_after_blank = lines
        .windows(2)
        .filter_map(|w| w.first().zip(w.get(1)))
        .skip_while(|(blank, _)| !blank.trim().is_empty())
        .any(|(_, next)| reads_as_prose(next));
    (!prose_after_blank).then(|| replace.to_string())
}

/// A line a model writes to talk, not code: unindented, starting with a letter, ending a
/// sentence, with no code punctuation.
fn reads_as_prose(line: &str) -> bool {
    let t = line.trim_end();
    let starts_with_letter = t.chars().next().is_some_and(char::is_alphabetic);
    let ends_sentence = t.ends_with(['.', '!', '?']);
    let code = t.contains(['(', ')', '{', '}', '[', ']', ';', '=', '<', '>', '"', '`']);
    !line.starts_with([' ', '\t']) && starts_with_letter && ends_sentence && !code
}

/// Parse every SEARCH/REPLACE block in `text`.
pub fn parse_search_replace(text: &str) -> Result<Vec<SearchReplaceBlock>, ParseError> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut blocks = Vec::new();
    let mut last_path: Option<String> = None;
    let mut floor = 0;
    let mut i = 0;
    while let Some(line) = lines.get(i) {
        match marker(line) {
            Some(Marker::Search) => {}
            Some(Marker::Divider) | None => {
                i += 1;
                continue;
            }
            Some(Marker::Replace) => {
                return Err(ParseError {
                    block: blocks.len() + 1,
                    message: "found `>>>>>>> REPLACE` without a matching `<<<<<<< SEARCH`".into(),
                })
            }
        }
        let index = blocks.len() + 1;
        // No path at all: left empty, and the planner looks for the one file holding SEARCH.
        let path = path_before(&lines, i, floor)
            .or_else(|| last_path.clone())
            .unwrap_or_default();
        let mut search = String::new();
        let mut j = i + 1;
        while let Some(line) = lines.get(j).filter(|l| marker(l) != Some(Marker::Divider)) {
            if marker(line) == Some(Marker::Search) {
                return Err(ParseError {
                    block: index,
                    message: "a second `<<<<<<< SEARCH` before `=======`".into(),
                });
            }
            search.push_str(line);
            j += 1;
        }
        if j >= lines.len() {
            return Err(ParseError {
                block: index,
                message: "`<<<<<<< SEARCH` is never followed by `=======`".into(),
            });
        }
        let mut replace = String::new();
        j += 1;
        let mut closed = false;
        while let Some(line) = lines.get(j) {
            match marker(line) {
                Some(Marker::Replace) => {
                    closed = true;
                    break;
                }
                Some(Marker::Search) | Some(Marker::Divider) => {
                    return Err(ParseError {
                        block: index,
                        message: "block is missing its `>>>>>>> REPLACE` line".into(),
                    })
                }
                None => {}
            }
            replace.push_str(line);
            j += 1;
        }
        if !closed {
            replace = unclosed_replacement(&replace).ok_or_else(|| ParseError {
                block: index,
                message: "block is missing its `>>>>>>> REPLACE` line, and the text after the \
                          code reads as prose; close the block with `>>>>>>> REPLACE`"
                    .into(),
            })?;
        }
        blocks.push(SearchReplaceBlock {
            path: path.clone(),
            search: ensure_newline(search),
            replace: ensure_newline(replace),
            index,
            anchor: Anchor::None,
        });
        if !path.is_empty() {
            last_path = Some(path);
        }
        i = j + 1;
        floor = i.min(lines.len());
    }
    Ok(blocks)
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
