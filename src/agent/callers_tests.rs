//! Unit tests for `callers`.

use super::*;

fn target(path: &str, text: &str, name: &str) -> Target {
    definitions(path, text)
        .into_iter()
        .find(|d| d.name == name)
        .expect("the target is defined")
}

fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect()
}

/// `file` with the follow's edits of it applied.
fn applied(follow: &Follow, path: &str, file: &str) -> String {
    let mut text = file.to_string();
    for e in follow.edits.iter().filter(|e| e.path == path) {
        assert!(text.contains(&e.search), "{} is in {path}", e.search);
        text = text.replacen(&e.search, &e.replace, 1);
    }
    text
}

const EXPAND: &str = "const TAB_STOP: usize = 8;\n\npub fn expand_line(line: &str, initial_only: bool) -> String {\n    let mut out = String::new();\n    out\n}\n";
const ARGS: &str =
    "pub struct Options {\n    pub tab_width: usize,\n    pub initial_only: bool,\n}\n";
const LIB: &str = "pub fn run(opts: &Options, input: &str) -> String {\n    let mut out = String::new();\n    for body in input.lines() {\n        let expanded = expand::expand_line(body, opts.initial_only);\n        out.push_str(&expanded);\n    }\n    out\n}\n";

#[test]
fn a_new_parameter_is_passed_from_the_same_owner_as_its_siblings() {
    let t = target("src/expand.rs", EXPAND, "expand_line");
    let new = "pub fn expand_line(line: &str, tab_width: usize, initial_only: bool) -> String {\n    String::new()\n}\n";
    let tree = files(&[
        ("src/expand.rs", EXPAND),
        ("src/lib.rs", LIB),
        ("src/args.rs", ARGS),
    ]);
    let f = follow(&t, new, || tree.clone());
    assert_eq!(f.added, ["tab_width"]);
    assert_eq!((f.completed, f.left), (1, 0));
    let lib = applied(&f, "src/lib.rs", LIB);
    assert!(
        lib.contains("expand::expand_line(body, opts.tab_width, opts.initial_only);"),
        "{lib}"
    );
    assert_eq!(lib.lines().count(), LIB.lines().count());
}

#[test]
fn an_unchanged_head_or_a_reordered_one_changes_no_caller() {
    let t = target("src/expand.rs", EXPAND, "expand_line");
    let tree = files(&[("src/expand.rs", EXPAND), ("src/lib.rs", LIB)]);
    let same =
        "pub fn expand_line(line: &str, initial_only: bool) -> String {\n    line.to_string()\n}\n";
    assert!(follow(&t, same, || tree.clone()).edits.is_empty());
    let swapped = "pub fn expand_line(initial_only: bool, line: &str, width: usize) -> String {\n    line.to_string()\n}\n";
    let f = follow(&t, swapped, || tree.clone());
    assert!(f.edits.is_empty() && f.added.is_empty());
    let dropped = "pub fn expand_line(line: &str) -> String {\n    line.to_string()\n}\n";
    assert!(follow(&t, dropped, || tree.clone()).edits.is_empty());
}

#[test]
fn a_call_with_no_value_at_hand_is_left_and_counted() {
    let t = target("src/expand.rs", EXPAND, "expand_line");
    let new = "pub fn expand_line(line: &str, stops: &[usize], initial_only: bool) -> String {\n    String::new()\n}\n";
    let plain = "fn go(body: &str) -> String {\n    expand_line(body, false)\n}\n";
    let tree = files(&[("src/expand.rs", EXPAND), ("src/go.rs", plain)]);
    let f = follow(&t, new, || tree.clone());
    assert_eq!((f.completed, f.left), (0, 1));
    assert!(f.edits.is_empty());
}

#[test]
fn tests_are_not_edited_and_the_definition_itself_is_not_a_call() {
    let t = target("src/expand.rs", EXPAND, "expand_line");
    let new = "pub fn expand_line(line: &str, tab_width: usize, initial_only: bool) -> String {\n    String::new()\n}\n";
    let test = "fn check(opts: Options) {\n    assert_eq!(expand_line(\"a\", opts.initial_only), \"a\");\n}\n";
    let tree = files(&[("src/expand.rs", EXPAND), ("tests/expand.rs", test)]);
    let f = follow(&t, new, || tree.clone());
    assert!(f.edits.is_empty(), "{:?}", f.edits);
}

