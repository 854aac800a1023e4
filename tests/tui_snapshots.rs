//! The TUI drawn on ratatui's `TestBackend`, fed the same agent events `cria fix` reports:
//! snapshots (insta) of the transcript, a tool cell, a diff awaiting approval, the status bar and
//! an 80-column terminal; and the keys' behaviour (approval answers, Ctrl+C, slash commands).

use std::time::Instant;

use crossbeam_channel::{unbounded, Receiver};
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;

use cria::protocol::{Event, FileChange, Op, Outcome, StopReason, TestRun, ToolCall, ToolResult};
use cria::sandbox::approval::Question;
use cria::tui::app::{App, Info};
use cria::tui::engine::Update;
use cria::tui::{keys, view};

const DIFF: &str = "diff --git a/shop/cart.py b/shop/cart.py\n--- a/shop/cart.py\n+++ b/shop/cart.py\n@@ -33,4 +33,4 @@\n \n     def total(self) -> float:\n         subtotal = self.subtotal()\n-        return round(subtotal - self.discount_percent, 2)\n+        return round(subtotal * (1 - self.discount_percent / 100), 2)\n";

fn new_app() -> (App, Receiver<Op>) {
    let (tx, rx) = unbounded();
    let info = Info {
        repo: "/home/ana/shop".into(),
        test_cmd: Some("python3 -m unittest".into()),
        sandbox: "sandbox: workspace-write via Landlock v7, network denied, .git read-only".into(),
        sandboxed: true,
    };
    let mut app = App::new(info, tx);
    app.frozen = Some(Instant::now());
    app.update(Update::Ready {
        model: "qwen2.5-coder-1.5b-instruct-q4_k_m".into(),
        window: 16_384,
    });
    (app, rx)
}

fn draw(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| view::draw(f, app)).unwrap();
    // Trailing spaces carry no information and make snapshots hard to read.
    let backend = terminal.backend().to_string();
    backend
        .lines()
        .map(|l| l.trim_end_matches(['"', ' ']).trim_start_matches('"'))
        .collect::<Vec<_>>()
        .join("\n")
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn type_text(app: &mut App, text: &str) {
    for c in text.chars() {
        keys::on_key(app, key(KeyCode::Char(c)));
    }
}

fn agent(app: &mut App, e: Event) {
    app.update(Update::Agent(e));
}

/// A fix as the agent reports it: answer streamed in pieces, a grep, an edit, tests, the end.
fn a_fix(app: &mut App) {
    type_text(app, "A 10% discount on 200.00 gives 190.00, not 180.00");
    keys::on_key(app, key(KeyCode::Enter));
    agent(
        app,
        Event::Status {
            message: "showing the model: shop/cart.py".into(),
            busy: false,
        },
    );
    for piece in [
        "The discount is **subtracted** as an amount",
        " in `Cart.total`.\n\n<tool_call>\n{\"name\": \"grep\"",
        ", \"arguments\": {}}\n</tool_call>",
    ] {
        agent(app, Event::ModelDelta { text: piece.into() });
    }
    agent(
        app,
        Event::ModelDone {
            text: String::new(),
            prompt_tokens: 1_930,
            reused_tokens: 0,
            generated_tokens: 42,
            seconds: 2.0,
        },
    );
    agent(
        app,
        Event::ToolCall {
            call: ToolCall {
                name: "grep".into(),
                arguments: serde_json::json!({"pattern": "discount_percent"}),
            },
        },
    );
    agent(app, Event::ToolResult {
        result: ToolResult {
            name: "grep".into(),
            ok: true,
            output: "shop/cart.py:19:     discount_percent: float = 0.0\nshop/cart.py:36:         return round(subtotal - self.discount_percent, 2)".into(),
        },
    });
    agent(app, Event::ModelDelta {
        text: "Multiply instead:\n\n```python\ndef total(self) -> float:\n    return round(self.subtotal() * (1 - self.discount_percent / 100), 2)\n```\n".into(),
    });
    agent(
        app,
        Event::ModelDone {
            text: String::new(),
            prompt_tokens: 2_210,
            reused_tokens: 1_930,
            generated_tokens: 60,
            seconds: 2.5,
        },
    );
    agent(
        app,
        Event::EditApplied {
            changes: vec![FileChange {
                path: "shop/cart.py".into(),
                diff: DIFF.into(),
            }],
            notes: vec![],
        },
    );
    agent(
        app,
        Event::TestsRun {
            run: TestRun {
                command: "python3 -m unittest".into(),
                passed: true,
                exit_code: Some(0),
                timed_out: false,
                seconds: 0.2,
                output: "Ran 4 tests in 0.001s\n\nOK".into(),
            },
        },
    );
    agent(
        app,
        Event::Finished {
            outcome: Outcome::Fixed,
            stop: StopReason::TestsPass {
                combined: false,
                examples: false,
            },
            reason: "the tests pass".into(),
            steps: 2,
            files: vec!["shop/cart.py".into()],
            diff: DIFF.into(),
            summary: "fixed\n1 file changed".into(),
        },
    );
    app.update(Update::Idle);
}

