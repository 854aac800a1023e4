//! The model's answers as styled lines: CommonMark (pulldown-cmark) with headings, emphasis,
//! inline code, lists and fenced code blocks highlighted per language. Line breaks in the text
//! are kept (a model's output is laid out in lines); wrapping happens later, at the width.

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

use super::highlight;

/// Code blocks are set off by this gutter.
pub const CODE_GUTTER: &str = "▎ ";

struct Writer {
    lines: Vec<Line<'static>>,
    current: Vec<Span<'static>>,
    styles: Vec<Style>,
    /// Open lists: the next item number (`None`: bullets).
    lists: Vec<Option<u64>>,
    code: Option<(String, String)>,
}

impl Writer {
    fn style(&self) -> Style {
        self.styles.last().copied().unwrap_or_default()
    }

    fn push_style(&mut self, add: Style) {
        let s = self.style().patch(add);
        self.styles.push(s);
    }

    fn text(&mut self, text: &str) {
        let style = self.style();
        for (i, piece) in text.split('\n').enumerate() {
            if i > 0 {
                self.flush();
            }
            if !piece.is_empty() {
                self.current.push(Span::styled(piece.to_string(), style));
            }
        }
    }

    fn flush(&mut self) {
        let spans = std::mem::take(&mut self.current);
        self.lines.push(Line::from(spans));
    }

    /// End a block: finish the line and leave one blank line (not at the start, not twice).
    fn block_end(&mut self) {
        if !self.current.is_empty() {
            self.flush();
        }
        if self.lines.last().is_some_and(|l| !l.spans.is_empty()) {
            self.lines.push(Line::default());
        }
    }
}

/// A code block's lines, highlighted, behind the gutter.
fn code_lines(code: &str, lang: &str) -> impl Iterator<Item = Line<'static>> {
    highlight::highlight(code, lang).into_iter().map(|line| {
        let mut spans = vec![Span::styled(CODE_GUTTER, Style::new().fg(Color::DarkGray))];
        spans.extend(line.spans);
        Line::from(spans)
    })
}

pub fn render(text: &str) -> Vec<Line<'static>> {
    let mut w = Writer {
        lines: Vec::new(),
        current: Vec::new(),
        styles: Vec::new(),
        lists: Vec::new(),
        code: None,
    };
    let parser = Parser::new_ext(text, Options::ENABLE_STRIKETHROUGH);
    for event in parser {
        if let Some((_, code)) = &mut w.code {
            match event {
                Event::Text(t) => code.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let (lang, code) = w.code.take().unwrap_or_default();
                    w.lines.extend(code_lines(&code, &lang));
                    w.block_end();
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                if !w.current.is_empty() {
                    w.flush();
                }
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                w.code = Some((lang, String::new()));
            }
            Event::Start(Tag::Heading { level, .. }) => {
                let mut style = Style::new().add_modifier(Modifier::BOLD);
                if level == HeadingLevel::H1 {
                    style = style.add_modifier(Modifier::UNDERLINED);
                }
                w.push_style(style);
            }
            Event::End(TagEnd::Heading(_)) => {
                w.styles.pop();
                w.block_end();
            }
            Event::Start(Tag::Emphasis) => {
                w.push_style(Style::new().add_modifier(Modifier::ITALIC))
            }
            Event::Start(Tag::Strong) => w.push_style(Style::new().add_modifier(Modifier::BOLD)),
            Event::Start(Tag::Strikethrough) => {
                w.push_style(Style::new().add_modifier(Modifier::CROSSED_OUT))
            }
            Event::End(TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough) => {
                w.styles.pop();
            }
            Event::Start(Tag::BlockQuote(_)) => {
                w.push_style(Style::new().fg(Color::DarkGray));
            }
            Event::End(TagEnd::BlockQuote(_)) => {
                w.styles.pop();
                w.block_end();
            }
            Event::Start(Tag::List(start)) => {
                if !w.current.is_empty() {
                    w.flush();
                }
                w.lists.push(start);
            }
            Event::End(TagEnd::List(_)) => {
                w.lists.pop();
                if w.lists.is_empty() {
                    w.block_end();
                }
            }
            Event::Start(Tag::Item) => {
                if !w.current.is_empty() {
                    w.flush();
                }
                let depth = w.lists.len().saturating_sub(1);
                let marker = match w.lists.last_mut() {
                    Some(Some(n)) => {
                        *n += 1;
                        format!("{}. ", *n - 1)
                    }
                    _ => "• ".to_string(),
                };
                w.current
                    .push(Span::raw(format!("{}{marker}", "  ".repeat(depth))));
            }
            Event::End(TagEnd::Item) if !w.current.is_empty() => w.flush(),
            Event::End(TagEnd::Paragraph) => {
                if w.lists.is_empty() {
                    w.block_end();
                } else if !w.current.is_empty() {
                    w.flush();
                }
            }
            Event::Text(t) => w.text(&t),
            Event::Code(t) => {
                let style = w.style().fg(Color::Cyan);
                w.current.push(Span::styled(t.to_string(), style));
            }
            Event::SoftBreak | Event::HardBreak => w.flush(),
            Event::Rule => {
                w.block_end();
                w.lines
                    .push(Line::styled("───", Style::new().fg(Color::DarkGray)));
            }
            Event::Html(t) | Event::InlineHtml(t) => w.text(&t),
            _ => {}
        }
    }
    // A fence still open (the answer is streaming) shows what arrived so far.
    if let Some((lang, code)) = w.code.take() {
        w.lines.extend(code_lines(&code, &lang));
    }
    if !w.current.is_empty() {
        w.flush();
    }
    while w.lines.last().is_some_and(|l| l.spans.is_empty()) {
        w.lines.pop();
    }
    w.lines
}
