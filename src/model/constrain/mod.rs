//! Constrained decoding: where a reply has a grammar, tokens that would break it are masked
//! before sampling, so the model cannot write them. Only a backend with the model in-process
//! (`llama`) can do this for every span; an endpoint that takes a grammar gets the rewrite's
//! as one ([`gbnf`]), and each backend says what it enforces ([`Enforced`]).
//!
//! Three spans of a reply are constrained; everything else is free, and there sampling is
//! exactly what it would be without a constraint:
//!
//! - **SEARCH sections** ([`search`]): after `<<<<<<< SEARCH` and a newline, every line up to
//!   `=======` must be the next line of the file the block names, consecutive, as on disk. A
//!   SEARCH that does not match becomes impossible rather than tolerated.
//! - **Tool calls** ([`call`]): after `<tool_call>`, the JSON object must name one of the
//!   tools and give it only its own arguments, each of its type, the required ones all there.
//! - **A rewrite's head** ([`head`]): a reply asked for one definition in full begins (after the
//!   fence the backend opens, and any indentation) with that definition's head, its first line
//!   through the name, so it cannot start with prose or with another definition.
//!
//! A [`Guide`] follows the reply byte by byte: [`Guide::feed`] with each chosen token's text,
//! [`Guide::constraining`] says whether the next token needs checking, and [`Guide::allows`]
//! checks one token's text against the state — cheaply, since it runs for every token of the
//! vocabulary at every constrained step.

mod call;
pub mod gbnf;
pub mod head;
mod search;

use std::sync::Arc;

pub use call::ToolSchema;

/// What a reply may say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Constraints {
    /// Files a SEARCH section may quote: (repository-relative path, text).
    pub search_files: Vec<(String, String)>,
    /// The tools a tool call may name.
    pub tools: Vec<ToolSchema>,
    /// What the reply's code must begin with (a rewrite: see [`head::of_definition`]).
    pub code_head: Option<String>,
}

/// Which constraints a backend enforces while decoding.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Enforced {
    pub search_lines: bool,
    pub tool_calls: bool,
    pub code_head: bool,
}

impl Enforced {
    pub const ALL: Enforced = Enforced {
        search_lines: true,
        tool_calls: true,
        code_head: true,
    };

    pub fn any(self) -> bool {
        self.search_lines || self.tool_calls || self.code_head
    }
}

impl Constraints {
    pub fn is_empty(&self) -> bool {
        self.search_files.is_empty() && self.tools.is_empty() && self.code_head.is_none()
    }
}

/// What a span's state says after one more byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Still inside the span.
    Inside,
    /// The span is complete; what follows is free.
    Done,
    /// The byte breaks the span's grammar.
    Broken,
}

#[derive(Debug, Clone)]
enum Mode {
    Free,
    Search(search::Section),
    Call(call::Call),
    Head(head::Head),
}

/// The constraints' state over one reply. Cheap to clone (one per candidate decoded together).
#[derive(Debug, Clone)]
pub struct Guide {
    files: Arc<Vec<search::File>>,
    tools: Arc<Vec<ToolSchema>>,
    /// The reply so far (markers, and the path line above a SEARCH marker, are found here).
    text: Vec<u8>,
    mode: Mode,
}

impl Guide {
    /// A guide for a reply that begins with `prefill`; `None` without constraints.
    pub fn new(constraints: &Constraints, prefill: &str) -> Option<Guide> {
        if constraints.is_empty() {
            return None;
        }
        let files = constraints
            .search_files
            .iter()
            .map(|(path, text)| search::File::new(path, text))
            .collect();
        let mut guide = Guide {
            files: Arc::new(files),
            tools: Arc::new(constraints.tools.clone()),
            text: Vec::new(),
            mode: Mode::Free,
        };
        guide.feed(prefill.as_bytes());
        if let Some(head) = constraints
            .code_head
            .as_deref()
            .filter(|h| !h.trim().is_empty())
        {
            guide.mode = Mode::Head(head::Head::new(head));
        }
        Some(guide)
    }

    /// Whether the next token must pass [`Guide::allows`] (inside a constrained span).
    pub fn constraining(&self) -> bool {
        !matches!(self.mode, Mode::Free)
    }

    /// Whether a token whose text is `piece` keeps the reply within the constraints. (A token
    /// that would open a span and run on into it is not checked past the marker: tokenizers
    /// end markers at a line break or a `>`.)
    pub fn allows(&self, piece: &[u8]) -> bool {
        match &self.mode {
            Mode::Free => true,
            Mode::Search(section) => section.allows(&self.files, piece),
            Mode::Call(call) => call.allows(&self.tools, piece),
            Mode::Head(head) => head.allows(piece),
        }
    }

    /// Follow the reply by a chosen token's text. A token the guide would not have allowed (one
    /// chosen without checking) frees the rest of the span rather than derailing it.
    pub fn feed(&mut self, piece: &[u8]) {
        for &b in piece {
            self.text.push(b);
            let step = match &mut self.mode {
                Mode::Free => {
                    self.open();
                    continue;
                }
                Mode::Search(section) => section.step(&self.files, b),
                Mode::Call(call) => call.step(&self.tools, b),
                Mode::Head(head) => head.step(b),
            };
            if step != Step::Inside {
                self.mode = Mode::Free;
            }
        }
    }

    /// Open the span whose marker the text now ends with, if any.
    fn open(&mut self) {
        if let Some(before) = self.text.strip_suffix(search::MARKER) {
            if let Some(section) = search::Section::open(&self.files, before) {
                self.mode = Mode::Search(section);
            }
        } else if self.text.ends_with(call::MARKER) && !self.tools.is_empty() {
            self.mode = Mode::Call(call::Call::default());
        }
    }
}

/// Feed `text` to `g` in pieces of `size` bytes, each checked first; the offset of the first
/// piece refused.
#[cfg(test)]
fn first_refused(g: &mut Guide, text: &str, size: usize) -> Option<usize> {
    for (k, piece) in text.as_bytes().chunks(size).enumerate() {
        if !g.allows(piece) {
            return Some(k * size);
        }
        g.feed(piece);
    }
    None
}
