//! Unit tests for `repro_imports`.

use super::*;

fn files(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect()
}

#[test]
fn the_undefined_name_is_read_from_python_and_node_output() {
    let py = "E       NameError: name 'slugify' is not defined\n";
    assert_eq!(undefined_name(py).as_deref(), Some("slugify"));
    let js = "ReferenceError: clamp is not defined\n    at TestContext";
    assert_eq!(undefined_name(js).as_deref(), Some("clamp"));
    let tap = "not ok 2 - issue example 1\n  ---\n  error: 'isoDay is not defined'\n  \
               code: 'ERR_TEST_FAILURE'\n  name: 'ReferenceError'\n";
    assert_eq!(undefined_name(tap).as_deref(), Some("isoDay"));
    assert_eq!(undefined_name("AssertionError: 1 != 2"), None);
}

#[test]
fn python_imports_from_the_package_that_re_exports_the_name() {
    let project = files(&[
        (
            "text/slug.py",
            "import re\n\ndef slugify(s):\n    return s\n",
        ),
        ("text/__init__.py", "from .slug import slugify\n"),
        ("tests/test_slug.py", "from text import slugify\n"),
    ]);
    assert_eq!(
        import_line("slugify", "tests/test_slug.py", "", &project).as_deref(),
        Some("from text import slugify")
    );
}

#[test]
fn python_imports_from_the_module_when_the_package_does_not_export_it() {
    let project = files(&[
        ("src/ticker/eta.py", "def fmt_eta(s):\n    return s\n"),
        ("src/ticker/__init__.py", ""),
    ]);
    assert_eq!(
        import_line("fmt_eta", "tests/test_eta.py", "", &project).as_deref(),
        Some("from ticker.eta import fmt_eta")
    );
}

#[test]
fn a_name_the_project_does_not_define_gets_no_import() {
    let project = files(&[("m.py", "def other():\n    pass\n")]);
    assert_eq!(
        import_line("slugify", "tests/test_m.py", "", &project),
        None
    );
}

#[test]
fn javascript_requires_by_relative_path_in_commonjs_and_imports_in_modules() {
    let project = files(&[(
        "lib/num.js",
        "function clamp(x) { return x; }\nmodule.exports = { clamp };\n",
    )]);
    assert_eq!(
        import_line(
            "clamp",
            "test/num.test.js",
            "const test = require('node:test');",
            &project
        )
        .as_deref(),
        Some("const { clamp } = require('../lib/num');")
    );
    assert_eq!(
        import_line(
            "clamp",
            "test/num.test.js",
            "import test from 'node:test';",
            &project
        )
        .as_deref(),
        Some("import { clamp } from '../lib/num.js';")
    );
}

#[test]
fn the_undefined_name_is_read_from_rustc_errors() {
    let fun =
        "error[E0425]: cannot find function `count_words` in this scope\n --> tests/c.rs:9:16";
    assert_eq!(undefined_name(fun).as_deref(), Some("count_words"));
    let ty = "error[E0433]: failed to resolve: use of undeclared type `Stack`";
    assert_eq!(undefined_name(ty).as_deref(), Some("Stack"));
}

#[test]
fn rust_imports_through_the_crate_root_or_the_module_path() {
    let manifest = "[package]\nname = \"text-stat\"\nversion = \"0.1.0\"\n";
    let count = "pub fn count_words(s: &str) -> usize {\n    0\n}\n";
    let wrap = "pub fn wrap(s: &str) -> String {\n    s.into()\n}\n";
    let mut project = files(&[
        ("Cargo.toml", manifest),
        (
            "src/lib.rs",
            "pub mod count;\npub mod fmt;\n\npub use count::count_words;\n",
        ),
        ("src/count.rs", count),
        ("src/fmt/wrap.rs", wrap),
        ("tests/counts.rs", "use text_stat::count_lines;\n"),
    ]);
    let import = |name: &str, project: &[(String, String)]| {
        import_line(name, "tests/counts.rs", "", project)
    };
    // Re-exported by lib.rs: from the crate root, named as Cargo.toml names the crate.
    assert_eq!(
        import("count_words", &project).as_deref(),
        Some("use text_stat::count_words;")
    );
    assert_eq!(
        import("wrap", &project).as_deref(),
        Some("use text_stat::fmt::wrap::wrap;")
    );
    // A method of an impl (indented) is no item an integration test can import.
    project.push((
        "src/stack.rs".into(),
        "impl S {\n    pub fn peek(&self) {}\n}\n".into(),
    ));
    assert_eq!(import("peek", &project), None);
    // `[lib]` renames the crate; a binary's own functions cannot be imported.
    project[0].1 = format!("{manifest}\n[lib]\nname = \"ts\"\n");
    assert_eq!(
        import("count_words", &project).as_deref(),
        Some("use ts::count_words;")
    );
    let bin = files(&[
        ("Cargo.toml", manifest),
        ("src/main.rs", "pub fn run() {}\n"),
    ]);
    assert_eq!(import("run", &bin), None);
}

#[test]
fn a_bare_enum_variant_imports_the_enums_variants() {
    let project = files(&[
        ("Cargo.toml", "[package]\nname = \"logsieve\"\nversion = \"0.1.0\"\n"),
        ("src/lib.rs", "pub mod level;\n"),
        (
            "src/level.rs",
            "#[derive(Debug)]\npub enum Level {\n    Trace,\n    Warn,\n    Error,\n}\n\npub enum Shape {\n    Circle(f64),\n}\n",
        ),
    ]);
    let import = |name: &str| import_line(name, "tests/sieve.rs", "", &project);
    assert_eq!(
        import("Warn").as_deref(),
        Some("use logsieve::level::Level::*;")
    );
    assert_eq!(
        import("Circle").as_deref(),
        Some("use logsieve::level::Shape::*;")
    );
    // A prefix of a variant is none; nor is a name no enum has.
    assert_eq!(import("War"), None);
    assert_eq!(import("Debug"), None);
}
