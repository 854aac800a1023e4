//! `grep`: a regex search over the repository's files with ripgrep's own crates, respecting
//! .gitignore.

use grep_regex::RegexMatcherBuilder;
use grep_searcher::sinks::UTF8;
use grep_searcher::{BinaryDetection, SearcherBuilder};

use super::ToolOutput;
use crate::sandbox::paths::Root;

const MAX_HITS: usize = 60;

/// All matches as `(relative path, line number, line)`, at most `limit`.
pub fn search(
    root: &Root,
    pattern: &str,
    path: Option<&str>,
    glob: Option<&str>,
    limit: usize,
) -> Result<Vec<(String, u64, String)>, String> {
    let matcher = RegexMatcherBuilder::new()
        .case_smart(true)
        .build(pattern)
        .map_err(|e| format!("bad regex: {e}"))?;
    let start = match path.filter(|p| !p.trim().is_empty() && p.trim() != ".") {
        Some(p) => root.resolve(p).map_err(|e| e.to_string())?,
        None => root.path().to_path_buf(),
    };
    let glob = match glob {
        Some(g) => Some(
            globset::Glob::new(g)
                .map_err(|e| format!("bad glob: {e}"))?
                .compile_matcher(),
        ),
        None => None,
    };
    let mut searcher = SearcherBuilder::new()
        .binary_detection(BinaryDetection::quit(0))
        .line_number(true)
        .build();
    let mut hits = Vec::new();
    let walker = crate::context::scan::walker(&start).build();
    for entry in walker.filter_map(Result::ok) {
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let rel = root.display(entry.path());
        if let Some(g) = &glob {
            let name = rel.rsplit('/').next().unwrap_or(&rel);
            if !g.is_match(&rel) && !g.is_match(name) {
                continue;
            }
        }
        let _ = searcher.search_path(
            &matcher,
            entry.path(),
            UTF8(|line, text| {
                hits.push((rel.clone(), line, text.trim_end().to_string()));
                Ok(hits.len() < limit)
            }),
        );
        if hits.len() >= limit {
            break;
        }
    }
    Ok(hits)
}

pub fn grep(root: &Root, pattern: &str, path: Option<&str>, glob: Option<&str>) -> ToolOutput {
    match search(root, pattern, path, glob, MAX_HITS + 1) {
        Err(e) => ToolOutput::err(e),
        Ok(hits) if hits.is_empty() => ToolOutput::ok(format!("no matches for `{pattern}`\n")),
        Ok(hits) => {
            let mut out: String = hits
                .iter()
                .take(MAX_HITS)
                .map(|(p, n, t)| format!("{p}:{n}: {}\n", clip(t, 200)))
                .collect();
            if hits.len() > MAX_HITS {
                out.push_str("[more matches omitted; narrow the pattern, path or glob]\n");
            }
            ToolOutput::ok(out)
        }
    }
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}
