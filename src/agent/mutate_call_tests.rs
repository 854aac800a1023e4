//! The changes made to calls and what they are passed: a function for its pair, two
//! arguments in the wrong order, a count passed on one off, a library call's usual slips, a
//! shared list default, a power's exponent one off.

use super::tests::{changed, of, whats};
use super::*;

#[test]
fn only_called_functions_are_swapped_for_their_pair() {
    let file = "\
import math

def eta(seconds: int, parts):
    left = int(seconds) + math.floor(parts.count)
    return round(left) if parts.startswith('x') else max(left, 0)
";
    let w: Vec<String> = changed("t.py", file, "eta");
    for expected in [
        "`int` → `round`",
        "`floor` → `ceil`",
        "`round` → `int`",
        "`startswith` → `endswith`",
        "`max` → `min`",
    ] {
        assert!(
            w.contains(&expected.to_string()),
            "{expected} missing from {w:?}"
        );
    }
    // The type annotation `int` is no call; nor is the attribute `count`.
    assert_eq!(
        w.iter().filter(|m| m.starts_with("`int`")).count(),
        1,
        "{w:?}"
    );
}

#[test]
fn a_rust_string_length_in_bytes_becomes_its_length_in_characters() {
    let file = "pub fn display_width(text: &str) -> usize {\n    text.len()\n}\n";
    let ms = of("src/layout.rs", file, "display_width");
    let fix = ms
        .iter()
        .find(|m| m.what == "`len` → `chars().count`")
        .expect("the swap is made");
    assert!(fix.code.contains("text.chars().count()"), "{}", fix.code);
}

#[test]
fn javascript_method_pairs_are_swapped() {
    let file = "function f(s) {\n  return s.startsWith('a') && Math.floor(s.length) > 0;\n}\n";
    let w: Vec<String> = changed("f.js", file, "f");
    assert!(
        w.contains(&"`startsWith` → `endsWith`".to_string()),
        "{w:?}"
    );
    assert!(w.contains(&"`floor` → `ceil`".to_string()), "{w:?}");
    assert!(!w.iter().any(|m| m.starts_with("`length`")), "{w:?}");
}

#[test]
fn replace_all_and_an_unanchored_search_are_tried() {
    let js = "function esc(t) {\n  return t.replace('\"', '\"\"');\n}\n";
    let w = changed("e.js", js, "esc");
    assert!(w.contains(&"`replace` → `replaceAll`".to_string()), "{w:?}");
    let py = "import re\n\ndef has(t):\n    return re.match(r\"\\d\", t)\n";
    let w = changed("h.py", py, "has");
    assert!(w.contains(&"`match` → `search`".to_string()), "{w:?}");
    assert!(w.contains(&"`match` → `fullmatch`".to_string()), "{w:?}");
}

#[test]
fn two_names_passed_in_the_wrong_order_are_swapped_unless_the_function_commutes() {
    let py = "\
def split(size, unit, key):
    whole, rest = divmod(size, unit)
    top = max(whole, rest)
    return pick(whole, key=unit), scale(rest, 2), twice(top, top), self_ref(a.b, key)
";
    let w = changed("s.py", py, "split");
    for expected in ["`size, unit` → `unit, size`", "`a.b, key` → `key, a.b`"] {
        assert!(
            w.contains(&expected.to_string()),
            "{expected} missing from {w:?}"
        );
    }
    for absent in ["whole, rest", "whole, key=unit", "rest, 2", "top, top"] {
        assert!(
            !w.iter().any(|m| m.starts_with(&format!("`{absent}`"))),
            "{absent} is not swapped: {w:?}"
        );
    }
    let rs = "fn pad(line: &str, width: usize) -> String {\n    expand::fill(&line, width)\n}\n";
    let w = changed("src/pad.rs", rs, "pad");
    assert!(
        w.contains(&"`&line, width` → `width, &line`".to_string()),
        "{w:?}"
    );
    let js =
        "function power(base, exp) {\n  return Math.pow(base, exp) + Math.max(base, exp);\n}\n";
    let w = changed("p.js", js, "power");
    assert!(
        w.contains(&"`base, exp` → `exp, base`".to_string()),
        "{w:?}"
    );
    assert_eq!(
        w.iter().filter(|m| m.starts_with("`base, exp`")).count(),
        1,
        "{w:?}"
    );
}

#[test]
fn a_count_or_a_position_passed_on_is_tried_one_more_and_one_less() {
    let js =
        "function monthKey(date) {\n  return `${date.getFullYear()}-${pad(date.getMonth())}`;\n}\n";
    let w = changed("dates.js", js, "monthKey");
    assert!(
        w.contains(&"`date.getMonth()` → `date.getMonth() + 1`".to_string()),
        "{w:?}"
    );
    assert!(
        w.contains(&"`date.getMonth()` → `date.getMonth() - 1`".to_string()),
        "{w:?}"
    );
    // `getFullYear` is no count; a count not passed on is left as it is.
    assert!(!w.iter().any(|m| m.contains("getFullYear() + 1")), "{w:?}");
    let py = "def last(xs):\n    n = len(xs)\n    return xs[n - 1] if n else pick(xs, len(xs))\n";
    let w = changed("m.py", py, "last");
    assert!(
        w.contains(&"`len(xs)` → `len(xs) - 1`".to_string()),
        "{w:?}"
    );
    assert_eq!(
        w.iter().filter(|m| m.starts_with("`len(xs)` → ")).count(),
        2,
        "{w:?}"
    );
    let rs = "fn width(s: &str) -> usize {\n    pad(s.chars().count())\n}\n";
    let w = changed("src/lib.rs", rs, "width");
    assert!(
        w.contains(&"`s.chars().count()` → `s.chars().count() + 1`".to_string()),
        "{w:?}"
    );
}

