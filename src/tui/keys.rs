//! Keys and slash commands.
//!
//! Enter sends; Alt+Enter, Shift+Enter or Ctrl+J start a new line; Up/Down browse the history;
//! Tab completes `@path`; PageUp/PageDown scroll; Ctrl+O expands tool output. While a change or
//! a command waits for approval, `y` accepts and `n` (or Esc) rejects. Ctrl+C cancels the step in
//! progress (the session stays); a second Ctrl+C within two seconds exits.

use std::time::Duration;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::app::App;
use super::cells::{Cell, ChangeState};
use crate::protocol::Op;

pub const HELP: &str = "\
Type what is wrong (or what to change) and press Enter; cria works until the tests pass.
  /help            this list
  /diff            every change this session
  /undo            revert the last change set
  /clear           clear the transcript and start a new conversation
  /context [TEXT]  what of the repository goes into the model's window
  /model [NAME]    the model in use, or load another (tier name or GGUF path)
  /tests           run the tests now
  /plan TEXT       plan first (read-only); the work starts once you accept the plan
  /NAME [ARGS]     your own command: .cria/commands/NAME.md ($ARGUMENTS replaced by ARGS)
  /quit            exit (so does Ctrl+C twice, or Ctrl+D on an empty line)
Keys: Enter send · Alt+Enter newline · Up/Down history · Tab @path completion ·
      PgUp/PgDn scroll · Ctrl+O expand tool output · y/n answer an approval · Ctrl+C cancel";

