//! Unit tests for `rewrite`.

use super::*;
use crate::agent::prompt::ShownFile;

/// The three definitions the rewrite stage asks for (see `session::REWRITTEN`).
fn pick(
    diagnosis: &str,
    issue: &str,
    test_output: &str,
    files: &[ShownFile],
    suspects: &[crate::agent::spectrum::Suspect],
    traced: bool,
) -> Vec<Target> {
    let mut best = ranked(diagnosis, issue, test_output, files, suspects, traced);
    best.truncate(3);
    best
}

const PY: &str = "import re\n\n\ndef parse_line(line):\n    return line.split('=')\n\n\ndef parse_config(text):\n    lines = text.splitlines()\n    first = lines[0]\n    return first\n";

#[test]
fn finds_definitions_with_extents() {
    let d = definitions("c.py", PY);
    assert_eq!(
        d.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["parse_line", "parse_config"]
    );
    assert_eq!(d[1].code, "def parse_config(text):\n    lines = text.splitlines()\n    first = lines[0]\n    return first\n");
    let rs = "impl<T> Stack<T> {\n    pub fn peek(&self) -> Option<&T> {\n        self.items.first()\n    }\n}\n#[test]\nfn t() {}\n";
    let d = definitions("lib.rs", rs);
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].name, "peek");
    assert_eq!(d[0].line, 2);
}

#[test]
fn javascript_functions_and_methods() {
    let js = "export const total = (items) => {\n  return 0;\n};\nclass Cart {\n  add(item) {\n    if (item) {\n      this.items.push(item);\n    }\n  }\n}\nasync function load(store) {\n  return store.all();\n}\nexport async function save(store) {\n  await store.flush();\n}\n";
    let names: Vec<String> = definitions("cart.js", js)
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["total", "add", "load", "save"]);
}

#[test]
fn diagnosis_decides_the_target() {
    let files = vec![ShownFile {
        path: "c.py".into(),
        content: PY.into(),
    }];
    let t = pick(
        "The cause is that `parse_config` indexes an empty list.",
        "crash on empty input",
        "",
        &files,
        &[],
        false,
    );
    assert_eq!(t[0].name, "parse_config");
}

#[test]
fn what_the_failing_tests_ran_outweighs_a_name_in_the_issue() {
    let files = vec![ShownFile {
        path: "c.py".into(),
        content: PY.into(),
    }];
    let suspects = [crate::agent::spectrum::Suspect {
        path: "c.py".into(),
        name: "parse_line".into(),
        score: 1.0,
        line: None,
    }];
    // The issue names parse_config; running the tests showed only parse_line fails them.
    let t = pick(
        "",
        "parse_config returns the wrong key",
        "",
        &files,
        &suspects,
        false,
    );
    assert_eq!(t[0].name, "parse_line");
}

#[test]
fn a_function_no_failing_test_ran_is_ranked_below_the_ones_they_did() {
    let src = "RATES = {\"EUR\": 2}\n\n\ndef render(x):\n    return str(x)\n\n\ndef report(xs):\n    return [render(x) for x in xs]\n\n\ndef summary(xs):\n    return len(xs)\n";
    let files = vec![ShownFile {
        path: "r.py".into(),
        content: src.into(),
    }];
    let ran = |name: &str, score| crate::agent::spectrum::Suspect {
        path: "r.py".into(),
        name: name.into(),
        score,
        line: None,
    };
    let suspects = [ran("report", 0.5), ran("render", 0.5)];
    let issue = "summary and report disagree about EUR";
    let names = |traced| -> Vec<String> {
        pick("", issue, "", &files, &suspects, traced)
            .into_iter()
            .map(|t| t.name)
            .collect()
    };
    // Traced: `summary` never ran in the failing test, so rewriting it cannot make the test
    // pass — it is no target at all; the constant stays a candidate.
    assert_eq!(names(true), ["report", "render", "RATES"]);
    let all = ranked("", issue, "", &files, &suspects, true);
    assert!(!all.iter().any(|t| t.name == "summary"), "{all:?}");
    // Read statically, a missing function may still have run: the issue's word counts.
    assert!(names(false).contains(&"summary".to_string()));
}

