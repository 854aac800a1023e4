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
