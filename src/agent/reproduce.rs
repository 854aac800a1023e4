//! Reproducing a bug the tests miss. When the project's tests pass but the issue states a
//! concrete input and what it should give, the model is asked for one new test in the project's
//! own test file and framework; cria puts it in place, runs the tests, and keeps it only when it
//! fails, in the new test, for a reason other than the test itself being broken. A kept test
//! then judges the fix (and stays in the diff unless `--drop-repro-test`).

use regex::Regex;

use super::localize::{self, Candidate};
use super::prompt::{self, ShownFile};
use super::stated;
use crate::edit::parse::SearchReplaceBlock;
use crate::protocol::TestRun;
use crate::sandbox::process::head_tail;

/// A test cria added to reproduce the issue.
#[derive(Debug, Clone)]
pub struct Repro {
    pub path: String,
    /// The test's name as test runners print it (function name or JS title).
    pub name: String,
    /// The inserted text, as it stands in the file.
    pub code: String,
    /// Whether it checks every value the issue says is expected. A model's test is taken to
    /// (what it leaves out is caught when the fix passes); cria's own cases may leave out those
    /// it could not place, and then the issue's examples are still asked for.
    pub complete: bool,
}

/// Model calls spent on reproduction at most (a bad test is worth one more try).
pub const TRIES: usize = 2;

/// Whether the issue states a concrete case: a call, literal or number, and what it should be.
pub fn states_expectation(issue: &str) -> bool {
    let lower = issue.to_lowercase();
    let expects = [
        "should",
        "expected",
        "instead of",
        "rather than",
        "but it",
        "returns",
        "gives",
        "must",
        "ought",
    ]
    .iter()
    .any(|w| lower.contains(w));
    let concrete = Regex::new(r"\w\(.*\)|`[^`]+`|\d")
        .map(|re| re.is_match(issue))
        .unwrap_or(false);
    expects && concrete
}

/// The short literals an issue quotes as examples (inline code that is not just a name or a
/// file): `*/15`, `9-17/2`, `parse("")`. Code blocks (tracebacks, sessions) are left out.
pub fn stated_examples(issue: &str) -> Vec<String> {
    let Ok(span) = Regex::new(r"`([^`\n]{1,40})`") else {
        return Vec::new();
    };
    let Ok(name) = Regex::new(r"^[A-Za-z_][\w.:]*(\(\))?$") else {
        return Vec::new();
    };
    let mut prose = String::new();
    let mut fenced = false;
    for line in issue.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if !fenced && !line.starts_with("    ") && !line.starts_with('\t') {
            prose.push_str(line);
            prose.push('\n');
        }
    }
    let mut out: Vec<String> = Vec::new();
    for c in span.captures_iter(&prose) {
        let Some(s) = c.get(1).map(|m| m.as_str().trim()) else {
            continue;
        };
        let file = [".py", ".rs", ".js", ".ts", ".go", ".md", ".toml", ".json"]
            .iter()
            .any(|ext| s.ends_with(ext));
        if !s.is_empty() && !name.is_match(s) && !file && !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    out
}

/// The string literals an issue's own code and inline spans use as input (`q.push("resize-1",
/// ...)`, `Money(1500, "JPY")`), and those its prose quotes: double-quoted, two characters or
/// more, once each (see [`quoted`]). What the issue shows coming out is no input: a block of
/// output ([`stated::split_sessions`]), a value it quotes as the wrong or the expected one
/// (`` `Button says "Save instead of "Submit""` ``, the "we get" column of a table).
pub fn quoted_inputs(issue: &str) -> Vec<String> {
    quoted(issue, true)
}

/// Every string literal the issue quotes, what comes out of the code as well as what goes in
/// (see [`quoted`]).
pub fn quoted_literals(issue: &str) -> Vec<String> {
    quoted(issue, false)
}

