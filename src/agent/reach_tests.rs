//! Unit tests for `reach`.

use super::*;

fn file(path: &str, text: &str) -> (String, String) {
    (path.to_string(), text.to_string())
}

#[test]
fn tests_are_found_in_every_shape() {
    let rust = "#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    #[should_panic]\n    fn pads_short() {\n        assert_eq!(pad(\"a\"), \"a \");\n    }\n\n    fn helper() {}\n}\n";
    let names: Vec<String> = units(rust).into_iter().map(|u| u.name).collect();
    assert_eq!(names, ["pads_short"]);
    let py = "class T(unittest.TestCase):\n    def test_round(self):\n        self.assertEqual(fmt(1), '1')\n\ndef check(x):\n    pass\n";
    let found = units(py);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].name, "test_round");
    assert!(found[0].body.contains("fmt(1)"));
    let js = "test('keeps breaking changes', () => {\n  assert.equal(render(x), 'y');\n});\nit.only(\"sorts\", async () => {\n  sort();\n});\ntesting('no', () => {});\n";
    let names: Vec<String> = units(js).into_iter().map(|u| u.name).collect();
    assert_eq!(names, ["keeps breaking changes", "sorts"]);
    let go = "func TestDetab(t *testing.T) {\n\tdetab(\"x\")\n}\n";
    assert_eq!(units(go)[0].name, "TestDetab");
}

/// The bug is in a helper in another file, two calls below what the failing test calls; a
/// passing test reaches the caller but not the helper.
#[test]
fn the_helper_only_the_failing_test_reaches_ranks_first() {
    let files = [
        file(
            "src/notes.js",
            "const { parse } = require('./parse');\n\nfunction render(commits) {\n  return commits.map(parse).map(line).join('\\n');\n}\n\nfunction line(c) {\n  return `- ${c.subject}`;\n}\n\nfunction count(commits) {\n  return commits.length;\n}\n\nmodule.exports = { render, count };\n",
        ),
        file(
            "src/parse.js",
            "function parse(raw) {\n  return { subject: subject(raw) };\n}\n\nfunction subject(raw) {\n  return raw.split(':')[1];\n}\n\nmodule.exports = { parse };\n",
        ),
        file(
            "tests/notes.test.js",
            "test('renders breaking changes', () => {\n  assert.equal(render(['feat!: x']), '- x');\n});\n\ntest('counts', () => {\n  assert.equal(count([1]), 1);\n});\n",
        ),
    ];
    let ranked = suspects(&files, &["renders breaking changes".to_string()]);
    let names: Vec<&str> = ranked.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["render", "line", "parse", "subject"], "{ranked:?}");
    assert!(ranked.iter().all(|s| (s.score - 1.0).abs() < 1e-9));
    assert_eq!(ranked[3].path, "src/parse.js");
    assert!(!names.contains(&"count"), "only a passing test reaches it");
}

#[test]
fn a_definition_passing_tests_reach_too_is_less_suspicious() {
    let lib = "pub fn total(xs: &[i64]) -> i64 {\n    xs.iter().map(|x| scale(*x)).sum()\n}\n\nfn scale(x: i64) -> i64 {\n    x * 3\n}\n\npub fn label(xs: &[i64]) -> String {\n    format!(\"{} items\", total(xs))\n}\n\n#[cfg(test)]\nmod tests {\n    use super::*;\n\n    #[test]\n    fn totals() {\n        assert_eq!(total(&[1, 2]), 6);\n    }\n\n    #[test]\n    fn labels() {\n        assert_eq!(label(&[]), \"0 items\");\n    }\n}\n";
    let ranked = suspects(&[file("src/lib.rs", lib)], &["totals".to_string()]);
    let names: Vec<&str> = ranked.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["total", "scale"], "{ranked:?}");
    assert!(
        ranked[0].score < 1.0,
        "a passing test reaches it too: {ranked:?}"
    );
}

#[test]
fn no_failing_test_among_the_files_means_no_suspects() {
    let files = [file(
        "src/lib.rs",
        "pub fn f() {}\n#[test]\nfn t() { f(); }\n",
    )];
    assert!(suspects(&files, &["other".to_string()]).is_empty());
    assert!(suspects(&files, &[]).is_empty());
}

