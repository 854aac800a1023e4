//! Two more edit formats that models trained on them emit, read into the same [`Edit`]s:
//!
//! OpenAI's `apply_patch` envelope:
//! ```text
//! *** Begin Patch
//! *** Add File: path        then lines starting with `+`
//! *** Delete File: path
//! *** Update File: path     then hunks: an optional `@@ ...` line, then lines starting with
//!                           ` ` (context), `-` (removed) or `+` (added); `*** End of File`
//!                           may close a hunk
//! *** End Patch             (may be missing at the end of a reply)
//! ```
//! and plain unified diffs (`--- a/path`, `+++ b/path`, `@@ -l,n +l,n @@` hunks; `diff --git`,
//! `index`, mode lines and `\ No newline at end of file` are skipped; `/dev/null` means a created
//! or deleted file). Each hunk becomes a SEARCH (context and removed lines) / REPLACE (context and
//! added lines) pair, found by the same unique matcher as every other edit. A context line that
//! lost its leading space (an empty line) is accepted.
//!
//! Where a hunk's text occurs more than once, the format's own hint chooses: an apply_patch
//! `@@ def name` line (the first match after the line holding that text; stacked `@@` lines
//! narrow in turn), or a unified diff's old start line (the nearest match). A hunk whose text
//! occurs once ignores both, so wrong line numbers do no harm.
//!
//! `*** Move to: path` after `*** Update File:` renames the file (after its hunks) inside the
//! repository; it never overwrites an existing file. Envelope markers may be indented or
//! followed by spaces (`  *** Update File: a.txt`, ` *** End Patch`).

use super::parse::{Anchor, ParseError, SearchReplaceBlock};
use super::plan::Edit;

fn strip_ab(path: &str) -> String {
    let p = path.trim();
    let p = p.split('\t').next().unwrap_or(p).trim();
    p.strip_prefix("a/")
        .or_else(|| p.strip_prefix("b/"))
        .unwrap_or(p)
        .to_string()
}

/// Accumulates one hunk's SEARCH and REPLACE sides.
#[derive(Default)]
struct Hunk {
    search: String,
    replace: String,
    changed: bool,
    anchor: Anchor,
}

impl Hunk {
    fn line(&mut self, line: &str) -> bool {
        let body = |l: &str| format!("{}\n", l);
        if let Some(rest) = line.strip_prefix('+') {
            self.replace.push_str(&body(rest));
            self.changed = true;
        } else if let Some(rest) = line.strip_prefix('-') {
            self.search.push_str(&body(rest));
            self.changed = true;
        } else if let Some(rest) = line.strip_prefix(' ') {
            self.search.push_str(&body(rest));
            self.replace.push_str(&body(rest));
        } else if line.is_empty() {
            self.search.push('\n');
            self.replace.push('\n');
        } else {
            return false;
        }
        true
    }

    fn take(&mut self, path: &str, edits: &mut Vec<Edit>, first: usize) -> Result<(), ParseError> {
        let h = std::mem::take(self);
        if !h.changed {
            return Ok(());
        }
        if h.search.trim().is_empty() {
            return Err(ParseError {
                block: edits.len() + first,
                message: format!("a hunk for {path} adds lines without any context to place them"),
            });
        }
        edits.push(Edit::Replace(SearchReplaceBlock {
            path: path.to_string(),
            search: h.search,
            replace: h.replace,
            index: edits.len() + first,
            anchor: h.anchor,
        }));
        Ok(())
    }

    /// An apply_patch `@@` line: it closes the hunk before it (if any) and names where the next
    /// one is; `@@` lines in a row narrow the place step by step.
    fn context(
        &mut self,
        rest: &str,
        path: &str,
        edits: &mut Vec<Edit>,
        first: usize,
    ) -> Result<(), ParseError> {
        let started = self.changed || !self.search.is_empty();
        let mut lines = Vec::new();
        if started {
            self.take(path, edits, first)?;
        } else if let Anchor::Context(earlier) = std::mem::take(&mut self.anchor) {
            lines = earlier;
        }
        if !rest.trim().is_empty() {
            lines.push(rest.trim().to_string());
        }
        self.anchor = if lines.is_empty() {
            Anchor::None
        } else {
            Anchor::Context(lines)
        };
        Ok(())
    }
}

