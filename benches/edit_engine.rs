//! Benchmark: planning and applying 100 SEARCH/REPLACE blocks against a 10,000-line file, in
//! memory (plan) and on disk (plan + atomic commit). Run with `cargo bench --bench edit_engine`.

use std::time::Instant;

use cria::edit::{apply_text, parse_edits, plan, Mode};
use cria::sandbox::paths::Root;

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = tempfile::tempdir().expect("tempdir");
    std::env::set_var("CRIA_STATE_DIR", state.path());
    let body: String = (0..10_000)
        .map(|i| format!("    value_{i} = compute({i}, {})  # line {i}\n", i * 7 % 13))
        .collect();
    let path = dir.path().join("big.py");
    std::fs::write(&path, &body).expect("write");
    let mut reply = String::new();
    for k in 0..100 {
        let i = k * 97 + 5;
        reply.push_str(&format!(
            "big.py\n<<<<<<< SEARCH\n    value_{i} = compute({i}, {})  # line {i}\n=======\n    value_{i} = compute({i}, 0)  # fixed {k}\n>>>>>>> REPLACE\n",
            i * 7 % 13
        ));
    }
    let root = Root::new(dir.path()).expect("root");
    let runs = 10;

    let start = Instant::now();
    for _ in 0..runs {
        let edits = parse_edits(&reply).expect("parse");
        let p = plan::plan(&root, &edits).expect("plan");
        assert_eq!(p.changes.len(), 1);
    }
    let plan_ms = start.elapsed().as_secs_f64() * 1000.0 / runs as f64;

    let start = Instant::now();
    for _ in 0..runs {
        std::fs::write(&path, &body).expect("reset");
        let report = apply_text(&root, &reply, Mode::Commit);
        assert!(report.applied(), "{:?}", report.failures);
    }
    let apply_ms = start.elapsed().as_secs_f64() * 1000.0 / runs as f64;

    // The slow path: every block indented differently, so each falls through to level 3.
    let shifted = reply
        .replace("<<<<<<< SEARCH\n    value_", "<<<<<<< SEARCH\nvalue_")
        .replace("=======\n    value_", "=======\nvalue_");
    std::fs::write(&path, &body).expect("reset");
    let start = Instant::now();
    for _ in 0..runs {
        let edits = parse_edits(&shifted).expect("parse");
        plan::plan(&root, &edits).expect("plan");
    }
    let fuzzy_ms = start.elapsed().as_secs_f64() * 1000.0 / runs as f64;

    println!("edit_engine: 100 blocks x 10,000-line file");
    println!("  parse + plan (exact matches):        {plan_ms:8.2} ms");
    println!("  parse + plan + atomic commit:        {apply_ms:8.2} ms");
    println!("  parse + plan (re-indented matches):  {fuzzy_ms:8.2} ms");

    // A failing block on the big file: the closest-lines hint for the model.
    let miss = "big.py\n<<<<<<< SEARCH\n    value_77 = compute(77, 99)  # line seventy-seven\n=======\nx\n>>>>>>> REPLACE\n";
    let start = Instant::now();
    let report = apply_text(&root, miss, Mode::DryRun);
    assert!(!report.applied());
    println!(
        "  one failing block with its hint:     {:8.2} ms",
        start.elapsed().as_secs_f64() * 1000.0
    );
}
