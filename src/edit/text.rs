//! A text file's bytes split into what edits work on (UTF-8, `\n` line endings, always ending in a
//! newline) and the conventions to restore on write: BOM, CRLF, final newline.
//!
//! A file that mixes CRLF and LF lines keeps each line's own ending: lines an edit leaves alone
//! are written back byte for byte, and new lines take the ending of the lines they replace (or,
//! where they are only inserted, of the line before them).

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("is a binary file")]
    Binary,
    #[error("is not valid UTF-8 text")]
    NotUtf8,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileText {
    /// Normalized content: `\n` line endings, a final `\n` unless empty.
    pub body: String,
    bom: bool,
    /// CRLF is the dominant ending.
    crlf: bool,
    final_newline: bool,
    /// For a file with both endings: its normalized body as read and each line's ending.
    mixed: Option<Mixed>,
    /// For a file without a final newline: its normalized body as read. Cutting lines off its
    /// end leaves the new last line's newline in place (the missing one belonged to the line
    /// that went).
    unterminated: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Mixed {
    body: String,
    crlf: Vec<bool>,
}

const BOM: &str = "\u{feff}";

impl FileText {
    pub fn decode(bytes: &[u8]) -> Result<FileText, TextError> {
        if bytes.contains(&0) {
            return Err(TextError::Binary);
        }
        let text = std::str::from_utf8(bytes).map_err(|_| TextError::NotUtf8)?;
        let (bom, text) = match text.strip_prefix(BOM) {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let endings: Vec<bool> = text
            .split_inclusive('\n')
            .filter(|l| l.ends_with('\n'))
            .map(|l| l.ends_with("\r\n"))
            .collect();
        let crlf_lines = endings.iter().filter(|c| **c).count();
        let crlf = crlf_lines * 2 > endings.len();
        let mut body = if crlf_lines > 0 {
            text.replace("\r\n", "\n")
        } else {
            text.to_string()
        };
        let mixed = (crlf_lines > 0 && crlf_lines < endings.len()).then(|| Mixed {
            body: body.clone(),
            crlf: endings,
        });
        let final_newline = body.is_empty() || body.ends_with('\n');
        if !final_newline {
            body.push('\n');
        }
        let unterminated = (!final_newline).then(|| body.clone());
        Ok(FileText {
            body,
            bom,
            crlf,
            final_newline,
            mixed,
            unterminated,
        })
    }

    /// A new file's conventions: whatever the model wrote, `\n` endings.
    pub fn new_file(body: String) -> FileText {
        FileText {
            body,
            bom: false,
            crlf: false,
            final_newline: true,
            mixed: None,
            unterminated: None,
        }
    }

    pub fn with_body(&self, body: String) -> FileText {
        FileText {
            body,
            ..self.clone()
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut body = self.body.as_str();
        let tail_cut = self
            .unterminated
            .as_deref()
            .is_some_and(|was| was.len() > body.len() && was.starts_with(body));
        if !self.final_newline && !tail_cut {
            body = body.strip_suffix('\n').unwrap_or(body);
        }
        let mut out = String::with_capacity(body.len() + 8);
        if self.bom {
            out.push_str(BOM);
        }
        match &self.mixed {
            Some(mixed) => out.push_str(&mixed.endings_for(body, self.crlf)),
            None if self.crlf => out.push_str(&body.replace('\n', "\r\n")),
            None => out.push_str(body),
        }
        out.into_bytes()
    }
}

impl Mixed {
    /// `body` (normalized) with each line's ending chosen as the module doc says.
    fn endings_for(&self, body: &str, dominant: bool) -> String {
        use similar::{capture_diff_slices, Algorithm, DiffOp};
        let old: Vec<&str> = self.body.split_inclusive('\n').collect();
        let new: Vec<&str> = body.split_inclusive('\n').collect();
        let ending_of = |i: usize| self.crlf.get(i).copied().unwrap_or(dominant);
        let mut crlf = vec![dominant; new.len()];
        for op in capture_diff_slices(Algorithm::Myers, &old, &new) {
            match op {
                DiffOp::Equal {
                    old_index,
                    new_index,
                    len,
                } => {
                    let new_lines = crlf.iter_mut().skip(new_index).take(len);
                    for (k, ending) in new_lines.enumerate() {
                        *ending = ending_of(old_index + k);
                    }
                }
                DiffOp::Replace {
                    old_index,
                    old_len,
                    new_index,
                    new_len,
                } => {
                    let new_lines = crlf.iter_mut().skip(new_index).take(new_len);
                    for (k, ending) in new_lines.enumerate() {
                        *ending = ending_of(old_index + k.min(old_len.saturating_sub(1)));
                    }
                }
                DiffOp::Insert {
                    old_index,
                    new_index,
                    new_len,
                } => {
                    let near = old_index.saturating_sub(1);
                    for ending in crlf.iter_mut().skip(new_index).take(new_len) {
                        *ending = ending_of(near);
                    }
                }
                DiffOp::Delete { .. } => {}
            }
        }
        new.iter()
            .zip(crlf)
            .map(|(line, crlf)| match line.strip_suffix('\n') {
                Some(text) if crlf => format!("{text}\r\n"),
                _ => line.to_string(),
            })
            .collect()
    }
}

#[cfg(test)]
#[path = "text_tests.rs"]
mod tests;
