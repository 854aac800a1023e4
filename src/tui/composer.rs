//! The input box: multi-line text with a cursor, history (Up/Down), and `@path` completion
//! (Tab) from the repository's files.

use unicode_width::UnicodeWidthStr;

#[derive(Debug, Default)]
pub struct Composer {
    text: String,
    /// Byte offset of the cursor in `text` (always on a char boundary).
    cursor: usize,
    history: Vec<String>,
    /// Position while browsing history (`history.len()` = the draft).
    browsing: Option<usize>,
    draft: String,
    /// Completions offered by the last Tab, shown under the box.
    pub offers: Vec<String>,
    /// Slash command names (without the slash) that Tab completes after a leading `/`.
    pub commands: Vec<String>,
}

impl Composer {
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn set_history(&mut self, history: Vec<String>) {
        self.history = history;
    }

    /// The text before the cursor (the cursor is always on a character boundary).
    fn before(&self) -> &str {
        self.text.get(..self.cursor).unwrap_or(&self.text)
    }

    /// The text from the cursor on.
    fn after(&self) -> &str {
        self.text.get(self.cursor..).unwrap_or_default()
    }

    pub fn history(&self) -> &[String] {
        &self.history
    }

    pub fn insert(&mut self, s: &str) {
        let s = s.replace("\r\n", "\n").replace('\r', "\n");
        self.text.insert_str(self.cursor, &s);
        self.cursor += s.len();
        self.offers.clear();
    }

    pub fn backspace(&mut self) {
        if let Some(c) = self.before().chars().next_back() {
            self.cursor -= c.len_utf8();
            self.text.remove(self.cursor);
        }
        self.offers.clear();
    }

    pub fn delete(&mut self) {
        if self.cursor < self.text.len() {
            self.text.remove(self.cursor);
        }
    }

    pub fn left(&mut self) {
        if let Some(c) = self.before().chars().next_back() {
            self.cursor -= c.len_utf8();
        }
    }

    pub fn right(&mut self) {
        if let Some(c) = self.after().chars().next() {
            self.cursor += c.len_utf8();
        }
    }

    pub fn home(&mut self) {
        self.cursor = self.before().rfind('\n').map_or(0, |i| i + 1);
    }

    pub fn end(&mut self) {
        self.cursor += self
            .after()
            .find('\n')
            .unwrap_or(self.text.len() - self.cursor);
    }

    /// Remove the word before the cursor (Ctrl-W).
    pub fn delete_word(&mut self) {
        let before = self.before();
        let trimmed = before.trim_end();
        let start = trimmed
            .rfind(|c: char| c.is_whitespace())
            .map_or(0, |i| i + 1);
        self.text.replace_range(start..self.cursor, "");
        self.cursor = start;
    }

    /// Up: the line above, or the previous history entry from the first line.
    pub fn up(&mut self) {
        if self.before().contains('\n') {
            self.move_line(-1);
            return;
        }
        let pos = self.browsing.unwrap_or(self.history.len());
        if pos == 0 {
            return;
        }
        if self.browsing.is_none() {
            self.draft = self.text.clone();
        }
        self.browsing = Some(pos - 1);
        if let Some(entry) = self.history.get(pos - 1).cloned() {
            self.replace(entry);
        }
    }

    /// Down: the line below, or the next history entry (then the draft) from the last line.
    pub fn down(&mut self) {
        if self.after().contains('\n') {
            self.move_line(1);
            return;
        }
        let Some(pos) = self.browsing else { return };
        if pos + 1 >= self.history.len() {
            self.browsing = None;
            let draft = std::mem::take(&mut self.draft);
            self.replace(draft);
        } else {
            self.browsing = Some(pos + 1);
            if let Some(entry) = self.history.get(pos + 1).cloned() {
                self.replace(entry);
            }
        }
    }

    fn move_line(&mut self, delta: i32) {
        let (row, col) = self.row_col();
        let lines: Vec<&str> = self.text.split('\n').collect();
        let target = (row as i32 + delta).clamp(0, lines.len() as i32 - 1) as usize;
        let mut offset: usize = lines.iter().take(target).map(|l| l.len() + 1).sum();
        let line = lines.get(target).copied().unwrap_or_default();
        let mut width = 0;
        for (i, c) in line.char_indices() {
            if width >= col {
                offset += i;
                self.cursor = offset;
                return;
            }
            width += unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        }
        self.cursor = offset + line.len();
    }

    fn replace(&mut self, text: String) {
        self.cursor = text.len();
        self.text = text;
    }

    /// Take the text to send, remembering it in the history.
    pub fn take(&mut self) -> String {
        let text = std::mem::take(&mut self.text);
        self.cursor = 0;
        self.browsing = None;
        self.offers.clear();
        if !text.trim().is_empty() && self.history.last() != Some(&text) {
            self.history.push(text.clone());
        }
        text
    }

