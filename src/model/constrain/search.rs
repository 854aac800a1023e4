//! The SEARCH-section constraint: once a reply writes `<<<<<<< SEARCH` and a newline, every
//! line up to `=======` must be the next line of the file the block names (the path line above
//! its fence; any offered file when there is none), consecutive, as it is on disk. A block for
//! a file that was not offered (a new one) is free. Checking a token is a binary search in the
//! few lines that may come next.

use super::Step;

pub(super) const MARKER: &[u8] = b"<<<<<<< SEARCH\n";
const DIVIDER: &[u8] = b"=======";

/// One quotable file, split into lines (without `\n` or `\r`).
#[derive(Debug)]
pub(super) struct File {
    path: String,
    lines: Vec<Vec<u8>>,
}

impl File {
    pub(super) fn new(path: &str, text: &str) -> File {
        File {
            path: path.to_string(),
            lines: text
                .lines()
                .map(|l| l.trim_end_matches('\r').as_bytes().to_vec())
                .collect(),
        }
    }
}

/// An open SEARCH section: `done` lines written, each start `(file, line)` still consistent
/// with them, the current line so far, and the lines it may still become (each with its `\n`;
/// the divider among them once a line is written), sorted and distinct.
#[derive(Debug, Clone)]
pub(super) struct Section {
    done: usize,
    starts: Vec<(usize, usize)>,
    line: Vec<u8>,
    next: Vec<Vec<u8>>,
}

impl Section {
    /// The section a marker after `before` opens; `None` when its file was not offered.
    pub(super) fn open(files: &[File], before: &[u8]) -> Option<Section> {
        let chosen: Vec<usize> = match named_path(before) {
            Some(path) => files
                .iter()
                .enumerate()
                .filter(|(_, f)| same_file(&f.path, &path))
                .map(|(i, _)| i)
                .collect(),
            None => (0..files.len()).collect(),
        };
        if chosen.is_empty() {
            return None;
        }
        let starts: Vec<(usize, usize)> = chosen
            .iter()
            .flat_map(|&f| {
                let n = files.get(f).map_or(0, |file| file.lines.len());
                (0..n).map(move |s| (f, s))
            })
            .collect();
        let next = next_lines(files, &starts, 0);
        Some(Section {
            done: 0,
            starts,
            line: Vec::new(),
            next,
        })
    }

    pub(super) fn allows(&self, files: &[File], piece: &[u8]) -> bool {
        let Some(newline) = piece.iter().position(|&b| b == b'\n') else {
            return extends(&self.next, self.line.len(), piece);
        };
        let (head, rest) = piece.split_at(newline + 1);
        let ended = [self.line.as_slice(), head].concat();
        if self.next.binary_search(&ended).is_err() {
            return false;
        }
        let ended = ended.strip_suffix(b"\n").unwrap_or_default();
        if rest.is_empty() || (self.done > 0 && ended == DIVIDER) {
            return true;
        }
        let done = self.done;
        self.starts.iter().any(|&(f, s)| {
            let lines = files.get(f).map_or(&[][..], |file| file.lines.as_slice());
            lines.get(s + done).is_some_and(|l| l == ended) && fits(lines, s + done + 1, rest)
        })
    }

    pub(super) fn step(&mut self, files: &[File], b: u8) -> Step {
        if b != b'\n' {
            self.line.push(b);
            let n = self.line.len();
            let line = &self.line;
            self.next.retain(|l| l.get(..n) == Some(line.as_slice()));
            return if self.next.is_empty() {
                Step::Broken
            } else {
                Step::Inside
            };
        }
        if self.done > 0 && self.line == DIVIDER {
            return Step::Done;
        }
        let (done, line) = (self.done, &self.line);
        self.starts.retain(|&(f, s)| {
            files
                .get(f)
                .and_then(|file| file.lines.get(s + done))
                .is_some_and(|l| l == line)
        });
        if self.starts.is_empty() {
            return Step::Broken;
        }
        self.done += 1;
        self.line.clear();
        self.next = next_lines(files, &self.starts, self.done);
        Step::Inside
    }
}

/// The lines that may come next (each with its `\n`), sorted and distinct; the divider too
/// once a line is written.
fn next_lines(files: &[File], starts: &[(usize, usize)], done: usize) -> Vec<Vec<u8>> {
    let mut next: Vec<Vec<u8>> = starts
        .iter()
        .filter_map(|&(f, s)| files.get(f)?.lines.get(s + done))
        .map(|l| [l.as_slice(), b"\n"].concat())
        .collect();
    if done > 0 {
        next.push([DIVIDER, b"\n"].concat());
    }
    next.sort();
    next.dedup();
    next
}

/// Whether some line in `next` (sorted), past its first `from` bytes, begins with `piece`.
fn extends(next: &[Vec<u8>], from: usize, piece: &[u8]) -> bool {
    fn tail(line: &[u8], from: usize) -> &[u8] {
        line.get(from..).unwrap_or_default()
    }
    let i = next.partition_point(|l| tail(l, from) < piece);
    next.get(i)
        .is_some_and(|l| tail(l, from).starts_with(piece))
}

/// Whether `rest` (text after a completed line) can continue a block whose next line is
/// `lines[at]`: its whole lines are the file's next lines (or the divider, after which all is
/// free) and its last, partial line begins one.
fn fits(lines: &[Vec<u8>], mut at: usize, rest: &[u8]) -> bool {
    let mut parts = rest.split(|&b| b == b'\n').peekable();
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            return part.is_empty()
                || DIVIDER.starts_with(part)
                || lines.get(at).is_some_and(|l| l.starts_with(part));
        }
        if part == DIVIDER {
            return true;
        }
        if lines.get(at).map(Vec::as_slice) != Some(part) {
            return false;
        }
        at += 1;
    }
    true
}

/// The path a block names: the last non-blank line before its opening fence (`path` or
/// `` `path` `` or `**path**`), if the text right before the marker is such a fence.
fn named_path(before: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(before);
    let mut lines = text.lines().rev().skip_while(|l| l.trim().is_empty());
    let fence = lines.next()?;
    if !fence.trim_start().starts_with("```") {
        return None;
    }
    let path = lines.find(|l| !l.trim().is_empty())?;
    let path = path.trim().trim_matches(|c| c == '`' || c == '*').trim();
    (!path.is_empty() && !path.contains(' ')).then(|| path.to_string())
}

fn same_file(offered: &str, named: &str) -> bool {
    let named = named.trim_start_matches("./");
    offered == named || offered.ends_with(&format!("/{named}"))
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;
