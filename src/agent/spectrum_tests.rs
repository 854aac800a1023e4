//! Unit tests for `spectrum`.

use super::*;

#[test]
fn a_function_is_as_suspicious_as_its_most_suspicious_line() {
    // Two tests failed, two passed.
    let report = serde_json::json!({"failed": 2, "lines": [
        ["app/calc.py", "total", 1, 2, 2],
        ["app/calc.py", "total", 2, 2, 2],
        ["app/calc.py", "scale", 5, 2, 2],
        ["app/calc.py", "scale", 7, 2, 0],
        ["app/calc.py", "label", 9, 1, 2],
        ["app/calc.py", "label", 10, 0, 2],
        ["tests/test_calc.py", "test_fails", 3, 2, 0],
    ]});
    let output = format!("..FF\n{MARKER}{report}\n2 failed, 2 passed\n");
    let spectrum = read(&output);
    // Line 10 ran in passing tests alone.
    let ran: Vec<(&str, usize)> = (spectrum.ran.iter())
        .map(|(p, l)| (p.as_str(), *l))
        .collect();
    assert_eq!(
        ran,
        [
            ("app/calc.py", 1),
            ("app/calc.py", 2),
            ("app/calc.py", 5),
            ("app/calc.py", 7),
            ("app/calc.py", 9),
            ("tests/test_calc.py", 3)
        ]
    );
    let ranked = spectrum.suspects;
    let names: Vec<&str> = ranked.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["scale", "total", "label"], "{ranked:?}");
    // One line of `scale` stands out; `total`'s two lines tie, so neither does.
    assert_eq!(ranked[0].line, Some(7));
    assert_eq!(ranked[1].line, None);
    assert!((ranked[0].score - 1.0).abs() < 1e-9);
    assert!((ranked[1].score - 0.5_f64.sqrt()).abs() < 1e-9);
    assert!((ranked[2].score - 1.0 / 6.0_f64.sqrt()).abs() < 1e-9);
}

#[test]
fn no_failing_test_or_no_report_means_no_suspects() {
    let report = serde_json::json!({"failed": 0, "lines": [["a.py", "f", 1, 0, 1]]});
    assert_eq!(read(&format!("{MARKER}{report}")), Spectrum::default());
    assert_eq!(read("1 passed"), Spectrum::default());
    assert_eq!(read(&format!("{MARKER}[not json")), Spectrum::default());
}

#[test]
fn with_no_failing_test_the_passing_tests_calls_still_come_back() {
    let report = serde_json::json!({
        "failed": 0,
        "lines": [["a.py", "f", 1, 0, 1]],
        "calls": [["a.py", "f", "x=2", "4"], ["tests/test_a.py", "test_f", "", "None"]],
    });
    let spectrum = read(&format!("{MARKER}{report}"));
    assert!(spectrum.suspects.is_empty() && spectrum.ran.is_empty());
    let calls: Vec<String> = spectrum.calls.iter().map(Call::line).collect();
    assert_eq!(calls, ["f(x=2) returned 4"]);
}

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// The real pytest tracer on the project in `root`.
fn pytest_trace(root: &Path) -> Spectrum {
    trace(
        &Tracer::Pytest,
        &Runner::plain(),
        root,
        Duration::from_secs(120),
    )
}

/// The real tracer on a real pytest run: the bug sits in a helper the failing test reaches
/// through the function it calls.
#[test]
fn the_traced_run_finds_the_helper_below_the_called_function() {
    let dir = project(&[
        ("app/__init__.py", ""),
        (
            "app/calc.py",
            "def scale(x):\n    return x * 3\n\n\ndef total(xs):\n    return sum(scale(x) for x in xs)\n\n\ndef label(xs):\n    return f'{len(xs)} items'\n",
        ),
        (
            "tests/test_calc.py",
            "from app.calc import label, total\n\n\ndef test_total():\n    assert total([1, 2]) == 6\n\n\ndef test_empty_total():\n    assert total([]) == 0\n\n\ndef test_label():\n    assert label([1]) == '1 items'\n",
        ),
    ]);
    let spectrum = pytest_trace(dir.path());
    let ranked = &spectrum.suspects;
    assert_eq!(
        ranked.first().map(|s| s.name.as_str()),
        Some("scale"),
        "{ranked:?}"
    );
    assert!(!ranked.iter().any(|s| s.name == "label"), "{ranked:?}");
    // The failing test ran `scale`'s and `total`'s bodies, and `label`'s not at all.
    let ran = |line: usize| spectrum.ran.contains(&("app/calc.py".to_string(), line));
    assert!(ran(2) && ran(6), "{:?}", spectrum.ran);
    assert!(!ran(10), "{:?}", spectrum.ran);
}

