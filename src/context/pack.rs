//! Packing the repository into a token budget, in order of value: the project's instructions,
//! the files most likely to need editing (whole), the repo map (signatures of the ranked files'
//! definitions), then snippets around the task's words — until the budget is used. A repository
//! smaller than the budget goes in whole. Tokens are counted with the caller's counter (the
//! model's own tokenizer), and the final text is counted again: the budget is never exceeded.

use std::path::Path;

use serde::Serialize;

use super::index::TagIndex;
use super::rank::{self, Ranked};
use super::shown::{fence_lang, render_file, ShownFile};

#[derive(Debug, Clone, Default, Serialize)]
pub struct Packed {
    pub budget: usize,
    pub tokens: usize,
    /// Files included in full or in part, in the order they appear.
    pub files: Vec<String>,
    pub text: String,
    /// The best-ranked files and their scores, best first.
    pub ranked: Vec<(String, f64)>,
}

/// Whole files take at most this share of the budget when the repository does not fit.
const WHOLE_SHARE: f64 = 0.6;
/// Files considered for inclusion in full.
const WHOLE_CANDIDATES: usize = 8;
/// Definitions listed per file in the map.
const MAP_DEFS_PER_FILE: usize = 40;

struct Part {
    text: String,
    file: Option<String>,
}

/// The parts chosen so far and the tokens they use.
struct Packer<'c> {
    parts: Vec<Part>,
    used: usize,
    count: &'c mut dyn FnMut(&str) -> usize,
}

impl Packer<'_> {
    /// Add `text` if it fits under `limit`; whether it did.
    fn push(&mut self, text: String, file: Option<String>, limit: usize) -> bool {
        let tokens = (self.count)(&text);
        if self.used + tokens > limit {
            return false;
        }
        self.used += tokens;
        self.parts.push(Part { text, file });
        true
    }
}

pub fn pack(
    root: &Path,
    index: &TagIndex,
    ranked: &[Ranked],
    focus: &str,
    budget: usize,
    count: &mut dyn FnMut(&str) -> usize,
) -> Packed {
    let mut p = Packer {
        parts: Vec::new(),
        used: 0,
        count,
    };
    if let Some(rules) = super::instructions::project_instructions(root) {
        p.push(format!("{rules}\n\n"), None, budget);
    }
    let texts: Vec<(String, String)> = ranked
        .iter()
        .filter_map(|r| {
            let bytes = crate::sandbox::beneath::read(root, &r.path).ok()?;
            let text = crate::edit::text::FileText::decode(&bytes).ok()?.body;
            Some((r.path.clone(), text))
        })
        .collect();
    let whole = |(path, content): &(String, String)| {
        render_file(&ShownFile {
            path: path.clone(),
            content: content.clone(),
        })
    };
    // The whole repository, if it fits.
    let all: Vec<String> = texts.iter().map(whole).collect();
    let all_tokens: usize = all.iter().map(|t| (p.count)(t)).sum();
    if p.used + all_tokens <= budget {
        for (text, (path, _)) in all.into_iter().zip(&texts) {
            p.push(text, Some(path.clone()), budget);
        }
        return finish(p.parts, budget, p.count, ranked);
    }
    // The files most likely to need editing, whole.
    let whole_limit = p.used + (budget.saturating_sub(p.used) as f64 * WHOLE_SHARE) as usize;
    let mut shown_whole = Vec::new();
    for entry in texts.iter().take(WHOLE_CANDIDATES) {
        if p.push(whole(entry), Some(entry.0.clone()), whole_limit) {
            shown_whole.push(entry.0.clone());
        }
    }
    // The map: what the other ranked files define.
    let room = budget.saturating_sub(p.used);
    let blocks = map_blocks(index, ranked, &shown_whole, room, p.count);
    for (i, (path, block)) in blocks.into_iter().enumerate() {
        let header = if i == 0 { MAP_HEADER } else { "" };
        p.push(format!("{header}{block}"), Some(path), budget);
    }
    // Snippets: lines around the task's words in files not shown whole.
    let terms = rank::terms(focus);
    for (path, content) in &texts {
        if shown_whole.contains(path) || terms.is_empty() {
            continue;
        }
        if let Some(snippet) = snippet(path, content, &terms) {
            if !p.push(snippet, Some(path.clone()), budget) && p.used + 32 >= budget {
                break;
            }
        }
    }
    finish(p.parts, budget, p.count, ranked)
}

