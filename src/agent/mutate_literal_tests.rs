//! The changes made inside string literals: a date format's fields, every copy of a format at
//! once, a pattern's class widened.

use super::tests::{changed, of, whats};
use super::*;
use crate::agent::rewrite::definitions;

#[test]
fn a_date_format_is_reordered_and_recased_but_no_other_string_is_touched() {
    let file = "\
def stamp(day):
    label = \"100%s done: %d\"
    return day.strftime(\"%Y-%d-%m %H:%M\") + label
";
    let w: Vec<String> = changed("s.py", file, "stamp");
    for expected in [
        "`\"%Y-%d-%m %H:%M\"` → `\"%Y-%m-%d %H:%M\"`",
        "`\"%Y-%d-%m %H:%M\"` → `\"%d-%Y-%m %H:%M\"`",
        "`\"%Y-%d-%m %H:%M\"` → `\"%Y-%d-%M %H:%M\"`",
        "`\"%Y-%d-%m %H:%M\"` → `\"%Y-%d-%m %H:%m\"`",
        "`\"%Y-%d-%m %H:%M\"` → `\"%y-%d-%m %H:%M\"`",
    ] {
        assert!(
            w.contains(&expected.to_string()),
            "{expected} missing from {w:?}"
        );
    }
    assert!(!w.iter().any(|m| m.contains("100%")), "{w:?}");
    assert_eq!(formats::date_formats("\"%d%%\""), Vec::<String>::new());
    assert_eq!(formats::date_formats("\"at %H\""), Vec::<String>::new());
}

/// The mutant of `name` in `files[0]` that makes `what`, made to every copy of its literal.
fn everywhere_in(
    files: &[(&str, &str)],
    name: &str,
    what: &str,
) -> Option<(Mutant, Vec<LineEdit>)> {
    let (path, file) = files[0];
    let target = definitions(path, file)
        .into_iter()
        .find(|t| t.name == name)
        .expect("the definition is found");
    let mutant = mutants(&target, file)
        .into_iter()
        .find(|m| m.what == what)
        .expect("the mutant is made");
    let files: Vec<(String, String)> = files
        .iter()
        .map(|(p, f)| (p.to_string(), f.to_string()))
        .collect();
    everywhere(&target, &mutant, &files)
}

#[test]
fn a_format_written_in_one_file_and_parsed_in_another_changes_in_both() {
    let writer = "\
import json

FORMAT_NOTE = \"written as %Y-%d-%m\"


def dump(day):
    return json.dumps({\"day\": day.strftime(\"%Y-%d-%m\")})
";
    let reader = "\
from datetime import datetime


def load(text):
    # \"%Y-%d-%m\" in a comment is not code
    return datetime.strptime(text, \"%Y-%d-%m\").date()


def stamp(day):
    return f\"{day:%Y}\", \"%Y-%d-%m\", \"%Y-%d-%m\"
";
    let (twin, lines) = everywhere_in(
        &[("log/write.py", writer), ("log/read.py", reader)],
        "dump",
        "`\"%Y-%d-%m\"` → `\"%Y-%m-%d\"`",
    )
    .expect("the copies are found");
    assert!(
        twin.code.contains("day.strftime(\"%Y-%m-%d\")"),
        "{}",
        twin.code
    );
    assert_eq!(twin.what, "`\"%Y-%d-%m\"` → `\"%Y-%m-%d\"`");
    assert_eq!(
        lines,
        vec![
            LineEdit {
                path: "log/read.py".into(),
                line: 6,
                old: "    return datetime.strptime(text, \"%Y-%d-%m\").date()\n".into(),
                new: "    return datetime.strptime(text, \"%Y-%m-%d\").date()\n".into(),
            },
            LineEdit {
                path: "log/read.py".into(),
                line: 10,
                old: "    return f\"{day:%Y}\", \"%Y-%d-%m\", \"%Y-%d-%m\"\n".into(),
                new: "    return f\"{day:%Y}\", \"%Y-%m-%d\", \"%Y-%m-%d\"\n".into(),
            },
        ],
        "the comment and a longer string holding the format are left alone"
    );
}

#[test]
fn copies_in_the_same_definition_change_with_it_and_a_lone_literal_has_no_twin() {
    let rust = "\
fn round_trip(day: &str) -> String {
    let parsed = NaiveDate::parse_from_str(day, \"%d/%m/%Y\").unwrap();
    parsed.format(\"%d/%m/%Y\").to_string()
}

fn other() -> &'static str {
    \"%m/%d/%Y\"
}
";
    let (twin, lines) = everywhere_in(
        &[("src/day.rs", rust)],
        "round_trip",
        "`\"%d/%m/%Y\"` → `\"%m/%d/%Y\"`",
    )
    .expect("the second copy is found");
    assert_eq!(
        twin.code.matches("\"%m/%d/%Y\"").count(),
        2,
        "{}",
        twin.code
    );
    assert_eq!(twin.what, "`\"%d/%m/%Y\"` → `\"%m/%d/%Y\"` (each copy)");
    assert!(lines.is_empty(), "{lines:?}");
    // `other`'s literal is another one: no copy of it anywhere.
    assert_eq!(
        everywhere_in(
            &[("src/day.rs", rust)],
            "other",
            "`\"%m/%d/%Y\"` → `\"%d/%m/%Y\"`"
        ),
        None
    );
    // A change that is not to a literal has no copies.
    let js = "function f(d) { return d.format(\"%Y-%m-%d\") < 3; }\nconst g = \"%Y-%m-%d\";\n";
    assert_eq!(everywhere_in(&[("f.js", js)], "f", "`<` → `<=`"), None);
}

#[test]
fn a_format_inside_an_f_string_or_a_template_is_code_and_has_copies() {
    let py = "\
def stamp(day, event):
    return f\"{day.strftime('%d-%m-%Y')} {event} %d\"


def parse(text):
    return datetime.strptime(text[:10], '%d-%m-%Y')
";
    let (twin, lines) = everywhere_in(&[("log.py", py)], "stamp", "`'%d-%m-%Y'` → `'%m-%d-%Y'`")
        .expect("the copy in parse is found");
    assert!(
        twin.code.contains("strftime('%m-%d-%Y')} {event} %d"),
        "{}",
        twin.code
    );
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0].line, 6);
    let js = "function stamp(d) {\n  return `${d.format(\"%Y-%d-%m\")} ok`;\n}\n";
    assert!(
        changed("stamp.js", js, "stamp").contains(&"`\"%Y-%d-%m\"` → `\"%Y-%m-%d\"`".to_string()),
        "{:?}",
        changed("stamp.js", js, "stamp")
    );
}

#[test]
fn a_patterns_repeated_class_is_widened_to_anything_but_its_delimiter() {
    let js = "const COMMIT_RE = /^(\\w+)(?:\\((\\w+)\\))?(!)?: (.+)$/;\n";
    let ms = of("p.js", js, "COMMIT_RE");
    // The scope's `\w+` ends at `\)`; the type's goes on into a group, which has no delimiter.
    assert_eq!(
        whats(&ms),
        ["`/^(\\w+)(?:\\((\\w+)\\))?(!)?: (.+)$/` → `/^(\\w+)(?:\\(([^)]+)\\))?(!)?: (.+)$/`"]
    );
    assert!(ms[0].literal.is_some(), "a constant's pattern may change");
    let py = "import re\n\ndef parse(t):\n    return re.match(r\"^(\\d+)-([a-z]+):\", t)\n";
    let w = changed("t.py", py, "parse");
    for widened in ["r\"^([^\\-]+)-([a-z]+):\"", "r\"^(\\d+)-([^:]+):\""] {
        assert!(
            w.iter().any(|m| m.ends_with(&format!("`{widened}`"))),
            "{w:?}"
        );
    }
    let rs = "fn key(t: &str) -> Regex {\n    Regex::new(r#\"(\\w+)=\"#).unwrap()\n}\n";
    let w = changed("k.rs", rs, "key");
    assert!(
        w.contains(&"`r#\"(\\w+)=\"#` → `r#\"([^=]+)=\"#`".to_string()),
        "{w:?}"
    );
}

#[test]
fn a_string_that_is_no_pattern_is_not_widened() {
    // Not raw, or raw with no class escaped, or a class at the pattern's end or negated already.
    let py = "def f(t):\n    a = \"\\\\w+:\"\n    b = r\"C:\\temp+x\"\n    c = r\"(\\w+)$\"\n    return re.match(r\"([^:]+):\", t)\n";
    let w = changed("f.py", py, "f");
    assert!(!w.iter().any(|m| m.contains("[^")), "{w:?}");
    for (literal, regex) in [
        ("\"\\w+:\"", false),
        ("r\"(\\w+)\"", false),
        ("/\\d+/g", true),
    ] {
        assert_eq!(
            patterns::widened(literal, regex),
            Vec::<String>::new(),
            "{literal}"
        );
    }
    assert_eq!(
        patterns::widened("/(\\w+)\\/(\\d*)\\./", true),
        [
            "/([^\\/]+)\\/(\\d*)\\./",
            "/([\\/\\w]+)\\/(\\d*)\\./",
            "/(\\w+)\\/([^.]*)\\./",
            "/(\\w+)\\/([.\\d]*)\\./"
        ]
    );
    // A part that may hold its separator (`uni.ac`), a count without its bound (`.design`).
    assert_eq!(
        patterns::widened("r\"^[\\w.]+@[\\w-]+\\.[a-z]{2,3}$\"", false),
        [
            "r\"^[^@]+@[\\w-]+\\.[a-z]{2,3}$\"",
            "r\"^[@\\w.]+@[\\w-]+\\.[a-z]{2,3}$\"",
            "r\"^[\\w.]+@[^.]+\\.[a-z]{2,3}$\"",
            "r\"^[\\w.]+@[.\\w-]+\\.[a-z]{2,3}$\"",
            "r\"^[\\w.]+@[\\w-]+\\.[a-z]{2,}$\""
        ]
    );
}

/// In a table, only the entries whose key the report names get their value changed: one more,
/// one less and zero (a currency with no decimals, a unit off by one); the rest are data.
#[test]
fn the_values_of_the_entries_a_report_names_are_changed_and_no_others() {
    let py = "\
DECIMALS = {
    \"EUR\": 2, \"JPY\": 2, \"KWD\": 3,
    'GBP': 2,
}
";
    let target = definitions("c.py", py)
        .into_iter()
        .find(|t| t.name == "DECIMALS")
        .expect("the table is found");
    let named = |key: &str| key == "JPY" || key == "GBP";
    let w: Vec<String> = named_entries(&target, py, named)
        .into_iter()
        .map(|m| m.what)
        .collect();
    assert_eq!(
        w,
        [
            "`2` → `3`",
            "`2` → `1`",
            "`2` → `0`",
            "`2` → `3`",
            "`2` → `1`",
            "`2` → `0`"
        ]
    );
    let jpy_zero = named_entries(&target, py, |k| k == "JPY")
        .into_iter()
        .find(|m| m.what == "`2` → `0`")
        .expect("JPY to zero");
    assert!(
        jpy_zero
            .code
            .contains("\"EUR\": 2, \"JPY\": 0, \"KWD\": 3,"),
        "{}",
        jpy_zero.code
    );
    // A Rust table of pairs.
    let rs = "const DECIMALS: &[(&str, u32)] = &[(\"EUR\", 2), (\"JPY\", 2)];\n";
    let target = definitions("c.rs", rs)
        .into_iter()
        .find(|t| t.name == "DECIMALS")
        .expect("the table is found");
    let ms = named_entries(&target, rs, |k| k == "JPY");
    assert!(
        ms.iter()
            .any(|m| m.code.contains("(\"EUR\", 2), (\"JPY\", 0)")),
        "{:?}",
        whats(&ms)
    );
    assert_eq!(ms.len(), 3, "{:?}", whats(&ms));
    // Nothing named, nothing changed.
    assert!(named_entries(&target, rs, |_| false).is_empty());
}

#[test]
fn a_named_entrys_figure_is_tried_with_two_neighbouring_digits_swapped() {
    let py = "\
FACTORS = {
    \"km\": 1000.0,
    \"mi\": 1690.344,
    \"ft\": 0.3048,
}
";
    let target = definitions("u.py", py)
        .into_iter()
        .find(|t| t.name == "FACTORS")
        .expect("the table is found");
    let w: Vec<String> = named_entries(&target, py, |k| k == "mi")
        .into_iter()
        .map(|m| m.what)
        .collect();
    assert_eq!(
        w,
        [
            "`1690.344` → `6190.344`",
            "`1690.344` → `1960.344`",
            "`1690.344` → `1609.344`",
            "`1690.344` → `1690.434`"
        ]
    );
    let fixed = named_entries(&target, py, |k| k == "mi")
        .into_iter()
        .find(|m| m.what.ends_with("`1609.344`"))
        .expect("the swap that fixes it");
    assert!(fixed.code.contains("\"mi\": 1609.344,"), "{}", fixed.code);
    // Only the named entry's figure; a swap never crosses the point or puts a zero first.
    let ft: Vec<String> = named_entries(&target, py, |k| k == "ft")
        .into_iter()
        .map(|m| m.what)
        .collect();
    assert_eq!(
        ft,
        [
            "`0.3048` → `0.0348`",
            "`0.3048` → `0.3408`",
            "`0.3048` → `0.3084`"
        ]
    );
    assert!(entries::transposed("10").is_empty());
    assert_eq!(entries::transposed("105"), ["150"]);
    assert!(entries::transposed("2u32").is_empty() && entries::transposed("1e5").is_empty());
}

