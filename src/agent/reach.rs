//! Finding the bug by what the failing tests *call*, where their execution cannot be traced
//! (Rust, JavaScript, Go; Python without pytest): each test's body names functions, those name
//! others, and the definitions a failing test reaches — but passing tests reach less — are the
//! suspects, scored by Ochiai over these static spectra exactly as [`super::spectrum`] scores
//! traced ones. Coarser than a trace (a call on a branch never taken still counts), but it is
//! what brings the helper in another file, two calls below the function the issue names, into
//! the rewrite stage's candidates.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use super::rewrite::{definitions, mentions, Target};
use super::spectrum::{ochiai_score, Suspect};
use crate::context::localize::is_test_path;
use crate::edit::loose::extent;

/// How many calls below a test a definition may be and still count as reached.
const DEPTH: usize = 6;

/// One test: its name (a function's, or the string a `test("…")` call gives) and its body.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    pub name: String,
    pub body: String,
}

/// The tests defined in a file: `#[test]` functions, `def test_*`, `func Test*`, and
/// JavaScript's `test("…", …)` / `it("…", …)` calls.
pub fn units(text: &str) -> Vec<Unit> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut attributed = false;
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        if t.starts_with("#[") {
            attributed |=
                t.starts_with("#[test]") || t.contains("::test]") || t.contains("::test(");
            continue;
        }
        let name = if attributed {
            fn_name(t)
        } else {
            py_or_go_test(t).or_else(|| js_test(t))
        };
        attributed = false;
        let Some(name) = name else { continue };
        let end = extent(&lines, i).max(i + 1);
        let body = lines.get(i..end).unwrap_or_default().join("\n");
        out.push(Unit { name, body });
    }
    out
}

/// `fn name(` (after any visibility and `async`).
fn fn_name(t: &str) -> Option<String> {
    let rest = t.split_once("fn ")?.1;
    let name: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

fn py_or_go_test(t: &str) -> Option<String> {
    let rest = t
        .strip_prefix("async def ")
        .or_else(|| t.strip_prefix("def "))
        .filter(|r| r.starts_with("test"))
        .or_else(|| t.strip_prefix("func ").filter(|r| r.starts_with("Test")))?;
    let name: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    rest.get(name.len()..)?.starts_with('(').then_some(name)
}

fn js_test(t: &str) -> Option<String> {
    let call = ["test", "it"].iter().find_map(|k| t.strip_prefix(k))?;
    let call = call.strip_prefix(".only").unwrap_or(call).trim_start();
    let arg = call.strip_prefix('(')?.trim_start();
    let quote = arg
        .chars()
        .next()
        .filter(|c| matches!(c, '\'' | '"' | '`'))?;
    let name = arg.get(1..)?.split(quote).next()?;
    (!name.is_empty()).then(|| name.to_string())
}

/// Static suspects: `files` are the project's source files (path, text), `failing` the names
/// of the tests that failed. Empty when no failing test can be found among the files' tests.
pub fn suspects(files: &[(String, String)], failing: &[String]) -> Vec<Suspect> {
    let tests: Vec<Unit> = files.iter().flat_map(|(_, text)| units(text)).collect();
    let all_failed = tests.iter().filter(|u| failing.contains(&u.name)).count();
    if all_failed == 0 {
        return Vec::new();
    }
    // The test files' own helpers (`fn names(q)`, a fixture) are definitions too: the calls
    // go through them. They are never suspects themselves.
    let (mut defs, mut owners) = (Vec::new(), Vec::new());
    for (path, text) in files {
        let lines: Vec<&str> = text.lines().collect();
        for d in definitions(path, text) {
            owners.push(implicit_owner(&lines, &d));
            defs.push(d);
        }
    }
    let graph = Graph {
        defs: &defs,
        owners: &owners,
    };
    let calls: Vec<Vec<usize>> = defs
        .iter()
        .enumerate()
        .map(|(i, d)| graph.called(&d.code, Some(i)))
        .collect();
    // definition → (failed tests reaching it, passed tests reaching it, fewest calls down)
    let mut counts: BTreeMap<usize, (usize, usize, usize)> = BTreeMap::new();
    for unit in &tests {
        let failed = failing.contains(&unit.name);
        for (def, depth) in reached(&graph.called(&unit.body, None), &calls) {
            let entry = counts.entry(def).or_insert((0, 0, usize::MAX));
            if failed {
                entry.0 += 1;
            } else {
                entry.1 += 1;
            }
            entry.2 = entry.2.min(depth);
        }
    }
    let mut ranked: Vec<(Suspect, usize)> = counts
        .into_iter()
        .filter(|(_, (failed, _, _))| *failed > 0)
        .filter_map(|(def, (failed, passed, depth))| {
            let d = defs.get(def).filter(|d| !is_test_path(&d.path))?;
            let suspect = Suspect {
                path: d.path.clone(),
                name: d.name.clone(),
                score: ochiai_score(failed, passed, all_failed),
                line: None,
            };
            Some((suspect, depth))
        })
        .collect();
    // Equally suspicious: the nearer the test, the likelier it is what the test checks.
    ranked.sort_by(|(a, da), (b, db)| {
        b.score
            .total_cmp(&a.score)
            .then(da.cmp(db))
            .then(a.name.cmp(&b.name))
    });
    let mut seen = BTreeSet::new();
    ranked
        .into_iter()
        .map(|(s, _)| s)
        .filter(|s| seen.insert((s.path.clone(), s.name.clone())))
        .collect()
}

/// The definitions, and for each the type whose use runs it without naming it.
struct Graph<'a> {
    defs: &'a [Target],
    owners: &'a [Option<String>],
}

