//! Whether a change can alter what a program does. A change that only adds imports, touches
//! comments or moves blank space around is no fix candidate: the agent must not run the tests on
//! it (they pass or fail as before) and must never report it as a fix.
//!
//! The comparison is textual and conservative: a file "keeps its behaviour" only when its code
//! lines, with comments and blank lines removed, are the same before and after, and every
//! import it had before is still there. Anything it cannot read as text counts as a real change.

use super::FileChange;

/// True when every change in the set leaves behaviour as it was.
pub fn is_cosmetic(changes: &[FileChange]) -> bool {
    !changes.is_empty() && changes.iter().all(keeps_behaviour)
}

fn keeps_behaviour(change: &FileChange) -> bool {
    let (Some(before), Some(after)) = (&change.before, &change.after) else {
        // A file created or deleted is a real change.
        return false;
    };
    let (Ok(before), Ok(after)) = (std::str::from_utf8(before), std::str::from_utf8(after)) else {
        return false;
    };
    let lang = Lang::of(&change.rel);
    let (imports_before, code_before) = lang.split(before);
    let (imports_after, code_after) = lang.split(after);
    code_before == code_after && imports_before.iter().all(|i| imports_after.contains(i))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Lang {
    /// `#` comments; indentation is significant, so it is kept.
    Python,
    /// `//` and `/* */` comments; white space only separates tokens.
    CLike,
    /// Unknown: only trailing white space and blank lines are ignored.
    Other,
}

impl Lang {
    fn of(path: &str) -> Lang {
        match path.rsplit('.').next().unwrap_or("") {
            "py" | "pyi" => Lang::Python,
            "rs" | "js" | "mjs" | "cjs" | "ts" | "tsx" | "jsx" | "go" | "c" | "h" | "cc"
            | "cpp" | "hpp" | "java" | "kt" | "cs" | "swift" | "scala" => Lang::CLike,
            _ => Lang::Other,
        }
    }

    /// The file's import lines and its code lines, both normalized.
    fn split(self, text: &str) -> (Vec<String>, Vec<String>) {
        let text = match self {
            Lang::CLike => strip_block_comments(text),
            _ => text.to_string(),
        };
        let mut imports = Vec::new();
        let mut code = Vec::new();
        for line in text.lines() {
            let line = match self {
                Lang::Python => strip_line_comment(line, "#").trim_end().to_string(),
                Lang::CLike => collapse(strip_line_comment(line, "//")),
                Lang::Other => line.trim_end().to_string(),
            };
            if line.trim().is_empty() {
                continue;
            }
            if self.is_import(line.trim_start()) {
                imports.push(line.trim().to_string());
            } else {
                code.push(line);
            }
        }
        (imports, code)
    }

    fn is_import(self, line: &str) -> bool {
        match self {
            Lang::Python => {
                line.starts_with("import ")
                    || (line.starts_with("from ") && line.contains(" import "))
            }
            Lang::CLike => {
                (line.starts_with("use ") && line.ends_with(';'))
                    || line.starts_with("import ")
                    || line.starts_with("#include")
            }
            Lang::Other => false,
        }
    }
}

/// `line` up to a comment marker that is not inside a string literal.
fn strip_line_comment<'a>(line: &'a str, marker: &str) -> &'a str {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '"' || c == '\'' || c == '`' => quote = Some(c),
            None if line.get(i..).is_some_and(|rest| rest.starts_with(marker)) => {
                return line.get(..i).unwrap_or(line);
            }
            None => {}
        }
    }
    line
}

/// `/* ... */` comments removed (their line breaks kept, so line structure stays).
fn strip_block_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("/*") {
        out.push_str(rest.get(..start).unwrap_or(""));
        let after = rest.get(start + 2..).unwrap_or("");
        match after.find("*/") {
            Some(end) => {
                let comment = after.get(..end).unwrap_or("");
                out.extend(comment.chars().filter(|c| *c == '\n'));
                rest = after.get(end + 2..).unwrap_or("");
            }
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn collapse(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
#[path = "cosmetic_tests.rs"]
mod tests;
