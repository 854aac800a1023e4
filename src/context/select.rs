//! The one answer to "what of the repository does the model see for this task": `cria fix`'s
//! first prompt, `cria context` and the TUI's `/context` all call [`select`], so what they show
//! is what is sent.
//!
//! 1. [`localize::rank`]: files named in the failing output and the issue, their identifiers
//!    grepped, the code the best files import;
//! 2. the best-ranked files are shown whole while they fit the budget (the top one in part when
//!    it alone is too large, cut at a line);
//! 3. in a repository of more than [`MAP_MIN_FILES`] files, a map of what the files not shown
//!    define (tree-sitter tags ranked by PageRank personalized by the task), in the room the
//!    shown files left, at most [`MAP_TOKENS`];
//! 4. the list of files: whole when short, the best-ranked first when long.

use serde::Serialize;

use super::localize::{self, Candidate};
use super::shown::ShownFile;
use super::{index, pack, rank, scan};
use crate::edit::text::FileText;
use crate::sandbox::paths::Root;

/// The most the repo map may take of the first prompt: a small model reads the shown code best.
pub const MAP_TOKENS: usize = 1_000;
/// Repositories with fewer files get no map: their list of files says enough, and a map there
/// distracted the 1.5B model (rs-range-sum: fixed in 27 s without it, not fixed with it).
pub const MAP_MIN_FILES: usize = 25;
/// Files listed in the prompt at most (the best-ranked first).
pub const LISTED_FILES: usize = 60;
/// Candidates considered for showing whole.
const SHOWN_CANDIDATES: usize = 8;

/// What the model is shown for a task.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Selection {
    /// Files shown in full (or in part), best first.
    pub shown: Vec<ShownFile>,
    /// What the files not shown define ("" in a small repository).
    pub map: String,
    /// The repository's files, as listed to the model.
    pub listed: Vec<String>,
    /// The localizer's ranking, best first (what the reproduction stage draws on too).
    #[serde(skip)]
    pub ranked: Vec<Candidate>,
}

/// Select the context for `task` (with the failing tests' output, if any) in `budget` tokens of
/// shown code, counted with `count`.
pub fn select(
    root: &Root,
    task: &str,
    test_output: &str,
    budget: usize,
    count: &mut dyn FnMut(&str) -> usize,
) -> Selection {
    let ranked = localize::rank(root, task, test_output);
    let shown = pick_files(root, &ranked, budget, count);
    let (listed, map) = overview(root, task, test_output, &shown, budget, count);
    Selection {
        shown,
        map,
        listed,
        ranked,
    }
}

fn pick_files(
    root: &Root,
    ranked: &[Candidate],
    mut budget: usize,
    count: &mut dyn FnMut(&str) -> usize,
) -> Vec<ShownFile> {
    let mut shown = Vec::new();
    for c in ranked.iter().take(SHOWN_CANDIDATES) {
        let Ok(bytes) = crate::sandbox::beneath::read(root.path(), &c.path) else {
            continue;
        };
        let Ok(text) = FileText::decode(&bytes) else {
            continue;
        };
        let tokens = count(&text.body);
        if tokens <= budget {
            budget -= tokens;
            shown.push(ShownFile {
                path: c.path.clone(),
                content: text.body,
            });
        } else if shown.is_empty() {
            // The top file is too large: show its beginning, the model can read on. Cut at a
            // line break within the share that fits (a byte index from a token ratio may fall
            // inside a character: only whole lines are kept).
            let keep = text.body.len() * budget / tokens.max(1);
            let cut = text
                .body
                .match_indices('\n')
                .map(|(i, _)| i)
                .take_while(|&i| i <= keep)
                .last()
                .unwrap_or(0);
            let mut content = text.body.get(..cut).unwrap_or_default().to_string();
            content.push_str("\n[... truncated: use read_file with start_line to see the rest]\n");
            shown.push(ShownFile {
                path: c.path.clone(),
                content,
            });
            break;
        }
        if budget < 200 {
            break;
        }
    }
    shown
}

/// The list of files and the map of what the files not shown define.
fn overview(
    root: &Root,
    task: &str,
    test_output: &str,
    shown: &[ShownFile],
    budget: usize,
    count: &mut dyn FnMut(&str) -> usize,
) -> (Vec<String>, String) {
    let root = root.path();
    let files = scan::list_files(root);
    if files.len() <= shown.len().max(MAP_MIN_FILES) {
        return (files, String::new());
    }
    let (tags, _) = index::build(root);
    let focus = format!("{task}\n{test_output}");
    let ranked = rank::rank(root, &tags, &files, &focus);
    let shown_paths: Vec<String> = shown.iter().map(|f| f.path.clone()).collect();
    let used: usize = shown.iter().map(|f| count(&f.content)).sum();
    let room = budget.saturating_sub(used).min(MAP_TOKENS);
    let map = if room >= 150 {
        pack::repo_map(&tags, &ranked, &shown_paths, room, count)
    } else {
        String::new()
    };
    // A short list is shown whole, in its usual order; a long one is cut after the best.
    let listed = if files.len() <= LISTED_FILES {
        files
    } else {
        ranked.into_iter().map(|r| r.path).collect()
    };
    (listed, map)
}

impl Selection {
    /// The selection as the first prompt carries it: each shown file, the map, the list.
    pub fn render(&self) -> String {
        let mut out: String = self.shown.iter().map(super::shown::render_file).collect();
        if !self.map.is_empty() {
            out.push_str("What the other files define:\n");
            out.push_str(&self.map);
            out.push('\n');
        }
        out.push_str("Files in the repository:\n");
        for f in self.listed.iter().take(LISTED_FILES) {
            out.push_str(f);
            out.push('\n');
        }
        if self.listed.len() > LISTED_FILES {
            out.push_str(&format!(
                "... and {} more\n",
                self.listed.len() - LISTED_FILES
            ));
        }
        out
    }
}
