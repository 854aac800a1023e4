//! Ranking the repository's files for a task, as Aider's repo map does — a graph of files linked
//! by references to definitions, ranked with PageRank personalized by the task — combined with
//! lexical retrieval: the task's words weighted by how rare they are across the repository (so a
//! file that shares a distinctive word with the issue ranks high even if nothing references it),
//! file names the task mentions, and definitions it names. The two halves are scaled to their
//! best file and averaged.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use super::index::TagIndex;

#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pub path: String,
    pub score: f64,
}

const DAMPING: f64 = 0.85;
const ITERATIONS: usize = 30;

const STOPWORDS: &[&str] = &[
    "the", "and", "for", "with", "that", "this", "from", "are", "was", "were", "but", "not",
    "when", "what", "which", "should", "would", "could", "does", "doesn", "into", "than", "then",
    "there", "their", "they", "have", "has", "had", "its", "also", "only", "any", "all", "can",
    "will", "just", "like", "some", "more", "most", "other", "about", "after", "before", "while",
    "where", "how", "why", "who", "you", "your", "our", "out", "get", "gets", "set", "one", "two",
    "use", "used", "using", "instead", "returns", "return", "value", "file", "code", "bug",
    "error", "wrong", "fix", "fails", "test", "tests", "expected", "actual", "self", "none",
];

/// The task's words: identifiers and words of three or more characters, lowercased, without
/// common English words.
pub fn terms(text: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .map(|w| w.trim_matches('_').to_lowercase())
        .filter(|w| w.chars().count() >= 3 && !STOPWORDS.contains(&w.as_str()))
        .filter(|w| seen.insert(w.clone()))
        .collect()
}

/// The parts of an identifier: `parse_config`, `parseConfig` → ["parse", "config"].
fn parts(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c == '_' || c == '-' {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Every file cria would show, ranked for `focus` (best first).
pub fn rank(root: &Path, index: &TagIndex, files: &[String], focus: &str) -> Vec<Ranked> {
    let terms = terms(focus);
    let focus_lower = focus.to_lowercase();
    let personal = lexical(root, index, files, &terms, &focus_lower);
    let graph = pagerank(index, files, &personal, &terms);
    // Half the score from the words, half from the graph, each scaled to its best file: a file
    // that matches the task well ranks above a popular one that does not.
    let top = |m: &HashMap<String, f64>| m.values().copied().fold(0.0, f64::max).max(1e-12);
    let (top_words, top_graph) = (top(&personal), top(&graph));
    let mut ranked: Vec<Ranked> = files
        .iter()
        .map(|f| {
            let words = personal.get(f).copied().unwrap_or(0.0) / top_words;
            let links = graph.get(f).copied().unwrap_or(0.0) / top_graph;
            Ranked {
                path: f.clone(),
                score: 0.5 * words + 0.5 * links,
            }
        })
        .collect();
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.path.cmp(&b.path)));
    ranked
}

/// The personalization: how strongly each file matches the task by its name, its definitions
/// and its words (BM25-like: rare words weigh more).
fn lexical(
    root: &Path,
    index: &TagIndex,
    files: &[String],
    terms: &[String],
    focus_lower: &str,
) -> HashMap<String, f64> {
    let mut score: HashMap<String, f64> = HashMap::new();
    if terms.is_empty() {
        return score;
    }
    // Term counts per file, from the files' text.
    let mut counts: Vec<(String, Vec<usize>)> = Vec::new();
    let mut df = vec![0usize; terms.len()];
    for f in files {
        let Some(text) = crate::sandbox::beneath::read(root, f)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
        else {
            continue;
        };
        let lower = text.to_lowercase();
        let tf: Vec<usize> = terms
            .iter()
            .map(|t| lower.matches(t.as_str()).count())
            .collect();
        for (d, n) in df.iter_mut().zip(&tf) {
            if *n > 0 {
                *d += 1;
            }
        }
        counts.push((f.clone(), tf));
    }
    let n = counts.len().max(1) as f64;
    let idf: Vec<f64> = df
        .iter()
        .map(|&d| ((n - d as f64 + 0.5) / (d as f64 + 0.5) + 1.0).ln())
        .collect();
    for (f, tf) in counts {
        let mut s: f64 = tf
            .iter()
            .zip(&idf)
            .filter(|(n, _)| **n > 0)
            .map(|(n, w)| w * (1.0 + (*n as f64).ln()))
            .sum();
        let lower = f.to_lowercase();
        let name = lower.rsplit('/').next().unwrap_or(&lower);
        if focus_lower.contains(&lower) || focus_lower.contains(name) {
            s += 10.0;
        } else if let Some((stem, _)) = name.rsplit_once('.') {
            if terms.iter().any(|t| t == stem) {
                s += 2.0;
            }
        }
        if let Some(entry) = index.files.get(&f) {
            for tag in entry.tags.iter().filter(|t| t.def) {
                let name = tag.name.to_lowercase();
                if terms.contains(&name) {
                    s += 5.0;
                } else if parts(&tag.name).iter().any(|p| terms.contains(p)) {
                    s += 0.5;
                }
            }
        }
        if s > 0.0 {
            score.insert(f, s);
        }
    }
    score
}