/// A trait impl's method is run by code that uses its type, not by its name: the failing test
/// pops a queue, the queue holds `Job`s, and `Job`'s `Ord::cmp` decides the order.
#[test]
fn a_trait_impl_is_reached_through_its_type() {
    let job = "use std::cmp::Ordering;\n\npub struct Job {\n    pub id: u32,\n}\n\nimpl Ord for Job {\n    fn cmp(&self, other: &Self) -> Ordering {\n        other.id.cmp(&self.id)\n    }\n}\n\nimpl std::fmt::Display for Job {\n    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {\n        write!(f, \"#{}\", self.id)\n    }\n}\n";
    let queue = "use crate::job::Job;\n\npub struct Queue {\n    heap: std::collections::BinaryHeap<Job>,\n}\n\nimpl Queue {\n    pub fn push(&mut self, id: u32) {\n        self.heap.push(Job { id });\n    }\n\n    pub fn len(&self) -> usize {\n        self.heap.len()\n    }\n}\n";
    let tests = "#[test]\nfn first_come_first_served() {\n    let mut q = Queue::default();\n    q.push(1);\n}\n\n#[test]\nfn counts() {\n    assert_eq!(Queue::default().len(), 0);\n}\n";
    let files = [
        file("src/job.rs", job),
        file("src/queue.rs", queue),
        file("tests/queue.rs", tests),
    ];
    let ranked = suspects(&files, &["first_come_first_served".to_string()]);
    let names: Vec<&str> = ranked.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["push", "cmp", "fmt"], "{ranked:?}");
}

#[test]
fn python_dunders_and_javascript_constructors_belong_to_their_class() {
    let py = "class Slot:\n    def __init__(self, start):\n        self.start = start\n\n    def __lt__(self, other):\n        return self.start > other.start\n\n    def length(self):\n        return 1\n";
    let defs = definitions("app/slot.py", py);
    let lines: Vec<&str> = py.lines().collect();
    let owner = |name: &str| {
        let d = defs.iter().find(|d| d.name == name).unwrap();
        implicit_owner(&lines, d)
    };
    assert_eq!(owner("__lt__").as_deref(), Some("Slot"));
    assert_eq!(owner("__init__").as_deref(), Some("Slot"));
    assert_eq!(owner("length"), None, "called by its own name");
    let js = "export class Cell {\n  constructor(text) {\n    this.text = text;\n  }\n\n  width() {\n    return this.text.length;\n  }\n}\n";
    let defs = definitions("src/cell.js", js);
    let ctor = defs.iter().find(|d| d.name == "constructor").unwrap();
    let lines: Vec<&str> = js.lines().collect();
    assert_eq!(implicit_owner(&lines, ctor).as_deref(), Some("Cell"));
}

/// A test calls a helper in its own file, and the helper calls the code: the failing test
/// reaches what the helper calls, and the helper is no suspect.
#[test]
fn calls_go_through_the_test_files_own_helpers() {
    let files = [
        file(
            "src/queue.rs",
            "pub struct Queue { items: Vec<u32> }\n\nimpl Queue {\n    pub fn add(&mut self, x: u32) {\n        self.items.push(x);\n    }\n\n    pub fn take(&mut self) -> Option<u32> {\n        self.items.pop()\n    }\n}\n",
        ),
        file(
            "tests/queue.rs",
            "fn drain(q: &mut Queue) -> Vec<u32> {\n    std::iter::from_fn(|| q.take()).collect()\n}\n\n#[test]\nfn adds() {\n    let mut q = Queue::default();\n    q.add(1);\n}\n\n#[test]\nfn first_in_first_out() {\n    let mut q = Queue::default();\n    q.add(1);\n    q.add(2);\n    assert_eq!(drain(&mut q), [1, 2]);\n}\n",
        ),
    ];
    let ranked = suspects(&files, &["first_in_first_out".to_string()]);
    let names: Vec<&str> = ranked.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["take", "add"], "{ranked:?}");
    assert!((ranked[0].score - 1.0).abs() < 1e-9, "{ranked:?}");
}
