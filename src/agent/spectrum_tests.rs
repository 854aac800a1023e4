//! Unit tests for `spectrum`.

use super::*;

#[test]
fn ochiai_ranks_what_only_the_failing_test_ran_first() {
    let spectra = serde_json::json!([
        {"test": "t::fails", "failed": true, "funcs": [["app/calc.py", "total"], ["app/calc.py", "scale"], ["tests/test_calc.py", "test_fails"]]},
        {"test": "t::passes", "failed": false, "funcs": [["app/calc.py", "total"]]},
    ]);
    let output = format!("..F\n{MARKER}{spectra}\n1 failed, 1 passed\n");
    let ranked = ochiai(&output);
    let names: Vec<&str> = ranked.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["scale", "total"], "{ranked:?}");
    assert!((ranked[0].score - 1.0).abs() < 1e-9);
    assert!((ranked[1].score - 0.5_f64.sqrt()).abs() < 1e-9);
}

#[test]
fn no_failing_test_or_no_report_means_no_suspects() {
    let spectra = serde_json::json!([{"test": "t", "failed": false, "funcs": [["a.py", "f"]]}]);
    assert!(ochiai(&format!("{MARKER}{spectra}")).is_empty());
    assert!(ochiai("1 passed").is_empty());
}

/// The real tracer on a real pytest run: the bug sits in a helper the failing test reaches
/// through the function it calls.
#[test]
fn the_traced_run_finds_the_helper_below_the_called_function() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("app")).unwrap();
    std::fs::create_dir_all(root.join("tests")).unwrap();
    std::fs::write(root.join("app/__init__.py"), "").unwrap();
    std::fs::write(
        root.join("app/calc.py"),
        "def scale(x):\n    return x * 3\n\n\ndef total(xs):\n    return sum(scale(x) for x in xs)\n\n\ndef label(xs):\n    return f'{len(xs)} items'\n",
    )
    .unwrap();
    std::fs::write(
        root.join("tests/test_calc.py"),
        "from app.calc import label, total\n\n\ndef test_total():\n    assert total([1, 2]) == 6\n\n\ndef test_empty_total():\n    assert total([]) == 0\n\n\ndef test_label():\n    assert label([1]) == '1 items'\n",
    )
    .unwrap();
    let ranked = suspects(&Runner::plain(), root, Duration::from_secs(120));
    assert_eq!(
        ranked.first().map(|s| s.name.as_str()),
        Some("scale"),
        "{ranked:?}"
    );
    assert!(!ranked.iter().any(|s| s.name == "label"), "{ranked:?}");
}
