//! Which definitions to rewrite, best first: what the diagnosis, the issue and the failure
//! name, weighed against what running the failing tests showed ([`crate::agent::spectrum`]).

use crate::agent::localize::{identifiers, is_test_path};
use crate::agent::prompt::ShownFile;
use crate::agent::spectrum::Suspect;
use crate::agent::{hardcode, reproduce};

use super::{definitions, is_constant, mentions, word_at, Target};

/// Line `line` of the file, when it is in `t`'s body (not its first line, which stands for the
/// call) and says something.
fn body_line(t: &Target, line: usize) -> Option<String> {
    let text = t
        .code
        .lines()
        .nth(line.checked_sub(t.line + 1)? + 1)?
        .trim();
    (text.len() > 2).then(|| text.to_string())
}

/// What a function no failing test ran loses in [`ranked`]: more than the issue naming it gains.
const NOT_RUN: f64 = 4.0;

/// Definitions in `files` ranked by how likely they hold the bug, best first: named by the
/// diagnosis, the issue or the failure, using the issue's words, in a better-ranked file — and
/// executed by the failing tests more than by the passing ones (`suspects`, see
/// [`crate::agent::spectrum`]), which weighs most: it is what running the code showed. A constant is
/// as suspicious as the functions that read it ([`read_by`]), and more when it has an entry
/// for an input the failing assertions or the issue quote (`"JPY"` in a table of currencies).
/// When the suspects were `traced`, a function missing from them never ran in a failing test,
/// so it is ranked down, whatever names it (a constant is read at import, before any test:
/// it stays); and the most suspicious of them is second at worst ([`second_to_the_trace`]).
pub fn ranked(
    diagnosis: &str,
    issue: &str,
    test_output: &str,
    files: &[ShownFile],
    suspects: &[Suspect],
    traced: bool,
) -> Vec<Target> {
    let sources: Vec<&ShownFile> = files.iter().filter(|f| !is_test_path(&f.path)).collect();
    let words = identifiers(issue);
    let mut keys = hardcode::assertions(test_output).inputs;
    keys.extend(reproduce::quoted_literals(issue));
    let defs: Vec<(usize, Target)> = sources
        .iter()
        .enumerate()
        .flat_map(|(rank, f)| {
            definitions(&f.path, &f.content)
                .into_iter()
                .map(move |t| (rank, t))
        })
        .collect();
    let mut all: Vec<Target> = Vec::new();
    let mut not_run: Vec<(String, String)> = Vec::new();
    for (rank, t) in &defs {
        let mut t = t.clone();
        let mut s = 1.0 / (*rank as f64 + 1.0);
        if mentions(diagnosis, &t.name) {
            s += 5.0;
        }
        if mentions(issue, &t.name) {
            s += 3.0;
        }
        if test_output.contains(&format!("in {}", t.name)) || mentions(test_output, &t.name) {
            s += 2.0;
        }
        let used = words.iter().filter(|w| mentions(&t.code, w)).count();
        s += (used.min(3) as f64) * 0.5;
        match suspects
            .iter()
            .find(|x| x.path == t.path && x.name == t.name)
        {
            Some(suspect) => {
                s += 6.0 * suspect.score;
                t.hint = suspect.line.and_then(|l| body_line(&t, l));
            }
            None if is_constant(&t) => {
                if let Some((reader_rank, score)) = read_by(&t, &defs, suspects) {
                    s += (1.0 / (reader_rank as f64 + 1.0) - 1.0 / (*rank as f64 + 1.0)).max(0.0);
                    s += 6.0 * score;
                }
                // A table with an entry for the very input the failing code is given weighs
                // as a function the failure names does.
                if keys.iter().any(|k| keyed(&t.code, k)) {
                    s += 2.0;
                }
            }
            None if traced => {
                s -= NOT_RUN;
                not_run.push((t.path.clone(), t.name.clone()));
            }
            None => {}
        }
        t.score = s;
        all.push(t);
    }
    // Rewriting a function no failing test ran cannot make them pass: where the tests were
    // traced, such a function is a target only when nothing they ran is left.
    let ran = |t: &Target| !not_run.iter().any(|(p, n)| *p == t.path && *n == t.name);
    if all.iter().any(ran) {
        all.retain(ran);
    }
    all.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.line.cmp(&b.line)));
    if let Some(top) = suspects.first().filter(|_| traced) {
        second_to_the_trace(&mut all, top);
    }
    all
}