#[test]
fn the_most_suspicious_definition_the_trace_found_is_at_worst_the_second_rewrite() {
    // The issue and the diagnosis name the entry point; the bug is in a helper below it.
    let src = "def merge(xs):\n    return sorted(xs)\n\n\ndef gaps(xs, low, high):\n    return [(low, high)]\n\n\ndef free_slots(meetings):\n    return gaps(merge(meetings), 0, 9)\n";
    let files = vec![ShownFile {
        path: "slots.py".into(),
        content: src.into(),
    }];
    let ran = |name: &str, score| crate::agent::spectrum::Suspect {
        path: "slots.py".into(),
        name: name.into(),
        score,
        line: None,
    };
    let suspects = [ran("merge", 0.58), ran("gaps", 0.5), ran("free_slots", 0.3)];
    let diagnosis = "The cause is that `free_slots` and `gaps` mishandle overlapping meetings.";
    let issue = "free_slots offers me times when I'm already booked";
    let names = |traced| -> Vec<String> {
        ranked(diagnosis, issue, "", &files, &suspects, traced)
            .into_iter()
            .map(|t| t.name)
            .collect()
    };
    // The names choose the first; running the tests showed `merge`: it is next.
    assert_eq!(names(true), ["free_slots", "merge", "gaps"]);
    // Suspects read from the code rather than traced carry less: the names order them.
    assert_eq!(names(false), ["free_slots", "gaps", "merge"]);
}

/// A module `money.py` and the `data.py` its tables live in, as shown to the model.
fn money_and_data(code: &str, data: &str) -> Vec<ShownFile> {
    vec![
        ShownFile {
            path: "money.py".into(),
            content: code.into(),
        },
        ShownFile {
            path: "data.py".into(),
            content: data.into(),
        },
    ]
}

/// A function of `money.py` the failing tests ran, with its suspiciousness.
fn ran_in_money(name: &str, score: f64) -> crate::agent::spectrum::Suspect {
    crate::agent::spectrum::Suspect {
        path: "money.py".into(),
        name: name.into(),
        score,
        line: None,
    }
}

#[test]
fn a_table_is_as_suspicious_as_the_functions_that_read_it() {
    let data = "MINOR_UNITS = {\n    \"EUR\": 2, \"JPY\": 2,\n}\n\nLIMIT = 100\n";
    let code = "from .data import MINOR_UNITS\n\n\ndef digits(c):\n    return MINOR_UNITS[c]\n\n\ndef render(m):\n    d = digits(m.c)\n    return f\"{m.v / 10**d:.{d}f}\"\n\n\ndef parse(t, c):\n    d = digits(c)\n    return int(t) * 10**d\n\n\ndef check(m):\n    return m.v < 10**9\n";
    let files = money_and_data(code, data);
    // Every function ran in the failing test about as much as in the passing ones.
    let suspects = [
        ran_in_money("render", 0.6),
        ran_in_money("digits", 0.5),
        ran_in_money("parse", 0.5),
        ran_in_money("check", 0.5),
    ];
    let names: Vec<String> = pick("", "yen prints cents", "", &files, &suspects, true)
        .into_iter()
        .map(|t| t.name)
        .collect();
    // The table `digits` looks up is in another file and never ran as code; a constant no
    // suspect reads gains nothing.
    assert!(names.contains(&"MINOR_UNITS".to_string()), "{names:?}");
    assert!(!names.contains(&"LIMIT".to_string()), "{names:?}");
}