#[test]
fn transcript_of_a_fix() {
    let (mut app, jobs) = new_app();
    a_fix(&mut app);
    let job = jobs.try_recv().unwrap();
    assert_eq!(
        job,
        Op::Fix {
            issue: "A 10% discount on 200.00 gives 190.00, not 180.00".into()
        }
    );
    insta::assert_snapshot!(draw(&app, 100, 40));
}

#[test]
fn a_running_tool_cell_and_an_expanded_one() {
    let (mut app, _jobs) = new_app();
    app.busy = Some(("model is thinking (step 2)".into(), app.now()));
    agent(
        &mut app,
        Event::ToolCall {
            call: ToolCall {
                name: "read_file".into(),
                arguments: serde_json::json!({"path": "shop/cart.py", "start_line": 30}),
            },
        },
    );
    agent(
        &mut app,
        Event::ToolResult {
            result: ToolResult {
                name: "read_file".into(),
                ok: true,
                output: "30 | class Cart:\n31 |     items: list\n32 |     discount_percent: float"
                    .into(),
            },
        },
    );
    agent(
        &mut app,
        Event::ToolCall {
            call: ToolCall {
                name: "shell".into(),
                arguments: serde_json::json!({"command": "python3 -m unittest -k total"}),
            },
        },
    );
    let collapsed = draw(&app, 80, 16);
    app.expanded = true;
    let expanded = draw(&app, 80, 16);
    insta::assert_snapshot!(format!("{collapsed}\n---- Ctrl+O ----\n{expanded}"));
}

#[test]
fn a_diff_waits_for_approval_and_y_applies_it() {
    let (mut app, ops) = new_app();
    app.busy = Some(("model is thinking (step 1)".into(), app.now()));
    agent(
        &mut app,
        Event::ApprovalRequested {
            id: 7,
            subject: Question::Change { diff: DIFF.into() },
        },
    );
    insta::assert_snapshot!(draw(&app, 100, 20));
    // Typing other keys does not answer; `y` does, with the question's id, and the cell says so.
    keys::on_key(&mut app, key(KeyCode::Char('x')));
    assert!(ops.try_recv().is_err());
    keys::on_key(&mut app, key(KeyCode::Char('y')));
    assert_eq!(ops.try_recv(), Ok(Op::Approve { id: 7, yes: true }));
    assert!(draw(&app, 100, 20).contains("Approved change to shop/cart.py"));
    // `n` on a command declines it.
    agent(
        &mut app,
        Event::ApprovalRequested {
            id: 8,
            subject: Question::Command {
                command: "rm -rf build".into(),
                dir: ".".into(),
            },
        },
    );
    assert!(draw(&app, 100, 20).contains("Run this command?"));
    keys::on_key(&mut app, key(KeyCode::Char('n')));
    assert_eq!(ops.try_recv(), Ok(Op::Approve { id: 8, yes: false }));
    assert!(draw(&app, 100, 20).contains("Declined: rm -rf build"));
}

#[test]
fn status_bar_wide_and_narrow() {
    let (mut app, _jobs) = new_app();
    app.used = 3_210;
    app.tokens_per_second = Some(23.8);
    app.last_tests = Some(false);
    let wide = view::status_line(&app, 120).to_string();
    let narrow = view::status_line(&app, 50).to_string();
    assert!(narrow.chars().count() <= 50, "{narrow}");
    insta::assert_snapshot!(format!("{wide}\n{narrow}"));
}

#[test]
fn an_80_column_terminal_wraps_long_output() {
    let (mut app, _jobs) = new_app();
    type_text(&mut app, "the parser crashes on empty input; see tests/test_parse.py::test_empty_input_returns_an_empty_document");
    keys::on_key(&mut app, key(KeyCode::Enter));
    agent(&mut app, Event::TestsRun {
        run: TestRun {
            command: "pytest -q".into(),
            passed: false,
            exit_code: Some(1),
            timed_out: false,
            seconds: 1.4,
            output: format!("{}\nE   AssertionError: expected an empty Document for an empty string but the parser raised IndexError: list index out of range at parse.py line 41\n1 failed", "x".repeat(300)),
        },
    });
    agent(
        &mut app,
        Event::Progress {
            what: "processing the prompt (3120 new tokens)".into(),
            fraction: 0.4,
        },
    );
    let screen = draw(&app, 80, 24);
    assert!(screen.lines().all(|l| l.chars().count() <= 80));
    insta::assert_snapshot!(screen);
}

