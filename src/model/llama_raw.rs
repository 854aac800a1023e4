//! The benchmark's anchor: the plainest llama.cpp loop there is (as in llama.cpp's `simple`
//! example) on the same model and context cria uses — prefill in `n_batch` chunks, then greedy
//! tokens one at a time, no template, no cache, no streaming.

use std::time::Instant;

use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::sampling::LlamaSampler;

use super::BackendError;

pub struct RawJob {
    pub prompt: String,
    pub n_gen: usize,
}

#[derive(Debug, Clone, Default)]
pub struct RawResult {
    pub prefill_tokens: usize,
    pub prefill_seconds: f64,
    pub decode_tokens: usize,
    pub decode_seconds: f64,
}

fn err(e: impl std::fmt::Display) -> BackendError {
    BackendError::Engine(e.to_string())
}

pub(super) fn run(
    model: &LlamaModel,
    ctx: &mut LlamaContext<'_>,
    n_batch: usize,
    job: &RawJob,
) -> Result<RawResult, BackendError> {
    let tokens = model.vocab().tokenize(job.prompt.as_bytes(), false, true);
    ctx.clear_kv_cache_seq(None, None, None).map_err(err)?;
    let mut batch = LlamaBatch::new(n_batch, 1);
    let start = Instant::now();
    for (c, chunk) in tokens.chunks(n_batch).enumerate() {
        batch.clear();
        for (i, tok) in chunk.iter().enumerate() {
            let pos = c * n_batch + i;
            batch
                .add(*tok, pos as i32, &[0], pos + 1 == tokens.len())
                .map_err(err)?;
        }
        ctx.decode(&mut batch).map_err(err)?;
    }
    let prefill_seconds = start.elapsed().as_secs_f64();
    let mut sampler = LlamaSampler::greedy();
    let mut idx = batch.n_tokens() - 1;
    let start = Instant::now();
    for i in 0..job.n_gen {
        let token = sampler.sample(ctx, idx);
        batch.clear();
        batch
            .add(token, (tokens.len() + i) as i32, &[0], true)
            .map_err(err)?;
        ctx.decode(&mut batch).map_err(err)?;
        idx = 0;
    }
    Ok(RawResult {
        prefill_tokens: tokens.len(),
        prefill_seconds,
        decode_tokens: job.n_gen,
        decode_seconds: start.elapsed().as_secs_f64(),
    })
}