#[test]
fn python_passes_a_variable_of_the_name_or_a_field_the_caller_reads() {
    let report = "def render(rows):\n    return '\\n'.join(rows)\n";
    let cli = "def main(args):\n    width = args.width\n    print(render(load(args.path)))\n\n\nclass Page:\n    def show(self):\n        if self.width > 80:\n            return ''\n        return render(self.rows)\n";
    let t = target("pkg/report.py", report, "render");
    let new = "def render(rows, width=80):\n    return '\\n'.join(r[:width] for r in rows)\n";
    let tree = files(&[("pkg/report.py", report), ("pkg/cli.py", cli)]);
    let f = follow(&t, new, || tree.clone());
    assert_eq!((f.completed, f.left), (2, 0));
    let cli = applied(&f, "pkg/cli.py", cli);
    assert!(
        cli.contains("print(render(load(args.path), width))"),
        "{cli}"
    );
    assert!(
        cli.contains("return render(self.rows, self.width)"),
        "{cli}"
    );
}

#[test]
fn python_keyword_arguments_stay_last() {
    let lib = "def fetch(url, retries=3):\n    return url\n";
    let user = "def get(cfg):\n    return fetch(cfg.url, retries=cfg.retries)\n";
    let t = target("net.py", lib, "fetch");
    let new = "def fetch(url, timeout, retries=3):\n    return url\n";
    let config =
        "class Config:\n    def __init__(self):\n        self.url = ''\n        self.timeout = 5\n";
    let f = follow(&t, new, || {
        files(&[("net.py", lib), ("use.py", user), ("config.py", config)])
    });
    let user = applied(&f, "use.py", user);
    assert!(
        user.contains("fetch(cfg.url, retries=cfg.retries, timeout=cfg.timeout)"),
        "{user}"
    );
}

#[test]
fn javascript_and_nested_brackets_in_arguments() {
    let lib = "function pad(text, width) {\n  return text.padEnd(width);\n}\n";
    let user = "function line(opts, cells) {\n  return pad(cells.map((c) => String(c)).join(\", \"), opts.width);\n}\n";
    let t = target("src/pad.js", lib, "pad");
    let new = "function pad(text, width, fill = \" \") {\n  return text.padEnd(width, fill);\n}\n";
    let defaults = "const DEFAULTS = {\n  width: 10,\n  fill: \" \",\n};\n";
    let f = follow(&t, new, || {
        files(&[
            ("src/pad.js", lib),
            ("src/line.js", user),
            ("src/defaults.js", defaults),
        ])
    });
    let user = applied(&f, "src/line.js", user);
    assert!(
        user.contains("pad(cells.map((c) => String(c)).join(\", \"), opts.width, opts.fill);"),
        "{user}"
    );
}

#[test]
fn heads_with_receivers_and_patterns() {
    let m = "    pub fn push(&mut self, job: Job) {\n    }\n";
    assert_eq!(
        params(m, "push").unwrap(),
        [Param {
            name: "job".into(),
            default: false
        }]
    );
    let py = "    def add(self, item, qty: int = 1):\n        pass\n";
    let names: Vec<(String, bool)> = params(py, "add")
        .unwrap()
        .into_iter()
        .map(|p| (p.name, p.default))
        .collect();
    assert_eq!(names, [("item".into(), false), ("qty".into(), true)]);
    assert!(params("def f(*args):\n    pass\n", "f").is_none());
    assert!(params("fn f((a, b): (u8, u8)) {}\n", "f").is_none());
}

#[test]
fn a_parameter_named_apart_from_the_field_takes_the_field_that_shares_its_words() {
    let t = target("src/expand.rs", EXPAND, "expand_line");
    let new = "pub fn expand_line(line: &str, tab_stop: usize, initial_only: bool) -> String {\n    String::new()\n}\n";
    let tree = files(&[
        ("src/expand.rs", EXPAND),
        ("src/lib.rs", LIB),
        ("src/args.rs", ARGS),
    ]);
    let lib = applied(&follow(&t, new, || tree.clone()), "src/lib.rs", LIB);
    assert!(
        lib.contains("expand_line(body, opts.tab_width, opts.initial_only)"),
        "{lib}"
    );
    // A name that matches no field (or two equally) is not guessed at.
    let new = "pub fn expand_line(line: &str, columns: usize, initial_only: bool) -> String {\n    String::new()\n}\n";
    let f = follow(&t, new, || tree.clone());
    assert_eq!((f.completed, f.left), (0, 1));
    let two = "pub struct Options {\n    pub tab_width: usize,\n    pub tab_char: char,\n}\n";
    let tree = files(&[
        ("src/expand.rs", EXPAND),
        ("src/lib.rs", LIB),
        ("src/args.rs", two),
    ]);
    let new = "pub fn expand_line(line: &str, tab_stop: usize, initial_only: bool) -> String {\n    String::new()\n}\n";
    assert_eq!(follow(&t, new, || tree.clone()).left, 1);
}