/// The real tracer writes down what the failing tests called each function with and what it
/// gave back or raised — not the passing tests' calls, a test's own, a comprehension's or a
/// generator's (it returns at every `yield`).
#[test]
fn the_failing_tests_calls_are_written_down_with_what_they_gave() {
    let dir = project(&[
        ("clock/__init__.py", ""),
        (
            "clock/fmt.py",
            "def minutes(seconds):\n    m, s = divmod(seconds, 60)\n    return f'{int(m)}m {round(s):02d}s'\n\n\ndef parse(text):\n    return int(text)\n\n\ndef label(n):\n    return [f'{k} items' for k in [n]][0]\n\n\ndef each(xs):\n    for x in xs:\n        yield x\n",
        ),
        (
            "tests/test_fmt.py",
            "from clock.fmt import each, label, minutes, parse\n\n\ndef test_minutes():\n    assert minutes(119.7) == '2m 00s'\n\n\ndef test_parse():\n    assert parse('1,5') == 15\n\n\ndef test_label():\n    assert label(1) == '1 items'\n\n\ndef test_each():\n    assert list(each([1])) == [2]\n",
        ),
    ]);
    let spectrum = pytest_trace(dir.path());
    let lines: Vec<String> = spectrum.calls.iter().map(Call::line).collect();
    assert_eq!(
        lines,
        [
            "minutes(seconds=119.7) returned '1m 60s'",
            "parse(text='1,5') raised ValueError"
        ]
    );
    assert_eq!(spectrum.calls[0].path, "clock/fmt.py");
}

/// An object whose own repr is slow stops the writing down of calls after two seconds spent on
/// values, not the trace: the functions are still ranked.
/// A call's arguments by name: split at the commas between them, never inside a value.
#[test]
fn a_calls_arguments_are_read_back_by_name() {
    let call = Call {
        path: "shop/cart.py".into(),
        name: "total".into(),
        arguments: "self=Cart(items=[Item(name='lamp', price=1)], discount=10), code='a, b', \
                    rate=0.5"
            .into(),
        result: "190.0".into(),
    };
    let passed = call.passed();
    let want = [
        (
            "self",
            "Cart(items=[Item(name='lamp', price=1)], discount=10)",
        ),
        ("code", "'a, b'"),
        ("rate", "0.5"),
    ];
    let want: Vec<(String, String)> = (want.iter())
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    assert_eq!(passed, want);
}

#[test]
fn a_slow_repr_stops_the_calls_written_down_not_the_trace() {
    let dir = project(&[
        ("slow/__init__.py", ""),
        (
            "slow/m.py",
            "import time\n\n\nclass Big:\n    def __repr__(self):\n        time.sleep(0.6)\n        return 'Big()'\n\n\ndef f1(b):\n    return 1\n\n\ndef f2(b):\n    return 2\n\n\ndef f3(b):\n    return 3\n\n\ndef f4(b):\n    return 4\n\n\ndef f5(b):\n    return 5\n",
        ),
        (
            "tests/test_m.py",
            "from slow.m import Big, f1, f2, f3, f4, f5\n\n\ndef test_all():\n    b = Big()\n    assert f1(b) + f2(b) + f3(b) + f4(b) + f5(b) == 0\n",
        ),
    ]);
    let spectrum = pytest_trace(dir.path());
    let named = |name: &str| spectrum.calls.iter().any(|c| c.name == name);
    assert!(named("f1") && !named("f5"), "{:?}", spectrum.calls);
    assert!(
        spectrum.suspects.iter().any(|s| s.name == "f5"),
        "{:?}",
        spectrum.suspects
    );
}

/// The real tracer, where every test runs every function: only the branch the failing test
/// takes tells the helper apart (a repeated item overwrites its count instead of adding).
#[test]
fn the_branch_only_the_failing_test_takes_singles_out_its_function() {
    let dir = project(&[
        ("stock/__init__.py", ""),
        (
            "stock/levels.py",
            "def parse(line):\n    name, qty = line.split(',')\n    return name.strip(), int(qty)\n\n\ndef restock(levels, name, qty):\n    if name in levels:\n        levels[name] = qty\n    else:\n        levels[name] = qty\n    return levels\n\n\ndef totals(lines):\n    levels = {}\n    for line in lines:\n        name, qty = parse(line)\n        restock(levels, name, qty)\n    return levels\n",
        ),
        (
            "tests/test_levels.py",
            "from stock.levels import totals\n\n\ndef test_one():\n    assert totals(['a,1']) == {'a': 1}\n\n\ndef test_two_items():\n    assert totals(['a,1', 'b, 2']) == {'a': 1, 'b': 2}\n\n\ndef test_repeated_item_adds_up():\n    assert totals(['a,1', 'a,2']) == {'a': 3}\n",
        ),
    ]);
    let ranked = pytest_trace(dir.path()).suspects;
    assert_eq!(
        ranked.first().map(|s| (s.name.as_str(), s.score)),
        Some(("restock", 1.0)),
        "{ranked:?}"
    );
    assert_eq!(ranked[0].line, Some(8), "the branch for a repeated item");
    // Every function is run by every test: by function alone they would all score alike.
    let others: Vec<f64> = ranked.iter().skip(1).map(|s| s.score).collect();
    assert!(others.iter().all(|s| *s < 1.0), "{ranked:?}");
}

