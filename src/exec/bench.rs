//! `cria bench`: engine speed measured in one process on one loaded model — a plain llama.cpp
//! loop as the anchor against cria's own path (template, prefix reuse, streaming), a two-turn
//! conversation, a cold and a warm start from the disk cache, an edit-style reply with and
//! without prompt lookup, candidates decoded together, and a SEARCH section decoded with and
//! without its constraint. Ratios come from one run on one machine; nothing here is a test.

use serde::Serialize;

use crate::config::{Config, ModelSource};
use crate::exit::ExitCode;
use crate::model::constrain::Constraints;
use crate::model::llama::LlamaBackendHandle;
use crate::model::{Backend, Completion, Flow, Request, Variant};
use crate::protocol::Message;

/// Source text the prompts are cut from: real code, as cria's prompts carry.
const CODE: &[&str] = &[
    include_str!("../edit/plan.rs"),
    include_str!("../edit/commit.rs"),
    include_str!("../edit/matching.rs"),
    include_str!("../edit/parse.rs"),
    include_str!("../agent/session.rs"),
    include_str!("../agent/stage/edit.rs"),
];

/// The file the edit-style reply copies.
const EDIT_FILE: &str = include_str!("../../fixtures/tasks/rs-stack-peek/repo/src/lib.rs");

#[derive(Debug, Default, Serialize)]
pub struct BenchReport {
    pub model: String,
    pub threads: usize,
    pub raw_prefill_tps: f64,
    pub raw_decode_tps: f64,
    pub agent_prefill_tps: f64,
    pub agent_decode_tps: f64,
    pub prefill_ratio: f64,
    pub decode_ratio: f64,
    /// Milliseconds to tokenize the prefill prompt (best of three): part of cria's prefill
    /// time, not of the raw loop's, which tokenizes before its clock starts.
    pub tokenize_ms: f64,
    /// The prompt's tokens as the raw loop and as cria processed them (the same prompt).
    pub raw_prompt_tokens: usize,
    pub agent_prompt_tokens: usize,
    pub turn2_new_tokens: usize,
    pub turn2_prefilled_tokens: usize,
    pub prefix_tokens: usize,
    pub cold_ttft_s: f64,
    pub warm_ttft_s: f64,
    pub warm_reused_tokens: usize,
    pub lookup_off_decode_tps: f64,
    pub lookup_on_decode_tps: f64,
    pub lookup_speedup: f64,
    pub lookup_identical: bool,
    pub lookup_tokens: usize,
    pub lookup_acceptance: f64,
    /// Candidates decoded together from one prompt (`Backend::complete_variants`).
    pub parallel_sequences: usize,
    /// Decode tokens per second of one candidate alone, and of all candidates together.
    pub single_decode_tps: f64,
    pub parallel_decode_tps: f64,
    /// Wall seconds for the candidates together over one candidate alone (prompt included).
    pub parallel_time_ratio: f64,
    /// The greedy candidate decoded in the batch equals the one decoded alone.
    pub parallel_greedy_identical: bool,
    /// A SEARCH/REPLACE reply, decode tokens per second without and with the SEARCH-lines
    /// constraint (prompt lookup off, so each token is sampled on its own).
    pub constrain_off_decode_tps: f64,
    pub constrain_on_decode_tps: f64,
    /// Constrained over unconstrained decode speed.
    pub constrain_speed_ratio: f64,
    /// The two replies are the same (expected when the model quotes the file correctly anyway).
    pub constrain_identical: bool,
}

pub fn run(cfg: &Config, json: bool) -> ExitCode {
    let ModelSource::Gguf { path, tier } = &cfg.model else {
        eprintln!("cria bench: needs a model (--model), not a script");
        return ExitCode::Usage;
    };
    if !path.exists() {
        eprintln!(
            "cria bench: model file not found: {}\n  fetch it with: scripts/fetch-model {}",
            path.display(),
            tier.unwrap_or(crate::model::tiers::DEFAULT_TIER)
        );
        return ExitCode::Backend;
    }
    // A cache folder of its own: "cold" must be cold, and the user's cache stays untouched.
    let cache = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("cria bench: {e}");
            return ExitCode::Backend;
        }
    };
    let mut cfg = cfg.clone();
    cfg.kv_cache_bytes = 0;
    let mut backend = match crate::model::open::open_llama(
        &cfg,
        path,
        Some((cache.path().to_path_buf(), 8 << 30)),
    ) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cria bench: {e}");
            return ExitCode::Backend;
        }
    };
    match measure(&mut backend, cfg.threads.unwrap_or_else(default_threads)) {
        Ok(report) => {
            print(&report, json);
            ExitCode::Fixed
        }
        Err(e) => {
            eprintln!("cria bench: {e}");
            ExitCode::Backend
        }
    }
}

fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

type BenchResult<T> = Result<T, crate::model::BackendError>;

fn measure(b: &mut LlamaBackendHandle, threads: usize) -> BenchResult<BenchReport> {
    let mut r = BenchReport {
        model: b.name(),
        threads,
        ..Default::default()
    };
    let step = |what: &str| eprintln!("cria bench: {what}");

    // 1. The anchor against cria's path: a ~1,000-token prompt, then 128 greedy tokens. Best of
    //    six each, in rounds that alternate which goes first (on a shared 2-core machine a
    //    single pass varies by a tenth either way).
    step("prefill and decode: raw llama.cpp loop vs cria");
    let question = vec![
        Message::system("You are a helpful assistant."),
        Message::user(format!(
            "{}\n\nExplain what this code does, step by step, in detail.",
            code(b, 1_000)
        )),
    ];
    let rendered = b.template().render(&question, &[])?;
    b.set_lookup(false)?;
    b.set_disk_cache(false)?;
    for round in 0..6 {
        // Each goes first in half the rounds: whichever runs second finds the other's caches.
        for agent in [round % 2 == 1, round % 2 == 0] {
            if agent {
                b.reset()?;
                let c = complete(b, &question, 128)?;
                r.agent_prompt_tokens = c.prompt_tokens - c.reused_tokens;
                r.agent_prefill_tps = r.agent_prefill_tps.max(prefill_tps(&c));
                r.agent_decode_tps = r.agent_decode_tps.max(decode_tps(&c));
            } else {
                let raw = b.raw(rendered.clone(), 128)?;
                r.raw_prompt_tokens = raw.prefill_tokens;
                r.raw_prefill_tps = r
                    .raw_prefill_tps
                    .max(per_s(raw.prefill_tokens, raw.prefill_seconds));
                r.raw_decode_tps = r
                    .raw_decode_tps
                    .max(per_s(raw.decode_tokens, raw.decode_seconds));
            }
        }
    }
    r.tokenize_ms = (0..3)
        .map(|_| {
            let start = std::time::Instant::now();
            b.count_tokens(&rendered);
            start.elapsed().as_secs_f64() * 1000.0
        })
        .fold(f64::INFINITY, f64::min);
    r.prefill_ratio = r.agent_prefill_tps / r.raw_prefill_tps;
    r.decode_ratio = r.agent_decode_tps / r.raw_decode_tps;
    b.set_disk_cache(true)?;

    // 2. A second turn pays for what it adds.
    step("two-turn conversation");
    b.reset()?;
    let first = complete(b, &question, 48)?;
    let mut turn2 = question.clone();
    turn2.push(Message::assistant(first.text.clone()));
    turn2.push(Message::user("Now list the functions it defines."));
    let second = complete(b, &turn2, 16)?;
    r.turn2_new_tokens = second
        .prompt_tokens
        .saturating_sub(first.prompt_tokens + first.generated_tokens);
    r.turn2_prefilled_tokens = second.prompt_tokens - second.reused_tokens;

    // 3. A ~4,000-token prefix (cria's own system prompt and tools, then code): a first run
    //    processes it, a later run restores it from disk.
    step("cold and warm start on a ~4,000-token prefix");
    let specs = crate::tools::specs();
    let long = vec![
        Message::system(crate::agent::prompt::system(&[])),
        Message::user(format!(
            "{}\n\nWhat is wrong with this code?",
            code(b, 3_400)
        )),
    ];
    b.reset()?;
    let cold = complete_with(b, &long, &specs, 1)?;
    b.reset()?;
    let warm = complete_with(b, &long, &specs, 1)?;
    r.prefix_tokens = cold.prompt_tokens;
    r.cold_ttft_s = cold.seconds;
    r.warm_ttft_s = warm.seconds;
    r.warm_reused_tokens = warm.reused_tokens;

    // 4. An edit-style reply that copies most of a file, without and with prompt lookup.
    step("edit-style reply without and with prompt lookup");
    let edit = vec![
        Message::system("You are a careful coding agent."),
        Message::user(format!(
            "src/lib.rs\n```rust\n{EDIT_FILE}```\n\n`peek` returns the bottom of the stack instead \
             of the top. Reply with the complete corrected src/lib.rs in one code block."
        )),
    ];
    b.reset()?;
    b.set_lookup(false)?;
    let off = complete(b, &edit, 700)?;
    b.reset()?;
    b.set_lookup(true)?;
    let before = b.lookup_stats()?;
    let on = complete(b, &edit, 700)?;
    let after = b.lookup_stats()?;
    r.lookup_off_decode_tps = decode_tps(&off);
    r.lookup_on_decode_tps = decode_tps(&on);
    r.lookup_speedup = r.lookup_on_decode_tps / r.lookup_off_decode_tps;
    r.lookup_identical = on.text == off.text;
    r.lookup_tokens = on.generated_tokens;
    let drafted = after.0 - before.0;
    r.lookup_acceptance = if drafted == 0 {
        0.0
    } else {
        (after.1 - before.1) as f64 / drafted as f64
    };

    // 5. Rewrite candidates: one greedy reply alone, then it and three sampled ones together
    //    from the same prompt (the rewrite stage's shape).
    step("rewrite candidates: 1 sequence vs 4 decoded together");
    b.set_lookup(false)?;
    let request = Request {
        messages: &edit,
        tools: &[],
        max_tokens: 256,
        temperature: 0.0,
        seed: 1,
        stop_after: &[],
        prefill: "",
        constraints: None,
        deadline: None,
    };
    let variants: Vec<Variant> = [0.0, 0.7, 1.0, 1.0]
        .iter()
        .zip(1u32..)
        .map(|(&temperature, seed)| Variant { temperature, seed })
        .collect();
    b.reset()?;
    let alone = b.complete(&request, &mut |_| Flow::Continue)?;
    b.reset()?;
    let together = b.complete_variants(&request, &variants, &mut |_| Flow::Continue)?;
    b.set_lookup(true)?;
    let generated: usize = together.iter().map(|c| c.generated_tokens).sum();
    let wall = together.iter().map(|c| c.seconds).fold(0.0, f64::max);
    let decode_wall = wall - together.first().map_or(0.0, |c| c.prefill_seconds);
    r.parallel_sequences = together.len();
    r.single_decode_tps = decode_tps(&alone);
    r.parallel_decode_tps = per_s(generated, decode_wall);
    r.parallel_time_ratio = wall / alone.seconds.max(1e-9);
    r.parallel_greedy_identical = together.first().is_some_and(|c| c.text == alone.text);

    // 6. A SEARCH/REPLACE reply whose SEARCH section quotes the file, without and with the
    //    constraint that it must (the edit stage's shape).
    step("SEARCH/REPLACE reply without and with its constraint");
    let search = vec![
        Message::system("You are a careful coding agent."),
        Message::user(format!(
            "src/lib.rs\n```rust\n{EDIT_FILE}```\n\n`peek` returns the bottom of the stack instead \
             of the top. Fix it with SEARCH/REPLACE blocks that quote whole functions."
        )),
    ];
    let constraints = Constraints {
        search_files: vec![("src/lib.rs".into(), EDIT_FILE.into())],
        ..Default::default()
    };
    let mut request = Request {
        messages: &search,
        tools: &[],
        max_tokens: 256,
        temperature: 0.0,
        seed: 1,
        stop_after: &[],
        prefill: "src/lib.rs\n```rust\n<<<<<<< SEARCH\n",
        constraints: None,
        deadline: None,
    };
    b.set_lookup(false)?;
    b.reset()?;
    let free = b.complete(&request, &mut |_| Flow::Continue)?;
    request.constraints = Some(&constraints);
    b.reset()?;
    let bound = b.complete(&request, &mut |_| Flow::Continue)?;
    b.set_lookup(true)?;
    r.constrain_off_decode_tps = decode_tps(&free);
    r.constrain_on_decode_tps = decode_tps(&bound);
    r.constrain_speed_ratio = r.constrain_on_decode_tps / r.constrain_off_decode_tps.max(1e-9);
    r.constrain_identical = free.text == bound.text;
    Ok(r)
}