#[test]
fn a_number_beside_a_separator_in_a_format_is_tried_zero_padded() {
    let rust = "\
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = \"{}.{}\";
        let text = format!(\"{}.{}\", self.0 / 100, self.0 % 100);
        f.pad(&text)
    }
}
";
    let w = changed("m.rs", rust, "fmt");
    for expected in [
        "`\"{}.{}\"` → `\"{:02}.{}\"`",
        "`\"{}.{}\"` → `\"{}.{:02}\"`",
    ] {
        assert!(
            w.contains(&expected.to_string()),
            "{expected} missing from {w:?}"
        );
    }
    // The plain string outside a macro is no format: only the macro's is padded.
    assert_eq!(w.iter().filter(|m| m.contains(":02")).count(), 2, "{w:?}");

    let python = "\
def clock(h, m, name):
    a = f\"{h}:{m}\"
    b = \"{}.{}\".format(h, m)
    c = \"%d:%d\" % (h, m)
    d = f\"{name} {h!r} {{m}}\"
    return a, b, c, d, \"{}.{}\"
";
    let w = changed("c.py", python, "clock");
    for expected in [
        "`f\"{h}:{m}\"` → `f\"{h}:{m:02}\"`",
        "`f\"{h}:{m}\"` → `f\"{h:02}:{m}\"`",
        "`\"{}.{}\"` → `\"{}.{:02}\"`",
        "`\"%d:%d\"` → `\"%d:%02d\"`",
    ] {
        assert!(
            w.contains(&expected.to_string()),
            "{expected} missing from {w:?}"
        );
    }
    // No separator beside them, a conversion, doubled braces, or no format applied: untouched.
    assert!(
        !w.iter().any(|m| m.contains("name:02") || m.contains("{{m")),
        "{w:?}"
    );
    assert_eq!(w.iter().filter(|m| m.contains("02")).count(), 6, "{w:?}");

    let js = "function day(d) {\n  return `${d.getFullYear()}-${pad(d.getDate())} ${d.name}`;\n}\n";
    let w = changed("d.js", js, "day");
    let padded: Vec<&String> = w.iter().filter(|m| m.contains("padStart")).collect();
    assert_eq!(padded.len(), 2, "{w:?}");
    assert!(
        padded[0].ends_with(
            "`${String(d.getFullYear()).padStart(2, '0')}-${pad(d.getDate())} ${d.name}``"
        ),
        "{padded:?}"
    );
}