#[test]
fn node_runs_are_traced_directly_or_through_the_package_test_script() {
    let script = |test: &str| {
        let package = serde_json::json!({"name": "x", "scripts": {"test": test}});
        project(&[("package.json", &package.to_string())])
    };
    let node = |args: &[&str]| Some(Tracer::Node(args.iter().map(|a| a.to_string()).collect()));
    let plain = script("node --test");
    assert_eq!(tracer("npm test --silent", plain.path()), node(&["--test"]));
    assert_eq!(tracer("npm run test", plain.path()), node(&["--test"]));
    assert_eq!(
        tracer("python3 -m pytest -q", plain.path()),
        Some(Tracer::Pytest)
    );
    assert_eq!(
        tracer("node --test test/", plain.path()),
        node(&["--test", "test/"])
    );
    let folder = script("node --test --test-concurrency=1 test/");
    assert_eq!(
        tracer("npm test", folder.path()),
        node(&["--test", "--test-concurrency=1", "test/"])
    );
    // Other runners, and command lines a shell would read, are not traced.
    for test in [
        "jest",
        "node --test && echo done",
        "node test.js",
        "node --test '$X'",
    ] {
        assert_eq!(tracer("npm test", script(test).path()), None, "{test}");
    }
    assert_eq!(tracer("npm test", project(&[]).path()), None);
    assert_eq!(tracer("cargo test", plain.path()), None);
}

/// The real node driver on a real `node --test` run: the failing test calls `toCsv`, whose
/// helper `escape` has the bug in a branch only cells with a quote take; a passing test runs
/// every other line of it.
#[test]
fn the_traced_node_run_finds_the_branch_of_the_helper_below_the_called_function() {
    let dir = project(&[
        (
            "package.json",
            r#"{"name": "csv", "scripts": {"test": "node --test"}}"#,
        ),
        ("src/cell.js", NODE_CELL),
        ("src/csv.js", NODE_CSV),
        ("test/csv.test.js", NODE_CSV_TEST),
    ]);
    let tracer = tracer("npm test --silent", dir.path()).expect("traceable");
    let ranked = trace(
        &tracer,
        &Runner::plain(),
        dir.path(),
        Duration::from_secs(120),
    )
    .suspects;
    let top = ranked.first().expect("suspects");
    assert_eq!(
        (top.path.as_str(), top.name.as_str()),
        ("src/cell.js", "escape"),
        "{ranked:?}"
    );
    assert_eq!(top.line, Some(5), "the branch for a quote: {ranked:?}");
    assert!((top.score - 1.0).abs() < 1e-9, "{ranked:?}");
    assert!(!ranked.iter().any(|s| s.name == "width"), "{ranked:?}");
    assert!(ranked.iter().any(|s| s.name == "toCsv"), "{ranked:?}");
}

const NODE_CELL: &str = r#"'use strict';

function escape(text) {
  if (text.includes('"')) {
    return '"' + text.replace('"', '""') + '"';
  }
  return text.includes(',') ? `"${text}"` : text;
}

module.exports = { escape };
"#;

const NODE_CSV: &str = r#"'use strict';

const { escape } = require('./cell');

function toCsv(rows) {
  return rows.map((row) => row.map(escape).join(',')).join('\n');
}

function width(rows) {
  return Math.max(...rows.map((row) => row.length));
}

module.exports = { toCsv, width };
"#;

const NODE_CSV_TEST: &str = r#"'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { toCsv, width } = require('../src/csv');

test('plain cells', () => {
  assert.equal(toCsv([['a', 'b']]), 'a,b');
});

test('a comma is quoted', () => {
  assert.equal(toCsv([['a,b']]), '"a,b"');
});

test('every quote is doubled', () => {
  assert.equal(toCsv([['say "hi" "x"']]), '"say ""hi"" ""x"""');
});

test('width', () => {
  assert.equal(width([[1, 2], [3]]), 2);
});
"#;

/// When every test passes, the real tracer still writes down what they called (and nothing
/// else): the calls an issue's case in prose can be put to before any test shows the bug.
#[test]
fn when_every_test_passes_their_calls_are_written_down() {
    let dir = project(&[
        ("clock/__init__.py", ""),
        (
            "clock/fmt.py",
            "def minutes(seconds):\n    m, s = divmod(seconds, 60)\n    return f'{int(m)}m {round(s):02d}s'\n",
        ),
        (
            "tests/test_fmt.py",
            "from clock.fmt import minutes\n\n\ndef test_minutes():\n    assert minutes(65) == '1m 05s'\n",
        ),
    ]);
    let spectrum = pytest_trace(dir.path());
    assert!(spectrum.suspects.is_empty(), "{:?}", spectrum.suspects);
    let lines: Vec<String> = spectrum.calls.iter().map(Call::line).collect();
    assert_eq!(lines, ["minutes(seconds=65) returned '1m 05s'"]);
}
