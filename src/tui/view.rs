//! Drawing the app: the transcript (wrapped to the width, scrolled from the bottom), the activity
//! line with a progress bar and time estimate, the composer or the approval prompt, and the
//! status bar. Works on any ratatui backend (the terminal, or `TestBackend` in tests).

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use super::app::App;
use super::cells::spinner;
use super::wrap::wrap_all;
use crate::sandbox::approval::Question;

/// The composer shows at most this many rows of text.
const COMPOSER_ROWS: usize = 6;

fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

pub fn draw(frame: &mut Frame<'_>, app: &App) {
    let area = frame.area();
    let composer_rows = if app.pending.is_some() {
        1
    } else {
        app.composer.lines().len().clamp(1, COMPOSER_ROWS)
    };
    let activity = u16::from(app.busy.is_some() || app.progress.is_some());
    let offers = u16::from(!app.composer.offers.is_empty() && app.pending.is_none());
    let [transcript, activity_area, input, offers_area, status] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(activity),
        Constraint::Length(composer_rows as u16 + 2),
        Constraint::Length(offers),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_transcript(frame, transcript, app);
    if activity > 0 {
        frame.render_widget(
            Paragraph::new(activity_line(app, area.width)),
            activity_area,
        );
    }
    if app.pending.is_some() {
        draw_approval(frame, input, app);
    } else {
        draw_composer(frame, input, app);
    }
    if offers > 0 {
        let text = format!("  {}", app.composer.offers.join("  "));
        frame.render_widget(Paragraph::new(Line::styled(text, dim())), offers_area);
    }
    frame.render_widget(Paragraph::new(status_line(app, area.width)), status);
}

/// The last transcript rows at this width: at least `need` of them when the transcript has
/// that many (only the cells that reach that far are drawn, so a long session stays cheap), and
/// whether they are all there is.
pub fn transcript_rows(app: &App, width: u16, need: usize) -> (Vec<Line<'static>>, bool) {
    let now = app.now();
    let mut chunks: Vec<Vec<Line<'static>>> = Vec::new();
    let mut count = 0;
    for cell in app.cells.iter().rev() {
        if count >= need {
            return (chunks.into_iter().rev().flatten().collect(), false);
        }
        let rows = wrap_all(cell.lines(app.expanded, now), width as usize);
        count += rows.len();
        chunks.push(rows);
    }
    (chunks.into_iter().rev().flatten().collect(), true)
}

fn draw_transcript(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let height = area.height as usize;
    let (rows, all) = transcript_rows(app, area.width, height + app.scroll);
    let max_scroll = rows.len().saturating_sub(height);
    let scroll = app.scroll.min(max_scroll);
    let end = rows.len() - scroll;
    let start = end.saturating_sub(height);
    let mut visible: Vec<Line<'static>> = rows.get(start..end).unwrap_or_default().to_vec();
    if scroll > 0 {
        if let Some(first) = visible.first_mut() {
            let above = if all && start == 0 {
                "top".to_string()
            } else {
                "↑ more above".to_string()
            };
            *first = Line::styled(
                format!("{above} · ↓ {scroll} rows below (PgDn)"),
                dim().add_modifier(Modifier::REVERSED),
            );
        }
    }
    frame.render_widget(Paragraph::new(visible), area);
}

/// A text progress bar `width` cells wide.
fn bar(fraction: f32, width: usize) -> String {
    let filled = ((fraction.clamp(0.0, 1.0) * width as f32).round() as usize).min(width);
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

fn activity_line(app: &App, width: u16) -> Line<'static> {
    let now = app.now();
    if let Some(p) = &app.progress {
        let elapsed = now.duration_since(p.started).as_secs_f64();
        let eta = if p.fraction > 0.02 && elapsed > 1.0 {
            let left = elapsed * f64::from(1.0 - p.fraction) / f64::from(p.fraction);
            format!(" · ~{left:.0} s left")
        } else {
            String::new()
        };
        let bar_width = (width as usize / 4).clamp(10, 30);
        return Line::from(vec![
            Span::styled(format!(" {} ", p.what), Style::new().fg(Color::Yellow)),
            Span::styled(bar(p.fraction, bar_width), Style::new().fg(Color::Yellow)),
            Span::raw(format!(" {:.0}%{eta}", p.fraction * 100.0)),
        ]);
    }
    let Some((label, since)) = &app.busy else {
        return Line::default();
    };
    let label = if app.pending.is_some() {
        "waiting for your answer"
    } else {
        label.as_str()
    };
    Line::from(vec![
        Span::styled(
            format!(" {} ", spinner(now, *since)),
            Style::new().fg(Color::Yellow),
        ),
        Span::raw(label.to_string()),
        Span::styled(
            format!(
                " · {:.0} s · Ctrl+C cancels",
                now.duration_since(*since).as_secs_f64()
            ),
            dim(),
        ),
    ])
}

