use super::*;
use crate::agent::rewrite::definitions;

/// The mutants of definition `name` in `file` at `path`, as (what changed, new code).
pub(super) fn of(path: &str, file: &str, name: &str) -> Vec<Mutant> {
    let target = definitions(path, file)
        .into_iter()
        .find(|t| t.name == name)
        .expect("the definition is found");
    mutants(&target, file)
}

/// What each mutant of definition `name` changes, as `old` → `new`.
pub(super) fn changed(path: &str, file: &str, name: &str) -> Vec<String> {
    of(path, file, name).into_iter().map(|m| m.what).collect()
}

/// What each name swap ([`Kind::Name`]) in definition `name` changes.
fn name_swaps(path: &str, file: &str, name: &str) -> Vec<String> {
    of(path, file, name)
        .into_iter()
        .filter(|m| m.kind == Kind::Name)
        .map(|m| m.what)
        .collect()
}

pub(super) fn whats(ms: &[Mutant]) -> Vec<&str> {
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
    assert!(ms.iter().all(|m| m.hinted == (m.line == 3)));
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
    let w: Vec<String> = changed("a.rs", file, "spaces");
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
    let w: Vec<String> = changed("src/sort.js", file, "byAge");
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
        assert!(a_zero_off(odd).is_empty(), "{odd}");
    }
}

/// `n % 10` where `n % 100` was meant: a multiple of ten gets a zero more and a zero less.
#[test]
fn a_multiple_of_ten_gets_a_zero_more_and_a_zero_less() {
    assert_eq!(a_zero_off("10"), ["100"]);
    assert_eq!(a_zero_off("1000u32"), ["10000u32", "100u32"]);
    for none in ["0", "7", "15", "1"] {
        assert!(a_zero_off(none).is_empty(), "{none}");
    }
    let file = "function f(n) {\n  return n % 10;\n}\n";
    let target = definitions("f.js", file).remove(0);
    let news: Vec<String> = mutants(&target, file).into_iter().map(|m| m.what).collect();
    assert!(news.iter().any(|w| w.contains("`10` → `100`")), "{news:#?}");
}

#[test]
fn python_division_membership_identity_and_the_last_item() {
    let file = "\
def pick(xs, n):
    if n not in xs and xs[0] is None:
        return xs[-1]
    return n / 2
";
    let ms = of("p.py", file, "pick");
    let w = whats(&ms);
    for expected in [
        "`not in` → `in`",
        "`is` → `is not`",
        "`0` → `-1`",
        "`-1` → `0`",
        "`/` → `//`",
        "`/` → `*`",
    ] {
        assert!(w.contains(&expected), "{expected} missing from {w:?}");
    }
    let last = ms.iter().find(|m| m.what == "`0` → `-1`").unwrap();
    assert!(last.code.contains("xs[-1] is None"), "{}", last.code);
}

#[test]
fn a_variable_is_tried_as_each_other_bound_before_it_after_the_token_changes() {
    let file = "\
function clamp(value, min, max) {
  const low = Math.max(value, min);
  return value;
}
";
    let ms = of("c.js", file, "clamp");
    let names: Vec<&Mutant> = ms.iter().filter(|m| m.kind == Kind::Name).collect();
    let w: Vec<&str> = names.iter().map(|m| m.what.as_str()).collect();
    assert!(w.contains(&"`value` → `low`"), "{w:?}");
    assert!(w.contains(&"`value` → `max`"), "{w:?}");
    // Only names bound before the use: `low` is not yet bound on its own line.
    let line2: Vec<&&Mutant> = names.iter().filter(|m| m.line == 2).collect();
    assert!(line2.iter().all(|m| !m.what.ends_with("`low`")), "{w:?}");
    // The binding itself and the method's name are not uses.
    assert!(!w.iter().any(|m| m.starts_with("`low`")), "{w:?}");
    let fixed = names
        .iter()
        .find(|m| m.what == "`value` → `low`" && m.line == 3);
    assert!(
        fixed.is_some_and(|m| m.code.contains("return low;")),
        "{w:?}"
    );
    // Every name swap after every token change.
    let first_name = ms.iter().position(|m| m.kind == Kind::Name).unwrap();
    assert!(ms[first_name..].iter().all(|m| m.kind == Kind::Name));
}

