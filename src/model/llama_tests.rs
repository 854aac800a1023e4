//! Unit tests for `llama`'s relay between the worker and the caller.

use super::*;
use std::time::Instant;

/// A worker busy with a prefill sends nothing until it is done; it stops early only when told
/// to. Here it waits for the stop (at most ten seconds) and reports whether it was told.
fn silent_worker(cancel: Arc<AtomicBool>, out: Sender<Chunk>) -> std::thread::JoinHandle<bool> {
    std::thread::spawn(move || {
        let until = Instant::now() + Duration::from_secs(10);
        while !cancel.load(Ordering::Relaxed) && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = out.send(Chunk::Done(vec![Completion::default()]));
        cancel.load(Ordering::Relaxed)
    })
}

#[test]
fn a_caller_past_its_limit_stops_a_worker_that_sends_nothing() {
    let (tx, rx) = unbounded();
    let cancel = Arc::new(AtomicBool::new(false));
    let worker = silent_worker(cancel.clone(), tx);
    let mut asked = 0;
    let done = relay(&rx, &cancel, &mut |piece| {
        assert!(matches!(piece, Piece::Quiet));
        asked += 1;
        Flow::Stop
    })
    .unwrap();
    assert_eq!(done.len(), 1);
    assert!(asked >= 1);
    assert!(worker.join().unwrap(), "the worker was never told to stop");
}

#[test]
fn chunks_reach_the_caller_in_order_and_a_text_can_stop_the_job() {
    let (tx, rx) = unbounded();
    let cancel = AtomicBool::new(false);
    tx.send(Chunk::Prefill {
        done: 512,
        total: 2048,
    })
    .unwrap();
    tx.send(Chunk::Text("fn main".into())).unwrap();
    tx.send(Chunk::Done(Vec::new())).unwrap();
    let mut seen = Vec::new();
    relay(&rx, &cancel, &mut |piece| {
        seen.push(match piece {
            Piece::Prefill { done, total } => format!("prefill {done}/{total}"),
            Piece::Text(t) => format!("text {t}"),
            Piece::Quiet => "quiet".into(),
        });
        if matches!(piece, Piece::Text(_)) {
            Flow::Stop
        } else {
            Flow::Continue
        }
    })
    .unwrap();
    assert_eq!(seen, ["prefill 512/2048", "text fn main"]);
    assert!(cancel.load(Ordering::Relaxed));
}

#[test]
fn a_worker_gone_is_an_error_not_a_hang() {
    let (tx, rx) = unbounded::<Chunk>();
    drop(tx);
    let err = relay(&rx, &AtomicBool::new(false), &mut |_| Flow::Continue).unwrap_err();
    assert!(err.to_string().contains("stopped"), "{err}");
}
