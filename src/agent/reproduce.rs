//! Reproducing a bug the tests miss. When the project's tests pass but the issue states a
//! concrete input and what it should give, the model is asked for one new test in the project's
//! own test file and framework; cria puts it in place, runs the tests, and keeps it only when it
//! fails, in the new test, for a reason other than the test itself being broken. A kept test
//! then judges the fix (and stays in the diff unless `--drop-repro-test`). What the issue
//! quotes as examples and inputs is read in `reproduce/examples.rs`; whether a run shows the bug,
//! in `reproduce/judge.rs`; the request, the test's text and its place in the file, here.

use regex::Regex;

use super::localize::{self, Candidate};
use super::prompt::{self, ShownFile};
use crate::edit::parse::SearchReplaceBlock;
use crate::sandbox::process::head_tail;

mod examples;
mod judge;

pub use examples::{
    inputs_left_out, quoted_inputs, quoted_literals, restated, stated_examples, states_expectation,
};
pub(super) use judge::section;
pub use judge::{
    judge, judge_anchored, judge_before, not_the_reported_output, own_error, UNANCHORED,
};

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

/// How the model's reply with a new test for `path` (whose text is `body`) begins: its code
/// fence, then the opening of a test of its own in the file's framework (a name the file does
/// not use yet), so the model writes a new test's body. Asked to add a test at the end of a
/// file, a small model's most likely reply is the file's first test, copied; once the opening
/// is written, the body it goes on with draws on the issue's example instead. A new file (which
/// starts with its `use` lines) and a framework cria cannot tell get the fence alone.
pub(super) fn test_head(path: &str, body: &str) -> String {
    let lang = prompt::fence_lang(path);
    let fence = format!("```{lang}\n");
    if body.trim().is_empty() {
        return fence;
    }
    let free = |stem: &str| {
        let sep = if stem.contains(' ') { " " } else { "_" };
        (1..)
            .map(|n| match n {
                1 => stem.to_string(),
                n => format!("{stem}{sep}{n}"),
            })
            .find(|name| !body.contains(name.as_str()))
            .unwrap_or_default()
    };
    let head = match lang {
        "python" => {
            let name = free("test_issue_example");
            match super::case_test::test_case_class(body) {
                Some(base) => {
                    let class = free("TestIssueExample").replace('_', "");
                    format!("class {class}({base}):\n    def {name}(self):\n")
                }
                None => format!("def {name}():\n"),
            }
        }
        "rust" => format!("#[test]\nfn {}() {{\n", free("issue_example")),
        "go" => format!(
            "func {}(t *testing.T) {{\n",
            free("TestIssueExample").replace('_', "")
        ),
        "javascript" | "typescript" => match super::case_test::js_runner(body) {
            Some(runner) => format!("{runner}('{}', () => {{\n", free("issue example")),
            None => String::new(),
        },
        _ => String::new(),
    };
    fence + &head
}

/// Lines that open or close a test rather than do anything in it.
fn frame(line: &str) -> bool {
    const OPENS: [&str; 9] = [
        "#[", "@", "fn ", "def ", "class ", "func ", "test(", "it(", "async ",
    ];
    OPENS.iter().any(|o| line.starts_with(o)) || line.chars().all(|c| "})];,".contains(c))
}

/// Whether the new test `code` repeats the test file `body`'s own: every line of its body
/// stands in the file already. Asked to add a test at the end of a file, a small model's most
/// likely reply is the file's first test, copied under the same name or another; it checks
/// nothing the project's tests do not, and passes or fails with them.
pub fn copied(code: &str, body: &str) -> bool {
    let file: std::collections::HashSet<&str> = body.lines().map(str::trim).collect();
    let mut own = code
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !frame(l))
        .peekable();
    own.peek().is_some() && own.all(|l| file.contains(l))
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
    let text = whole_items(text.trim_matches('\n'), path);
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

/// `code` less what keeps it from parsing at its end: a reply that ran out of tokens stops
/// inside its last test, and the whole tests before that one are a test still. The top-level
/// items at its end are dropped first (a Rust `#[test]` goes with its function); where that
/// leaves no test (the tests are methods of one class, cut inside the last, and the imports
/// alone parse), its last lines are: the longest head that parses and holds a test, ending
/// with no block opened (Python's `def f():` alone parses). `code` itself where it parses,
/// where cria has no grammar for `path`, or where no such head exists (a broken test is then
/// seen to be broken when it runs).
fn whole_items(code: &str, path: &str) -> String {
    let parse = |text: &str| super::mutate::syntax_tree(path, text);
    let Some(tree) = parse(code).filter(|t| t.root_node().has_error()) else {
        return code.to_string();
    };
    let kept = |head: &&str| {
        test_name(head).is_some() && parse(head).is_some_and(|t| !t.root_node().has_error())
    };
    let root = tree.root_node();
    let items: Vec<_> = (0..root.named_child_count())
        .filter_map(|i| root.named_child(i as u32))
        .collect();
    // An item is cut off with the attributes before it (`#[test]`).
    let starts: Vec<usize> = (items.iter().zip(items.iter().skip(1)))
        .filter(|(before, _)| before.kind() != "attribute_item")
        .map(|(_, item)| item.start_byte())
        .collect();
    let mut items = (starts.iter().rev())
        .filter_map(|&at| code.get(..at))
        .map(str::trim_end);
    let mut lines = (code.match_indices('\n').rev())
        .filter_map(|(at, _)| code.get(..at))
        .map(str::trim_end)
        .filter(|head| !head.ends_with(':'));
    items
        .find(kept)
        .or_else(|| lines.find(kept))
        .unwrap_or(code)
        .to_string()
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
/// functions and classes the test file (`body`) already defines, which a same-named new test
/// (or a new `class TestRoman` of the file's `TestRoman`, with all its tests) would silently
/// replace.
pub fn tidy_names(code: &str, body: &str) -> String {
    let Ok(def) = Regex::new(r"(?m)^(\s*(?:def|fn|async def|class)\s+)([^\s(:]+)([(:])") else {
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
        let opens = c.get(3).map_or("(", |m| m.as_str());
        format!("{keyword}{clean}{opens}")
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

#[cfg(test)]
#[path = "reproduce_tests.rs"]
mod tests;
