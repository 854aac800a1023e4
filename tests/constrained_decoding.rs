//! Constrained decoding in the real engine (the nano model): a SEARCH section decoded under the
//! constraint is consecutive lines of the file on disk — even when the prompt showed the model
//! other text, and for candidates sampled hot in parallel — and greedy output the constraint
//! allows is exactly what unconstrained decoding gives.

#![cfg(feature = "llama")]

mod common;

use cria::model::constrain::{Constraints, Enforced, ToolSchema};
use cria::model::llama::{LlamaBackendHandle, LlamaOptions};
use cria::model::{Backend, Flow, Request, Variant};
use cria::protocol::Message;

const SHOWN: &str = "def add(a, b):\n    \"\"\"The sum of a and b.\"\"\"\n    return a - b\n\n\ndef double(x):\n    return add(x, x)\n";

/// The same file as it is on disk: renamed parameters the prompt never showed.
const ON_DISK: &str = "def add(first, second):\n    \"\"\"The sum of first and second.\"\"\"\n    return first - second\n\n\ndef double(x):\n    return add(x, x)\n";

const PREFILL: &str = "calc.py\n```python\n<<<<<<< SEARCH\n";

fn load() -> LlamaBackendHandle {
    let mut opts = LlamaOptions::new(common::model("nano"));
    opts.max_ctx = 4096;
    LlamaBackendHandle::load(opts, Box::new(|_| {})).expect("model loads")
}

fn messages() -> Vec<Message> {
    vec![
        Message::system(
            "You fix bugs with one SEARCH/REPLACE block: the file's path, a ```python fence, \
             `<<<<<<< SEARCH`, the lines to change copied exactly from the file, `=======`, the \
             corrected lines, `>>>>>>> REPLACE`.",
        ),
        Message::user(format!(
            "calc.py:\n```python\n{SHOWN}```\n\n`add(2, 3)` returns -1 instead of 5. Fix it."
        )),
    ]
}

fn request<'a>(
    messages: &'a [Message],
    constraints: Option<&'a Constraints>,
    temperature: f32,
) -> Request<'a> {
    Request {
        messages,
        tools: &[],
        max_tokens: 120,
        temperature,
        seed: 7,
        stop_after: &[">>>>>>> REPLACE"],
        prefill: PREFILL,
        constraints,
        deadline: None,
    }
}

fn on_disk() -> Constraints {
    Constraints {
        search_files: vec![("calc.py".into(), ON_DISK.into())],
        ..Default::default()
    }
}

/// The SEARCH section's text (whole lines), if the reply got to its divider.
fn search_of(reply: &str) -> Option<&str> {
    let body = reply.split_once("<<<<<<< SEARCH\n")?.1;
    Some(body.split_once("=======\n")?.0)
}

/// Whether `search` is consecutive whole lines of `file`.
fn quotes(file: &str, search: &str) -> bool {
    !search.is_empty()
        && (file.starts_with(search) || file.contains(&format!("\n{search}")))
        && search.ends_with('\n')
}

#[test]
fn a_constrained_search_quotes_the_file_on_disk_and_changes_nothing_else() {
    let mut backend = load();
    assert_eq!(backend.constrains(), Enforced::ALL);
    let messages = messages();
    let go = |b: &mut LlamaBackendHandle, r: &Request<'_>| {
        b.complete(r, &mut |_| Flow::Continue).unwrap().text
    };

    // Unconstrained, the model copies what it was shown, which is not on disk.
    let free = go(&mut backend, &request(&messages, None, 0.0));
    let free_search = search_of(&free).unwrap_or_default();
    assert!(quotes(SHOWN, free_search), "{free}");
    assert!(!quotes(ON_DISK, free_search), "{free}");

    // Constrained by the file on disk, the same greedy decoding quotes it.
    let constraints = on_disk();
    let bound = go(&mut backend, &request(&messages, Some(&constraints), 0.0));
    let search = search_of(&bound).unwrap_or_else(|| panic!("no divider in {bound}"));
    assert!(quotes(ON_DISK, search), "not lines of the file: {search:?}");

    // Where the constraint allows what the model would write anyway (the file it was shown),
    // greedy output is token for token the unconstrained one.
    let shown = Constraints {
        search_files: vec![("calc.py".into(), SHOWN.into())],
        ..Default::default()
    };
    let allowed = go(&mut backend, &request(&messages, Some(&shown), 0.0));
    assert_eq!(allowed, free);
}

