//! Cases an issue states in a Markdown table: a column of calls, a column headed as what they
//! should give ("expected", "should be"), and perhaps one headed as what they give now ("got",
//! "actual"). Each row is read as the sentence it stands for (`` `f(4)` gives `IIII` but
//! should give `IV` ``), so a value in a table means what it would in prose.

use super::blocks::is_call;

/// Words of a column's header that name what a call should give, and what it gives now.
const EXPECTED: &[&str] = &["expect", "should", "want", "correct", "right"];
const GOT: &[&str] = &[
    "got", "get", "actual", "gives", "returns", "prints", "show", "output", "now", "current",
    "result", "wrong",
];

/// The sentences the issue's tables of cases stand for, one per row whose call and expected
/// value are there.
pub(in crate::agent) fn table_sentences(issue: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for line in issue.lines().chain(std::iter::once("")) {
        let t = line.trim();
        if t.starts_with('|') {
            rows.push(cells(t));
            continue;
        }
        out.extend(sentences(&rows));
        rows.clear();
    }
    out
}

/// `prose` without the lines of its tables: read through [`table_sentences`] instead, row by
/// row, where a sentence run across a row's cells would take its values for the wrong columns.
pub(in crate::agent) fn without_tables(prose: &str) -> String {
    let lines: Vec<&str> = (prose.lines())
        .filter(|l| !l.trim_start().starts_with('|'))
        .collect();
    lines.join("\n")
}

/// The sentences of one table (its header, the separator, then rows).
fn sentences(rows: &[Vec<String>]) -> Vec<String> {
    let (Some(header), Some(separator)) = (rows.first(), rows.get(1)) else {
        return Vec::new();
    };
    let ruled = |c: &String| !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':' | ' '));
    let body = rows.get(2..).unwrap_or_default();
    if !separator.iter().all(ruled) || body.is_empty() {
        return Vec::new();
    }
    let headed = |words: &[&str], not: &[&str]| {
        header.iter().position(|h| {
            let h = h.to_lowercase();
            words.iter().any(|w| h.contains(w)) && !not.iter().any(|w| h.contains(w))
        })
    };
    let Some(expected) = headed(EXPECTED, &[]) else {
        return Vec::new();
    };
    let got = headed(GOT, EXPECTED);
    let call = (0..header.len()).find(|&i| {
        i != expected
            && Some(i) != got
            && body
                .iter()
                .all(|row| row.get(i).is_some_and(|c| is_call(unticked(c))))
    });
    let Some(call) = call else {
        return Vec::new();
    };
    body.iter()
        .filter_map(|row| {
            let call = unticked(row.get(call)?);
            let want = value(row.get(expected)?)?;
            Some(match got.and_then(|g| row.get(g)).and_then(|c| value(c)) {
                Some(now) => format!("`{call}` gives {now} but should give {want}"),
                None => format!("`{call}` should give {want}"),
            })
        })
        .collect()
}

/// A row's cells, the bars at its ends dropped (a bar escaped `\|` or inside inline code stays
/// in its cell).
fn cells(row: &str) -> Vec<String> {
    let inner = row.strip_prefix('|').unwrap_or(row);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut out = vec![String::new()];
    let (mut code, mut escaped) = (false, false);
    for c in inner.chars() {
        if c == '|' && !code && !escaped {
            out.push(String::new());
            continue;
        }
        if let Some(cell) = out.last_mut() {
            if c == '|' && escaped {
                cell.pop();
            }
            cell.push(c);
        }
        if c == '`' {
            code = !code;
        }
        escaped = c == '\\' && !escaped;
    }
    out.iter().map(|c| c.trim().to_string()).collect()
}

/// A cell's text without the inline-code ticks around it.
fn unticked(cell: &str) -> &str {
    let t = cell.trim();
    t.strip_prefix('`')
        .and_then(|r| r.strip_suffix('`'))
        .unwrap_or(t)
}

/// A cell as a value of a sentence: in inline code or quotes as it is, a bare value put in
/// inline code. `None` for an empty cell.
fn value(cell: &str) -> Option<String> {
    let t = cell.trim();
    if t.is_empty() {
        return None;
    }
    let quoted = t.len() >= 2
        && ((t.starts_with('`') && t.ends_with('`')) || (t.starts_with('"') && t.ends_with('"')));
    Some(if quoted {
        t.to_string()
    } else {
        format!("`{t}`")
    })
}
