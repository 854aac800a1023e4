use super::*;

fn files(path: &str, text: &str) -> Vec<(String, String)> {
    vec![(path.to_string(), text.to_string())]
}

fn one(lifted: &[Lifted]) -> (&str, usize, &str) {
    assert_eq!(lifted.len(), 1, "{lifted:#?}");
    let e = &lifted[0].edit;
    (e.path.as_str(), e.line, e.new.as_str())
}

const UNITS_RS: &str = "//! Units.\n\nconst UNITS: &[(char, u64)] = &[('s', 1), ('m', 60), ('h', 60), ('d', 86_400)];\n";

#[test]
fn a_rust_special_case_sets_the_tables_entry() {
    let added = [
        "        if c == 'h' {",
        "            total += n * 3600;",
        "        } else {",
        "            total += n * per;",
        "        }",
    ];
    let removed = ["        total += n * per;"];
    let lifted = entries(&added, &removed, &files("src/units.rs", UNITS_RS));
    let (path, line, new) = one(&lifted);
    assert_eq!((path, line), ("src/units.rs", 3));
    assert_eq!(
        new,
        "const UNITS: &[(char, u64)] = &[('s', 1), ('m', 60), ('h', 3600), ('d', 86_400)];\n"
    );
    assert_eq!(
        (lifted[0].key.as_str(), lifted[0].value.as_str()),
        ("h", "3600")
    );
}

#[test]
fn a_product_is_worked_out_and_a_bare_javascript_key_is_an_entry() {
    let added = ["  if (unit === 'h') return n * 60 * 60;"];
    let table = "const UNITS = { s: 1, m: 60, h: 60 };\nconst m = 60;\n";
    let lifted = entries(&added, &[], &files("src/units.js", table));
    let (_, line, new) = one(&lifted);
    assert_eq!(
        (line, new),
        (1, "const UNITS = { s: 1, m: 60, h: 3600 };\n")
    );
}

#[test]
fn only_the_keyed_entry_of_a_python_dict_changes_to_a_number_or_a_string() {
    let table =
        "MINOR_UNITS = {\"USD\": 2, \"JPY\": 2, \"KRW\": 2}\nSYMBOLS = {'JPY': '$', 'USD': '$'}\n";
    let added = [
        "    if code == \"JPY\":",
        "        return f\"¥{amount}\"",
        "    digits = 0",
    ];
    let lifted = entries(&added, &[], &files("money/table.py", table));
    let news: Vec<&str> = lifted.iter().map(|l| l.edit.new.as_str()).collect();
    assert!(
        news.contains(&"MINOR_UNITS = {\"USD\": 2, \"JPY\": 0, \"KRW\": 2}\n"),
        "{news:#?}"
    );
    // The string brought is `¥{amount}`, not a symbol: still tried, in the entry's own quotes.
    assert!(
        news.contains(&"SYMBOLS = {'JPY': '¥{amount}', 'USD': '$'}\n"),
        "{news:#?}"
    );
    assert!(lifted.iter().all(|l| l.key == "JPY"), "{lifted:#?}");
}

#[test]
fn a_comparison_the_code_already_made_a_number_compared_and_inequality_are_no_special_case() {
    let table = files("src/units.rs", UNITS_RS);
    let already = entries(
        &["    if c == 'h' { n * 3600 } else { n * per }"],
        &["    if c == 'h' { n * 60 } else { n * per }"],
        &table,
    );
    assert!(already.is_empty(), "{already:#?}");
    let number = entries(&["    if n == 60 { return 3600 }"], &[], &table);
    assert!(number.is_empty(), "{number:#?}");
    let unequal = entries(&["    if (c !== 'h') return n * 3600;"], &[], &table);
    assert!(unequal.is_empty(), "{unequal:#?}");
}

#[test]
fn a_value_already_in_the_code_or_of_another_kind_is_not_tried() {
    let table = files("src/units.rs", UNITS_RS);
    // 60 is what the entry holds; `per` held no number; the string is no number.
    let lifted = entries(
        &["        if c == 'h' { total += n * 60; log(\"hours\"); }"],
        &[],
        &table,
    );
    assert!(lifted.is_empty(), "{lifted:#?}");
}
