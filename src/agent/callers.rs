//! A rewrite that gives a function a parameter is half a fix until its callers pass it: `--tabs`
//! is ignored because `expand_line` uses a constant, and the fix is `expand_line(line,
//! tab_width, initial_only)` *and* `expand_line(body, opts.tab_width, opts.initial_only)` in
//! the caller, in another file. A small model rewrites one definition at a time; so when a
//! rewrite adds parameters, cria updates every call in the project's source itself, with the
//! value the caller plainly has for it — a variable of that name, the matching field of the
//! owner of an argument it already passes (`opts.initial_only` gives `opts.tab_width`, also when
//! the model named the parameter `tab_stop`: a field the project has, sharing its words), or a
//! field of that name the caller reads. A call it cannot complete that way is left as it is
//! (and the tests say what that leads to).

use std::collections::BTreeSet;

use super::localize::is_test_path;
use super::rewrite::{definitions, word_at, Target};
use crate::edit::parse::SearchReplaceBlock;

/// One parameter of a definition's head.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    /// It has a default value (Python, JavaScript): callers may leave it out.
    pub default: bool,
}

/// A head that gained parameters, and what its callers may pass for them.
struct Change {
    old: Vec<Param>,
    added: Vec<(usize, Param)>,
    python: bool,
    /// The fields the project knows ([`fields`]).
    fields: BTreeSet<String>,
}

/// What [`follow`] changed: the calls it completed, the ones it could not, the edits.
#[derive(Debug, Default)]
pub struct Follow {
    pub added: Vec<String>,
    pub completed: usize,
    pub left: usize,
    pub edits: Vec<SearchReplaceBlock>,
}

/// The characters of `text` outside string and character literals: (byte offset, the
/// character, the one before it). The one scanner [`split_top`] and [`closing`] share.
pub(super) fn code_chars(text: &str) -> impl Iterator<Item = (usize, char, char)> + '_ {
    let mut quote: Option<char> = None;
    let mut prev = ' ';
    text.char_indices().filter_map(move |(i, c)| {
        let before = std::mem::replace(&mut prev, c);
        match quote {
            Some(q) => {
                if c == q && before != '\\' {
                    quote = None;
                }
                None
            }
            None if matches!(c, '"' | '\'' | '`') => {
                quote = Some(c);
                None
            }
            None => Some((i, c, before)),
        }
    })
}

/// `text` split at the commas outside brackets and strings, each part trimmed; a trailing comma
/// makes no empty part.
pub(super) fn split_top(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c, prev) in code_chars(text) {
        match c {
            '(' | '[' | '{' | '<' => depth += 1,
            '>' if prev == '-' || prev == '=' => {}
            ')' | ']' | '}' | '>' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(text.get(start..i).unwrap_or_default().trim().to_string());
                start = i + 1;
            }
            _ => {}
        }
    }
    let last = text.get(start..).unwrap_or_default().trim();
    if !last.is_empty() {
        parts.push(last.to_string());
    }
    parts
}

/// Where the bracket opened at `open` closes in `text` (outside strings).
pub(super) fn closing(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (i, c, _) in code_chars(text.get(open..)?) {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + i);
                }
            }
            _ => {}
        }
    }
    None
}

/// The parameters of the definition of `name` that `code` starts with, receivers (`self`,
/// `&mut self`, Python's `self`/`cls`) left out; `None` for a head this does not follow (a
/// pattern, `*args`, a keyword-only marker).
pub fn params(code: &str, name: &str) -> Option<Vec<Param>> {
    let head_end = code.find('{').unwrap_or(code.len()).min(2000);
    let head = code.get(..head_end).unwrap_or(code);
    let at = head
        .match_indices(name)
        .find(|(at, _)| word_at(head, *at, name))?
        .0;
    let open = at + name.len() + head.get(at + name.len()..)?.find('(')?;
    let close = closing(code, open)?;
    let mut out = Vec::new();
    for (k, p) in split_top(code.get(open + 1..close)?).iter().enumerate() {
        let p = p.trim_start_matches("mut ").trim();
        let receiver = p.trim_start_matches('&').trim_start_matches("mut ").trim();
        if receiver == "self"
            || receiver.starts_with("self:")
            || p.starts_with("&'")
            || (k == 0 && p == "cls")
        {
            continue;
        }
        let ident: String = p
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let rest = p.get(ident.len()..).unwrap_or_default().trim_start();
        if ident.is_empty() || !(rest.is_empty() || rest.starts_with([':', '=', '?'])) {
            return None;
        }
        let default = rest
            .find('=')
            .is_some_and(|i| !rest.get(i + 1..).unwrap_or_default().starts_with('='));
        out.push(Param {
            name: ident,
            default,
        });
    }
    Some(out)
}