/// About `tokens` tokens of code, whole lines.
fn code(b: &mut LlamaBackendHandle, tokens: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    for line in CODE.iter().flat_map(|f| f.lines()) {
        let n = b.count_tokens(line) + 1;
        if count + n > tokens {
            break;
        }
        out.push_str(line);
        out.push('\n');
        count += n;
    }
    out
}

fn complete(
    b: &mut LlamaBackendHandle,
    messages: &[Message],
    max: usize,
) -> BenchResult<Completion> {
    complete_with(b, messages, &[], max)
}

fn complete_with(
    b: &mut LlamaBackendHandle,
    messages: &[Message],
    tools: &[serde_json::Value],
    max: usize,
) -> BenchResult<Completion> {
    let request = Request {
        messages,
        tools,
        max_tokens: max,
        temperature: 0.0,
        seed: 1,
        stop_after: &[],
        prefill: "",
        constraints: None,
        deadline: None,
    };
    b.complete(&request, &mut |_| Flow::Continue)
}

fn per_s(n: usize, seconds: f64) -> f64 {
    if seconds > 0.0 {
        n as f64 / seconds
    } else {
        0.0
    }
}

fn prefill_tps(c: &Completion) -> f64 {
    per_s(c.prompt_tokens - c.reused_tokens, c.prefill_seconds)
}