#[test]
fn ctrl_c_cancels_then_exits() {
    let (mut app, ops) = new_app();
    app.busy = Some(("model is thinking (step 1)".into(), app.now()));
    agent(
        &mut app,
        Event::ApprovalRequested {
            id: 3,
            subject: Question::Change { diff: DIFF.into() },
        },
    );
    keys::on_key(&mut app, ctrl('c'));
    assert_eq!(
        ops.try_recv(),
        Ok(Op::Cancel),
        "the first Ctrl+C cancels the step"
    );
    assert_eq!(
        ops.try_recv(),
        Ok(Op::Approve { id: 3, yes: false }),
        "and declines the question it waits on"
    );
    assert!(!app.quit, "and keeps the session");
    keys::on_key(&mut app, ctrl('c'));
    assert!(app.quit, "a second one within two seconds exits");
}

#[test]
fn slash_commands_reach_the_worker_and_requests_carry_the_session() {
    let (mut app, jobs) = new_app();
    a_fix(&mut app);
    let _first = jobs.try_recv().unwrap();
    for (command, job) in [
        ("/tests", Op::RunTests),
        ("/undo", Op::Undo),
        (
            "/model nano",
            Op::LoadModel {
                spec: "nano".into(),
            },
        ),
    ] {
        type_text(&mut app, command);
        keys::on_key(&mut app, key(KeyCode::Enter));
        assert_eq!(jobs.try_recv().unwrap(), job);
        app.update(Update::Idle);
    }
    // /diff shows the session's change set; the next request carries the earlier one along.
    type_text(&mut app, "/diff");
    keys::on_key(&mut app, key(KeyCode::Enter));
    assert!(draw(&app, 100, 40).contains("Changes this session: shop/cart.py"));
    type_text(&mut app, "also round @shop/cart.py totals up");
    keys::on_key(&mut app, key(KeyCode::Enter));
    match jobs.try_recv().unwrap() {
        Op::Fix { issue } => {
            assert!(
                issue.starts_with("also round shop/cart.py totals up"),
                "{issue}"
            );
            assert!(issue.contains("Earlier in this session:\n- A 10% discount on 200.00 gives 190.00, not 180.00 → fixed: the tests pass (changed shop/cart.py)"), "{issue}");
        }
        other => panic!("{other:?}"),
    }
    // While it runs, another request waits.
    type_text(&mut app, "one more");
    keys::on_key(&mut app, key(KeyCode::Enter));
    assert!(jobs.try_recv().is_err());
    assert_eq!(app.composer.text(), "one more");
}

#[test]
fn sessions_are_saved_and_resumed() {
    let state = tempfile::tempdir().unwrap();
    std::env::set_var("CRIA_STATE_DIR", state.path());
    let repo = tempfile::tempdir().unwrap();
    let (mut app, _jobs) = new_app();
    app.save_to = Some(repo.path().to_path_buf());
    a_fix(&mut app);
    let saved = cria::tui::store::load(repo.path()).unwrap();
    let (mut again, _jobs) = new_app();
    again.restore(saved);
    assert_eq!(again.diffs, [DIFF]);
    assert_eq!(
        again.composer.history(),
        ["A 10% discount on 200.00 gives 190.00, not 180.00"]
    );
    let screen = draw(&again, 100, 40);
    assert!(screen.contains("✓ Fixed — the tests pass"), "{screen}");
    assert!(screen.contains("resumed the last session"));
}

#[test]
fn custom_commands_complete_show_in_help_and_send_their_text() {
    let (mut app, jobs) = new_app();
    let repo = tempfile::tempdir().unwrap();
    let dir = repo.path().join(".cria/commands");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("review.md"),
        "---\ndescription: Review one file for bugs\n---\nReview $ARGUMENTS and fix what is wrong.",
    )
    .unwrap();
    app.commands = cria::tui::custom::load_from(None, repo.path());
    app.composer.commands = keys::command_names(&app.commands);

    type_text(&mut app, "/rev");
    keys::on_key(&mut app, key(KeyCode::Tab));
    assert_eq!(app.composer.text(), "/review ");
    type_text(&mut app, "shop/cart.py");
    keys::on_key(&mut app, key(KeyCode::Enter));
    match jobs.try_recv().unwrap() {
        Op::Fix { issue } => assert!(
            issue.starts_with("Review shop/cart.py and fix what is wrong."),
            "{issue}"
        ),
        other => panic!("{other:?}"),
    }
    app.update(Update::Idle);

    type_text(&mut app, "/help");
    keys::on_key(&mut app, key(KeyCode::Enter));
    let screen = draw(&app, 100, 60);
    assert!(
        screen.contains("/review") && screen.contains("Review one file for bugs"),
        "{screen}"
    );
    // Several matches are offered; cria's own names complete too.
    type_text(&mut app, "/t");
    keys::on_key(&mut app, key(KeyCode::Tab));
    assert_eq!(app.composer.text(), "/tests ");
}
