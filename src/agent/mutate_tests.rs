use super::*;
use crate::agent::rewrite::definitions;

/// The mutants of definition `name` in `file` at `path`, as (what changed, new code).
fn of(path: &str, file: &str, name: &str) -> Vec<Mutant> {
    let target = definitions(path, file)
        .into_iter()
        .find(|t| t.name == name)
        .expect("the definition is found");
    mutants(&target, file)
}

fn whats(ms: &[Mutant]) -> Vec<&str> {
    ms.iter().map(|m| m.what.as_str()).collect()
}

#[test]
fn python_comparisons_booleans_numbers_and_not_are_mutated_but_not_strings_or_comments() {
    let file = "\
import re

def clamp(n, limit):
    \"\"\"Clamp n below 3 < limit.\"\"\"
    # a comment with < and 1
    if n >= limit and not re.match(\"<=1\", str(n)):
        return limit - 1
    return min(n, 0) if True else n
";
    let ms = of("m.py", file, "clamp");
    let w = whats(&ms);
    for expected in [
        "`>=` → `>`",
        "`>=` → `<=`",
        "`and` → `or`",
        "`not re.match(\"<=1\", str(n))` → `re.match(\"<=1\", str(n))`",
        "`-` → `+`",
        "`1` → `2`",
        "`1` → `0`",
        "`min` → `max`",
        "`0` → `1`",
        "`True` → `False`",
        "`limit - 1` → `1 - limit`",
    ] {
        assert!(w.contains(&expected), "{expected} missing from {w:?}");
    }
    // Nothing inside the docstring, the comment or the string literal.
    assert!(ms
        .iter()
        .all(|m| m.code.contains("\"\"\"Clamp n below 3 < limit.\"\"\"")));
    assert!(ms
        .iter()
        .all(|m| m.code.contains("# a comment with < and 1")));
    assert!(ms.iter().all(|m| m.code.contains("\"<=1\"")));
    // Each mutant differs from the definition by its one change, in place.
    let lt = ms.iter().find(|m| m.what == "`>=` → `>`").unwrap();
    assert_eq!(lt.line, 6);
    assert_eq!(
        lt.code,
        definitions("m.py", file)[0]
            .code
            .replace("n >= limit", "n > limit")
    );
}

#[test]
fn the_line_the_tests_singled_out_comes_first() {
    let file = "def f(a, b):\n    x = a + 1\n    return x < b\n";
    let mut target = definitions("f.py", file).remove(0);
    target.hint = Some("return x < b".into());
    let ms = mutants(&target, file);
    assert_eq!(ms[0].line, 3, "{:?}", whats(&ms));
    assert!(ms.iter().any(|m| m.line == 2));
}

#[test]
fn rust_orderings_are_swapped_and_generics_are_not_comparisons() {
    let file = "\
impl Ord for Job {
    fn cmp(&self, other: &Self) -> Ordering {
        let v: Vec<u8> = Vec::new();
        self.priority
            .cmp(&other.priority)
            .then_with(|| self.seq.cmp(&other.seq))
    }
}
";
    let ms = of("src/job.rs", file, "cmp");
    let w = whats(&ms);
    assert!(
        w.contains(&"`self.seq.cmp(&other.seq)` → `other.seq.cmp(&self.seq)`"),
        "{w:?}"
    );
    assert!(ms.iter().all(|m| m.code.contains("Vec<u8>")), "{w:?}");
    let fixed = ms
        .iter()
        .find(|m| m.code.contains("other.seq.cmp(&self.seq)"))
        .unwrap();
    assert!(fixed
        .code
        .contains("self.priority\n            .cmp(&other.priority)"));
}

#[test]
fn rust_suffixed_integers_negation_and_ranges() {
    let file = "fn spaces(col: usize) -> usize {\n    if !done() { 8usize - col % 8 } else { (0..col).sum() }\n}\n";
    let w: Vec<String> = of("a.rs", file, "spaces")
        .into_iter()
        .map(|m| m.what)
        .collect();
    assert!(w.contains(&"`8usize` → `9usize`".to_string()), "{w:?}");
    assert!(w.contains(&"`8usize` → `7usize`".to_string()), "{w:?}");
    assert!(w.contains(&"`!done()` → `done()`".to_string()), "{w:?}");
    assert!(w.contains(&"`..` → `..=`".to_string()), "{w:?}");
}

#[test]
fn javascript_comparators_and_strict_equality() {
    let file = "\
function byAge(a, b) {
  if (a.name === 'x') return 0;
  return a.age - b.age;
}
";
    let w: Vec<String> = of("src/sort.js", file, "byAge")
        .into_iter()
        .map(|m| m.what)
        .collect();
    assert!(w.contains(&"`===` → `!==`".to_string()), "{w:?}");
    assert!(
        w.contains(&"`a.age - b.age` → `b.age - a.age`".to_string()),
        "{w:?}"
    );
    assert!(!w.iter().any(|m| m.contains("'x'")), "{w:?}");
}

#[test]
fn a_definition_not_in_the_file_as_it_is_or_an_unknown_language_gives_none() {
    let file = "def f(a):\n    return a < 1\n";
    let mut target = definitions("f.py", file).remove(0);
    assert!(!mutants(&target, file).is_empty());
    assert!(mutants(&target, "def f(a):\n    return a\n").is_empty());
    target.path = "f.rb".into();
    assert!(mutants(&target, file).is_empty());
}

#[test]
fn numbers_that_are_not_plain_decimals_are_left_alone() {
    assert_eq!(off_by_one("7"), ["8", "6"]);
    assert_eq!(off_by_one("0"), ["1"]);
    assert_eq!(off_by_one("3u8"), ["4u8", "2u8"]);
    for odd in ["0x10", "1.5", "1_000", "1e5", "007"] {
        assert!(off_by_one(odd).is_empty(), "{odd}");
    }
}