/// PageRank over files (references → definitions), personalized by `personal`.
fn pagerank(
    index: &TagIndex,
    files: &[String],
    personal: &HashMap<String, f64>,
    terms: &[String],
) -> HashMap<String, f64> {
    let id: HashMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.as_str(), i))
        .collect();
    let n = files.len();
    if n == 0 {
        return HashMap::new();
    }
    let mut definers: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut references: HashMap<&str, BTreeMap<usize, usize>> = HashMap::new();
    for (path, entry) in &index.files {
        let Some(&i) = id.get(path.as_str()) else {
            continue;
        };
        for tag in &entry.tags {
            if tag.def {
                definers.entry(&tag.name).or_default().push(i);
            } else {
                *references
                    .entry(&tag.name)
                    .or_default()
                    .entry(i)
                    .or_insert(0) += 1;
            }
        }
    }
    // Weighted edges from each referencing file to each defining file.
    let mut edges: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    for (name, refs) in &references {
        let Some(defs) = definers.get(name) else {
            continue;
        };
        let mut weight = if terms.contains(&name.to_lowercase()) {
            10.0
        } else {
            1.0
        };
        if name.starts_with('_') || name.len() < 3 {
            weight *= 0.1;
        }
        // A name defined in many places, or used everywhere (`push`, `len`), says little about
        // any one of its definitions.
        weight /= (defs.len() * refs.len()) as f64;
        for (&from, &count) in refs {
            for &to in defs {
                if let Some(out) = edges.get_mut(from).filter(|_| from != to) {
                    out.push((to, weight * (count as f64).sqrt()));
                }
            }
        }
    }
    let total: f64 = personal.values().sum();
    let p: Vec<f64> = if total > 0.0 {
        files
            .iter()
            .map(|f| personal.get(f).copied().unwrap_or(0.0) / total)
            .collect()
    } else {
        vec![1.0 / n as f64; n]
    };
    let out_weight: Vec<f64> = edges
        .iter()
        .map(|e| e.iter().map(|(_, w)| w).sum())
        .collect();
    let mut rank = p.clone();
    for _ in 0..ITERATIONS {
        let mut next: Vec<f64> = p.iter().map(|x| (1.0 - DAMPING) * x).collect();
        let mut dangling = 0.0;
        for ((out, &total), &r) in edges.iter().zip(&out_weight).zip(&rank) {
            if total == 0.0 {
                dangling += r;
                continue;
            }
            for &(to, w) in out {
                if let Some(x) = next.get_mut(to) {
                    *x += DAMPING * r * w / total;
                }
            }
        }
        for (x, pi) in next.iter_mut().zip(&p) {
            *x += DAMPING * dangling * pi;
        }
        rank = next;
    }
    files
        .iter()
        .zip(rank)
        .map(|(f, r)| (f.clone(), r))
        .collect()
}

#[cfg(test)]
#[path = "rank_tests.rs"]
mod tests;
