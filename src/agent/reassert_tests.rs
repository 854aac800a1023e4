use super::*;

fn values(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_test_whose_expected_output_leaves_out_a_stated_value_contradicts_the_issue() {
    let expected = values(&["- **ui:** fix the menu", "1.0.0"]);
    let wrong = "test('notes', () => {\n  const notes = render('1.0.0', ['fix(ui): fix the menu']);\n  assert.equal(notes, ['## 1.0.0', '- fix(ui): fix the menu'].join('\\n'));\n});\n";
    assert!(contradicts(wrong, &expected));
    let right = "test('notes', () => {\n  const notes = render('1.0.0', ['fix(ui): fix the menu']);\n  assert.equal(notes, '## 1.0.0\\n- **ui:** fix the menu');\n});\n";
    assert!(!contradicts(right, &expected));
    // No equality assertion: nothing to contradict.
    assert!(!contradicts("def test_x():\n    assert ok(3)\n", &expected));
    // Values too short to tell anything are left out.
    assert!(!contradicts(wrong, &values(&["1", ","])));
}

#[test]
fn a_javascript_test_keeps_its_setup_and_asserts_the_issues_values() {
    let code = "test('notes', () => {\n  const notes = render('1.0.0', ['fix(ui): fix the menu']);\n  assert.equal(notes, ['## 1.0.0', '- fix(ui): fix the menu'].join('\\n'));\n});\n";
    let out = reassert(
        code,
        "tests/notes.test.js",
        &values(&["- **ui:** fix the menu"]),
    )
    .unwrap();
    assert_eq!(
        out,
        "test('notes', () => {\n  const notes = render('1.0.0', ['fix(ui): fix the menu']);\n  const issueGot = [String(notes)].join('\\n');\n  assert.ok(issueGot.includes(\"- **ui:** fix the menu\"), issueGot);\n});\n"
    );
    let jest = "it('pads', () => {\n  expect(pad('a', 3)).toBe('a');\n});\n";
    let out = reassert(jest, "src/pad.test.ts", &values(&["  a"])).unwrap();
    assert!(
        out.contains("const issueGot = [String(pad('a', 3))].join('\\n');\n  expect(issueGot).toContain(\"  a\");\n"),
        "{out}"
    );
}

#[test]
fn every_assertion_of_a_python_test_is_gathered_into_one_check() {
    let code = "def test_dates():\n    assert export(run_a) == '2020-01-02'\n    got = parse('x')\n    self.assertEqual(got, 'y')\n    assert 'z' == fmt(got), 'message'\n";
    let out = reassert(
        code,
        "tests/test_dates.py",
        &values(&["2020-02-01", "it's \"ok\""]),
    )
    .unwrap();
    assert_eq!(
        out,
        "def test_dates():\n    got = parse('x')\n    issue_got = \"\\n\".join([str(export(run_a)), str(got), str(fmt(got))])\n    assert \"2020-02-01\" in issue_got, issue_got\n    assert \"it's \\\"ok\\\"\" in issue_got, issue_got\n"
    );
}

#[test]
fn a_rust_test_asserts_the_values_in_its_calls_text() {
    let code = "#[test]\nfn widths() {\n    let out = expand(\"\\tx\", 4);\n    assert_eq!(out, \"        x\");\n}\n";
    let out = reassert(code, "tests/expand.rs", &values(&["    x"])).unwrap();
    assert!(
        out.contains("    let issue_got = [(out).to_string()].join(\"\\n\");\n    assert!(issue_got.contains(\"    x\"), \"{}\", issue_got);\n}\n"),
        "{out}"
    );
}

#[test]
fn a_statement_of_another_shape_leaves_the_test_as_it_is() {
    // An `if` line holding `==` is no assertion this reads.
    let code = "def test_x():\n    if mode == 'fast':\n        assert run() == 'a'\n";
    assert_eq!(reassert(code, "tests/test_x.py", &values(&["bbb"])), None);
    // No expected value to assert, or a language with no check written here.
    let code = "def test_x():\n    assert run() == 'a'\n";
    assert_eq!(reassert(code, "tests/test_x.py", &[]), None);
    assert_eq!(reassert(code, "tests/x_test.go", &values(&["bbb"])), None);
    // A negated assertion is not an equality one: nothing to replace.
    let code = "def test_x():\n    assert run() != 'a'\n";
    assert_eq!(reassert(code, "tests/test_x.py", &values(&["bbb"])), None);
}