    pub fn clear(&mut self) {
        self.text.clear();
        self.cursor = 0;
        self.browsing = None;
    }

    /// The cursor's row and display column.
    pub fn row_col(&self) -> (usize, usize) {
        let before = self.before();
        let row = before.matches('\n').count();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (row, before.get(line_start..).unwrap_or_default().width())
    }

    pub fn lines(&self) -> Vec<&str> {
        self.text.split('\n').collect()
    }

    /// Complete the `@path` word before the cursor from `files`: a unique match (or a longer
    /// common prefix) is inserted; several are offered.
    pub fn complete(&mut self, files: &[String]) {
        let before = self.before();
        if before.starts_with('/') && !before.contains(char::is_whitespace) {
            return self.complete_command();
        }
        let start = before
            .rfind(|c: char| c.is_whitespace())
            .map_or(0, |i| i + 1);
        let Some(partial) = before.get(start..).and_then(|w| w.strip_prefix('@')) else {
            self.offers.clear();
            return;
        };
        let partial_len = partial.len();
        let mut matches: Vec<&String> = files.iter().filter(|f| f.starts_with(partial)).collect();
        if matches.is_empty() {
            let lower = partial.to_lowercase();
            matches = files
                .iter()
                .filter(|f| f.to_lowercase().contains(&lower))
                .collect();
        }
        let replacement = match matches.as_slice() {
            [] => {
                self.offers.clear();
                return;
            }
            [one] => format!("@{one} "),
            many => {
                let common = common_prefix(many);
                self.offers = many.iter().take(8).map(|s| s.to_string()).collect();
                if common.len() <= partial_len {
                    return;
                }
                format!("@{common}")
            }
        };
        self.text.replace_range(start..self.cursor, &replacement);
        self.cursor = start + replacement.len();
        if !replacement.ends_with(' ') {
            return;
        }
        self.offers.clear();
    }
}

impl Composer {
    /// Complete the `/name` being typed from [`Composer::commands`].
    fn complete_command(&mut self) {
        let partial = self.before().trim_start_matches('/').to_string();
        let matches: Vec<&String> = self
            .commands
            .iter()
            .filter(|c| c.starts_with(&partial))
            .collect();
        let replacement = match matches.as_slice() {
            [] => {
                self.offers.clear();
                return;
            }
            [one] => format!("/{one} "),
            many => {
                self.offers = many.iter().take(8).map(|c| format!("/{c}")).collect();
                let common = common_prefix(many);
                if common.len() <= partial.len() {
                    return;
                }
                format!("/{common}")
            }
        };
        self.text.replace_range(..self.cursor, &replacement);
        self.cursor = replacement.len();
        if replacement.ends_with(' ') {
            self.offers.clear();
        }
    }
}

fn common_prefix(items: &[&String]) -> String {
    let Some((first, rest)) = items.split_first() else {
        return String::new();
    };
    let mut end = first.len();
    for s in rest {
        end = end.min(
            first
                .char_indices()
                .zip(s.chars())
                .find(|((_, a), b)| a != b)
                .map_or(first.len().min(s.len()), |((i, _), _)| i),
        );
    }
    first.get(..end).unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_browses_and_returns_to_the_draft() {
        let mut c = Composer::default();
        c.insert("first");
        c.take();
        c.insert("second");
        c.take();
        c.insert("dra");
        c.up();
        assert_eq!(c.text(), "second");
        c.up();
        assert_eq!(c.text(), "first");
        c.down();
        c.down();
        assert_eq!(c.text(), "dra");
    }

    #[test]
    fn multi_line_editing_moves_between_lines() {
        let mut c = Composer::default();
        c.insert("abc\nde");
        assert_eq!(c.row_col(), (1, 2));
        c.up();
        assert_eq!(c.row_col(), (0, 2));
        c.insert("X");
        assert_eq!(c.text(), "abXc\nde");
        c.down();
        c.backspace();
        assert_eq!(c.text(), "abXc\nd");
    }

    #[test]
    fn at_paths_complete_from_the_repository() {
        let files: Vec<String> = ["src/parser.rs", "src/lexer.rs", "README.md"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut c = Composer::default();
        c.insert("look at @src/p");
        c.complete(&files);
        assert_eq!(c.text(), "look at @src/parser.rs ");
        let mut c = Composer::default();
        c.insert("@src/");
        c.complete(&files);
        assert_eq!(c.offers.len(), 2);
        let mut c = Composer::default();
        c.insert("@read");
        c.complete(&files);
        assert_eq!(c.text(), "@README.md ");
    }
}