/// A default the report states ("the docs say `retries` is 3"): the named field's number is
/// tried as each number of the same kind a sentence naming it gives, and no other is touched.
#[test]
fn a_named_value_is_tried_as_the_numbers_the_issue_gives_it() {
    let rs = "\
impl Default for Settings {
    fn default() -> Self {
        Settings { interval: 600, retries: 0, timeout: 30, ratio: 0.5 }
    }
}
";
    let issue = "A settings file without `retries` turns retries off\n\nSince 2.4.1 a dropped \
                 connection fails at once. The docs say `retries` is 3 when the file leaves it \
                 out, and `timeout` 30. On 2026-03-08 at 10:30 it failed 2 times.\n";
    let target = definitions("s.rs", rs)
        .into_iter()
        .find(|t| t.name == "default")
        .expect("the impl's function is found");
    let ms = stated_values(&target, rs, issue);
    assert_eq!(whats(&ms), ["`0` → `3`", "`0` → `30`", "`30` → `3`"]);
    let three = ms.iter().find(|m| m.what == "`0` → `3`").unwrap();
    assert!(
        three.code.contains("retries: 3, timeout: 30"),
        "{}",
        three.code
    );

    // A decimal takes decimals only; a Python table's key and a keyword argument are names.
    let py = "FACTORS = {\n    \"mi\": 1690.344,\n    \"km\": 1000.0,\n}\n";
    let target = definitions("u.py", py).remove(0);
    let issue = "A mi comes out long: a mi is 1609.344 m, not 1690.344 or 1690.";
    assert_eq!(
        whats(&stated_values(&target, py, issue)),
        ["`1690.344` → `1609.344`"]
    );
    assert!(stated_values(&target, py, "Kilometres are fine at 1000.0 m.").is_empty());
}

#[test]
fn numbers_are_whole_tokens_not_parts_of_dates_times_or_names() {
    assert_eq!(
        entries::numbers_in(
            "Set `retries` to 3, then 8.05 km. On 2026-03-08 at 10:30, v1.2 gave 30s or 7."
        ),
        ["3", "8.05", "7"]
    );
    assert!(names_word("Sunday deliveries cost more", "SUNDAY"));
    assert!(!names_word("Sundays cost more", "SUNDAY"));
    assert!(!names_word("a b c", "a"), "one letter names nothing");
}