#[test]
fn a_library_calls_usual_slips_in_its_arguments_are_tried() {
    let js = "function top(xs, line) {\n  const words = line.split(' ');\n  return [xs.sort(), words, xs.sort(byName)];\n}\n";
    let w = changed("t.js", js, "top");
    for expected in ["`()` → `((a, b) => a - b)`", "`(' ')` → `(/\\s+/)`"] {
        assert!(
            w.contains(&expected.to_string()),
            "{expected} missing from {w:?}"
        );
    }
    // A sort given its comparator is left as it is.
    assert_eq!(w.iter().filter(|m| m.contains("a - b")).count(), 1, "{w:?}");

    let py =
        "def top(xs, line):\n    words = line.split(\" \")\n    parts = line.split(\",\")\n    \
              return sorted(xs, key=len), sorted(xs, reverse=False), words\n";
    let w = changed("t.py", py, "top");
    for expected in [
        "`(\" \")` → `()`",
        "`(xs, key=len)` → `(xs, key=len, reverse=True)`",
    ] {
        assert!(
            w.contains(&expected.to_string()),
            "{expected} missing from {w:?}"
        );
    }
    assert!(!w.iter().any(|m| m.contains("(\",\")` →")), "{w:?}");
    // One that says `reverse` already is flipped as any `False` is, not given a second one.
    assert_eq!(
        w.iter().filter(|m| m.contains("reverse=True")).count(),
        1,
        "{w:?}"
    );

    let rs = "fn words(s: &str) -> Vec<&str> {\n    s.split(' ').collect()\n}\n";
    assert!(
        changed("w.rs", rs, "words").contains(&"`split(' ')` → `split_whitespace()`".to_string()),
        "{:?}",
        changed("w.rs", rs, "words")
    );
}

#[test]
fn a_python_list_default_shared_by_every_call_is_made_per_call() {
    let py = "\
def add(item, basket=[], *, seen: dict = {}, n=0):
    \"\"\"Add `item`.\"\"\"
    basket.append(item)
    return basket
";
    let ms = of("b.py", py, "add");
    let fresh: Vec<&Mutant> = ms.iter().filter(|m| m.code.contains("is None")).collect();
    assert_eq!(fresh.len(), 2, "{:?}", whats(&ms));
    assert_eq!(
        fresh[0].code,
        "\
def add(item, basket=None, *, seen: dict = {}, n=0):
    \"\"\"Add `item`.\"\"\"
    if basket is None:
        basket = []
    basket.append(item)
    return basket
"
    );
    assert_eq!(
        fresh[0].what,
        "`basket=[], *, seen: dict = {}, n=0):` → `basket=None, *, seen: dict = {}, n=0):` \
         and 2 lines added"
    );
    assert!(
        fresh[1].code.contains("seen: dict = None"),
        "{}",
        fresh[1].code
    );
    assert!(fresh[1]
        .code
        .contains("    if seen is None:\n        seen = {}\n    basket.append"));
}

#[test]
fn a_named_power_or_shift_is_tried_one_more_and_one_less() {
    let js = "function delayFor(retry, base) {\n  return Math.min(30, base * 2 ** retry);\n}\n";
    let w = changed("b.js", js, "delayFor");
    assert!(w.contains(&"`retry` → `(retry - 1)`".to_string()), "{w:?}");
    assert!(w.contains(&"`retry` → `(retry + 1)`".to_string()), "{w:?}");
    let fixed = of("b.js", js, "delayFor")
        .into_iter()
        .find(|m| m.what == "`retry` → `(retry - 1)`")
        .unwrap();
    assert!(
        fixed.code.contains("base * 2 ** (retry - 1)"),
        "{}",
        fixed.code
    );

    let py = "def delay(n):\n    return pow(2, n) + (1 << bit)\n";
    let w = changed("d.py", py, "delay");
    for expected in ["`n` → `n - 1`", "`n` → `n + 1`", "`bit` → `(bit - 1)`"] {
        assert!(
            w.contains(&expected.to_string()),
            "{expected} missing from {w:?}"
        );
    }

    let rs = "fn delay(n: u32) -> u64 {\n    2u64.pow(n) * 10u64.pow(3)\n}\n";
    let w = changed("d.rs", rs, "delay");
    assert!(w.contains(&"`n` → `n - 1`".to_string()), "{w:?}");
    assert!(
        !w.iter().any(|c| c.contains("3 - 1")),
        "a number is tried as numbers are: {w:?}"
    );
    let product = "fn area(w: u32, h: u32) -> u32 {\n    w * h\n}\n";
    assert!(
        !changed("a.rs", product, "area")
            .iter()
            .any(|c| c.contains("- 1")),
        "only a power's exponent"
    );
}
