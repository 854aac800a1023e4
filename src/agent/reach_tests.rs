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
