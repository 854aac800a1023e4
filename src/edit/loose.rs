//! Reading a reply's plain code blocks as edits, for models that did not write a usable
//! SEARCH/REPLACE block. Small models often answer with the corrected function, or the whole
//! corrected file, in a fence (sometimes with stray `<<<<<<< SEARCH` lines inside). Each block
//! is anchored in the given files:
//!
//! - a block close to a whole file (most of its lines, similar text) replaces that file;
//! - otherwise its first line must equal exactly one line in the files (a `def`/`fn` signature,
//!   say); the definition starting there (by indentation, or by balanced braces) is replaced by
//!   the block, re-indented to the file's indentation;
//! - a block identical to what it would replace is skipped (models often quote the original
//!   first), and when several blocks land on one region the last wins.
//!
//! The result is ordinary [`SearchReplaceBlock`]s, so the same planner checks and applies them.
//! The agent uses this only as a fallback, and the tests judge the outcome.

use similar::TextDiff;

use super::parse::{clean_path_line, SearchReplaceBlock};

struct CodeBlock {
    path_hint: Option<String>,
    lines: Vec<String>,
}

fn is_marker(line: &str) -> bool {
    let t = line.trim();
    (t.starts_with("<<<<<") && t.to_ascii_uppercase().ends_with("SEARCH"))
        || (t.starts_with(">>>>>") && t.to_ascii_uppercase().ends_with("REPLACE"))
        || (t.len() >= 5 && t.chars().all(|c| c == '='))
}

/// The fenced code blocks of `text`, edit markers and stray path lines removed.
fn code_blocks(text: &str) -> Vec<CodeBlock> {
    let lines: Vec<&str> = text.lines().collect();
    let is_fence = |l: &&str| l.trim_start().starts_with("```");
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(open) = lines.get(i) {
        if !is_fence(open) {
            i += 1;
            continue;
        }
        let tag = open.trim().trim_start_matches('`');
        let mut hint = if tag.contains('.') || tag.contains('/') {
            clean_path_line(tag)
        } else {
            None
        };
        let above = lines.get(..i).unwrap_or_default();
        if hint.is_none() {
            hint = above
                .iter()
                .rev()
                .find(|l| !l.trim().is_empty())
                .and_then(|l| clean_path_line(l));
        }
        let inside = lines.get(i + 1..).unwrap_or_default();
        let len = inside.iter().position(is_fence).unwrap_or(inside.len());
        let mut body: Vec<String> = inside
            .iter()
            .take(len)
            .filter(|l| !is_marker(l))
            .map(|l| if l.trim().is_empty() { "" } else { l }.to_string())
            .collect();
        if let Some(first) = body.iter().position(|l| !l.trim().is_empty()) {
            let line = body.get(first).cloned().unwrap_or_default();
            if let Some(p) = clean_path_line(&line) {
                if p.contains('/')
                    || p.rsplit('.').next().is_some_and(|e| e.len() <= 4) && !line.contains(' ')
                {
                    hint = Some(p);
                    body.remove(first);
                }
            }
        }
        while body.last().is_some_and(|l| l.trim().is_empty()) {
            body.pop();
        }
        if !body.is_empty() {
            out.push(CodeBlock {
                path_hint: hint,
                lines: body,
            });
        }
        i += len + 2;
    }
    out
}