/// The parameters `new` adds to `old`, as (index in `new`, parameter), when `old`'s names are
/// `new`'s in the same order with some inserted; `None` when the change is anything else.
fn inserted(old: &[Param], new: &[Param]) -> Option<Vec<(usize, Param)>> {
    let mut added = Vec::new();
    let mut rest = old.iter().peekable();
    for (i, p) in new.iter().enumerate() {
        if rest.peek().is_some_and(|o| o.name == p.name) {
            rest.next();
        } else if old.iter().any(|o| o.name == p.name) {
            return None; // reordered
        } else {
            added.push((i, p.clone()));
        }
    }
    (rest.next().is_none() && !added.is_empty()).then_some(added)
}

/// A dotted path of identifiers (`opts`, `self.config`, `this.opts`).
fn is_path(text: &str) -> bool {
    !text.is_empty()
        && text
            .split('.')
            .all(|s| !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_'))
}

/// The words of an identifier (`tab_stop`, `tabStop` → `tab`, `stop`), short ones left out.
fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in name.chars() {
        if c == '_' || (c.is_uppercase() && !word.is_empty()) {
            out.push(std::mem::take(&mut word));
        }
        if c != '_' {
            word.extend(c.to_lowercase());
        }
    }
    out.push(word);
    out.retain(|w| w.len() >= 3);
    out
}

