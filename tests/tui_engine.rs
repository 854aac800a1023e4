//! The TUI's worker driven through its one request type, [`Op`], with the scripted backend: a
//! fix asks for approval with an id, only the answer with that id counts, a declined change is
//! not written, and `Op::Undo` / `Op::RunTests` report back. No terminal needed.

mod common;

use std::time::Duration;

use clap::Parser;
use common::Scratch;
use cria::cli::Cli;
use cria::config::Config;
use cria::protocol::{Decider, Event, Op};
use cria::sandbox::approval::Question;
use cria::tui::engine::{self, Engine, Update};

const FIX: &str = "The discount is subtracted as an amount.\n\nshop/cart.py\n```python\n<<<<<<< SEARCH\n        return round(subtotal - self.discount_percent, 2)\n=======\n        return round(subtotal * (1 - self.discount_percent / 100), 2)\n>>>>>>> REPLACE\n```\n";

/// cria's state goes to one scratch folder (per repository inside it), set once before any
/// test reads it: tests run in parallel, and the variable is the process's.
fn isolate_state() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        std::env::set_var("CRIA_STATE_DIR", dir);
    });
}

fn start(s: &Scratch, replies: &[&str]) -> Engine {
    isolate_state();
    let script = s.script(replies);
    let argv = [
        "cria",
        "--repo",
        &s.path().to_string_lossy(),
        "--script",
        &script.to_string_lossy(),
        "--approval",
        "ask",
    ]
    .map(String::from);
    let cli = Cli::parse_from(argv);
    engine::start(Config::resolve(&cli.agent).unwrap())
}

/// Updates until `stop` says so (or a minute passes, which fails the test).
fn until(engine: &Engine, mut stop: impl FnMut(&Update) -> bool) -> Vec<Update> {
    let mut seen = Vec::new();
    loop {
        let update = engine
            .updates
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no update; so far: {seen:#?}"));
        let done = stop(&update);
        seen.push(update);
        if done {
            return seen;
        }
    }
}

#[test]
fn approvals_travel_as_ops_with_ids_and_a_declined_change_is_not_written() {
    let s = Scratch::task("py-cart-discount");
    let before = s.read("shop/cart.py");
    let engine = start(&s, &[FIX, FIX]);
    until(&engine, |u| matches!(u, Update::Ready { .. }));

    engine
        .ops
        .send(Op::Fix {
            issue: "A 10% discount on 200.00 gives 190.00 instead of 180.00".into(),
        })
        .unwrap();
    let seen = until(&engine, |u| {
        matches!(u, Update::Agent(Event::ApprovalRequested { .. }))
    });
    let Some(Update::Agent(Event::ApprovalRequested { id, subject })) = seen.last() else {
        unreachable!()
    };
    let Question::Change { diff } = subject else {
        panic!("{subject:?}")
    };
    assert!(diff.contains("+        return round(subtotal * (1 - self.discount_percent / 100), 2)"));
    let id = *id;

    // An answer to another question is dropped; the run still waits for this one.
    engine
        .ops
        .send(Op::Approve {
            id: id + 100,
            yes: true,
        })
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        s.read("shop/cart.py"),
        before,
        "a stale answer approved nothing"
    );
    engine.ops.send(Op::Approve { id, yes: false }).unwrap();
    let seen = until(&engine, |u| {
        matches!(u, Update::Agent(Event::Approval { .. }))
    });
    let Some(Update::Agent(Event::Approval { decision })) = seen.last() else {
        unreachable!()
    };
    assert!(!decision.approved);
    assert_eq!(decision.by, Decider::User);
    assert_eq!(s.read("shop/cart.py"), before, "declined: not written");

    // The same edit again (the script's second reply): this time approved, and written.
    let seen = until(&engine, |u| {
        matches!(u, Update::Agent(Event::ApprovalRequested { .. }))
    });
    let Some(Update::Agent(Event::ApprovalRequested { id: second, .. })) = seen.last() else {
        unreachable!()
    };
    assert!(*second > id, "every question has a new id");
    engine
        .ops
        .send(Op::Approve {
            id: *second,
            yes: true,
        })
        .unwrap();
    let seen = until(&engine, |u| matches!(u, Update::Idle));
    assert!(
        seen.iter().any(|u| matches!(
            u,
            Update::Agent(Event::Finished { files, .. }) if files == &["shop/cart.py"]
        )),
        "{seen:#?}"
    );
    assert_ne!(s.read("shop/cart.py"), before);

    // Undo is an op like any other, and so is a test run.
    engine.ops.send(Op::Undo).unwrap();
    let seen = until(&engine, |u| matches!(u, Update::Idle));
    assert!(
        seen.iter()
            .any(|u| matches!(u, Update::Undone(files) if files == &["shop/cart.py"])),
        "{seen:#?}"
    );
    assert_eq!(s.read("shop/cart.py"), before, "undone");
    engine.ops.send(Op::RunTests).unwrap();
    let seen = until(&engine, |u| matches!(u, Update::Idle));
    assert!(
        seen.iter()
            .any(|u| matches!(u, Update::Tests(run) if !run.passed)),
        "the bug is back, so the tests fail: {seen:#?}"
    );
}

#[test]
fn cancel_acts_while_a_question_waits() {
    let s = Scratch::task("py-cart-discount");
    let before = s.read("shop/cart.py");
    let engine = start(&s, &[FIX, FIX, FIX]);
    until(&engine, |u| matches!(u, Update::Ready { .. }));
    engine
        .ops
        .send(Op::Fix {
            issue: "A 10% discount on 200.00 gives 190.00 instead of 180.00".into(),
        })
        .unwrap();
    until(&engine, |u| {
        matches!(u, Update::Agent(Event::ApprovalRequested { .. }))
    });
    // Cancel alone ends the wait (the TUI also declines the question; it need not).
    engine.ops.send(Op::Cancel).unwrap();
    let seen = until(&engine, |u| matches!(u, Update::Idle));
    assert!(
        !seen
            .iter()
            .any(|u| matches!(u, Update::Agent(Event::ApprovalRequested { .. }))),
        "a cancelled run asks nothing more: {seen:#?}"
    );
    assert_eq!(s.read("shop/cart.py"), before);
}