/// The issue's double-quoted literals, read where they are written, never across a span's
/// edge (`` `Button says "Save"` `` and the `"` of `` `27"` `` are no pair); not the lines of a
/// traceback (`File "...", line 3`), nor a template that prints the values
/// (`println!("{job}")`, `f"{total}"`). `inputs`: the values it shows coming out left out
/// ([`quoted_inputs`]).
fn quoted(issue: &str, inputs: bool) -> Vec<String> {
    let (Ok(literal), Ok(placeholder), Ok(span)) = (
        Regex::new(r#""([^"\n]{2,80})""#),
        Regex::new(r"\{[^{}\s]*\}"),
        Regex::new(r"`([^`\n]+)`"),
    ) else {
        return Vec::new();
    };
    let said = stated::stated(issue);
    let (_, shown) = stated::split_sessions(issue);
    let output_line = |t: &str| inputs && shown.iter().any(|s| s.lines().any(|l| l.trim() == t));
    let valued = |v: &str| inputs && said.wrong.iter().chain(&said.expected).any(|s| s == v);
    let mut out: Vec<String> = Vec::new();
    // `prose`: a value the issue says comes out, or should, is left out.
    let mut take = |text: &str, prose: bool| {
        for c in literal.captures_iter(text) {
            let (Some(whole), Some(s)) = (c.get(0), c.get(1).map(|m| m.as_str())) else {
                continue;
            };
            let before = text.get(..whole.start()).unwrap_or_default();
            let formats = before.trim_end().ends_with("!(") || before.ends_with('f');
            if (formats && placeholder.is_match(s)) || (prose && valued(s)) {
                continue;
            }
            if !s.trim().is_empty() && !out.iter().any(|o| o == s) {
                out.push(s.to_string());
            }
        }
    };
    let mut fenced = false;
    for line in issue.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if t.starts_with("File \"") || t.starts_with("Traceback") {
            continue;
        }
        if fenced || line.starts_with("    ") || line.starts_with('\t') {
            if !output_line(t) {
                take(line, false);
            }
            continue;
        }
        for c in span.captures_iter(line) {
            if let Some(inner) = c.get(1).map(|m| m.as_str()).filter(|v| !valued(v)) {
                take(inner, true);
            }
        }
        take(&span.replace_all(line, " "), true);
    }
    out
}

/// The issue's quoted inputs a test of its examples leaves out, when it leaves out more than
/// half of them: such a test checks a case of the model's own making (two equal jobs where the
/// issue shows four), which can pass by accident, so it verifies nothing the issue states.
pub fn inputs_left_out(code: &str, issue: &str) -> Vec<String> {
    let inputs = quoted_inputs(issue);
    let missing: Vec<String> = inputs
        .iter()
        .filter(|i| !code.contains(i.as_str()))
        .cloned()
        .collect();
    if inputs.len() >= 2 && missing.len() * 2 > inputs.len() {
        missing
    } else {
        Vec::new()
    }
}

/// The file a new test goes in: the best-ranked test file, else the first test file in the
/// repository; for Rust, a source file with inline tests will do.
pub fn test_file(ranked: &[Candidate], files: &[String]) -> Option<String> {
    let testable = |p: &str| {
        matches!(
            prompt::fence_lang(p),
            "python" | "rust" | "javascript" | "typescript" | "go"
        )
    };
    ranked
        .iter()
        .map(|c| c.path.as_str())
        .chain(files.iter().map(String::as_str))
        .find(|p| localize::is_test_path(p) && testable(p) && collected(p))
        .map(String::from)
        .or_else(|| new_test_file(files))
}

/// The test file cria creates where the project has none it can add to: an integration test
/// for a Rust library whose tests are all inside its source files (`cargo test` builds each
/// file in `tests/` as a crate of its own that calls the library's public items).
fn new_test_file(files: &[String]) -> Option<String> {
    let has = |path: &str| files.iter().any(|f| f == path);
    (has("Cargo.toml") && has("src/lib.rs")).then(|| NEW_RUST_TEST.to_string())
}

/// The integration test cria creates in a Rust library without one.
pub const NEW_RUST_TEST: &str = "tests/issue.rs";

/// Whether test runners collect tests from this file (a package's `__init__.py`, pytest's
/// `conftest.py` and fixture folders hold none).
fn collected(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    !matches!(name, "__init__.py" | "conftest.py" | "mod.rs") && !path.contains("fixtures/")
}

/// How a new test is written in this file's framework.
pub(super) fn shape(path: &str, body: &str) -> &'static str {
    match prompt::fence_lang(path) {
        "python" if body.contains("unittest") => {
            "a new `class TestIssue(unittest.TestCase):` with one `test_...` method"
        }
        "python" => "a new `def test_...():` function using plain `assert`",
        "rust" => "a new `#[test] fn ...() { ... }` using `assert_eq!`",
        "go" => "a new `func TestIssue(t *testing.T) { ... }`",
        _ if calls(body, "describe") || calls(body, "it") => {
            "a new `it('...', () => { ... });` block"
        }
        _ => "a new `test('...', () => { ... });` call",
    }
}

