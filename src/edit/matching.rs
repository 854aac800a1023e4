//! Finding where a SEARCH text sits in a file, from strict to forgiving, and always uniquely.
//!
//! Levels, tried in order; the first level with a match decides:
//! 1. exact: the SEARCH as written, blank edge lines included, applied as written;
//! 2. exact lines once blank lines at the SEARCH's edges are set aside (they are then set
//!    aside from the REPLACE too, so the lines around the match are untouched);
//! 3. ignoring trailing whitespace (line endings are already normalized by [`super::text`]);
//! 4. a uniform indentation offset (the replacement is re-indented by the same offset);
//! 5. indentation that differs line by line (each line equal once leading whitespace is
//!    ignored): kept lines keep the file's indentation, new lines follow their neighbours;
//! 6. a SEARCH that is a fragment of one line (small models often copy only the expression); a
//!    REPLACE that repeats the rest of the line replaces the whole line instead;
//! 7. typographic punctuation folded (en and em dashes, non-breaking hyphens, curly quotes,
//!    non-breaking spaces read as their ASCII look-alikes): lines the REPLACE keeps keep the
//!    file's own characters, and the match is reported as approximate.
//!
//! `12 | ` line-number prefixes (copied from cria's own numbered listings) are removed first
//! when every line carries one. Two or more matches at a level are told apart by the edit's
//! [`Anchor`] (an apply_patch `@@ def name` line, a unified diff's line number); without one, or
//! when it does not decide, the error names every matching line: cria never guesses.

use std::ops::Range;

pub use super::parse::Anchor;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MatchError {
    /// The SEARCH text is not in the file ([`closest`] finds what it may have meant).
    NotFound,
    /// The SEARCH text matches at several places (1-based line numbers).
    Ambiguous { lines: Vec<usize> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Exact,
    TrailingWhitespace,
    Indentation,
    Fragment,
    /// Matched with typographic punctuation folded to ASCII: approximate.
    Punctuation,
}

/// The new file body and where the change landed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replaced {
    pub body: String,
    pub level: Level,
    /// 1-based first line of the match.
    pub line: usize,
}

fn strip_line_numbers(text: &str) -> Option<String> {
    let re = regex::Regex::new(r"^\s*\d+\s?[|:│]\s?").ok()?;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    if lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .any(|l| !re.is_match(l))
    {
        return None;
    }
    Some(
        lines
            .iter()
            .map(|l| re.replace(l, "").into_owned())
            .collect(),
    )
}

/// `text` without blank lines at either edge, and how many were dropped at each.
fn trim_blank_edges_counted(text: &str) -> (String, usize, usize) {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let first = lines.iter().position(|l| !l.trim().is_empty());
    let last = lines.iter().rposition(|l| !l.trim().is_empty());
    match (first, last) {
        (Some(a), Some(b)) => (
            lines.get(a..=b).unwrap_or_default().concat(),
            a,
            lines.len() - 1 - b,
        ),
        _ => (String::new(), 0, 0),
    }
}

fn trim_blank_edges(text: &str) -> String {
    trim_blank_edges_counted(text).0
}

/// Drop up to `lead` blank lines at the start and `tail` at the end of `text`: context lines a
/// diff shares between SEARCH and REPLACE must go from both sides.
fn drop_blank_edges(text: &str, lead: usize, tail: usize) -> String {
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut k = 0;
    while k < lead && lines.first().is_some_and(|l| l.trim().is_empty()) {
        lines.remove(0);
        k += 1;
    }
    k = 0;
    while k < tail && lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
        k += 1;
    }
    lines.concat()
}

fn indent_of(line: &str) -> &str {
    line.get(..line.len() - line.trim_start().len())
        .unwrap_or_default()
}

