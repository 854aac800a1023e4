//! The grammar cria sends a llama-server for a rewrite (`constrain::gbnf`) is one llama.cpp
//! parses, and means what cria asks: sampled hot by llama.cpp's own grammar sampler (the one
//! llama-server runs) on the test model, every reply is one code block that begins with the
//! definition's head and, once finished, ends at the closing fence.

#![cfg(feature = "llama")]

mod common;

use std::num::NonZeroU32;

use cria::model::constrain::gbnf;
use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_backend::LlamaBackend;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::params::LlamaModelParams;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::sampling::LlamaSampler;

const PROMPT: &str = "Fix the bug in this function and write it again in full.\n\
    def total(items):\n    return sum(i.price for i in items) - 1\n\nThe fixed code:\n";

#[test]
fn llama_cpp_samples_only_rewrites_that_begin_with_the_head() {
    let backend = LlamaBackend::init().unwrap();
    let model = LlamaModel::load_from_file(
        &backend,
        common::model("test"),
        &LlamaModelParams::default(),
    )
    .unwrap();
    let params = LlamaContextParams::default()
        .with_n_ctx(NonZeroU32::new(512))
        .with_n_threads(2)
        .with_n_threads_batch(2);
    let mut ctx = model.new_context(&backend, params).unwrap();
    let grammar = gbnf::rewrite("def total");
    let prompt = model.vocab().tokenize(PROMPT.as_bytes(), true, true);
    for seed in 0..4u32 {
        let mut sampler = LlamaSampler::chain_simple([
            LlamaSampler::grammar(&model, &grammar, "root").expect("llama.cpp parses the grammar"),
            LlamaSampler::temp(1.3),
            LlamaSampler::dist(seed),
        ]);
        ctx.clear_kv_cache_seq(None, None, None).unwrap();
        let mut batch = LlamaBatch::new(512, 1);
        for (i, t) in prompt.iter().enumerate() {
            batch
                .add(*t, i as i32, &[0], i + 1 == prompt.len())
                .unwrap();
        }
        ctx.decode(&mut batch).unwrap();
        let mut text = Vec::new();
        let mut ended = false;
        for n in 0..96 {
            let token = sampler.sample(&ctx, batch.n_tokens() - 1);
            if model.vocab().is_eog(token) {
                ended = true;
                break;
            }
            text.extend(model.vocab().token_to_piece(token, true, None));
            batch.clear();
            batch
                .add(token, (prompt.len() + n) as i32, &[0], true)
                .unwrap();
            ctx.decode(&mut batch).unwrap();
        }
        let text = String::from_utf8_lossy(&text).into_owned();
        let (fence, code) = text.split_once('\n').expect("the fence line ends");
        assert!(fence.starts_with("```"), "{text:?}");
        assert!(code.trim_start().starts_with("def total"), "{text:?}");
        // Hot, the tiny model does not always close the block within 96 tokens; what it wrote
        // still had to begin right.
        if ended {
            assert!(code.ends_with("```"), "{text:?}");
            assert!(!code.trim_end_matches("```").contains("```"), "{text:?}");
        }
    }
}