/// Whether `body` calls the function `name` itself (`it(` is not `parseCommit(`, nor
/// `runner.it(`).
fn calls(body: &str, name: &str) -> bool {
    let call = format!("{name}(");
    body.match_indices(&call).any(|(at, _)| {
        let method = body.get(..at).is_some_and(|b| b.ends_with('.'));
        !method && super::rewrite::word_at(body, at, name)
    })
}

/// Where a reply asked for one new test ends: at its code block's fence, or where the first
/// test function at the file's top level closes (Rust, Go: a `}` alone on a line; JavaScript:
/// `});`; Python: the two blank lines before another top-level block). A small model asked to
/// add a test at the end of a file often goes on to copy the file's other tests.
pub(super) fn test_stops(path: &str) -> &'static [&'static str] {
    match prompt::fence_lang(path) {
        "rust" | "go" => &["```", "\n}\n"],
        "javascript" | "typescript" => &["```", "\n});\n"],
        "python" => &["```", "\n\n\n"],
        _ => &["```"],
    }
}

/// The request for a failing test. `rejected` says why the last one was not kept.
pub fn request(
    issue: &str,
    path: &str,
    body: &str,
    code: &[ShownFile],
    rejected: Option<&str>,
) -> String {
    let lang = prompt::fence_lang(path);
    let mut s = format!(
        "The project's tests pass, but this issue describes a bug they do not catch:\n\n{}\n\n",
        issue.trim()
    );
    for f in code.iter().filter(|f| f.path != path).take(2) {
        s.push_str(&prompt::render_file(f));
    }
    let new = body.trim().is_empty();
    if !new {
        s.push_str(&format!(
            "The test file {path}:\n```{lang}\n{}\n```\n\n",
            head_tail(body.trim_end(), 3_000, 1_500)
        ));
    }
    if let Some(why) = rejected {
        s.push_str(&format!("Your last test was not kept: {why}\n\n"));
    }
    let (place, names) = if new {
        (
            "for a new test file,",
            "Start it with the `use` lines it needs.",
        )
    } else {
        (
            "to add at the end of",
            "Use only names the test file already imports.",
        )
    };
    s.push_str(&format!(
        "Write {} {place} {path}. It must check exactly the case the issue states (its input \
         and the output it should give), so it fails now and passes once the bug is fixed. \
         {names} Do not fix the bug.",
        shape(path, body)
    ));
    s.push_str(&super::stated::request_notes(issue));
    s.push_str(&format!(
        " Reply with the test code only, in one ```{lang} block."
    ));
    s
}

/// The new test in `reply` (the first code block, or the whole reply when the fence was
/// prefilled), dedented; a Python method written alone is wrapped in a `TestCase` class.
pub fn test_code(reply: &str, path: &str, body: &str) -> Option<String> {
    let lines = crate::edit::loose::first_code_block(reply).unwrap_or_else(|| {
        reply
            .lines()
            .filter(|l| !l.trim_start().starts_with("```"))
            .map(String::from)
            .collect()
    });
    let text = tidy_names(&dedent(&lines.join("\n")), body);
    let text = text.trim_matches('\n').to_string();
    if text.trim().is_empty() {
        return None;
    }
    let python_method =
        prompt::fence_lang(path) == "python" && text.starts_with("def ") && text.contains("(self");
    if python_method && body.contains("unittest") {
        let indented: Vec<String> = text.lines().map(|l| format!("    {l}")).collect();
        return Some(format!(
            "class TestIssue(unittest.TestCase):\n{}",
            indented.join("\n")
        ));
    }
    Some(text)
}