#[test]
fn hot_parallel_candidates_all_quote_the_file() {
    let mut backend = load();
    let messages = messages();
    let constraints = on_disk();
    let variants: Vec<Variant> = (0..4)
        .map(|k| Variant {
            temperature: 1.5,
            seed: 100 + k,
        })
        .collect();
    let replies = backend
        .complete_variants(
            &request(&messages, Some(&constraints), 1.5),
            &variants,
            &mut |_| Flow::Continue,
        )
        .unwrap();
    assert_eq!(replies.len(), 4);
    for reply in &replies {
        // A hot candidate may stop before its divider; what it quoted is still the file's.
        let body = reply
            .text
            .split_once("<<<<<<< SEARCH\n")
            .map_or("", |(_, b)| b);
        let search = body.split_once("=======\n").map_or(body, |(s, _)| s);
        let whole = &search[..search.rfind('\n').map_or(0, |i| i + 1)];
        assert!(
            whole.is_empty() || quotes(ON_DISK, whole),
            "not lines of the file: {whole:?} in {}",
            reply.text
        );
    }
}

#[test]
fn hot_tool_calls_all_parse_against_the_schemas() {
    let mut backend = load();
    let specs = cria::tools::specs();
    let constraints = Constraints {
        tools: specs
            .iter()
            .map(|s| ToolSchema::from_spec(s).unwrap())
            .collect(),
        ..Default::default()
    };
    let messages = vec![
        Message::system("You are a coding agent. Call tools to look at the repository."),
        Message::user("Where is `parse_header` defined? Look it up, then read the file."),
    ];
    let request = Request {
        messages: &messages,
        tools: &specs,
        max_tokens: 96,
        temperature: 1.6,
        seed: 1,
        stop_after: &["</tool_call>"],
        prefill: "<tool_call>\n",
        constraints: Some(&constraints),
        deadline: None,
    };
    let variants: Vec<Variant> = (0..4)
        .map(|k| Variant {
            temperature: 1.6,
            seed: 40 + k,
        })
        .collect();
    let replies = backend
        .complete_variants(&request, &variants, &mut |_| Flow::Continue)
        .unwrap();
    for reply in &replies {
        let parsed = cria::toolcall::parse(&reply.text);
        assert!(
            parsed.errors.is_empty(),
            "{:?} in {}",
            parsed.errors,
            reply.text
        );
        let [call] = parsed.calls.as_slice() else {
            panic!("one call in {}", reply.text)
        };
        let schema = constraints
            .tools
            .iter()
            .find(|t| t.name == call.name)
            .unwrap_or_else(|| panic!("no tool {}", call.name));
        for r in &schema.required {
            assert!(call.arguments.get(r).is_some(), "{} lacks {r}", reply.text);
        }
    }
}

#[test]
fn hot_rewrite_candidates_all_begin_with_the_definitions_head() {
    let mut backend = load();
    // cria chose `double` to rewrite; the file shows `add` first, and a hot small model often
    // starts by copying the file from its top.
    let messages = vec![
        Message::system("You fix bugs by rewriting one definition in full."),
        Message::user(format!(
            "calc.py:\n```python\n{ON_DISK}```\n\n`double(2)` returns 0 instead of 4. Rewrite \
             `double` so that it is right, in one code block."
        )),
    ];
    let head = cria::model::constrain::head::of_definition("def double(x):\n", "double");
    assert_eq!(head, "def double");
    let constraints = Constraints {
        code_head: Some(head),
        ..Default::default()
    };
    let request = Request {
        messages: &messages,
        tools: &[],
        max_tokens: 32,
        temperature: 2.0,
        seed: 3,
        stop_after: &["```"],
        prefill: "```python\n",
        constraints: Some(&constraints),
        deadline: None,
    };
    let variants: Vec<Variant> = (0..4)
        .map(|k| Variant {
            temperature: 2.0,
            seed: 60 + k,
        })
        .collect();
    let replies = backend
        .complete_variants(&request, &variants, &mut |_| Flow::Continue)
        .unwrap();
    for reply in &replies {
        let code = reply.text.strip_prefix("```python\n").unwrap_or_default();
        assert!(
            code.trim_start().starts_with("def double"),
            "{}",
            reply.text
        );
    }
}