impl Graph<'_> {
    /// The definitions `code` runs (other than `this`): those it names, and the implicit
    /// methods of the types it names.
    fn called(&self, code: &str, this: Option<usize>) -> Vec<usize> {
        self.defs
            .iter()
            .zip(self.owners)
            .enumerate()
            .filter(|(i, (d, owner))| {
                Some(*i) != this
                    && (mentions(code, &d.name)
                        || owner.as_ref().is_some_and(|t| mentions(code, t)))
            })
            .map(|(i, _)| i)
            .collect()
    }
}

/// The type `def` is an implicit method of, run by code that names the type rather than the
/// method: a Rust trait impl's methods (`impl Ord for Job`: `cmp` runs wherever a heap of
/// `Job`s is popped), Python's dunder methods (`__lt__`, `__init__`) and a JavaScript class's
/// `constructor`.
fn implicit_owner(lines: &[&str], def: &Target) -> Option<String> {
    let first = def.code.lines().next()?;
    let indent = first.len() - first.trim_start().len();
    if indent == 0 {
        return None;
    }
    let block = lines
        .get(..def.line.checked_sub(1)?)?
        .iter()
        .rev()
        .find(|l| !l.trim().is_empty() && l.len() - l.trim_start().len() < indent)?
        .trim_start();
    let type_name = |rest: &str| -> Option<String> {
        let last = rest
            .split(['<', ' ', '{', '(', ':'])
            .next()?
            .rsplit("::")
            .next()?;
        let ok = !last.is_empty() && last.chars().all(|c| c.is_alphanumeric() || c == '_');
        ok.then(|| last.to_string())
    };
    if block.starts_with("impl") {
        return type_name(block.split_once(" for ")?.1.trim_start());
    }
    let class = block
        .strip_prefix("export ")
        .unwrap_or(block)
        .strip_prefix("class ")?;
    let dunder = def.name.starts_with("__") && def.name.ends_with("__");
    (dunder || def.name == "constructor")
        .then(|| type_name(class))
        .flatten()
}

/// Everything reachable from `start` within [`DEPTH`] calls, with its distance (start = 0).
fn reached(start: &[usize], calls: &[Vec<usize>]) -> BTreeMap<usize, usize> {
    let mut depth: BTreeMap<usize, usize> = start.iter().map(|&d| (d, 0)).collect();
    let mut queue: VecDeque<usize> = start.iter().copied().collect();
    while let Some(d) = queue.pop_front() {
        let next = depth.get(&d).copied().unwrap_or(0) + 1;
        if next > DEPTH {
            continue;
        }
        for &c in calls.get(d).map(Vec::as_slice).unwrap_or_default() {
            if let std::collections::btree_map::Entry::Vacant(e) = depth.entry(c) {
                e.insert(next);
                queue.push_back(c);
            }
        }
    }
    depth
}

#[cfg(test)]
#[path = "reach_tests.rs"]
mod tests;
