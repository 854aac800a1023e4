//! Where a reply ends before its token budget: at a stop string it reached, or where it started
//! to loop. Small models, greedy ones especially, fall into repeating a line or a phrase until
//! the token limit (a 1,024-token "diagnosis" that says one sentence forty times), or a whole
//! block (the same six-line test written out four times). Whatever the stage, generation stops
//! once the reply's end is the same text several times over; the reply keeps one copy of it.

/// Where a reply ends when text after byte `before` brought a stop string (`stop_after`): just
/// after the first one, found also when the token that brought it went on past it ("}\n\n#["
/// after "\n}\n"). A stop beginning before byte `from` does not count.
pub fn stop_cut(
    text: &str,
    before: usize,
    stops: &[impl AsRef<str>],
    from: usize,
) -> Option<usize> {
    stops
        .iter()
        .filter_map(|s| {
            let s = s.as_ref();
            let mut start = before.saturating_sub(s.len());
            while start > 0 && !text.is_char_boundary(start) {
                start -= 1;
            }
            let tail = text.get(start..)?;
            tail.match_indices(s)
                .map(|(at, _)| start + at)
                .find(|&at| at >= from)
                .map(|at| at + s.len())
        })
        .min()
}

/// Where to cut `text` if its end repeats: the length to keep (the text before the repeats plus
/// one copy), or `None` when it does not loop.
pub fn loop_cut(text: &str) -> Option<usize> {
    repeated_lines(text)
        .or_else(|| repeated_unit(text))
        .or_else(|| repeated_block(text))
}

/// The same non-trivial line (8 or more characters) four times in a row at the end.
fn repeated_lines(text: &str) -> Option<usize> {
    const TIMES: usize = 4;
    let body = text.strip_suffix('\n')?;
    let lines: Vec<&str> = body.rsplitn(TIMES + 1, '\n').collect();
    if lines.len() < TIMES {
        return None;
    }
    let last = lines.first()?;
    let same = lines.iter().take(TIMES).all(|l| l == last);
    if !same || last.trim().len() < 8 {
        return None;
    }
    // Keep everything up to and including the first of the repeated lines (earlier copies
    // before the four seen included).
    let line = format!("{last}\n");
    let mut start = text.len() - line.len() * TIMES;
    let whole_line_at = |at: usize| at == 0 || text.as_bytes().get(at - 1) == Some(&b'\n');
    while start >= line.len()
        && text.get(start - line.len()..start) == Some(line.as_str())
        && whole_line_at(start - line.len())
    {
        start -= line.len();
    }
    Some(start + line.len())
}

/// A unit of 4 to 120 bytes repeated at the end: 8 times for short units, 4 for longer ones,
/// with at least 48 bytes repeated in all (so `----` or `0000` in data never counts).
fn repeated_unit(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    for unit in 4..=120usize {
        let times = if unit < 16 { 8 } else { 4 };
        let span = unit * times;
        if bytes.len() < span || span < 48 {
            continue;
        }
        let Some((first, tail)) = bytes
            .get(bytes.len() - span..)
            .and_then(|tail| Some((tail.get(..unit)?, tail)))
        else {
            continue;
        };
        if first.windows(2).all(|w| w.first() == w.last()) {
            // A run of one character is padding or a divider, not a loop.
            continue;
        }
        if tail.chunks(unit).all(|c| c == first) {
            // Earlier copies before the ones seen go too: one copy is kept.
            let mut start = bytes.len() - span;
            while start >= unit && bytes.get(start - unit..start) == Some(first) {
                start -= unit;
            }
            let keep = start + unit;
            if text.is_char_boundary(keep) {
                return Some(keep);
            }
        }
    }
    None
}

/// A block of whole lines longer than [`repeated_unit`] looks at (more than 120 bytes, at most
/// 4 KiB) three times in a row at the end, the copies separated by nothing or by blank lines
/// only. Checked at a line's end, for the blocks that start at a line.
fn repeated_block(text: &str) -> Option<usize> {
    const TIMES: usize = 3;
    const LONGEST: usize = 4096;
    let body = text.strip_suffix('\n')?;
    // The copies are compared without the blank lines between them.
    let end = body.trim_end_matches('\n').len();
    let body = body.get(..end)?;
    // From the end back, so a long reply is not walked whole on every token.
    let starts = body
        .rmatch_indices('\n')
        .map(|(i, _)| i + 1)
        .take_while(|&at| end - at <= LONGEST);
    for at in starts {
        let unit = body.get(at..)?;
        if unit.len() <= 120 || !unit.contains('\n') {
            continue;
        }
        // Walk back over the copies before it, blank lines between them allowed.
        let mut start = at;
        let mut copies = 1;
        loop {
            let before = body.get(..start)?.trim_end_matches('\n');
            match before.strip_suffix(unit) {
                Some(rest) if rest.is_empty() || rest.ends_with('\n') => {
                    start = rest.len();
                    copies += 1;
                }
                _ => break,
            }
        }
        if copies >= TIMES {
            // One copy is kept, with the line break that ends it.
            return Some(start + unit.len() + 1);
        }
    }
    None
}

#[cfg(test)]
#[path = "runaway_tests.rs"]
mod tests;