/// Generated tokens per second after the first (whose time is part of time-to-first-token).
fn decode_tps(c: &Completion) -> f64 {
    per_s(c.generated_tokens, c.seconds - c.prefill_seconds)
}

fn print(r: &BenchReport, json: bool) {
    println!("model {} on {} threads", r.model, r.threads);
    println!(
        "prefill   raw {:7.1} tok/s   cria {:7.1} tok/s   ({:.0}%; {} and {} tokens, tokenizing {:.1} ms)",
        r.raw_prefill_tps,
        r.agent_prefill_tps,
        100.0 * r.prefill_ratio,
        r.raw_prompt_tokens,
        r.agent_prompt_tokens,
        r.tokenize_ms
    );
    println!(
        "decode    raw {:7.1} tok/s   cria {:7.1} tok/s   ({:.0}%)",
        r.raw_decode_tps,
        r.agent_decode_tps,
        100.0 * r.decode_ratio
    );
    println!(
        "turn 2    adds {} tokens, processed {}",
        r.turn2_new_tokens, r.turn2_prefilled_tokens
    );
    println!(
        "start     {}-token prefix: cold {:.2} s, warm {:.2} s from disk ({:.0}% of cold, {} tokens restored)",
        r.prefix_tokens,
        r.cold_ttft_s,
        r.warm_ttft_s,
        100.0 * r.warm_ttft_s / r.cold_ttft_s.max(1e-9),
        r.warm_reused_tokens
    );
    println!(
        "lookup    {} tokens: {:.1} → {:.1} tok/s ({:.2}×), {:.0}% of drafts accepted, output {}",
        r.lookup_tokens,
        r.lookup_off_decode_tps,
        r.lookup_on_decode_tps,
        r.lookup_speedup,
        100.0 * r.lookup_acceptance,
        if r.lookup_identical {
            "identical"
        } else {
            "DIFFERENT"
        }
    );
    println!(
        "parallel  {} candidates: {:.1} → {:.1} tok/s together ({:.2}× the time of one), greedy {}",
        r.parallel_sequences,
        r.single_decode_tps,
        r.parallel_decode_tps,
        r.parallel_time_ratio,
        if r.parallel_greedy_identical {
            "identical"
        } else {
            "DIFFERENT"
        }
    );
    println!(
        "constrain SEARCH lines: {:.1} → {:.1} tok/s ({:.0}%), output {}",
        r.constrain_off_decode_tps,
        r.constrain_on_decode_tps,
        100.0 * r.constrain_speed_ratio,
        if r.constrain_identical {
            "identical"
        } else {
            "different (the model misquoted the file)"
        }
    );
    if json {
        println!("{}", serde_json::to_string(r).unwrap_or_default());
    }
}
