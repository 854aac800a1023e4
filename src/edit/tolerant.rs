//! The two matching levels that accept a SEARCH whose lines differ from the file's in more than
//! trailing space (see [`super::matching`]): indentation that differs line by line, and
//! typographic punctuation. Both build the replacement the same way: the lines the REPLACE keeps
//! from the SEARCH are written as the file has them, byte for byte, and only the lines the model
//! changed come from the REPLACE, indented to fit where they land.

use similar::{capture_diff_slices, Algorithm, DiffOp};

/// `line` with typographic punctuation read as its ASCII look-alike (dashes, non-breaking
/// hyphens, curly quotes, non-breaking and other unusual spaces), as models type them.
pub fn fold(line: &str) -> String {
    line.chars()
        .map(|c| match c {
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
            | '\u{2212}' => '-',
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' => '"',
            '\u{00A0}' | '\u{2002}' | '\u{2003}' | '\u{2007}' | '\u{2009}' | '\u{202F}' => ' ',
            other => other,
        })
        .collect()
}

/// The replacement for `actual` (the file's lines that matched `wanted`, the SEARCH's lines):
/// REPLACE lines equal to a SEARCH line (once indentation and punctuation are set aside) are the
/// file's own line; new lines take the file's indentation shifted as the REPLACE shifts it from
/// the nearest kept line before them.
pub fn keep_file_lines(actual: &[&str], wanted: &[&str], replace: &str) -> String {
    let new: Vec<&str> = replace.split_inclusive('\n').collect();
    let key = |l: &&str| fold(l.trim());
    let old_keys: Vec<String> = wanted.iter().map(key).collect();
    let new_keys: Vec<String> = new.iter().map(key).collect();
    let mut out = String::new();
    // The last SEARCH line kept, as (its index in `wanted`): where new lines take their indent.
    let mut reference = first_non_blank(wanted);
    for op in capture_diff_slices(Algorithm::Myers, &old_keys, &new_keys) {
        match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } => {
                for k in 0..len {
                    let (Some(file_line), Some(search_line), Some(new_line)) = (
                        actual.get(old_index + k),
                        wanted.get(old_index + k),
                        new.get(new_index + k),
                    ) else {
                        continue;
                    };
                    if file_line.trim().is_empty() {
                        out.push_str(file_line);
                        continue;
                    }
                    // The file's own text, moved only if the REPLACE moved it.
                    let indent = indent_for(new_line, search_line, file_line);
                    out.push_str(&indent);
                    out.push_str(file_line.trim_start());
                    reference = old_index + k;
                }
            }
            DiffOp::Delete { .. } => {}
            DiffOp::Insert {
                new_index, new_len, ..
            }
            | DiffOp::Replace {
                new_index, new_len, ..
            } => {
                for line in new.iter().skip(new_index).take(new_len) {
                    out.push_str(&shifted(line, wanted.get(reference), actual.get(reference)));
                }
            }
        }
    }
    out
}

fn first_non_blank(lines: &[&str]) -> usize {
    lines.iter().position(|l| !l.trim().is_empty()).unwrap_or(0)
}

fn indent_of(line: &str) -> &str {
    line.get(..line.len() - line.trim_start().len())
        .unwrap_or("")
}

/// `line` re-indented to fit the file (see [`indent_for`]).
fn shifted(line: &str, search_ref: Option<&&str>, file_ref: Option<&&str>) -> String {
    if line.trim().is_empty() {
        return line.trim_start_matches([' ', '\t']).to_string();
    }
    let (Some(search_ref), Some(file_ref)) = (search_ref, file_ref) else {
        return line.to_string();
    };
    format!(
        "{}{}",
        indent_for(line, search_ref, file_ref),
        line.trim_start()
    )
}

/// The file's indentation of a reference line, plus (or minus) however much deeper (or
/// shallower) `line` is than the reference line's SEARCH copy.
fn indent_for(line: &str, search_ref: &str, file_ref: &str) -> String {
    let (ours, theirs, base) = (indent_of(line), indent_of(search_ref), indent_of(file_ref));
    if let Some(extra) = ours.strip_prefix(theirs) {
        format!("{base}{extra}")
    } else {
        // Shallower than the reference: drop as many characters of the file's indentation.
        let less = theirs.chars().count().saturating_sub(ours.chars().count());
        let keep = base.chars().count().saturating_sub(less);
        base.chars().take(keep).collect()
    }
}

#[cfg(test)]
#[path = "tolerant_tests.rs"]
mod tests;
