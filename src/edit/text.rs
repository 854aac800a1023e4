//! A text file's bytes split into what edits work on (UTF-8, `\n` line endings, always ending in a
//! newline) and the conventions to restore on write: BOM, CRLF, final newline.

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
    crlf: bool,
    final_newline: bool,
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
        let crlf = text.contains("\r\n");
        let mut body = if crlf {
            text.replace("\r\n", "\n")
        } else {
            text.to_string()
        };
        let final_newline = body.is_empty() || body.ends_with('\n');
        if !final_newline {
            body.push('\n');
        }
        Ok(FileText {
            body,
            bom,
            crlf,
            final_newline,
        })
    }

    /// A new file's conventions: whatever the model wrote, `\n` endings.
    pub fn new_file(body: String) -> FileText {
        FileText {
            body,
            bom: false,
            crlf: false,
            final_newline: true,
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
        if !self.final_newline {
            body = body.strip_suffix('\n').unwrap_or(body);
        }
        let mut out = String::with_capacity(body.len() + 8);
        if self.bom {
            out.push_str(BOM);
        }
        if self.crlf {
            out.push_str(&body.replace('\n', "\r\n"));
        } else {
            out.push_str(body);
        }
        out.into_bytes()
    }
}

#[cfg(test)]
#[path = "text_tests.rs"]
mod tests;