#[test]
fn a_table_with_an_entry_for_the_failing_input_competes_with_the_functions_the_failure_names() {
    let data = "MINOR_UNITS = {\n    \"EUR\": 2, \"JPY\": 2,\n}\n";
    let code = "from .data import MINOR_UNITS\n\n\ndef digits(c):\n    return MINOR_UNITS[c]\n\n\ndef render(m):\n    d = digits(m.c)\n    return f\"{m.v / 10**d:.{d}f}\"\n\n\ndef parse(t, c):\n    d = digits(c)\n    return int(t) * 10**d\n";
    let files = money_and_data(code, data);
    let suspects = [
        ran_in_money("render", 0.6),
        ran_in_money("digits", 0.5),
        ran_in_money("parse", 0.5),
    ];
    let failure = |input: &str| {
        format!(
            ">       assert render(Money(1500, \"{input}\")) == \"1500\"\nmoney.py:9: in render\n    d = digits(m.c)\nmoney.py:5: in digits\nmoney.py:14: in parse\n"
        )
    };
    let names = |output: &str| -> Vec<String> {
        pick(
            "",
            "whole amounts print cents",
            output,
            &files,
            &suspects,
            true,
        )
        .into_iter()
        .map(|t| t.name)
        .collect()
    };
    let keyed = names(&failure("JPY"));
    assert!(keyed.contains(&"MINOR_UNITS".to_string()), "{keyed:?}");
    // An input the table has no entry for leaves it behind the functions the failure names.
    let other = names(&failure("XAU"));
    assert!(!other.contains(&"MINOR_UNITS".to_string()), "{other:?}");
}

#[test]
fn a_table_read_through_a_lookup_helper_is_as_suspicious_as_the_helpers_callers() {
    let data = "MINOR_UNITS = {\n    \"EUR\": 2, \"JPY\": 2,\n}\n";
    let code = "from .data import MINOR_UNITS\n\n\ndef digits(c):\n    return MINOR_UNITS[c]\n\n\ndef render(m):\n    d = digits(m.c)\n    return f\"{m.v / 10**d:.{d}f}\"\n\n\ndef total(ms):\n    return sum(m.v for m in ms)\n\n\ndef label(m):\n    return m.c.upper()\n";
    let files = money_and_data(code, data);
    // Every test looks amounts up, so the helper itself stands out little.
    let suspects = [
        ran_in_money("render", 0.7),
        ran_in_money("total", 0.5),
        ran_in_money("label", 0.5),
        ran_in_money("digits", 0.1),
    ];
    let names: Vec<String> = pick("", "whole amounts print cents", "", &files, &suspects, true)
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert!(names.contains(&"MINOR_UNITS".to_string()), "{names:?}");
}

#[test]
fn rewrite_is_reindented_and_trimmed_to_the_definition() {
    let t = definitions(
        "lib.rs",
        "impl S {\n    pub fn peek(&self) -> Option<&T> {\n        self.items.first()\n    }\n}\n",
    )
    .remove(0);
    let reply = "```rust\npub fn peek(&self) -> Option<&T> {\n    self.items.last()\n}\n\npub fn other() {}\n```";
    let e = edit_for(&t, reply, &["peek".to_string(), "other".to_string()]).unwrap();
    assert_eq!(
        e.replace,
        "    pub fn peek(&self) -> Option<&T> {\n        self.items.last()\n    }\n"
    );
}

#[test]
fn a_new_definition_next_to_the_rewrite_is_kept() {
    let src = "impl S {\n    pub fn len(&self) -> usize {\n        self.items.len()\n    }\n}\n";
    let t = definitions("lib.rs", src).remove(0);
    let reply = "```rust\npub fn len(&self) -> usize {\n    self.items.len()\n}\n\npub fn clear(&mut self) {\n    self.items.clear();\n}\n```";
    let e = edit_for(&t, reply, &["len".to_string()]).unwrap();
    assert_eq!(
        e.replace,
        "    pub fn len(&self) -> usize {\n        self.items.len()\n    }\n\n    pub fn clear(&mut self) {\n        self.items.clear();\n    }\n"
    );
}

#[test]
fn module_constants_are_targets_too() {
    let py = "\"\"\"Units.\"\"\"\n\nKM_PER_MILE = 1.6\nSYMBOLS = [\n    (10, \"X\"),\n    (1, \"I\"),\n]\nlower = 3\n\ndef f(x):\n    return x\n";
    let names: Vec<(String, usize, usize)> = definitions("u.py", py)
        .into_iter()
        .map(|t| (t.name, t.line, t.code.lines().count()))
        .collect();
    assert_eq!(
        names,
        [
            ("KM_PER_MILE".into(), 3, 1),
            ("SYMBOLS".into(), 4, 4),
            ("f".into(), 10, 2)
        ]
    );
    let rs = "pub const LIMIT: usize = 10;\nstatic TABLE: [u8; 2] = [\n    1, 2,\n];\nfn g() {}\n";
    let names: Vec<String> = definitions("a.rs", rs)
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["LIMIT", "TABLE", "g"]);
    // A local arrow function inside another is part of it, not a definition of its own.
    let js = "const MAX = 10;\nconst add = (a, b) => {\n  const twice = (x) => x * 2;\n  return twice(a) + b;\n};\n";
    let names: Vec<String> = definitions("a.js", js)
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["MAX", "add"]);
}