/// The fields the project's code reads or declares (`.tab_width`, `pub tab_width: usize`).
fn fields(files: &[(String, String)]) -> BTreeSet<String> {
    let ident = |t: &str| -> String {
        t.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out = BTreeSet::new();
    for (_, text) in files {
        for (at, _) in text.match_indices('.') {
            let rest = text.get(at + 1..).unwrap_or_default();
            let name = ident(rest);
            let called = rest.get(name.len()..).is_some_and(|r| r.starts_with('('));
            if name.starts_with(|c: char| c.is_alphabetic() || c == '_') && !called {
                out.insert(name);
            }
        }
        for line in text.lines() {
            let t = line.trim_start();
            let t = t.strip_prefix("pub ").unwrap_or(t);
            let name = ident(t);
            let declared = t.get(name.len()..).is_some_and(|r| r.starts_with(": "));
            if declared && line.starts_with([' ', '\t']) && !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

/// The field of the project that parameter `p` stands for: `p` itself, or else the one field
/// sharing the most words with it (`tab_stop` → `tab_width`); `None` when none does or two tie.
fn field_for(p: &str, fields: &BTreeSet<String>) -> Option<String> {
    if fields.contains(p) {
        return Some(p.to_string());
    }
    let mine = words(p);
    let mut best: Option<(usize, &String)> = None;
    let mut tied = false;
    for f in fields {
        let shared = words(f).iter().filter(|w| mine.contains(w)).count();
        match best {
            _ if shared == 0 => {}
            Some((n, _)) if shared < n => {}
            Some((n, _)) if shared == n => tied = true,
            _ => {
                best = Some((shared, f));
                tied = false;
            }
        }
    }
    best.filter(|_| !tied).map(|(_, f)| f.clone())
}

/// The value the caller has for parameter `p`: a variable named `p`, the field `p` stands for
/// on the owner of a sibling argument named for its own parameter (`opts.initial_only` →
/// `opts.tab_width`), or a field named `p` the caller reads (`cfg.tab_width`).
fn value_for(p: &str, change: &Change, args: &[String], caller: &str) -> Option<String> {
    let bare = caller.match_indices(p).any(|(at, _)| {
        word_at(caller, at, p) && !caller.get(..at).is_some_and(|b| b.ends_with('.'))
    });
    if bare {
        return Some(p.to_string());
    }
    if let Some(field) = field_for(p, &change.fields) {
        for (arg, param) in args.iter().zip(&change.old) {
            let (key, value) = match arg.split_once('=') {
                Some((k, v)) if is_path(k.trim()) && !v.starts_with('=') => (k.trim(), v.trim()),
                _ => (param.name.as_str(), arg.as_str()),
            };
            let value = value
                .trim_start_matches('&')
                .trim_start_matches("mut ")
                .trim();
            if let Some(owner) = value.strip_suffix(&format!(".{key}")) {
                if is_path(owner) {
                    return Some(format!("{owner}.{field}"));
                }
            }
        }
    }
    caller.match_indices(&format!(".{p}")).find_map(|(at, _)| {
        if !word_at(caller, at + 1, p) {
            return None;
        }
        let before = caller.get(..at)?;
        let start = before
            .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
            .map_or(0, |i| i + 1);
        let owner = before.get(start..)?;
        is_path(owner).then(|| format!("{owner}.{p}"))
    })
}

/// The arguments of a call that passed `args` to the old head, with the added parameters
/// passed too; `None` when the call does not fit the old head or a value is missing.
fn completed(args: &[String], change: &Change, caller: &str) -> Option<Vec<String>> {
    let (old, python) = (&change.old, change.python);
    let required = old.iter().filter(|p| !p.default).count();
    let positional = args
        .iter()
        .take_while(|a| !(python && a.contains('=') && !a.contains("==")))
        .count();
    if args.len() > old.len() || args.len() < required {
        return None;
    }
    let mut out = args.to_vec();
    let mut given = positional;
    for (i, p) in &change.added {
        let value = value_for(&p.name, change, args, caller)?;
        if *i <= given && (*i < given || !python || out.len() == given) {
            out.insert(*i, value);
            given += 1;
        } else if python {
            out.push(format!("{}={value}", p.name));
        } else {
            return None;
        }
    }
    Some(out)
}

/// The edits that make every call of `target` in `files` (source, not tests; read only when
/// needed) pass what the rewrite `new_code` added to its head; empty when it added no parameter.
pub fn follow(
    target: &Target,
    new_code: &str,
    files: impl FnOnce() -> Vec<(String, String)>,
) -> Follow {
    let mut out = Follow::default();
    let (Some(old), Some(new)) = (
        params(&target.code, &target.name),
        params(new_code, &target.name),
    ) else {
        return out;
    };
    let Some(added) = inserted(&old, &new) else {
        return out;
    };
    out.added = added.iter().map(|(_, p)| p.name.clone()).collect();
    let files = files();
    let change = Change {
        old,
        added,
        python: target.path.ends_with(".py"),
        fields: fields(&files),
    };
    for (path, text) in files.iter().filter(|(p, _)| !is_test_path(p)) {
        // The outermost definition holding a call is the one edited (a nested function's
        // call is inside its outer function's text too).
        let mut end_of_last = 0;
        for caller in definitions(path, text) {
            if caller.line < end_of_last {
                continue;
            }
            if *path == target.path && caller.name == target.name {
                continue;
            }
            let Some((code, done, left)) = complete_calls(&caller.code, &target.name, &change)
            else {
                continue;
            };
            // Its calls are counted once, here, and not again for a function nested in it.
            end_of_last = caller.line + caller.code.lines().count();
            out.completed += done;
            out.left += left;
            if code != caller.code {
                out.edits.push(SearchReplaceBlock {
                    path: path.clone(),
                    search: caller.code.clone(),
                    replace: code,
                    index: 1,
                    ..Default::default()
                });
            }
        }
    }
    out
}

/// `code` with every call of `name` completed, and how many were and were not; `None` when it
/// makes no call of `name`.
fn complete_calls(code: &str, name: &str, change: &Change) -> Option<(String, usize, usize)> {
    let mut text = code.to_string();
    let (mut done, mut left) = (0, 0);
    let mut from = 0;
    while let Some(found) = text.get(from..).and_then(|t| t.find(name)) {
        let at = from + found;
        from = at + name.len();
        let open = at + name.len();
        if !word_at(&text, at, name) || !text.get(open..).is_some_and(|t| t.starts_with('(')) {
            continue;
        }
        let before = text.get(..at).unwrap_or_default().trim_end();
        if ["fn", "def", "function"]
            .iter()
            .any(|k| before.ends_with(k))
        {
            continue;
        }
        let Some(close) = closing(&text, open) else {
            left += 1;
            continue;
        };
        let args = split_top(text.get(open + 1..close).unwrap_or_default());
        match completed(&args, change, code) {
            Some(new_args) => {
                let joined = new_args.join(", ");
                text.replace_range(open + 1..close, &joined);
                from = open + 1 + joined.len();
                done += 1;
            }
            None => left += 1,
        }
    }
    (done + left > 0).then_some((text, done, left))
}

#[cfg(test)]
#[path = "callers_tests.rs"]
mod tests;