/// Lines `range` of `file` (empty where the range falls outside it).
fn region<'a>(file: &'a [&'a str], range: &Range<usize>) -> &'a [&'a str] {
    file.get(range.clone()).unwrap_or_default()
}

/// Replace `search` with `replace` in `body` (both normalized, whole lines ending in `\n`).
pub fn replace_unique(body: &str, search: &str, replace: &str) -> Result<Replaced, MatchError> {
    replace_anchored(body, search, replace, &Anchor::None)
}

/// [`replace_unique`], with `anchor` choosing between several matches.
pub fn replace_anchored(
    body: &str,
    search: &str,
    replace: &str,
    anchor: &Anchor,
) -> Result<Replaced, MatchError> {
    let (mut search, mut replace) = (search.replace("\r\n", "\n"), replace.replace("\r\n", "\n"));
    if let Some(s) = strip_line_numbers(&search) {
        search = s;
        replace = strip_line_numbers(&replace).unwrap_or(replace);
    }
    let file: Vec<&str> = body.split_inclusive('\n').collect();
    let pick = |hits: &[usize], len: usize| pick(hits, len, anchor, &file);
    let exact = |a: &str, b: &str| a == b;
    // Exact first: the SEARCH as written, blank edge lines and all.
    let as_written: Vec<&str> = search.split_inclusive('\n').collect();
    if !search.trim().is_empty() {
        if let Some(range) = pick(&windows(&file, &as_written, &exact), as_written.len())? {
            return Ok(splice(&file, range, replace, Level::Exact));
        }
    }
    let (search, lead, tail) = trim_blank_edges_counted(&search);
    let replace = drop_blank_edges(&replace, lead, tail);
    let wanted: Vec<&str> = search.split_inclusive('\n').collect();
    if wanted.is_empty() {
        return Err(MatchError::NotFound);
    }
    let trailing = |a: &str, b: &str| a.trim_end() == b.trim_end();
    for (level, eq) in [
        (Level::Exact, &exact as &dyn Fn(&str, &str) -> bool),
        (Level::TrailingWhitespace, &trailing),
    ] {
        if let Some(range) = pick(&windows(&file, &wanted, eq), wanted.len())? {
            return Ok(splice(&file, range, replace.clone(), level));
        }
    }
    if let Some((range, reindented)) = indentation_match(&file, &wanted, &replace, &pick)? {
        return Ok(splice(&file, range, reindented, Level::Indentation));
    }
    let loose = |a: &str, b: &str| a.trim() == b.trim();
    if let Some(range) = pick(&windows(&file, &wanted, &loose), wanted.len())? {
        let kept = super::tolerant::keep_file_lines(region(&file, &range), &wanted, &replace);
        return Ok(splice(&file, range, kept, Level::Indentation));
    }
    if let Some(done) = fragment_match(body, &search, &replace, &pick)? {
        return Ok(done);
    }
    let folded =
        |a: &str, b: &str| super::tolerant::fold(a.trim()) == super::tolerant::fold(b.trim());
    if let Some(range) = pick(&windows(&file, &wanted, &folded), wanted.len())? {
        let kept = super::tolerant::keep_file_lines(region(&file, &range), &wanted, &replace);
        return Ok(splice(&file, range, kept, Level::Punctuation));
    }
    Err(MatchError::NotFound)
}

/// The region of `body` most like `search`, numbered (empty when nothing is alike). Only
/// computed for a failure message: it compares every pair of lines.
pub fn closest(body: &str, search: &str) -> String {
    let search = trim_blank_edges(&search.replace("\r\n", "\n"));
    let file: Vec<&str> = body.split_inclusive('\n').collect();
    let wanted: Vec<&str> = search.split_inclusive('\n').collect();
    closest_region(&file, &wanted)
}

/// Whether `text` is already in `body` by the same rules (used to detect re-applied edits).
pub fn contains(body: &str, text: &str) -> bool {
    let text = trim_blank_edges(&text.replace("\r\n", "\n"));
    if text.is_empty() {
        return false;
    }
    let file: Vec<&str> = body.split_inclusive('\n').collect();
    let wanted: Vec<&str> = text.split_inclusive('\n').collect();
    !windows(&file, &wanted, &|a: &str, b: &str| a.trim() == b.trim()).is_empty()
        || (wanted.len() == 1 && body.contains(text.trim()))
}

fn windows(file: &[&str], wanted: &[&str], eq: &dyn Fn(&str, &str) -> bool) -> Vec<usize> {
    if wanted.len() > file.len() {
        return Vec::new();
    }
    (0..=file.len() - wanted.len())
        .filter(|&i| {
            wanted
                .iter()
                .zip(file.iter().skip(i))
                .all(|(w, f)| eq(f, w))
        })
        .collect()
}

/// The one match among `hits` (0-based start lines of `len` lines): the only one, or the one
/// `anchor` points to.
fn pick(
    hits: &[usize],
    len: usize,
    anchor: &Anchor,
    file: &[&str],
) -> Result<Option<Range<usize>>, MatchError> {
    match hits {
        [] => Ok(None),
        [one] => Ok(Some(*one..*one + len)),
        many => match anchor.choose(many, file) {
            Some(start) => Ok(Some(start..start + len)),
            None => Err(MatchError::Ambiguous {
                lines: many.iter().map(|i| i + 1).collect(),
            }),
        },
    }
}

fn splice(file: &[&str], range: Range<usize>, replace: String, level: Level) -> Replaced {
    let line = range.start + 1;
    let mut body: String = file.get(..range.start).unwrap_or_default().concat();
    body.push_str(&replace);
    body.push_str(&file.get(range.end..).unwrap_or_default().concat());
    Replaced { body, level, line }
}

/// Level 4: every non-blank line equal once leading whitespace is ignored, with one consistent
/// difference in indentation, which is then applied to the replacement.
#[allow(clippy::type_complexity)]
fn indentation_match(
    file: &[&str],
    wanted: &[&str],
    replace: &str,
    pick: &dyn Fn(&[usize], usize) -> Result<Option<Range<usize>>, MatchError>,
) -> Result<Option<(Range<usize>, String)>, MatchError> {
    let same = |a: &str, b: &str| a.trim() == b.trim();
    let candidates = windows(file, wanted, &same);
    let mut found: Vec<(usize, String)> = Vec::new();
    for start in candidates {
        if let Some(text) = reindent(
            region(file, &(start..start + wanted.len())),
            wanted,
            replace,
        ) {
            found.push((start, text));
        }
    }
    let starts: Vec<usize> = found.iter().map(|(s, _)| *s).collect();
    let Some(range) = pick(&starts, wanted.len())? else {
        return Ok(None);
    };
    let text = found
        .into_iter()
        .find(|(s, _)| *s == range.start)
        .map(|(_, t)| t)
        .unwrap_or_default();
    Ok(Some((range, text)))
}

fn reindent(actual: &[&str], wanted: &[&str], replace: &str) -> Option<String> {
    let pairs: Vec<(&str, &str)> = actual
        .iter()
        .zip(wanted)
        .filter(|(a, _)| !a.trim().is_empty())
        .map(|(a, w)| (indent_of(a), indent_of(w)))
        .collect();
    let (a0, w0) = *pairs.first()?;
    if let Some(extra) = a0.strip_suffix(w0) {
        // The file is indented deeper than the SEARCH by `extra`.
        if pairs.iter().all(|(a, w)| a.strip_suffix(w) == Some(extra)) {
            let out = replace
                .split_inclusive('\n')
                .map(|l| {
                    if l.trim().is_empty() {
                        l.to_string()
                    } else {
                        format!("{extra}{l}")
                    }
                })
                .collect();
            return Some(out);
        }
    }
    if let Some(extra) = w0.strip_suffix(a0) {
        // The SEARCH is indented deeper than the file by `extra`.
        if pairs.iter().all(|(a, w)| w.strip_suffix(a) == Some(extra)) {
            let out = replace
                .split_inclusive('\n')
                .map(|l| l.strip_prefix(extra).unwrap_or(l.trim_start()).to_string())
                .collect();
            return Some(out);
        }
    }
    None
}

/// Level 6: a one-line SEARCH that is part of exactly one place in the file. When the REPLACE
/// repeats what the line holds around the fragment (the model rewrote the whole line but copied
/// only part of it into SEARCH), the whole line is replaced, so nothing is doubled.
#[allow(clippy::type_complexity)]
fn fragment_match(
    body: &str,
    search: &str,
    replace: &str,
    pick: &dyn Fn(&[usize], usize) -> Result<Option<Range<usize>>, MatchError>,
) -> Result<Option<Replaced>, MatchError> {
    let needle = search.trim();
    if needle.is_empty() || search.trim_end().contains('\n') || replace.trim_end().contains('\n') {
        return Ok(None);
    }
    let starts: Vec<usize> = body.match_indices(needle).map(|(i, _)| i).collect();
    let line_of = |i: usize| body.get(..i).unwrap_or("").matches('\n').count();
    let lines: Vec<usize> = starts.iter().map(|&i| line_of(i)).collect();
    let Some(range) = pick(&lines, 1)? else {
        return Ok(None);
    };
    let Some(at) = starts.iter().copied().find(|&i| line_of(i) == range.start) else {
        return Ok(None);
    };
    if lines.iter().filter(|&&l| l == range.start).count() > 1 {
        // Twice on one line: which one is meant cannot be told.
        return Err(MatchError::Ambiguous {
            lines: vec![range.start + 1; 2],
        });
    }
    let line_start = body
        .get(..at)
        .and_then(|b| b.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line_end = body
        .get(at..)
        .and_then(|b| b.find('\n'))
        .map_or(body.len(), |i| at + i);
    let before = body.get(line_start..at).unwrap_or("");
    let after = body.get(at + needle.len()..line_end).unwrap_or("");
    let new = replace.trim();
    // The fragment opens (or closes) its line and the REPLACE ends with the rest of the line
    // (or starts with its beginning): it is the whole new line.
    let whole_line = (before.trim().is_empty()
        && !after.trim().is_empty()
        && new.ends_with(after.trim()))
        || (after.trim().is_empty() && !before.trim().is_empty() && new.starts_with(before.trim()));
    let mut out = String::with_capacity(body.len() + replace.len());
    if whole_line {
        out.push_str(body.get(..line_start).unwrap_or(""));
        out.push_str(indent_of(before));
        out.push_str(new);
        out.push_str(body.get(line_end..).unwrap_or(""));
    } else {
        out.push_str(body.get(..at).unwrap_or(""));
        out.push_str(new);
        out.push_str(body.get(at + needle.len()..).unwrap_or(""));
    }
    Ok(Some(Replaced {
        body: out,
        level: Level::Fragment,
        line: range.start + 1,
    }))
}

/// The region of the file most like the SEARCH text, numbered, for the model to copy from.
pub fn closest_region(file: &[&str], wanted: &[&str]) -> String {
    if file.is_empty() {
        return "(the file is empty)".into();
    }
    let mut votes = vec![0usize; file.len()];
    for (wi, w) in wanted.iter().enumerate() {
        let w = w.trim();
        if w.len() < 3 {
            continue;
        }
        // A line of the file like line `wi` of the SEARCH votes for the region starting `wi`
        // lines above it.
        for (vote, f) in votes.iter_mut().zip(file.iter().skip(wi)) {
            if f.trim() == w {
                *vote += 2;
            } else if similar_line(f.trim(), w) {
                *vote += 1;
            }
        }
    }
    let Some((best, _)) = votes
        .iter()
        .enumerate()
        .filter(|(_, v)| **v > 0)
        .max_by_key(|&(i, v)| (*v, usize::MAX - i))
    else {
        return String::new();
    };
    let from = best.saturating_sub(2);
    let to = (best + wanted.len() + 2).min(file.len());
    numbered(file, from, to)
}

fn similar_line(a: &str, b: &str) -> bool {
    // Lines of very different length cannot reach the ratio: skip the character diff.
    if a.is_empty() || b.is_empty() || a.len() * 2 < b.len() || b.len() * 2 < a.len() {
        return false;
    }
    let ratio = similar::TextDiff::from_chars(a, b).ratio();
    ratio >= 0.75
}

/// Lines `from..to` (0-based) as `  N | text`.
pub fn numbered(file: &[&str], from: usize, to: usize) -> String {
    let width = to.to_string().len();
    region(file, &(from..to))
        .iter()
        .enumerate()
        .map(|(k, l)| format!("{:>width$} | {}\n", from + k + 1, l.trim_end_matches('\n')))
        .collect()
}

#[cfg(test)]
#[path = "matching_tests.rs"]
mod tests;