fn dedent(text: &str) -> String {
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    text.lines()
        .map(|l| l.get(indent..).unwrap_or(l.trim_start()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `code` with test function names made identifiers: small models name a test after the case
/// (`def test_*/15():`, `fn test_9-17/2()`), which is a syntax error that would throw the whole
/// test away. Other characters become `_`; the names stay distinct from each other and from the
/// functions the test file (`body`) already defines, which a same-named new test would
/// silently replace.
pub fn tidy_names(code: &str, body: &str) -> String {
    let Ok(def) = Regex::new(r"(?m)^(\s*(?:def|fn|async def)\s+)([^\s(]+)\(") else {
        return code.to_string();
    };
    let mut used: Vec<String> = def
        .captures_iter(body)
        .filter_map(|c| Some(c.get(2)?.as_str().to_string()))
        .collect();
    def.replace_all(code, |c: &regex::Captures<'_>| {
        let keyword = c.get(1).map_or("", |m| m.as_str());
        let name = c.get(2).map_or("", |m| m.as_str());
        let mut clean: String = name
            .chars()
            .map(|ch| {
                if ch.is_alphanumeric() || ch == '_' {
                    ch
                } else {
                    '_'
                }
            })
            .collect();
        if clean.chars().next().is_some_and(|ch| ch.is_ascii_digit()) {
            clean.insert(0, '_');
        }
        let base = clean.clone();
        if used.contains(&clean) {
            clean = format!("{base}_issue");
        }
        let mut n = 2;
        while used.contains(&clean) {
            clean = format!("{base}_{n}");
            n += 1;
        }
        used.push(clean.clone());
        format!("{keyword}{clean}(")
    })
    .into_owned()
}

/// The name a test runner prints for the test in `code`.
pub fn test_name(code: &str) -> Option<String> {
    let patterns = [
        r"def\s+(test\w*)",
        r"fn\s+(\w+)",
        r"func\s+(Test\w*)",
        r#"(?:test|it)\(\s*['"`]([^'"`]+)['"`]"#,
    ];
    patterns.iter().find_map(|p| {
        let re = Regex::new(p).ok()?;
        Some(re.captures(code)?.get(1)?.as_str().to_string())
    })
}

/// The edit that adds `code` to the test file: before Python's `if __name__ == "__main__":`
/// block when there is one, else at the end; a file with no text yet is created.
pub fn insertion(path: &str, body: &str, code: &str) -> SearchReplaceBlock {
    if body.is_empty() {
        return SearchReplaceBlock {
            path: path.to_string(),
            search: String::new(),
            replace: format!("{code}\n"),
            index: 1,
            ..Default::default()
        };
    }
    let main = body
        .lines()
        .position(|l| l.starts_with("if __name__"))
        .filter(|_| prompt::fence_lang(path) == "python");
    let lines: Vec<&str> = body.lines().collect();
    let (search, replace) = match main {
        Some(i) => {
            let tail = lines.get(i..).unwrap_or_default().join("\n") + "\n";
            (tail.clone(), format!("{code}\n\n\n{tail}"))
        }
        None => {
            // The last lines, as many as it takes to be unique in the file.
            let mut k = 1;
            let tail = loop {
                let last = lines
                    .get(lines.len().saturating_sub(k)..)
                    .unwrap_or_default();
                let tail = last.join("\n") + "\n";
                if k >= lines.len() || body.matches(tail.as_str()).count() == 1 {
                    break tail;
                }
                k += 1;
            };
            (tail.clone(), format!("{tail}\n{code}\n"))
        }
    };
    SearchReplaceBlock {
        path: path.to_string(),
        search,
        replace,
        index: 1,
        ..Default::default()
    }
}

/// Signs that a test failed because the test itself is broken, not the code it tests.
const BROKEN: &[&str] = &[
    "SyntaxError",
    "IndentationError",
    "ImportError",
    "ModuleNotFoundError",
    "NameError",
    "error[E",
    "ReferenceError",
    "is not defined",
    "cannot find",
    "undefined:",
];

/// Signs that a test calls the code the wrong way (too many arguments, a float where a count
/// goes, a method that does not exist) rather than meets the bug — unless the issue itself is
/// about a crash.
const MISCALLED: &[&str] = &["TypeError", "AttributeError", "is not a function"];

/// Words with which an issue reports a crash, where any exception may be the bug itself.
const CRASH: &[&str] = &[
    "crash",
    "exception",
    "traceback",
    "raise",
    "throw",
    "error:",
];

/// Whether `run` (after adding the test `name`) shows the bug: it fails, in the new test, and
/// not because the test cannot compile, names something that does not exist, or calls the code
/// wrongly (unless the issue itself is about such an error). `Err` says why the test is not
/// kept.
pub fn judge(run: &TestRun, name: &str, issue: &str) -> Result<(), String> {
    if run.passed {
        return Err(
            "it passes, so it does not show the bug; check the input and the expected \
                    value the issue states"
                .into(),
        );
    }
    if run.timed_out {
        return Err("the tests timed out with it".into());
    }
    let lower = issue.to_lowercase();
    let crash = CRASH.iter().any(|w| lower.contains(w));
    let miscalled = MISCALLED.iter().filter(|_| !crash);
    if let Some(sign) = BROKEN
        .iter()
        .chain(miscalled)
        .find(|s| run.output.contains(*s) && !issue.contains(*s))
    {
        let line = run
            .output
            .lines()
            .find(|l| l.contains(sign))
            .unwrap_or("")
            .trim();
        return Err(format!("the test itself is broken ({line})"));
    }
    if !run.output.contains(name) {
        return Err(format!(
            "the tests fail, but the output does not mention `{name}`"
        ));
    }
    Ok(())
}

/// [`judge`] for a test run on the code before any change, where it must also show the output
/// the issue reports ([`not_the_reported_output`]).
pub fn judge_before(run: &TestRun, name: &str, issue: &str) -> Result<(), String> {
    judge(run, name, issue)?;
    not_the_reported_output(&run.output, name, issue).map_or(Ok(()), Err)
}

/// Why a test that expects the issue's own value still does not show the bug the issue reports:
/// on the code before the change, what it compares is none of the outputs the issue says come
/// out (`[object Promise] open tasks, 2 overdue` where the issue shows `…, 1 overdue`). Its inputs
/// are of its own making — a store with three open tasks where the issue has two — and it
/// would fail after a right fix as well. `None` when the issue quotes no such output, or the
/// test `name` fails in another way (a crash, a comparison of other values).
pub fn not_the_reported_output(output: &str, name: &str, issue: &str) -> Option<String> {
    let said = super::stated::stated(issue);
    let value = |v: &String| super::stated::unquote(v).to_string();
    let wrong: Vec<String> = said.wrong.iter().chain(&said.shown).map(value).collect();
    let expected: Vec<String> = said.expected.iter().map(value).collect();
    let m = super::mismatch::mismatches(section(output, name))
        .into_iter()
        .find(|m| expected.contains(&m.want))?;
    // The wrong outputs that may stand for the expected one the test asserts: those that share
    // something with it at its ends (`[object Promise] open tasks, 1 overdue` and `1024 B` may
    // stand for `2 open tasks, 1 overdue` and `1.0 KB`; the title's `[object Promise] open
    // tasks` does not). What the test got must be one of them.
    let mut counterparts: Vec<&String> = wrong.iter().filter(|w| affixes(w, &m.want) > 0).collect();
    counterparts.sort_by_key(|w| std::cmp::Reverse(affixes(w, &m.want)));
    let likeliest = counterparts.first()?;
    let reported = |w: &&String| m.got.contains(w.as_str()) || w.contains(m.got.as_str());
    if counterparts.iter().any(reported) {
        return None;
    }
    Some(format!(
        "on the code before the change it gives `{}` where the issue says `{likeliest}` comes \
         out: its inputs are not the issue's, so it would fail after a right fix too",
        m.got
    ))
}

/// The part of a test run's `output` about the test `name`: from the first header that names
/// it to the next header of another test — pytest's `____ Case.name ____`, unittest's `FAIL:
/// name (…)`, node's `# Subtest: name` and `not ok 3 - name`, cargo's `---- name stdout ----`;
/// the whole output when no header names it.
pub(super) fn section<'o>(output: &'o str, name: &str) -> &'o str {
    let header = |line: &str| {
        let t = line.trim();
        (t.starts_with("__") && t.ends_with("__"))
            || (t.starts_with("---- ") && t.ends_with(" ----"))
            || ["FAIL: ", "ERROR: ", "not ok ", "# Subtest: "]
                .iter()
                .any(|p| t.starts_with(p))
    };
    let mut start = None;
    let mut at = 0;
    for line in output.split_inclusive('\n') {
        if header(line) {
            match start {
                None if line.contains(name) => start = Some(at),
                Some(from) if !line.contains(name) => {
                    return output.get(from..at).unwrap_or(output)
                }
                _ => {}
            }
        }
        at += line.len();
    }
    start.and_then(|from| output.get(from..)).unwrap_or(output)
}

/// How many characters `a` and `b` share at their start and at their end.
fn affixes(a: &str, b: &str) -> usize {
    let start = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let end = a
        .chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let shortest = a.chars().count().min(b.chars().count());
    (start + end).min(shortest)
}

#[cfg(test)]
#[path = "reproduce_tests.rs"]
mod tests;