/// The old start line of a unified diff hunk header (`@@ -12,3 +12,4 @@`).
fn hunk_start(header: &str) -> Option<usize> {
    let old = header.strip_prefix("@@")?.trim_start().strip_prefix('-')?;
    let digits: String = old.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The file an apply_patch envelope is working on, and what it has gathered for it.
#[derive(Default)]
struct Envelope {
    /// (path, is an added file)
    current: Option<(String, bool)>,
    move_to: Option<String>,
    add_body: String,
    hunk: Hunk,
}

impl Envelope {
    /// Turn what was gathered for the current file into edits, and start afresh.
    fn flush(&mut self, edits: &mut Vec<Edit>, first: usize) -> Result<(), ParseError> {
        let Some((path, is_add)) = self.current.take() else {
            return Ok(());
        };
        if is_add {
            edits.push(Edit::Replace(SearchReplaceBlock {
                path,
                search: String::new(),
                replace: std::mem::take(&mut self.add_body),
                index: edits.len() + first,
                anchor: Anchor::None,
            }));
            return Ok(());
        }
        self.hunk.take(&path, edits, first)?;
        if let Some(to) = self.move_to.take() {
            edits.push(Edit::Move {
                path,
                to,
                index: edits.len() + first,
            });
        }
        Ok(())
    }

    /// Begin a new file section (after flushing the last one).
    fn begin(
        &mut self,
        path: &str,
        is_add: bool,
        edits: &mut Vec<Edit>,
        first: usize,
    ) -> Result<(), ParseError> {
        self.flush(edits, first)?;
        self.current = Some((path.trim().to_string(), is_add));
        Ok(())
    }
}

/// Parse every `*** Begin Patch` envelope in `text`. Indices start at `first`.
pub fn parse_apply_patch(text: &str, first: usize) -> Result<Vec<Edit>, ParseError> {
    let mut edits = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim() != "*** Begin Patch" {
            continue;
        }
        let mut env = Envelope::default();
        for line in lines.by_ref() {
            // Markers are recognised with white space around them; hunk lines are not trimmed.
            let t = line.trim();
            if t == "*** End Patch" {
                break;
            }
            if let Some(p) = t.strip_prefix("*** Add File:") {
                env.begin(p, true, &mut edits, first)?;
            } else if let Some(p) = t.strip_prefix("*** Update File:") {
                env.begin(p, false, &mut edits, first)?;
            } else if let Some(p) = t.strip_prefix("*** Delete File:") {
                env.flush(&mut edits, first)?;
                edits.push(Edit::Delete {
                    path: p.trim().to_string(),
                    index: edits.len() + first,
                });
            } else if let Some(p) = t.strip_prefix("*** Move to:") {
                match &env.current {
                    Some((_, false)) if !p.trim().is_empty() => {
                        env.move_to = Some(p.trim().to_string())
                    }
                    _ => {
                        return Err(ParseError {
                            block: edits.len() + first,
                            message: "`*** Move to:` must follow `*** Update File:` and name the \
                                      new path"
                                .into(),
                        })
                    }
                }
            } else if t == "*** End of File" {
                if let Some((path, false)) = &env.current {
                    let path = path.clone();
                    env.hunk.take(&path, &mut edits, first)?;
                }
            } else if let Some(rest) = t.strip_prefix("@@") {
                if let Some((path, false)) = &env.current {
                    let path = path.clone();
                    env.hunk
                        .context(rest.trim_end_matches('@'), &path, &mut edits, first)?;
                }
            } else {
                match &env.current {
                    Some((_, true)) => {
                        env.add_body
                            .push_str(line.strip_prefix('+').unwrap_or(line));
                        env.add_body.push('\n');
                    }
                    Some((path, false)) if !env.hunk.line(line) => {
                        return Err(ParseError {
                            block: edits.len() + first,
                            message: format!(
                                "in the patch for {path}: line `{line}` does not start with \
                                 ' ', '-' or '+'"
                            ),
                        });
                    }
                    _ => {}
                }
            }
        }
        env.flush(&mut edits, first)?;
    }
    Ok(edits)
}

/// Parse every unified diff in `text`. Indices start at `first`.
pub fn parse_unified_diff(text: &str, first: usize) -> Result<Vec<Edit>, ParseError> {
    let lines: Vec<&str> = text.lines().collect();
    let mut edits = Vec::new();
    let mut i = 0;
    while i + 1 < lines.len() {
        let at = |k: usize| lines.get(k).copied().unwrap_or_default();
        let (Some(old), Some(new)) = (at(i).strip_prefix("--- "), at(i + 1).strip_prefix("+++ "))
        else {
            i += 1;
            continue;
        };
        let (old, new) = (strip_ab(old), strip_ab(new));
        i += 2;
        if new == "/dev/null" {
            edits.push(Edit::Delete {
                path: old,
                index: edits.len() + first,
            });
            while lines
                .get(i)
                .is_some_and(|l| !l.starts_with("--- ") && !l.starts_with("diff "))
            {
                i += 1;
            }
            continue;
        }
        let path = new;
        let creating = old == "/dev/null";
        let mut hunk = Hunk::default();
        let mut created = String::new();
        while let Some(&l) = lines.get(i) {
            if l.starts_with("--- ") && lines.get(i + 1).is_some_and(|n| n.starts_with("+++ "))
                || l.starts_with("diff ")
            {
                break;
            }
            if l.starts_with("@@") {
                hunk.take(&path, &mut edits, first)?;
                hunk.anchor = hunk_start(l).map_or(Anchor::None, Anchor::Line);
            } else if l.starts_with('\\') {
                // "\ No newline at end of file"
            } else if creating {
                if let Some(rest) = l.strip_prefix('+') {
                    created.push_str(rest);
                    created.push('\n');
                }
            } else if !hunk.line(l) {
                break; // prose after the diff
            }
            i += 1;
        }
        if creating {
            edits.push(Edit::Replace(SearchReplaceBlock {
                path,
                search: String::new(),
                replace: created,
                index: edits.len() + first,
                anchor: Anchor::None,
            }));
        } else {
            hunk.take(&path, &mut edits, first)?;
        }
    }
    Ok(edits)
}

#[cfg(test)]
#[path = "patch_tests.rs"]
mod tests;
