//! `cria` with no subcommand: the interactive TUI (ratatui on crossterm).
//!
//! The UI thread only draws and reads keys; the model and the tools run on the worker
//! ([`engine`]), which drives the same agent as `cria fix` and reports through the protocol's
//! events. The loop ([`event_loop`]) is generic over the ratatui backend, so tests run it on
//! `TestBackend`. The terminal is restored on every exit, panics included; while the TUI owns the
//! screen, stderr (llama.cpp's and any library's messages) goes to a log in the state folder.

pub mod app;
pub mod cells;
pub mod composer;
pub mod custom;
pub mod engine;
pub mod highlight;
pub mod keys;
pub mod markdown;
pub mod store;
pub mod view;
pub mod wrap;

use std::io::{self, IsTerminal};
use std::time::Duration;

use crossbeam_channel::Receiver;
use ratatui::crossterm::event::{self as cevent, Event as CEvent};
use ratatui::crossterm::execute;
use ratatui::{backend::Backend, Terminal};

pub use app::App;
use engine::Update;

use crate::config::Config;
use crate::exit::ExitCode;

/// Updates applied per frame at most, so a fast stream cannot starve the keyboard.
const UPDATES_PER_FRAME: usize = 512;
/// How long the loop waits for a key before redrawing (the spinner's pace).
const TICK: Duration = Duration::from_millis(80);

/// Run the app until it quits: draw, apply the worker's updates, read input.
pub fn event_loop<B: Backend>(
    terminal: &mut Terminal<B>,
    app: &mut App,
    updates: &Receiver<Update>,
    mut input: impl FnMut(Duration) -> io::Result<Option<CEvent>>,
) -> io::Result<()> {
    loop {
        terminal
            .draw(|f| view::draw(f, app))
            .map_err(|e| io::Error::other(e.to_string()))?;
        if app.quit {
            return Ok(());
        }
        let mut applied = 0;
        while applied < UPDATES_PER_FRAME {
            match updates.try_recv() {
                Ok(u) => app.update(u),
                Err(_) => break,
            }
            applied += 1;
        }
        let wait = if applied > 0 { Duration::ZERO } else { TICK };
        match input(wait)? {
            Some(CEvent::Key(key)) => keys::on_key(app, key),
            Some(CEvent::Paste(text)) => keys::on_paste(app, &text),
            _ => {}
        }
    }
}

/// crossterm's input: the next event within `wait`, if any.
fn terminal_input(wait: Duration) -> io::Result<Option<CEvent>> {
    if cevent::poll(wait)? {
        return cevent::read().map(Some);
    }
    Ok(None)
}

pub fn run(mut cfg: Config, resume: bool) -> ExitCode {
    if !io::stdin().is_terminal() || !io::stdout().is_terminal() {
        eprintln!(
            "cria: the interactive mode needs a terminal; for scripts use `cria fix \"...\"`"
        );
        return ExitCode::Usage;
    }
    let mcp_problems = cfg.start_mcp();
    let root = cfg.fix.root.path().to_path_buf();
    let info = app::Info {
        repo: root.display().to_string(),
        test_cmd: cfg.fix.test_cmd.clone(),
        sandbox: cfg.fix.runner.describe(),
        sandboxed: cfg.fix.runner.enforced(),
    };
    let engine = engine::start(cfg);
    let mut app = App::new(info, engine.ops.clone());
    app.files = crate::context::scan::list_files(&root);
    app.commands = custom::load(&root);
    app.composer.commands = keys::command_names(&app.commands);
    app.save_to = Some(root.clone());
    if resume {
        match store::load(&root) {
            Ok(saved) => app.restore(saved),
            Err(e) => app.warn(format!("--resume: {e}")),
        }
    }
    welcome(&mut app);
    for problem in mcp_problems {
        app.warn(problem);
    }

    let log = crate::state::repo_state_dir(&root).join("tui.log");
    let stderr = StderrToFile::open(&log);
    let mut terminal = match ratatui::try_init() {
        Ok(t) => t,
        Err(e) => {
            drop(stderr);
            eprintln!("cria: cannot start the terminal UI: {e}");
            return ExitCode::Usage;
        }
    };
    if let Some(saved) = stderr.as_ref().map(|s| s.saved) {
        // A panic's message must reach the real stderr, after the terminal is restored.
        let restore_terminal = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // SAFETY: dup2 on descriptors this process owns.
            unsafe { libc::dup2(saved, 2) };
            restore_terminal(info);
        }));
    }
    let _ = execute!(io::stdout(), cevent::EnableBracketedPaste);
    // Terminals that speak the kitty keyboard protocol report Shift+Enter apart from Enter.
    let enhanced = matches!(
        ratatui::crossterm::terminal::supports_keyboard_enhancement(),
        Ok(true)
    );
    if enhanced {
        let flags = cevent::KeyboardEnhancementFlags::DISAMBIGUATE_ESCAPE_CODES;
        let _ = execute!(io::stdout(), cevent::PushKeyboardEnhancementFlags(flags));
    }
    let result = event_loop(&mut terminal, &mut app, &engine.updates, terminal_input);
    if enhanced {
        let _ = execute!(io::stdout(), cevent::PopKeyboardEnhancementFlags);
    }
    let _ = execute!(io::stdout(), cevent::DisableBracketedPaste);
    ratatui::restore();
    drop(stderr);
    app.cancel();
    app.save();
    match result {
        Ok(()) => {
            if !app.diffs.is_empty() {
                eprintln!(
                    "cria: {} change set(s) this session; `cria undo` reverts the last",
                    app.diffs.len()
                );
            }
            eprintln!("cria: session saved; `cria --resume` reopens it");
            ExitCode::Fixed
        }
        Err(e) => {
            eprintln!("cria: terminal error: {e}");
            ExitCode::Backend
        }
    }
}

fn welcome(app: &mut App) {
    let tests = match &app.info.test_cmd {
        Some(cmd) => format!("tests: {cmd}"),
        None => "no test command found (give one with --test-cmd)".into(),
    };
    app.note(format!(
        "cria {} in {}\n{tests}\n{}\nType what is wrong and press Enter · /help for commands",
        env!("CARGO_PKG_VERSION"),
        app.info.repo,
        app.info.sandbox,
    ));
}

/// Sends this process's stderr to a file until dropped.
struct StderrToFile {
    saved: i32,
}

impl StderrToFile {
    fn open(path: &std::path::Path) -> Option<StderrToFile> {
        use std::os::fd::AsRawFd;
        std::fs::create_dir_all(path.parent()?).ok()?;
        let file = std::fs::File::create(path).ok()?;
        // SAFETY: dup/dup2 on descriptors this process owns; `file` stays open until dup2 made
        // fd 2 a second reference to it.
        let saved = unsafe { libc::dup(2) };
        if saved < 0 || unsafe { libc::dup2(file.as_raw_fd(), 2) } < 0 {
            return None;
        }
        Some(StderrToFile { saved })
    }
}

impl Drop for StderrToFile {
    fn drop(&mut self) {
        // SAFETY: as above; `saved` is ours and closed once.
        unsafe {
            libc::dup2(self.saved, 2);
            libc::close(self.saved);
        }
    }
}
