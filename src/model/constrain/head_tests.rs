//! Unit tests for `head`: the start of a rewrite.

use super::*;

fn fed(head: &str, text: &str) -> Vec<Step> {
    let mut h = Head::new(head);
    let mut steps = Vec::new();
    for &b in text.as_bytes() {
        let step = h.step(b);
        steps.push(step);
        if step != Step::Inside {
            break;
        }
    }
    steps
}

#[test]
fn the_head_after_indentation_ends_the_span() {
    assert_eq!(
        fed("def parse", "    def parse(x):").last(),
        Some(&Step::Done)
    );
    assert_eq!(fed("def parse", "\n\tdef parse(").last(), Some(&Step::Done));
}

#[test]
fn prose_or_another_definition_is_refused() {
    assert_eq!(fed("def parse", "Here is").last(), Some(&Step::Broken));
    assert_eq!(fed("def parse", "def helper(").last(), Some(&Step::Broken));
    let h = Head::new("pub fn peek");
    assert!(!h.allows(b"fn peek"));
    assert!(h.allows(b"    pub"));
    assert!(!h.allows(b"    pub(crate)"));
}

#[test]
fn a_token_that_completes_the_head_may_run_on_freely() {
    let mut h = Head::new("def parse");
    for &b in b"def pa" {
        h.step(b);
    }
    assert!(h.allows(b"rse(self):\n"));
    assert!(h.allows(b"rs"));
    assert!(!h.allows(b"th"));
}

#[test]
fn the_head_of_a_definition_runs_through_its_name_as_a_word() {
    assert_eq!(of_definition("    def f(x):\n        pass\n", "f"), "def f");
    assert_eq!(
        of_definition("pub fn peek(&self) -> Option<&T> {\n", "peek"),
        "pub fn peek"
    );
    assert_eq!(
        of_definition("DEFAULTS = {\n  'a': 1,\n}\n", "DEFAULTS"),
        "DEFAULTS"
    );
    assert_eq!(
        of_definition("\n@property\ndef total(self):\n", "total"),
        "@property"
    );
    assert_eq!(of_definition("def foo_f(): pass", "f"), "def foo_f(): pass");
}