pub(crate) fn indent_len(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The lines of the definition that starts at `start` (exclusive end).
pub fn extent(lines: &[&str], start: usize) -> usize {
    let Some(head) = lines.get(start) else {
        return lines.len();
    };
    if head.contains('{') && !head.trim_end().ends_with(':') {
        let mut depth = 0i64;
        for (k, l) in lines.iter().enumerate().skip(start) {
            depth += l.matches('{').count() as i64 - l.matches('}').count() as i64;
            if depth <= 0 {
                return k + 1;
            }
        }
        return lines.len();
    }
    if head.trim_end().ends_with(':') {
        let base = indent_len(head);
        let mut end = start + 1;
        for (k, l) in lines.iter().enumerate().skip(start + 1) {
            if l.trim().is_empty() {
                continue;
            }
            if indent_len(l) <= base {
                break;
            }
            end = k + 1;
        }
        return end;
    }
    start + 1
}

fn ratio(a: &str, b: &str) -> f32 {
    TextDiff::from_lines(a, b).ratio()
}

fn join(lines: &[impl AsRef<str>]) -> String {
    lines.iter().map(|l| format!("{}\n", l.as_ref())).collect()
}

/// Re-indent `block` so its first line has `indent`.
pub fn reindent(block: &[String], indent: &str) -> String {
    let first = block
        .iter()
        .find(|l| !l.trim().is_empty())
        .map(|l| indent_len(l))
        .unwrap_or(0);
    block
        .iter()
        .map(|l| {
            if l.trim().is_empty() {
                "\n".to_string()
            } else {
                let own = indent_len(l);
                let extra = own.saturating_sub(first);
                format!("{indent}{}{}\n", " ".repeat(extra), l.trim_start())
            }
        })
        .collect()
}

/// The lines of the first fenced code block in `text` (or of an unclosed one at its end).
pub fn first_code_block(text: &str) -> Option<Vec<String>> {
    code_blocks(text).into_iter().next().map(|b| b.lines)
}

/// Edits read from `text`'s code blocks against `files` (path, current content).
pub fn loose_edits(text: &str, files: &[(String, String)]) -> Vec<SearchReplaceBlock> {
    let mut edits: Vec<SearchReplaceBlock> = Vec::new();
    for block in code_blocks(text) {
        let candidates: Vec<&(String, String)> = match &block.path_hint {
            Some(h) => {
                let hit: Vec<_> = files
                    .iter()
                    .filter(|(p, _)| p == h || p.ends_with(&format!("/{h}")))
                    .collect();
                if hit.is_empty() {
                    files.iter().collect()
                } else {
                    hit
                }
            }
            None => files.iter().collect(),
        };
        let text_block = join(&block.lines);
        if let Some(e) = whole_file(&candidates, &block, &text_block) {
            push(&mut edits, e);
            continue;
        }
        if let Some(e) = anchored(&candidates, &block.lines) {
            push(&mut edits, e);
            continue;
        }
        // Several definitions in one block: anchor each one separately.
        let segments = definitions(&block.lines);
        if segments.len() > 1 {
            for seg in segments {
                if let Some(e) = anchored(&candidates, seg) {
                    push(&mut edits, e);
                }
            }
        }
    }
    for (i, e) in edits.iter_mut().enumerate() {
        e.index = i + 1;
    }
    edits
}

fn push(edits: &mut Vec<SearchReplaceBlock>, e: SearchReplaceBlock) {
    if e.search == e.replace {
        return;
    }
    edits.retain(|old| !(old.path == e.path && old.search == e.search));
    // A region overlapping an earlier one in the same file would not match after it: keep last.
    edits.retain(|old| {
        !(old.path == e.path && (old.search.contains(&e.search) || e.search.contains(&old.search)))
    });
    edits.push(e);
}

/// Lines with their indentation removed, for comparisons that survive re-indentation.
fn flat(text: &str) -> String {
    text.lines().map(|l| format!("{}\n", l.trim())).collect()
}

fn first_code_line(text: &str) -> &str {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
}

fn whole_file(
    files: &[&(String, String)],
    block: &CodeBlock,
    text: &str,
) -> Option<SearchReplaceBlock> {
    let hits: Vec<&&(String, String)> = files
        .iter()
        .filter(|(_, body)| {
            let n = body.lines().count().max(1);
            block.lines.len() * 10 >= n * 7
                && first_code_line(body) == first_code_line(text)
                && ratio(&flat(body), &flat(text)) >= 0.5
        })
        .collect();
    match hits.as_slice() {
        [(path, body)] => Some(SearchReplaceBlock {
            path: path.clone(),
            search: body.clone(),
            replace: text.to_string(),
            index: 0,
            ..Default::default()
        }),
        _ => None,
    }
}

/// Split a block at its top-level definitions (`def`, `class`, `fn`, ... at the block's least
/// indentation), each with the decorators and comments just above it.
fn definitions(lines: &[String]) -> Vec<&[String]> {
    const STARTS: &[&str] = &[
        "def ",
        "async def ",
        "class ",
        "fn ",
        "pub fn ",
        "pub(crate) fn ",
        "impl ",
        "impl<",
        "func ",
        "function ",
        "export function ",
        "pub struct ",
        "struct ",
        "enum ",
        "pub enum ",
    ];
    let base = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| indent_len(l))
        .min()
        .unwrap_or(0);
    let starts: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            indent_len(l) == base && STARTS.iter().any(|s| l.trim_start().starts_with(s))
        })
        .map(|(i, _)| i)
        .collect();
    let mut out = Vec::new();
    for (k, &s) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(lines.len());
        let segment = lines.get(s..end).unwrap_or_default();
        let blank_tail = segment
            .iter()
            .skip(1)
            .rev()
            .take_while(|l| l.trim().is_empty())
            .count();
        out.push(
            segment
                .get(..segment.len() - blank_tail)
                .unwrap_or_default(),
        );
    }
    out
}

fn anchored(files: &[&(String, String)], block: &[String]) -> Option<SearchReplaceBlock> {
    let first = block.iter().find(|l| !l.trim().is_empty())?;
    let anchor = first.trim();
    if anchor.len() < 6 {
        return None;
    }
    let mut found = None;
    for (path, body) in files {
        let lines: Vec<&str> = body.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            if l.trim() == anchor {
                if found.is_some() {
                    return None; // ambiguous
                }
                found = Some((path, lines.clone(), i));
            }
        }
    }
    let (path, lines, start) = found?;
    let mut end = extent(&lines, start);
    // A block shorter than the definition replaces only as many lines, if they line up.
    if block.len() < (end - start) / 2 {
        end = (start + block.len()).min(lines.len());
    }
    let region = join(lines.get(start..end).unwrap_or_default());
    let head = lines.get(start).copied().unwrap_or_default();
    let replace = reindent(block, head.get(..indent_len(head)).unwrap_or_default());
    if ratio(&region, &replace) < 0.5 {
        return None;
    }
    Some(SearchReplaceBlock {
        path: path.clone(),
        search: region,
        replace,
        index: 0,
        ..Default::default()
    })
}

#[cfg(test)]
#[path = "loose_tests.rs"]
mod tests;
