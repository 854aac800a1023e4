//! Wrapping styled lines to the terminal's width, so that the transcript knows exactly how many
//! rows it has (for scrolling) and narrow terminals stay readable. Breaks at the last space that
//! fits when there is one, else mid-word; continuation rows keep the line's indentation.

use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

/// `line` cut into rows of at most `width` columns.
pub fn wrap_line(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    let width = width.max(8);
    if line.width() <= width {
        return vec![line];
    }
    // (char, style) cells, so breaks can fall anywhere.
    let cells: Vec<(char, ratatui::style::Style)> = line
        .spans
        .iter()
        .flat_map(|s| {
            let style = line.style.patch(s.style);
            s.content.chars().map(move |c| (c, style))
        })
        .collect();
    // Continuation rows hang under the text, past any marker (`› `, `└ `, `▎ `, a diff sign).
    let indent = cells
        .iter()
        .take(8)
        .take_while(|(c, _)| !c.is_alphanumeric() && !"([{<'\"`/.".contains(*c))
        .count()
        .min(width / 2);
    let mut rows = Vec::new();
    let mut start = 0;
    let mut first = true;
    while start < cells.len() {
        let room = if first { width } else { width - indent };
        let mut used = 0;
        let mut end = start;
        let mut last_space = None;
        while let Some(&(c, _)) = cells.get(end) {
            let w = c.width().unwrap_or(0);
            if used + w > room {
                break;
            }
            if c == ' ' {
                last_space = Some(end);
            }
            used += w;
            end += 1;
        }
        if end == start {
            end = start + 1; // a character wider than the room: take it anyway
        } else if end < cells.len() {
            if let Some(space) = last_space.filter(|&s| s > start + room / 3) {
                end = space + 1;
            }
        }
        let mut row: Vec<Span<'static>> = Vec::new();
        if !first && indent > 0 {
            row.push(Span::raw(" ".repeat(indent)));
        }
        for &(c, style) in cells.get(start..end).unwrap_or_default() {
            match row.last_mut() {
                Some(span) if span.style == style => span.content.to_mut().push(c),
                _ => row.push(Span::styled(c.to_string(), style)),
            }
        }
        rows.push(Line::from(row));
        start = end;
        first = false;
    }
    rows
}

pub fn wrap_all(lines: Vec<Line<'static>>, width: usize) -> Vec<Line<'static>> {
    lines
        .into_iter()
        .flat_map(|l| wrap_line(l, width))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(rows: &[Line<'_>]) -> Vec<String> {
        rows.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn breaks_at_spaces_and_keeps_indentation() {
        let rows = wrap_line(Line::from("  alpha beta gamma delta epsilon"), 14);
        assert_eq!(
            text(&rows),
            ["  alpha beta ", "  gamma delta ", "  epsilon"]
        );
        let rows = wrap_line(Line::from("› one two three four"), 10);
        assert_eq!(text(&rows), ["› one two ", "  three ", "  four"]);
        assert!(rows.iter().all(|r| r.width() <= 14));
    }

    #[test]
    fn long_words_are_cut_and_wide_characters_counted() {
        let rows = wrap_line(Line::from("abcdefghijklmnopqrstuvwxyz"), 10);
        assert_eq!(text(&rows), ["abcdefghij", "klmnopqrst", "uvwxyz"]);
        let rows = wrap_line(Line::from("日本語のテキストです"), 8);
        assert!(rows.iter().all(|r| r.width() <= 8), "{:?}", text(&rows));
        assert_eq!(text(&rows).concat(), "日本語のテキストです");
    }
}