#[test]
fn a_constant_rewrite_replaces_exactly_the_constant() {
    let src = "KM_PER_MILE = 1.6\nMETERS_PER_KM = 1000\n";
    let t = definitions("geo/units.py", src).remove(0);
    let reply = "```python\n\"\"\"Unit constants.\"\"\"\n\nKM_PER_MILE = 1.609344\nMETERS_PER_KM = 1000\n```";
    let edit = edit_for(&t, reply, &[]).unwrap();
    assert_eq!(edit.search, "KM_PER_MILE = 1.6\n");
    assert_eq!(edit.replace, "KM_PER_MILE = 1.609344\n");
}

#[test]
fn a_reply_defining_another_function_is_no_rewrite_of_the_target() {
    let src = "def total(items):\n    return sum(items)\n\n\ndef mean(items):\n    return total(items) / len(items)\n";
    let t = definitions("stats.py", src).remove(0);
    assert_eq!(t.name, "total");
    let other = "```python\ndef mean(items):\n    return total(items) / max(len(items), 1)\n```";
    assert!(edit_for(&t, other, &["total".into(), "mean".into()]).is_none());
    let body_only = "```python\n    return sum(items) + 0\n```";
    assert!(edit_for(&t, body_only, &[]).is_some());
}

#[test]
fn the_line_running_singled_out_is_named_in_the_request() {
    let src = "def restock(levels, name, qty):\n    if name in levels:\n        levels[name] = qty\n    else:\n        levels[name] = qty\n    return levels\n";
    let files = vec![ShownFile {
        path: "s.py".into(),
        content: src.into(),
    }];
    let at = |line| {
        let suspect = crate::agent::spectrum::Suspect {
            path: "s.py".into(),
            name: "restock".into(),
            score: 1.0,
            line,
        };
        pick("", "counts are wrong", "", &files, &[suspect], true).remove(0)
    };
    let t = at(Some(3));
    assert_eq!(t.hint.as_deref(), Some("levels[name] = qty"));
    assert!(request(&t, "python", "counts are wrong", "", &[], &[])
        .contains("points at this line of it: `levels[name] = qty`"));
    // The first line stands for the call; a line outside the definition is no hint.
    for line in [Some(1), Some(9), None] {
        let t = at(line);
        assert_eq!(t.hint, None, "{line:?}");
        assert!(!request(&t, "python", "counts are wrong", "", &[], &[]).contains("points at"));
    }
}

#[test]
fn a_match_arm_is_not_a_method() {
    let rs = "fn main() -> ExitCode {\n    let opts = match parse(&args) {\n        Ok(o) => o,\n        Err(e) => {\n            eprintln!(\"{e}\");\n            return ExitCode::FAILURE;\n        }\n    };\n    ExitCode::SUCCESS\n}\n";
    let names: Vec<String> = definitions("src/main.rs", rs)
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["main"]);
}