/// The names Tab completes after `/`: cria's own, then the custom ones.
pub fn command_names(custom: &[super::custom::Custom]) -> Vec<String> {
    [
        "help", "diff", "undo", "clear", "context", "model", "tests", "plan", "quit",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain(custom.iter().map(|c| c.name.clone()))
    .collect()
}

/// `/help`: cria's commands, then the custom ones with where they come from.
fn help(app: &App) -> String {
    let mut text = HELP.to_string();
    if !app.commands.is_empty() {
        text.push_str("\nYour commands (.cria/commands/, ~/.config/cria/commands/):");
        for c in &app.commands {
            text.push_str(&format!("\n  /{:<15} {}", c.name, c.description));
        }
    }
    text
}

const DOUBLE_PRESS: Duration = Duration::from_secs(2);
/// Rows one PageUp scrolls.
const PAGE: usize = 10;

pub fn on_paste(app: &mut App, text: &str) {
    if app.pending.is_none() {
        app.composer.insert(text);
    }
}

pub fn on_key(app: &mut App, key: KeyEvent) {
    if key.kind == KeyEventKind::Release {
        return;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && key.code == KeyCode::Char('c') {
        return ctrl_c(app);
    }
    if ctrl && key.code == KeyCode::Char('o') {
        app.expanded = !app.expanded;
        return;
    }
    if app.pending.is_some() {
        match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => app.answer(true),
            KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => app.answer(false),
            KeyCode::PageUp => app.scroll += PAGE,
            KeyCode::PageDown => app.scroll = app.scroll.saturating_sub(PAGE),
            _ => {}
        }
        return;
    }
    let newline = key
        .modifiers
        .intersects(KeyModifiers::ALT | KeyModifiers::SHIFT);
    match key.code {
        KeyCode::Enter if newline => app.composer.insert("\n"),
        KeyCode::Char('j') if ctrl => app.composer.insert("\n"),
        KeyCode::Enter => submit(app),
        KeyCode::Char('d') if ctrl && app.composer.is_empty() => app.quit = true,
        KeyCode::Char('w') if ctrl => app.composer.delete_word(),
        KeyCode::Char('a') if ctrl => app.composer.home(),
        KeyCode::Char('e') if ctrl => app.composer.end(),
        KeyCode::Char('u') if ctrl => app.composer.clear(),
        KeyCode::Char(c) if !ctrl => app.composer.insert(&c.to_string()),
        KeyCode::Tab => {
            let files = std::mem::take(&mut app.files);
            app.composer.complete(&files);
            app.files = files;
        }
        KeyCode::Backspace => app.composer.backspace(),
        KeyCode::Delete => app.composer.delete(),
        KeyCode::Left => app.composer.left(),
        KeyCode::Right => app.composer.right(),
        KeyCode::Home => app.composer.home(),
        KeyCode::End => app.composer.end(),
        KeyCode::Up => app.composer.up(),
        KeyCode::Down => app.composer.down(),
        KeyCode::PageUp => app.scroll += PAGE,
        KeyCode::PageDown => app.scroll = app.scroll.saturating_sub(PAGE),
        KeyCode::Esc => app.composer.offers.clear(),
        _ => {}
    }
}

fn ctrl_c(app: &mut App) {
    let now = app.now();
    let again = app
        .last_ctrl_c
        .is_some_and(|t| now.duration_since(t) < DOUBLE_PRESS);
    app.last_ctrl_c = Some(now);
    if again {
        app.cancel();
        app.quit = true;
        return;
    }
    if app.busy.is_some() {
        app.cancel();
        app.note("cancelling… (Ctrl+C again to exit)");
    } else if !app.composer.is_empty() {
        app.composer.clear();
    } else {
        app.note("press Ctrl+C again to exit");
    }
}

fn submit(app: &mut App) {
    let text = app.composer.text().trim().to_string();
    if text.is_empty() {
        return;
    }
    if let Some(command) = text.strip_prefix('/') {
        app.composer.take();
        return slash(app, command);
    }
    if app.busy.is_some() {
        app.note("still working on the last request: wait, or press Ctrl+C to cancel it");
        return;
    }
    app.composer.take();
    app.send_request(text);
}

fn slash(app: &mut App, command: &str) {
    let (name, arg) = command
        .split_once(char::is_whitespace)
        .map_or((command, ""), |(n, a)| (n, a.trim()));
    let busy = app.busy.is_some();
    let needs_worker =
        matches!(name, "undo" | "context" | "tests") || (name == "model" && !arg.is_empty());
    if busy && needs_worker {
        app.note(format!(
            "/{name} waits until the current step ends (Ctrl+C cancels it)"
        ));
        return;
    }
    match name {
        "help" | "?" => {
            let text = help(app);
            app.note(text);
        }
        "quit" | "exit" | "q" => app.quit = true,
        "diff" => {
            if app.diffs.is_empty() {
                app.note("no changes in this session");
            } else {
                let diff = app.diffs.concat();
                app.push(Cell::Change {
                    diff,
                    state: ChangeState::Session,
                });
            }
        }
        "undo" => app.start(Op::Undo, "undoing"),
        "clear" => {
            app.cells.clear();
            app.earlier.clear();
            app.scroll = 0;
            app.note("cleared: a new conversation starts (changes stay; /undo reverts them)");
        }
        "context" => {
            let focus = if arg.is_empty() {
                app.earlier
                    .last()
                    .cloned()
                    .unwrap_or_else(|| "overview of the repository".into())
            } else {
                arg.to_string()
            };
            let used = if app.window > 0 {
                format!("last reply used {} of {} tokens", app.used, app.window)
            } else {
                "no model loaded".into()
            };
            app.note(format!("context window: {used}"));
            app.start(Op::Context { focus }, "packing the context");
        }
        "model" if arg.is_empty() => {
            let model = app.model.clone().unwrap_or_else(|| "none loaded".into());
            app.note(format!(
                "model: {model} ({} tokens of context); /model NAME loads another (mini, nano, test or a GGUF path)",
                app.window
            ));
        }
        "model" => {
            app.model = None;
            app.start(
                Op::LoadModel {
                    spec: arg.to_string(),
                },
                "loading the model",
            );
        }
        "tests" => app.start(Op::RunTests, "running the tests"),
        "plan" if arg.is_empty() => app.note(
            "/plan TEXT: the model reads the code and proposes a plan; nothing changes until you accept it",
        ),
        "plan" if busy => app.note("/plan waits until the current request ends (Ctrl+C cancels it)"),
        "plan" => app.send_plan(arg.to_string()),
        other => match app.commands.iter().find(|c| c.name == other) {
            Some(_) if busy => app.note(format!(
                "/{other} waits until the current request ends (Ctrl+C cancels it)"
            )),
            Some(custom) => {
                let request = custom.expand(arg);
                app.send_request(request);
            }
            None => app.warn(format!("unknown command /{other}; /help lists them")),
        },
    }
}
