//! A crash the issue reports, as cases cria can test: the error its traceback or stack ends
//! with, the project functions the trace passes through, and the values the prose quotes give
//! candidate calls ([`crash_cases`]); a candidate is a case only when its test fails with the
//! issue's very error ([`shows_crash`]).

use regex::Regex;

use super::cases::{is_call, is_literal, py_str, Case, Expect, MOST};

/// The calls an issue shows crashing, each a case that should return at all; the error its
/// traceback or stack ends with (`ValueError: invalid literal for int() with base 10: '-'`) is
/// what the case shows now. A call the prose quotes is one; otherwise each value the prose
/// quotes is tried as the one argument of the functions the traceback names, innermost first
/// (the log line of "crashes on this line: `…`" given to `parse_line`). These are guesses until
/// run: only a test that fails with the issue's very error shows the crash ([`shows_crash`]).
pub fn crash_cases(issue: &str) -> Vec<Case> {
    let Some(error) = error_line(issue) else {
        return Vec::new();
    };
    let case = |call: String| Case {
        setup: Vec::new(),
        call,
        shown: Some(error.clone()),
        expect: Expect::Completes,
    };
    let spans = prose_spans(issue);
    let mut out: Vec<Case> = spans
        .iter()
        .filter(|s| is_call(s))
        .map(|s| case(s.clone()))
        .collect();
    let inputs: Vec<String> = spans
        .iter()
        .filter(|s| !is_call(s) && !s.contains(error.as_str()) && !error.contains(s.as_str()))
        .filter(|s| !is_command(s))
        .map(|s| if is_literal(s) { s.clone() } else { py_str(s) })
        .take(3)
        .collect();
    for function in crashed_functions(issue).iter().take(2) {
        out.extend(inputs.iter().map(|i| case(format!("{function}({i})"))));
    }
    out.dedup();
    out.truncate(MOST);
    out
}

/// Whether a failing test run's `output` shows the error `case` should no longer end in: its
/// name and its message.
pub fn shows_crash(case: &Case, output: &str) -> bool {
    let (Expect::Completes, Some(error)) = (&case.expect, &case.shown) else {
        return false;
    };
    let (name, message) = error.split_once(": ").unwrap_or((error, ""));
    let name = name.rsplit('.').next().unwrap_or(name);
    output.contains(name) && output.contains(message.trim())
}

/// The error a traceback or stack in `issue` ends with — Python's last line (`KeyError:
/// 'eu'`), JavaScript's first (`TypeError: Cannot read properties of undefined`) — or that its
/// prose quotes.
fn error_line(issue: &str) -> Option<String> {
    static RE: std::sync::OnceLock<Option<Regex>> = std::sync::OnceLock::new();
    let re = RE
        .get_or_init(|| {
            Regex::new(r"^(?:Uncaught )?((?:[A-Za-z_]\w*\.)*[A-Z]\w*(?:Error|Exception))(?:: .*)?$")
                .ok()
        })
        .as_ref()?;
    issue
        .lines()
        .map(str::trim)
        .find(|l| re.is_match(l))
        .map(str::to_string)
        .or_else(|| prose_spans(issue).into_iter().find(|s| re.is_match(s)))
        .map(|l| l.strip_prefix("Uncaught ").unwrap_or(&l).to_string())
}

/// The project functions a traceback or stack in `issue` passes through, innermost first:
/// Python's `File "…", line 43, in parse_line` (printed outermost first), JavaScript's
/// `at parseLine (/app/src/parse.js:43:9)` (innermost first). Frames of the interpreter's own
/// libraries are left out.
fn crashed_functions(issue: &str) -> Vec<String> {
    static RE: std::sync::OnceLock<Option<Regex>> = std::sync::OnceLock::new();
    let Some(re) = RE
        .get_or_init(|| {
            Regex::new(
                r#"File "([^"]+)", line \d+, in ([A-Za-z_]\w*)|^\s*at (?:async )?(?:[\w$]+\.)*([A-Za-z_$][\w$]*) \(([^)]*)\)"#,
            )
            .ok()
        })
        .as_ref()
    else {
        return Vec::new();
    };
    // The interpreter's own modules; an installed package (site-packages, node_modules) may be
    // the project itself, as the user runs it.
    let library = |path: &str| {
        ["<frozen", "node:", "internal/"]
            .iter()
            .any(|l| path.contains(l))
            || (path.contains("/lib/python") && !path.contains("-packages/"))
    };
    let mut python: Vec<String> = Vec::new();
    let mut javascript: Vec<String> = Vec::new();
    for line in issue.lines() {
        let Some(c) = re.captures(line) else { continue };
        let (list, name, path) = match (c.get(2), c.get(3)) {
            (Some(name), _) => (&mut python, name, c.get(1)),
            (None, Some(name)) => (&mut javascript, name, c.get(4)),
            (None, None) => continue,
        };
        if !path.is_some_and(|p| library(p.as_str())) {
            list.push(name.as_str().to_string());
        }
    }
    python.reverse();
    let mut out: Vec<String> = Vec::new();
    for name in python.into_iter().chain(javascript) {
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// Inline code that names a program, an option or a command line rather than data: a bare
/// word (`logstat`, `du-sum`), an option (`--tabs`), or a line run by a shell (`$ …`,
/// `python3 -m logstat access.log`, `du-sum report.txt`: a word, then a file or an option).
fn is_command(span: &str) -> bool {
    static RE: std::sync::OnceLock<Option<Regex>> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(
            r"^(\$ |-)|^[A-Za-z][\w.-]*$|^[A-Za-z][\w-]*( -{1,2}\w+| [\w./-]+\.\w{1,4})+( |$)",
        )
        .ok()
    });
    re.as_ref().is_some_and(|re| re.is_match(span))
}

/// The inline code of the issue's prose (not of its code blocks), in order, each once.
fn prose_spans(issue: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut fenced = false;
    for line in issue.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced || line.starts_with("    ") || line.starts_with('\t') {
            continue;
        }
        for span in line.split('`').skip(1).step_by(2) {
            let span = span.trim();
            if !span.is_empty() && !out.iter().any(|o| o == span) {
                out.push(span.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "crash_tests.rs"]
mod tests;