#[test]
fn a_constant_the_issue_talks_about_invites_a_parameter() {
    let rs = "const TAB_STOP: usize = 8;\nconst LIMIT: usize = 99;\n\npub fn expand_line(line: &str, initial_only: bool) -> String {\n    let n = LIMIT.min(TAB_STOP);\n    line.repeat(n)\n}\n";
    let t = definitions("src/expand.rs", rs)
        .into_iter()
        .find(|d| d.name == "expand_line")
        .unwrap();
    let issue = "`--tabs 4` is ignored: always 8 columns";
    assert_eq!(fixed_setting(&t, issue).as_deref(), Some("TAB_STOP"));
    assert!(request(&t, "rust", issue, "", &[], &[]).contains(
        "uses the fixed value `TAB_STOP`. If a setting should decide it instead, add a parameter"
    ));
    // A word in a string is text, not a constant the code reads.
    let py = "def render(eta):\n    return f\"ETA {eta}\" + 'ETA'\n";
    let t = definitions("bar.py", py).remove(0);
    assert_eq!(fixed_setting(&t, "the ETA reads 1m 60s"), None);
    // A constant the issue does not talk about, or the constant itself, says nothing.
    assert_eq!(
        fixed_setting(&t, "the output is wrong for long lines"),
        None
    );
    let constant = definitions("src/expand.rs", rs).remove(0);
    assert_eq!(fixed_setting(&constant, issue), None);
}

#[test]
fn a_table_the_issue_names_invites_a_parameter_only_where_the_issue_speaks_of_an_option() {
    let py = "SYMBOLS = {\"USD\": \"$\"}\n\ndef price_label(cents, currency):\n    \
              symbol = SYMBOLS.get(currency, currency)\n    return f\"{symbol}{cents / 100:.2f}\"\n";
    let t = definitions("tilly/money.py", py)
        .into_iter()
        .find(|d| d.name == "price_label")
        .unwrap();
    let refund = "A refund of -1250 cents prints as `$-12.50` rather than `-$12.50`: the sign \
                  should come before the currency symbol.";
    assert_eq!(fixed_setting(&t, refund), None);
    assert!(!request(&t, "python", refund, "", &[], &[]).contains("add a parameter"));
    for option in [
        "The `--symbols` file is ignored: the currency symbol is always `$`.",
        "Setting a custom currency symbol in the config does nothing.",
    ] {
        assert_eq!(
            fixed_setting(&t, option).as_deref(),
            Some("SYMBOLS"),
            "{option}"
        );
    }
}

#[test]
fn the_file_of_a_constant_a_suspect_reads_joins_the_candidates() {
    let patterns = "'use strict';\nconst COMMIT_RE = /^(\\w+)(?:\\((\\w+)\\))?: (.+)$/;\nconst REF_RE = /#(\\d+)/g;\n\nmodule.exports = { COMMIT_RE, REF_RE };\n";
    let parse = "const { COMMIT_RE } = require('./patterns');\n\nfunction parseCommit(message) {\n  const match = COMMIT_RE.exec(message);\n  return match ? match[1] : null;\n}\n\nmodule.exports = { parseCommit };\n";
    let unrelated = "const LIMIT = 10;\n\nfunction clamp(n) {\n  return Math.min(n, LIMIT);\n}\n";
    let test = "const COMMIT_RE = /x/;\ntest('parses', () => parseCommit('fix: a'));\n";
    let files: Vec<(String, String)> = [
        ("src/patterns.js", patterns),
        ("src/parse.js", parse),
        ("src/clamp.js", unrelated),
        ("tests/parse.test.js", test),
    ]
    .iter()
    .map(|(p, t)| (p.to_string(), t.to_string()))
    .collect();
    let suspect = |path: &str, name: &str| crate::agent::spectrum::Suspect {
        path: path.into(),
        name: name.into(),
        score: 0.7,
        line: None,
    };
    assert_eq!(
        constant_files(&[suspect("src/parse.js", "parseCommit")], &files),
        ["src/patterns.js"]
    );
    // A suspect that reads no constant of another file brings none in; its own file is its own.
    assert!(constant_files(&[suspect("src/clamp.js", "clamp")], &files).is_empty());
    // Once shown, the pattern is a rewrite candidate, ranked as the function that reads it.
    let shown: Vec<ShownFile> = files[..2]
        .iter()
        .map(|(path, content)| ShownFile {
            path: path.clone(),
            content: content.clone(),
        })
        .collect();
    let names: Vec<String> = pick(
        "",
        "a scope with a dash is not read",
        "",
        &shown,
        &[suspect("src/parse.js", "parseCommit")],
        true,
    )
    .into_iter()
    .map(|t| t.name)
    .collect();
    assert!(names.contains(&"COMMIT_RE".to_string()), "{names:?}");
}
