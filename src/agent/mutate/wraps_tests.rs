use super::wraps;
use crate::agent::rewrite::definitions;

const DURATION: &str = "\
def format_duration(seconds, unit=None):
    \"\"\"45 -> '45s', 65 -> '1m 05s'.\"\"\"
    if seconds is None:
        return \"--\"
    if seconds < 60:
        return f\"{round(seconds)}s\"
    minutes, secs = divmod(seconds, 60)
    return f\"{int(minutes)}m {round(secs):02d}s\"
";

/// What each wrapping of `name`'s parameters changes, given what the failing tests passed.
fn wrapped(file: &str, name: &str, passed: &[(&str, &str)]) -> Vec<(usize, String)> {
    let target = definitions("app/timefmt.py", file)
        .into_iter()
        .find(|t| t.name == name)
        .expect("the definition is found");
    let passed: Vec<(String, String)> = (passed.iter())
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    (wraps(&target, file, &passed).into_iter())
        .map(|m| (m.line, m.what))
        .collect()
}

/// A fraction passed: the parameter is rounded once, before its first use past the check
/// against `None`; then each use of it as a value is rounded, one at a time — not where it is
/// declared, nor where `round` already has it.
#[test]
fn a_parameter_passed_a_fraction_is_rounded_where_it_is_used() {
    let got = wrapped(DURATION, "format_duration", &[("seconds", "119.7")]);
    let once = "`if seconds < 60:` → `seconds = round(seconds)` and 1 line added".to_string();
    let rounded = "`seconds` → `round(seconds)`".to_string();
    assert_eq!(
        got,
        [
            (5, once),
            (3, rounded.clone()),
            (5, rounded.clone()),
            (7, rounded)
        ],
        "{got:#?}"
    );
    let fixed = definitions("app/timefmt.py", DURATION)
        .into_iter()
        .find(|t| t.name == "format_duration")
        .map(|t| {
            let passed = [("seconds".to_string(), "119.7".to_string())];
            wraps(&t, DURATION, &passed)
        })
        .unwrap_or_default();
    assert!(
        fixed
            .iter()
            .any(|m| m.code.contains("divmod(round(seconds), 60)")),
        "{fixed:#?}"
    );
    let once = fixed.first().map(|m| m.code.as_str()).unwrap_or_default();
    assert!(
        once.contains("return \"--\"\n    seconds = round(seconds)\n    if seconds < 60:\n"),
        "{once}"
    );
}

/// A whole number, a fraction of zero, a value for no parameter of it, text with nothing to
/// strip or lower: nothing to wrap.
#[test]
fn values_that_need_no_wrapping_add_no_changes() {
    for value in ["120", "120.0", "-3", "'1m 05s'", "None", "[1.5]"] {
        let got = wrapped(DURATION, "format_duration", &[("seconds", value)]);
        assert!(got.is_empty(), "{value}: {got:#?}");
    }
    let got = wrapped(DURATION, "format_duration", &[("minutes", "1.5")]);
    assert!(got.is_empty(), "{got:#?}");
}

/// Text passed with spaces around it is stripped where it is used — not where it is stripped
/// already, nor the attribute of the same name; text with capitals is not lowered.
#[test]
fn text_passed_with_spaces_around_it_is_stripped() {
    let file = "\
def find(name, items):
    for item in items:
        if item.name == name.strip() or item.code == name:
            return item
";
    let got = wrapped(file, "find", &[("name", "' Lamp '")]);
    assert_eq!(
        got,
        [(3, "`name` → `name.strip()`".to_string())],
        "{got:#?}"
    );
    assert!(wrapped(file, "find", &[("name", "'Lamp'")]).is_empty());
}

/// A method's parameter is wrapped as a function's is (the method found inside its class).
#[test]
fn a_methods_parameter_is_wrapped_too() {
    let file = "\
class Clock:
    def show(self, seconds):
        return divmod(seconds, 60)
";
    let got = wrapped(file, "show", &[("seconds", "59.6")]);
    assert_eq!(got, [(3, "`seconds` → `round(seconds)`".to_string())]);
}
