//! Cases an issue states in a Markdown table: a column of calls, a column headed as what they
//! should give ("expected", "should be"), and perhaps one headed as what they give now ("got",
//! "actual"). Each row is read as the sentence it stands for (`` `f(4)` gives `IIII` but
//! should give `IV` ``), so a value in a table means what it would in prose.
//!
//! A table may hold the inputs instead of the calls (`| n | got | expected |`) under prose that
//! names the call: `ordinal(n)`, whose parameters are the table's other headers, or a function
//! of one argument (`ordinal()`) beside a table of one input column. Each row's call is then
//! that call with the row's values — literals only: a bare word could be a string or a name.
//! Prose that names two such calls names none.

use regex::Regex;

use super::blocks::is_call;
use super::is_literal;

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
    // The prose since the last table: where a table of inputs finds its call.
    let mut before = String::new();
    for line in issue.lines().chain(std::iter::once("")) {
        let t = line.trim();
        if t.starts_with('|') {
            rows.push(cells(t));
            continue;
        }
        if !rows.is_empty() {
            out.extend(sentences(&rows, &before));
            rows.clear();
            before.clear();
        }
        before.push_str(line);
        before.push('\n');
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

/// The sentences of one table (its header, the separator, then rows), under the prose `before`.
fn sentences(rows: &[Vec<String>], before: &str) -> Vec<String> {
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
    let inputs: Vec<usize> = (0..header.len())
        .filter(|&i| i != expected && Some(i) != got)
        .collect();
    let column = inputs.iter().copied().find(|&i| {
        body.iter()
            .all(|row| row.get(i).is_some_and(|c| is_call(unticked(c))))
    });
    // Without a column of calls, the call the prose names, found once for every row.
    let named = column
        .is_none()
        .then(|| named_call(before, header, &inputs))
        .flatten();
    let call_of = |row: &Vec<String>| -> Option<String> {
        match column {
            Some(i) => Some(unticked(row.get(i)?).to_string()),
            None => {
                let (name, columns) = named.as_ref()?;
                let args: Option<Vec<&str>> = (columns.iter())
                    .map(|&i| row.get(i).map(|c| unticked(c)).filter(|a| is_literal(a)))
                    .collect();
                Some(format!("{name}({})", args?.join(", ")))
            }
        }
    };
    body.iter()
        .filter_map(|row| {
            let call = call_of(row)?;
            let want = value(row.get(expected)?)?;
            Some(match got.and_then(|g| row.get(g)).and_then(|c| value(c)) {
                Some(now) => format!("`{call}` gives {now} but should give {want}"),
                None => format!("`{call}` should give {want}"),
            })
        })
        .collect()
}

/// The call the prose `before` a table of inputs names, and the table's columns that are its
/// arguments, in order: a call whose parameters are all headers of `inputs` columns, or else
/// the one function of at most one parameter named when `inputs` is one column. `None` when
/// the prose names no such call, or two.
fn named_call(before: &str, header: &[String], inputs: &[usize]) -> Option<(String, Vec<usize>)> {
    static RE: std::sync::OnceLock<Option<Regex>> = std::sync::OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"([A-Za-z_]\w*(?:(?:\.|::)[A-Za-z_]\w*)*)\(\s*(\w+(?:\s*,\s*\w+)*)?\s*\)").ok()
    });
    let named: Vec<(&str, Vec<&str>)> = (re.as_ref()?.captures_iter(before))
        .filter_map(|c| {
            let params = c.get(2).map_or("", |m| m.as_str());
            let params = params.split(',').map(str::trim).filter(|p| !p.is_empty());
            Some((c.get(1)?.as_str(), params.collect()))
        })
        .collect();
    let column = |param: &str| {
        (inputs.iter().copied()).find(|&i| {
            header
                .get(i)
                .is_some_and(|h| unticked(h).eq_ignore_ascii_case(param))
        })
    };
    let one = |mut found: Vec<(String, Vec<usize>)>| {
        found.sort();
        found.dedup_by(|a, b| a.0 == b.0);
        (found.len() == 1).then(|| found.pop()).flatten()
    };
    let headed: Vec<(String, Vec<usize>)> = (named.iter())
        .filter_map(|(name, params)| {
            let columns: Option<Vec<usize>> = params.iter().map(|p| column(p)).collect();
            Some((name.to_string(), columns?)).filter(|(_, c)| !c.is_empty())
        })
        .collect();
    if !headed.is_empty() {
        return one(headed);
    }
    let [input] = inputs else {
        return None;
    };
    let single = (named.iter())
        .filter(|(_, params)| params.len() <= 1)
        .map(|(name, _)| (name.to_string(), vec![*input]));
    one(single.collect())
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