fn draw_composer(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let block = Block::bordered()
        .border_style(dim())
        .title(Span::styled(" cria ", Style::new().fg(Color::Cyan)));
    let inner = block.inner(area);
    let (row, col) = app.composer.row_col();
    let lines = app.composer.lines();
    let rows = inner.height as usize;
    let first = (row + 1).saturating_sub(rows);
    let text: Vec<Line<'static>> = if app.composer.is_empty() {
        vec![Line::styled(
            "Describe a bug to fix or a change to make · /help",
            dim(),
        )]
    } else {
        lines
            .iter()
            .skip(first)
            .take(rows)
            .map(|l| Line::from(l.to_string()))
            .collect()
    };
    frame.render_widget(Paragraph::new(text).block(block), area);
    let x = inner.x + (col as u16).min(inner.width.saturating_sub(1));
    let y = inner.y + (row - first) as u16;
    frame.set_cursor_position((x, y));
}

fn draw_approval(frame: &mut Frame<'_>, area: Rect, app: &App) {
    let (title, keys) = match app.pending.as_ref().map(|a| &a.question) {
        Some(Question::Command { .. }) => (" Run this command? ", "y run · n decline"),
        Some(Question::Tool { .. }) => (" Call this MCP tool? ", "y call · n decline"),
        Some(Question::Plan { .. }) => (" Carry out this plan? ", "y go ahead · n not now"),
        _ => (" Apply this change? ", "y apply · n reject"),
    };
    let block = Block::bordered()
        .border_style(Style::new().fg(Color::Yellow))
        .title(Span::styled(
            title,
            Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
        ));
    let text = Line::from(vec![
        Span::styled(keys, Style::new().add_modifier(Modifier::BOLD)),
        Span::styled(" · PgUp/PgDn scroll · Ctrl+C cancel", dim()),
    ]);
    frame.render_widget(Paragraph::new(text).block(block), area);
}

/// Thousands as `12.3k`.
fn kilo(n: usize) -> String {
    if n >= 1000 {
        format!("{:.1}k", n as f64 / 1000.0)
    } else {
        n.to_string()
    }
}

pub fn status_line(app: &App, width: u16) -> Line<'static> {
    let sep = Span::styled(" │ ", dim());
    // (importance, spans): 9 always stays.
    let mut segments: Vec<(u8, Vec<Span<'static>>)> = Vec::new();
    // A long model file name gives way first on a narrow terminal.
    let model = app.model.clone().unwrap_or_else(|| "loading…".into());
    let model = if width < 100 {
        super::cells::first_line(&model, 22)
    } else {
        model
    };
    let model = Span::styled(format!(" {model}"), Style::new().fg(Color::Cyan));
    segments.push((9, vec![model]));
    if app.window > 0 {
        let share = app.used as f64 / app.window as f64;
        let style = if share > 0.85 {
            Style::new().fg(Color::Red)
        } else {
            Style::new()
        };
        segments.push((
            3,
            vec![Span::styled(
                format!("ctx {}/{}", kilo(app.used), kilo(app.window)),
                style,
            )],
        ));
    }
    if let Some(tps) = app.tokens_per_second {
        segments.push((1, vec![Span::raw(format!("{tps:.1} tok/s"))]));
    }
    match &app.info.test_cmd {
        Some(cmd) => {
            let mut seg = vec![Span::raw(format!(
                "tests: {}",
                super::cells::first_line(cmd, 24)
            ))];
            match app.last_tests {
                Some(true) => seg.push(Span::styled(" ✓", Style::new().fg(Color::Green))),
                Some(false) => seg.push(Span::styled(" ✗", Style::new().fg(Color::Red))),
                None => {}
            }
            segments.push((2, seg));
        }
        None => segments.push((2, vec![Span::styled("no tests", dim())])),
    }
    segments.push((
        9,
        vec![if app.info.sandboxed {
            Span::styled("sandbox on", Style::new().fg(Color::Green))
        } else {
            Span::styled("sandbox OFF", Style::new().fg(Color::Red))
        }],
    ));
    // Drop the least important segments (speed, then tests, then context) until it fits.
    let fits = |segs: &[(u8, Vec<Span<'static>>)]| {
        let w: usize = segs.iter().flat_map(|s| &s.1).map(|s| s.width()).sum();
        w + 3 * segs.len() <= width as usize
    };
    while !fits(&segments) {
        let Some(least) = segments
            .iter()
            .enumerate()
            .filter(|(_, s)| s.0 < 9)
            .min_by_key(|(_, s)| s.0)
            .map(|(i, _)| i)
        else {
            break;
        };
        segments.remove(least);
    }
    let mut spans = Vec::new();
    for (i, (_, seg)) in segments.into_iter().enumerate() {
        if i > 0 {
            spans.push(sep.clone());
        }
        spans.extend(seg);
    }
    Line::from(spans).style(Style::new().bg(Color::Black))
}
