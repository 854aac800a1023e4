//! Finding where a SEARCH text sits in a file, from strict to forgiving, and always uniquely.
//!
//! Levels, tried in order; the first level with any match decides:
//! 1. exact lines;
//! 2. ignoring trailing whitespace (line endings are already normalized by [`super::text`]);
//! 3. a uniform indentation offset (the replacement is re-indented by the same offset);
//! 4. a SEARCH that is a fragment of one line (small models often copy only the expression).
//!
//! Before level 1, blank lines around the SEARCH are dropped and `12 | ` line-number prefixes
//! (copied from cria's own numbered listings) are removed when every line carries one.
//! Two or more matches at a level is an error naming their line numbers: cria never guesses.

use std::ops::Range;

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
        (Some(a), Some(b)) => (lines[a..=b].concat(), a, lines.len() - 1 - b),
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
    &line[..line.len() - line.trim_start().len()]
}

/// Replace `search` with `replace` in `body` (both normalized, whole lines ending in `\n`).
pub fn replace_unique(body: &str, search: &str, replace: &str) -> Result<Replaced, MatchError> {
    let (mut search, mut replace) = (search.replace("\r\n", "\n"), replace.replace("\r\n", "\n"));
    if let Some(s) = strip_line_numbers(&search) {
        search = s;
        replace = strip_line_numbers(&replace).unwrap_or(replace);
    }
    let (search, lead, tail) = trim_blank_edges_counted(&search);
    let replace = drop_blank_edges(&replace, lead, tail);
    let file: Vec<&str> = body.split_inclusive('\n').collect();
    let wanted: Vec<&str> = search.split_inclusive('\n').collect();
    if wanted.is_empty() {
        return Err(MatchError::NotFound);
    }

    let exact = |a: &str, b: &str| a == b;
    let trailing = |a: &str, b: &str| a.trim_end() == b.trim_end();
    for (level, eq) in [
        (Level::Exact, &exact as &dyn Fn(&str, &str) -> bool),
        (Level::TrailingWhitespace, &trailing),
    ] {
        let hits = windows(&file, &wanted, eq);
        if let Some(range) = unique(&hits, wanted.len())? {
            return Ok(splice(&file, range, replace.clone(), level));
        }
    }
    if let Some((range, reindented)) = indentation_match(&file, &wanted, &replace)? {
        return Ok(splice(&file, range, reindented, Level::Indentation));
    }
    if let Some(done) = fragment_match(body, &search, &replace)? {
        return Ok(done);
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
        .filter(|&i| wanted.iter().zip(&file[i..]).all(|(w, f)| eq(f, w)))
        .collect()
}

fn unique(hits: &[usize], len: usize) -> Result<Option<Range<usize>>, MatchError> {
    match hits {
        [] => Ok(None),
        [one] => Ok(Some(*one..*one + len)),
        many => Err(MatchError::Ambiguous {
            lines: many.iter().map(|i| i + 1).collect(),
        }),
    }
}

fn splice(file: &[&str], range: Range<usize>, replace: String, level: Level) -> Replaced {
    let line = range.start + 1;
    let mut body: String = file[..range.start].concat();
    body.push_str(&replace);
    body.push_str(&file[range.end..].concat());
    Replaced { body, level, line }
}

/// Level 3: every non-blank line equal once leading whitespace is ignored, with one consistent
/// difference in indentation, which is then applied to the replacement.
fn indentation_match(
    file: &[&str],
    wanted: &[&str],
    replace: &str,
) -> Result<Option<(Range<usize>, String)>, MatchError> {
    let same = |a: &str, b: &str| a.trim() == b.trim();
    let candidates = windows(file, wanted, &same);
    let mut found: Vec<(usize, String)> = Vec::new();
    for start in candidates {
        if let Some(text) = reindent(&file[start..start + wanted.len()], wanted, replace) {
            found.push((start, text));
        }
    }
    match found.len() {
        0 => Ok(None),
        1 => {
            let (start, text) = found.remove(0);
            Ok(Some((start..start + wanted.len(), text)))
        }
        _ => Err(MatchError::Ambiguous {
            lines: found.iter().map(|(s, _)| s + 1).collect(),
        }),
    }
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

/// Level 4: a one-line SEARCH that is part of exactly one place in the file.
fn fragment_match(body: &str, search: &str, replace: &str) -> Result<Option<Replaced>, MatchError> {
    let needle = search.trim();
    if needle.is_empty() || search.trim_end().contains('\n') || replace.trim_end().contains('\n') {
        return Ok(None);
    }
    let starts: Vec<usize> = body.match_indices(needle).map(|(i, _)| i).collect();
    let line_of = |i: usize| body[..i].matches('\n').count() + 1;
    match starts.as_slice() {
        [] => Ok(None),
        [at] => {
            let mut out = String::with_capacity(body.len() + replace.len());
            out.push_str(&body[..*at]);
            out.push_str(replace.trim());
            out.push_str(&body[at + needle.len()..]);
            Ok(Some(Replaced {
                body: out,
                level: Level::Fragment,
                line: line_of(*at),
            }))
        }
        many => Err(MatchError::Ambiguous {
            lines: many.iter().map(|&i| line_of(i)).collect(),
        }),
    }
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
        for (fi, f) in file.iter().enumerate() {
            if f.trim() == w && fi >= wi {
                votes[fi - wi] += 2;
            } else if fi >= wi && similar_line(f.trim(), w) {
                votes[fi - wi] += 1;
            }
        }
    }
    let best = (0..file.len())
        .max_by_key(|&i| (votes[i], usize::MAX - i))
        .unwrap_or(0);
    if votes[best] == 0 {
        return String::new();
    }
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
    file[from..to]
        .iter()
        .enumerate()
        .map(|(k, l)| format!("{:>width$} | {}\n", from + k + 1, l.trim_end_matches('\n')))
        .collect()
}

#[cfg(test)]
#[path = "matching_tests.rs"]
mod tests;