#[test]
fn python_and_rust_bindings_exclude_types_defaults_attributes_and_self() {
    let file = "\
class Box:
    def area(self, width: int, height=DEFAULT):
        total = width * self.height
        return total
";
    let w = name_swaps("b.py", file, "area");
    assert!(w.contains(&"`total` → `width`".to_string()), "{w:?}");
    assert!(w.contains(&"`width` → `height`".to_string()), "{w:?}");
    for never in [
        "`int`",
        "`DEFAULT`",
        "`self`",
        "→ `self`",
        "→ `int`",
        "→ `DEFAULT`",
    ] {
        assert!(!w.iter().any(|m| m.contains(never)), "{never} in {w:?}");
    }
    // `self.height` names an attribute, not the parameter.
    assert!(!w.iter().any(|m| m.starts_with("`height`")), "{w:?}");

    let rust = "fn pad(text: &str, width: usize) -> String {\n    let mut out = String::from(text);\n    out.truncate(width);\n    out\n}\n";
    let w = name_swaps("p.rs", rust, "pad");
    assert!(w.contains(&"`width` → `text`".to_string()), "{w:?}");
    assert!(w.contains(&"`out` → `text`".to_string()), "{w:?}");
    assert!(
        !w.iter().any(|m| m.contains("usize") || m.contains("str`")),
        "{w:?}"
    );
}

/// The statement lines of each mutant of `name`, by what it changes.
fn statements(path: &str, file: &str, name: &str) -> Vec<(String, Option<(usize, usize)>)> {
    of(path, file, name)
        .into_iter()
        .map(|m| (m.what, m.statement))
        .collect()
}

#[test]
fn each_change_knows_the_statement_it_is_in_if_a_body_runs_it() {
    let py = "\
def total(xs, limit=10):
    out = sum(
        x * 2
        for x in xs)
    return sorted(xs, key=lambda x: x + 1) if out > limit else out
";
    let st = statements("t.py", py, "total");
    let of = |what: &str| {
        st.iter()
            .find(|(w, _)| w == what)
            .unwrap_or_else(|| panic!("{what} in {st:?}"))
            .1
    };
    assert_eq!(of("`10` → `11`"), None, "a default is in the signature");
    assert_eq!(of("`*` → `/`"), Some((2, 4)), "the whole assignment");
    assert_eq!(of("`>` → `>=`"), Some((5, 5)));
    assert_eq!(
        of("`+` → `-`"),
        None,
        "a lambda's body is no statement of the function"
    );
    let js = "function f(a, b) {\n  const y = a < b;\n  return y;\n}\n";
    let st = statements("f.js", js, "f");
    assert!(
        st.contains(&("`<` → `<=`".to_string(), Some((2, 2)))),
        "{st:?}"
    );
}

#[test]
fn a_value_of_the_files_own_enum_is_tried_as_its_other_variants_but_not_in_patterns() {
    let file = "pub enum Level {\n    Info,\n    Warn(u8),\n    Error,\n}\n\n\
        fn parse(s: &str) -> Option<Level> {\n    match s {\n        \"warn\" => Some(Level::Error),\n        \
        _ => None,\n    }\n}\n\nfn name(l: &Level) -> &str {\n    match l {\n        Level::Info => \"info\",\n        \
        _ => std::cmp::Ordering::Less.then(\"x\"),\n    }\n}\n";
    let w = changed("src/level.rs", file, "parse");
    let variants: Vec<&String> = w.iter().filter(|c| c.contains("`Error` →")).collect();
    assert_eq!(variants, ["`Error` → `Info`", "`Error` → `Warn`"], "{w:?}");
    // A pattern matches a variant, it makes none; another file's enum is not known here.
    let w = changed("src/level.rs", file, "name");
    assert!(
        !w.iter()
            .any(|c| c.contains("`Info` →") || c.contains("`Less` →")),
        "{w:?}"
    );
}

/// Sunday as day 7 of a week JavaScript numbers from 0: a cycle's length tried as its start.
#[test]
fn a_cycles_length_is_tried_as_its_start() {
    assert_eq!(cycle_start("7"), Some("0".into()));
    assert_eq!(cycle_start("12u8"), Some("0u8".into()));
    assert_eq!(cycle_start("8"), None);
    let file = "const SUNDAY = 7;\n\nfunction isWeekend(d) {\n  return d.getUTCDay() === 6 || d.getUTCDay() === SUNDAY;\n}\n";
    let names: Vec<String> = definitions("c.js", file)
        .into_iter()
        .map(|t| t.name)
        .collect();
    let target = definitions("c.js", file)
        .into_iter()
        .find(|t| t.name == "SUNDAY")
        .unwrap_or_else(|| panic!("the constant is a definition: {names:?}"));
    let fixed = mutants(&target, file)
        .into_iter()
        .find(|m| m.what == "`7` → `0`")
        .expect("7 is tried as 0");
    assert!(
        fixed.code.starts_with("const SUNDAY = 0;"),
        "{}",
        fixed.code
    );
}