/// The names (the issue's, the diagnosis's, the failure's) choose the first rewrite; the
/// definition running the tests found most suspicious gets the second, wherever the names put
/// it. A small model's diagnosis echoes the function the issue names (`free_slots`), which the
/// failing tests call on their way to the bug in a helper below it (`merge`): the names then
/// outweigh the trace, and the helper came third, a whole parallel step later.
fn second_to_the_trace(ranked: &mut Vec<Target>, top: &Suspect) {
    let at = ranked
        .iter()
        .position(|t| t.path == top.path && t.name == top.name);
    if let Some(at) = at.filter(|&at| at > 1) {
        let target = ranked.remove(at);
        ranked.insert(1, target);
    }
}

/// Whether `code` holds `key` as a string literal of its own (`"JPY": 2`, `'tab'`).
fn keyed(code: &str, key: &str) -> bool {
    code.contains(&format!("\"{key}\"")) || code.contains(&format!("'{key}'"))
}

/// Whether `code` calls `name` (`name(` as a whole word).
pub fn calls(code: &str, name: &str) -> bool {
    code.match_indices(&format!("{name}("))
        .any(|(at, _)| word_at(code, at, name))
}

/// The files, beyond `suspects`' own, that define a constant one of them reads: a pattern or a
/// table imported from a module of its own (`COMMIT_RE` from `patterns.js`, `RATES` from
/// `tables.py`). A spectrum never names such a file — nothing in it runs during a test — so
/// unless the first prompt happened to show it, the constant (ranked by [`read_by`]) would
/// never be among the candidates.
pub fn constant_files(suspects: &[Suspect], files: &[(String, String)]) -> Vec<String> {
    let text = |path: &str| {
        files
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, t)| t.as_str())
    };
    let readers: Vec<Target> = suspects
        .iter()
        .filter_map(|s| {
            definitions(&s.path, text(&s.path)?)
                .into_iter()
                .find(|d| d.name == s.name)
        })
        .collect();
    let own: Vec<&str> = suspects.iter().map(|s| s.path.as_str()).collect();
    files
        .iter()
        .filter(|(path, _)| !own.contains(&path.as_str()) && !is_test_path(path))
        .filter(|(path, body)| {
            definitions(path, body)
                .iter()
                .any(|c| is_constant(c) && readers.iter().any(|r| mentions(&r.code, &c.name)))
        })
        .map(|(path, _)| path.clone())
        .collect()
}

/// The most suspicious function that reads `constant`, itself or through a helper that reads
/// it, as (its file's rank, its score): the constant ranks as it does. A wrong entry in a
/// table shows only as a wrong result of the code that looks it up, and that code is all a
/// spectrum sees run (the constant itself is evaluated at import, before any test) — so a
/// table in a file of its own would otherwise never be a candidate.
fn read_by(
    constant: &Target,
    defs: &[(usize, Target)],
    suspects: &[Suspect],
) -> Option<(usize, f64)> {
    let direct: Vec<&Target> = defs
        .iter()
        .map(|(_, d)| d)
        .filter(|d| !is_constant(d) && mentions(&d.code, &constant.name))
        .collect();
    // A lookup helper (`minor_digits(c)` returning `MINOR_UNITS[c]`) reads it for its callers.
    let through_helper = |d: &Target| {
        direct
            .iter()
            .any(|h| h.name != d.name && calls(&d.code, &h.name))
    };
    defs.iter()
        .filter(|(_, d)| {
            !is_constant(d) && (direct.iter().any(|h| h.name == d.name) || through_helper(d))
        })
        .filter_map(|(rank, d)| {
            let s = suspects
                .iter()
                .find(|x| x.path == d.path && x.name == d.name)?;
            Some((*rank, s.score))
        })
        .max_by(|a, b| {
            let weight = |(rank, score): &(usize, f64)| 6.0 * score + 1.0 / (*rank as f64 + 1.0);
            weight(a).total_cmp(&weight(b))
        })
}