const MAP_HEADER: &str = "# Repository map (definitions by file)\n\n";

/// Map blocks (`path:` and its definitions' lines) for the ranked files not in `exclude`, best
/// first, as many as fit in `budget` tokens with the header.
pub fn map_blocks(
    index: &TagIndex,
    ranked: &[Ranked],
    exclude: &[String],
    budget: usize,
    count: &mut dyn FnMut(&str) -> usize,
) -> Vec<(String, String)> {
    let mut used = count(MAP_HEADER);
    let mut blocks = Vec::new();
    for r in ranked {
        if exclude.contains(&r.path) {
            continue;
        }
        let Some(entry) = index.files.get(&r.path) else {
            continue;
        };
        let defs: Vec<String> = entry
            .tags
            .iter()
            .filter(|t| t.def && !t.signature.is_empty())
            .take(MAP_DEFS_PER_FILE)
            .map(|t| format!("  {:>4}│ {}", t.line + 1, t.signature))
            .collect();
        if defs.is_empty() {
            continue;
        }
        let block = format!("{}:\n{}\n\n", r.path, defs.join("\n"));
        let tokens = count(&block);
        if used + tokens <= budget {
            used += tokens;
            blocks.push((r.path.clone(), block));
        } else if used + 32 >= budget {
            break;
        }
    }
    blocks
}

/// The map as one section (empty when nothing fits).
pub fn repo_map(
    index: &TagIndex,
    ranked: &[Ranked],
    exclude: &[String],
    budget: usize,
    count: &mut dyn FnMut(&str) -> usize,
) -> String {
    let blocks = map_blocks(index, ranked, exclude, budget, count);
    if blocks.is_empty() {
        return String::new();
    }
    let body: String = blocks.into_iter().map(|(_, b)| b).collect();
    format!("{MAP_HEADER}{body}")
}

/// Up to three windows of lines around the task's words in one file.
fn snippet(path: &str, content: &str, terms: &[String]) -> Option<String> {
    let lines: Vec<&str> = content.lines().collect();
    let hits: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            let lower = l.to_lowercase();
            terms.iter().any(|t| lower.contains(t.as_str()))
        })
        .map(|(i, _)| i)
        .take(3)
        .collect();
    if hits.is_empty() {
        return None;
    }
    let mut out = format!("{path} (excerpts)\n```{}\n", fence_lang(path));
    let mut last_end = 0;
    for h in hits {
        let from = h.saturating_sub(2).max(last_end);
        let to = (h + 3).min(lines.len());
        if from >= to {
            continue;
        }
        if from > last_end {
            out.push_str("⋮\n");
        }
        for (i, line) in lines.iter().enumerate().take(to).skip(from) {
            out.push_str(&format!("{:>4}│ {line}\n", i + 1));
        }
        last_end = to;
    }
    out.push_str("```\n\n");
    Some(out)
}

/// Join the parts; drop the last ones while the exact count of the whole exceeds the budget.
fn finish(
    mut parts: Vec<Part>,
    budget: usize,
    count: &mut dyn FnMut(&str) -> usize,
    ranked: &[Ranked],
) -> Packed {
    loop {
        let text: String = parts.iter().map(|p| p.text.as_str()).collect();
        let tokens = if text.is_empty() { 0 } else { count(&text) };
        if tokens <= budget || parts.is_empty() {
            let mut files: Vec<String> = Vec::new();
            for f in parts.iter().filter_map(|p| p.file.clone()) {
                if !files.contains(&f) {
                    files.push(f);
                }
            }
            return Packed {
                budget,
                tokens,
                files,
                text,
                ranked: ranked
                    .iter()
                    .take(10)
                    .map(|r| (r.path.clone(), (r.score * 1000.0).round() / 1000.0))
                    .collect(),
            };
        }
        parts.pop();
    }
}
