//! Unit tests for `frames`.

use std::path::Path;

use super::*;

fn files() -> Vec<String> {
    [
        "src/lib.rs",
        "src/parse.js",
        "app/calc.py",
        "tests/t.rs",
        "crates/cli/src/main.rs",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[test]
fn places_come_from_panics_stacks_and_tracebacks() {
    let root = Path::new("/home/u/repo");
    let output = "thread 'tests::t' panicked at src/lib.rs:40:9:\nattempt to subtract with overflow\n   4: core::panicking::panic\n             at /rustc/abc/library/core/src/panicking.rs:145:5\n   5: repo::pad\n             at ./src/lib.rs:12:5\n   6: t::pads\n             at ./tests/t.rs:3:5\nTypeError: x is undefined\n    at subject (/home/u/repo/src/parse.js:6:14)\n    at file:///home/u/repo/src/parse.js:2:20\n    at node:internal/test_runner/test:796:25\n  File \"/home/u/repo/app/calc.py\", line 7, in scale\n  File \"/usr/lib/python3/unittest/case.py\", line 58, in run\nthread 'main' panicked at src/main.rs:3:1\n";
    assert_eq!(
        places(output, root, &files()),
        [
            ("src/lib.rs".to_string(), 40),
            ("src/lib.rs".to_string(), 12),
            ("src/parse.js".to_string(), 6),
            ("src/parse.js".to_string(), 2),
            ("app/calc.py".to_string(), 7),
            ("crates/cli/src/main.rs".to_string(), 3),
        ]
    );
}

#[test]
fn an_absolute_path_outside_the_root_is_not_the_projects() {
    let root = Path::new("/home/u/repo");
    let output = "at /rustc/abc/library/core/src/lib.rs:10:1\nat /usr/lib/node/src/parse.js:3:1\n";
    assert!(places(output, root, &files()).is_empty());
}

#[test]
fn a_place_names_the_innermost_definition_around_it() {
    let lib = "pub struct Table;\n\nimpl Table {\n    pub fn width(&self, cells: &[&str]) -> usize {\n        cells.iter().map(|c| c.len()).max().unwrap() - 1\n    }\n\n    pub fn render(&self) -> String {\n        String::new()\n    }\n}\n";
    let files = vec![("src/lib.rs".to_string(), lib.to_string())];
    let found = suspects(
        &[("src/lib.rs".to_string(), 5), ("src/lib.rs".to_string(), 1)],
        &files,
    );
    let names: Vec<&str> = found.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["width"]);
}
