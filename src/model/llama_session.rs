//! The worker's view of sequence 0 — which tokens the KV cache holds — and the one generation
//! path that uses it, so that no token is processed twice:
//!
//! - **Prefix reuse**: a prompt decodes only the suffix after the longest common token prefix
//!   with what the cache holds (the conversation is append-only).
//! - **Disk cache**: a fresh session first restores the saved prefix sharing the most tokens
//!   with the prompt ([`super::kv_disk`]); a long prompt it had to process is saved.
//! - **Prompt lookup**: in greedy decoding, when the last few tokens occurred before in the
//!   context (a SEARCH block copying the file, a rewrite repeating unchanged lines), the tokens
//!   that followed are drafted and verified in one batch, and the output is what plain decoding
//!   gives. Drafting stops for the rest of a reply when too few drafts are accepted.
//!
//! Prefill runs in chunks of at most `n_batch` tokens (a larger batch aborts llama.cpp) and can be
//! cancelled between chunks. A chunk is not begun when the rest of the prompt, at the speed the
//! last chunk took, would not be processed before the job's deadline: a chunk cannot be stopped
//! once begun (15 s at a 3,000-token context on two cores), and a reply that cannot start in
//! time is dropped anyway. For the same reason decoding stops at the deadline: a reply still
//! being written then (four candidates at once take 45 s on two cores) would only be judged
//! after the run's time is up.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::token::LlamaToken;

use super::constrain::Guide;
use super::kv_disk::{self, DiskCache};
use super::llama::{Chunk, Job};
use super::llama_lookup::{find_draft, Pace, MAX_DRAFT};
use super::llama_sampling::{sampler_for, Picker, Sampler};
use super::llama_stream::Output;
use super::{past, BackendError, Completion};

pub(super) struct Session {
    cached: Vec<LlamaToken>,
    n_batch: usize,
    n_ctx: usize,
    disk: Option<DiskCache>,
    /// The disk cache is consulted and written (the benchmark turns it off to time prefill).
    pub use_disk: bool,
    pub lookup: bool,
    /// Drafted and accepted tokens over the session (for `cria bench`).
    pub drafted: usize,
    pub accepted: usize,
    /// Chooses each next token (under the request's constraints, when it has any).
    picker: Picker,
    /// Prompt tokens a second in the last prefill chunk worth timing.
    prefill_rate: Option<f64>,
}

fn engine_err(e: impl std::fmt::Display) -> BackendError {
    BackendError::Engine(e.to_string())
}

impl Session {
    pub fn new(n_batch: usize, n_ctx: usize, disk: Option<DiskCache>) -> Session {
        Session {
            cached: Vec::new(),
            n_batch,
            n_ctx,
            disk,
            use_disk: true,
            lookup: true,
            drafted: 0,
            accepted: 0,
            picker: Picker::default(),
            prefill_rate: None,
        }
    }

    /// Forget the KV cache, as a new process would start (the disk cache stays).
    pub fn reset(&mut self, ctx: &mut LlamaContext<'_>) {
        self.cached.clear();
        let _ = ctx.clear_kv_cache_seq(Some(0), None, None);
    }

    pub fn generate(
        &mut self,
        model: &LlamaModel,
        ctx: &mut LlamaContext<'_>,
        job: &Job,
    ) -> Result<Completion, BackendError> {
        let start = Instant::now();
        let (tokens, mut completion) = self.take_prompt(model, ctx, job)?;
        let reuse = completion.reused_tokens;
        let last_logits = self.prefill(ctx, &tokens, job)?;
        completion.prefill_seconds = start.elapsed().as_secs_f64();
        if let Some(last) = last_logits {
            self.decode(model, ctx, job, last, &mut completion)?;
            completion.seconds = start.elapsed().as_secs_f64();
            // Saved after the reply, so the time to answer does not include it.
            if self.worth_saving(tokens.len(), reuse) {
                self.save(ctx);
            }
        } else {
            completion.seconds = start.elapsed().as_secs_f64();
        }
        Ok(completion)
    }

    /// Process the job's prompt into the cache and stop there, with no reply: a later job whose
    /// prompt begins with it reuses it ([`super::Backend::warm`]). Cancelled or out of time
    /// between chunks, the cache keeps what was processed.
    pub fn warm(
        &mut self,
        model: &LlamaModel,
        ctx: &mut LlamaContext<'_>,
        job: &Job,
    ) -> Result<(), BackendError> {
        let (tokens, completion) = self.take_prompt(model, ctx, job)?;
        let done = self.prefill(ctx, &tokens, job)?.is_some();
        if done && self.worth_saving(tokens.len(), completion.reused_tokens) {
            self.save(ctx);
        }
        Ok(())
    }

    /// Whether a prompt of `len` tokens, `reused` of them from the cache, is worth keeping on
    /// disk for the next run: a long one that was mostly new (a session's first, not a
    /// follow-up turn).
    fn worth_saving(&self, len: usize, reused: usize) -> bool {
        self.use_disk && len >= kv_disk::MIN_TOKENS && reused * 2 < len
    }

    /// Tokenize the job's prompt and keep the longest prefix of it the cache already holds
    /// (restoring one from disk first in a fresh session); the tokens and the completion's
    /// prompt counts.
    fn take_prompt(
        &mut self,
        model: &LlamaModel,
        ctx: &mut LlamaContext<'_>,
        job: &Job,
    ) -> Result<(Vec<LlamaToken>, Completion), BackendError> {
        let tokens = model.vocab().tokenize(job.prompt.as_bytes(), false, true);
        if tokens.is_empty() {
            return Err(BackendError::Engine("empty prompt".into()));
        }
        if tokens.len() + 8 > self.n_ctx {
            return Err(BackendError::ContextOverflow {
                prompt: tokens.len(),
                window: self.n_ctx,
            });
        }
        if self.cached.is_empty() && self.use_disk {
            self.restore(ctx, &tokens);
        }
        // Reuse the longest common prefix, but always decode at least one token for logits.
        let reuse = common_prefix(&self.cached, &tokens).min(tokens.len() - 1);
        ctx.clear_kv_cache_seq(Some(0), Some(reuse as u32), None)
            .map_err(engine_err)?;
        self.cached.truncate(reuse);
        let completion = Completion {
            prompt_tokens: tokens.len(),
            reused_tokens: reuse,
            ..Default::default()
        };
        Ok((tokens, completion))
    }

    /// One reply per `job.variants`, decoded together: the prompt is processed once in
    /// sequence 0 and shared (copied cells, not recomputed) with one sequence per further
    /// variant; each step decodes one token of every unfinished reply in a single batch. On a
    /// CPU a step is bound by reading the weights, so four replies cost little more than one.
    /// Afterwards the cache holds the prompt alone. Only the first reply streams its text.
    pub fn generate_variants(
        &mut self,
        model: &LlamaModel,
        ctx: &mut LlamaContext<'_>,
        job: &Job,
    ) -> Result<Vec<Completion>, BackendError> {
        let start = Instant::now();
        let (tokens, base) = self.take_prompt(model, ctx, job)?;
        let n = job.variants.len().clamp(1, super::llama::PARALLEL);
        let Some(last) = self.prefill(ctx, &tokens, job)? else {
            return Ok(vec![base; n]);
        };
        let prefill_seconds = start.elapsed().as_secs_f64();
        let prompt_len = self.cached.len();
        // The unified cache holds the prompt once and every reply's own tokens.
        let room = self.n_ctx.saturating_sub(prompt_len + 8) / n;
        let max_tokens = job.max_tokens.min(room);
        let mut lanes: Vec<Lane> = job
            .variants
            .iter()
            .take(n)
            .enumerate()
            .map(|(k, v)| Lane {
                seq: k as i32,
                sampler: sampler_for(v.temperature, v.seed),
                guide: job.guide.clone(),
                out: Output::new(k == 0),
                generated: 0,
                next: None,
            })
            .collect();
        for lane in lanes.iter_mut().skip(1) {
            ctx.copy_kv_cache_seq(0, lane.seq, None, None)
                .map_err(engine_err)?;
        }
        for lane in &mut lanes {
            lane.next =
                Some(
                    self.picker
                        .pick(model, ctx, last, &mut lane.sampler, &mut lane.guide),
                );
        }
        let eog = |t: LlamaToken| model.vocab().is_eog(t);
        let mut batch = LlamaBatch::new(n, n as i32);
        let mut pos = prompt_len;
        let mut out_of_time = false;
        while !job.cancel.load(Ordering::Relaxed) {
            if past(job.deadline) {
                out_of_time = true;
                break;
            }
            batch.clear();
            let mut active = Vec::new();
            for (k, lane) in lanes.iter_mut().enumerate() {
                let Some(token) = lane.next.take() else {
                    continue;
                };
                if lane.generated >= max_tokens || eog(token) {
                    continue;
                }
                lane.generated += 1;
                if lane.out.push(model, token, job) {
                    continue;
                }
                batch
                    .add(token, pos as i32, &[lane.seq], true)
                    .map_err(engine_err)?;
                active.push(k);
            }
            if active.is_empty() {
                break;
            }
            ctx.decode(&mut batch).map_err(engine_err)?;
            for (i, k) in active.into_iter().enumerate() {
                if let Some(lane) = lanes.get_mut(k) {
                    let next =
                        self.picker
                            .pick(model, ctx, i as i32, &mut lane.sampler, &mut lane.guide);
                    lane.next = Some(next);
                }
            }
            pos += 1;
        }
        for lane in lanes.iter().skip(1) {
            let _ = ctx.clear_kv_cache_seq(Some(lane.seq as u32), None, None);
        }
        ctx.clear_kv_cache_seq(Some(0), Some(prompt_len as u32), None)
            .map_err(engine_err)?;
        if out_of_time {
            return Err(BackendError::OutOfTime);
        }
        let seconds = start.elapsed().as_secs_f64();
        Ok(lanes
            .into_iter()
            .map(|mut lane| {
                lane.out.flush(job);
                Completion {
                    text: lane.out.text,
                    generated_tokens: lane.generated,
                    prefill_seconds,
                    seconds,
                    ..base.clone()
                }
            })
            .collect())
    }

    /// Decode `tokens` after what the cache holds; the batch index of the last token's logits,
    /// or `None` when cancelled.
    fn prefill(
        &mut self,
        ctx: &mut LlamaContext<'_>,
        tokens: &[LlamaToken],
        job: &Job,
    ) -> Result<Option<i32>, BackendError> {
        let mut batch = LlamaBatch::new(self.n_batch, 1);
        let mut last = 0;
        let from = self.cached.len();
        let total = tokens.len() - from;
        for chunk_start in (from..tokens.len()).step_by(self.n_batch) {
            if job.cancel.load(Ordering::Relaxed) {
                return Ok(None);
            }
            if !in_time(tokens.len() - chunk_start, self.prefill_rate, job.deadline) {
                return Err(BackendError::OutOfTime);
            }
            let chunk_end = (chunk_start + self.n_batch).min(tokens.len());
            batch.clear();
            let chunk = tokens.get(chunk_start..chunk_end).unwrap_or_default();
            for (i, tok) in chunk.iter().enumerate() {
                let pos = chunk_start + i;
                batch
                    .add(*tok, pos as i32, &[0], pos + 1 == tokens.len())
                    .map_err(engine_err)?;
            }
            let began = Instant::now();
            ctx.decode(&mut batch).map_err(engine_err)?;
            self.cached.extend_from_slice(chunk);
            last = batch.n_tokens() - 1;
            if chunk.len() >= TIMED_CHUNK {
                self.prefill_rate = Some(chunk.len() as f64 / began.elapsed().as_secs_f64());
            }
            // Progress only where a prompt takes long enough to want it: each message wakes
            // the caller's thread in the middle of the prefill, and on a 2-core machine that
            // measured 7–11% of a ~900-token prefill (`cria bench`: 89–93% of the raw loop with
            // it, 101–113% without).
            if total > PROGRESS_AFTER * self.n_batch {
                let done = chunk_end - from;
                let _ = job.out.send(Chunk::Prefill { done, total });
            }
        }
        Ok(Some(last))
    }

    fn decode(
        &mut self,
        model: &LlamaModel,
        ctx: &mut LlamaContext<'_>,
        job: &Job,
        last_logits: i32,
        c: &mut Completion,
    ) -> Result<(), BackendError> {
        let greedy = job.temperature <= 0.0;
        let mut sampler = sampler_for(job.temperature, job.seed);
        let mut guide = job.guide.clone();
        let mut lookup = self.lookup && greedy;
        let (mut drafted, mut accepted) = (0usize, 0usize);
        let mut pace = Pace::default();
        let mut out = Output::new(true);
        let mut batch = LlamaBatch::new(self.n_batch.max(MAX_DRAFT + 1), 1);
        let eog = |t: LlamaToken| model.vocab().is_eog(t);
        let mut next = self
            .picker
            .pick(model, ctx, last_logits, &mut sampler, &mut guide);
        loop {
            if past(job.deadline) {
                return Err(BackendError::OutOfTime);
            }
            if job.cancel.load(Ordering::Relaxed)
                || self.cached.len() + 2 >= self.n_ctx
                || c.generated_tokens >= job.max_tokens
                || eog(next)
            {
                break;
            }
            c.generated_tokens += 1;
            if out.push(model, next, job) {
                break;
            }
            let room = (job.max_tokens - c.generated_tokens)
                .min(self.n_ctx.saturating_sub(self.cached.len() + 3))
                .min(MAX_DRAFT);
            let draft = if lookup && room > 0 {
                find_draft(&self.cached, next, room)
            } else {
                Vec::new()
            };
            let pos = self.cached.len();
            batch.clear();
            batch
                .add(next, pos as i32, &[0], true)
                .map_err(engine_err)?;
            for (i, d) in draft.iter().enumerate() {
                batch
                    .add(*d, (pos + 1 + i) as i32, &[0], true)
                    .map_err(engine_err)?;
            }
            let step = Instant::now();
            ctx.decode(&mut batch).map_err(engine_err)?;
            let step = step.elapsed().as_secs_f64();
            self.cached.push(next);
            // Accept drafted tokens while they are what the model itself would pick.
            let mut stop = false;
            let mut i = 0;
            next = self.picker.pick(model, ctx, 0, &mut sampler, &mut guide);
            while draft.get(i) == Some(&next) && !eog(next) && c.generated_tokens < job.max_tokens {
                c.generated_tokens += 1;
                self.cached.push(next);
                i += 1;
                if out.push(model, next, job) {
                    stop = true;
                    break;
                }
                next = self
                    .picker
                    .pick(model, ctx, i as i32, &mut sampler, &mut guide);
            }
            if self.cached.len() < pos + 1 + draft.len() {
                ctx.clear_kv_cache_seq(Some(0), Some(self.cached.len() as u32), None)
                    .map_err(engine_err)?;
            }
            drafted += draft.len();
            accepted += i;
            pace.record(draft.len(), 1 + i, step);
            if lookup && pace.drafting_loses(drafted, accepted) {
                lookup = false;
            }
            if stop {
                break;
            }
        }
        self.drafted += drafted;
        self.accepted += accepted;
        out.flush(job);
        c.text = out.text;
        Ok(())
    }

    /// Start from the saved prefix sharing the most tokens with `tokens`, if any.
    fn restore(&mut self, ctx: &mut LlamaContext<'_>, tokens: &[LlamaToken]) {
        let Some(disk) = &self.disk else {
            return;
        };
        let ids: Vec<u32> = tokens.iter().map(|t| t.0 as u32).collect();
        let Some(hit) = disk.best(&ids) else {
            return;
        };
        if !hit.verify() {
            disk.forget(&hit);
            return;
        }
        match ctx.state_seq_load_file(&hit.kv, 0, hit.tokens.len() + 1) {
            Ok((loaded, _))
                if loaded
                    .iter()
                    .map(|t| t.0 as u32)
                    .eq(hit.tokens.iter().copied()) =>
            {
                self.cached = loaded;
            }
            _ => {
                // Stale or corrupt: drop it and start clean; it is rebuilt after this prompt.
                disk.forget(&hit);
                self.reset(ctx);
            }
        }
    }

    /// Save what the cache holds (the prompt just processed and the reply) as a disk entry.
    fn save(&self, ctx: &LlamaContext<'_>) {
        let Some(disk) = &self.disk else {
            return;
        };
        let ids: Vec<u32> = self.cached.iter().map(|t| t.0 as u32).collect();
        let (kv, index, tmp) = disk.paths_for(&ids);
        if index.exists() || std::fs::create_dir_all(disk.dir()).is_err() {
            return;
        }
        match ctx.state_seq_save_file(&tmp, 0, &self.cached) {
            Ok(_) => {
                if disk.commit(&tmp, &kv, &index, &ids).is_err() {
                    let _ = std::fs::remove_file(&tmp);
                }
            }
            Err(_) => {
                let _ = std::fs::remove_file(&tmp);
            }
        }
    }
}

/// One of several replies decoded together: its sequence, sampler, text, and next token.
struct Lane {
    seq: i32,
    sampler: Sampler,
    guide: Option<Guide>,
    out: Output,
    generated: usize,
    /// The token sampled last, to be decoded in the next step (`None`: finished).
    next: Option<LlamaToken>,
}

/// Prompts of more than this many batches report their prefill's progress.
const PROGRESS_AFTER: usize = 4;

/// Prefill chunks shorter than this are not timed: a few tokens say more about the call's
/// overhead than about the speed of a long prompt.
const TIMED_CHUNK: usize = 64;

/// Whether `tokens` prompt tokens still to process, at `rate` tokens a second, are done before
/// `deadline`. Without a measured rate or a deadline there is nothing to go on: yes.
fn in_time(tokens: usize, rate: Option<f64>, deadline: Option<Instant>) -> bool {
    let (Some(rate), Some(deadline)) = (rate, deadline) else {
        return true;
    };
    let needed = Duration::try_from_secs_f64(tokens as f64 / rate).unwrap_or(Duration::MAX);
    Instant::now()
        .checked_add(needed)
        .is_some_and(|done| done <= deadline)
}

fn common_prefix(a: &[LlamaToken], b: &[LlamaToken]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prefill_begins_only_when_it_ends_before_the_deadline() {
        let in_10s = Some(Instant::now() + Duration::from_secs(10));
        // 2,000 tokens at 100 a second take 20 s: not begun; at 400 a second, 5 s: begun.
        assert!(!in_time(2_000, Some(100.0), in_10s));
        assert!(in_time(2_000, Some(400.0), in_10s));
        // A deadline already past leaves no time for any prompt.
        assert!(!in_time(
            1,
            Some(1e6),
            Some(Instant::now() - Duration::from_secs(1))
        ));
        // Nothing measured yet, or no deadline: nothing to go on.
        assert!(in_time(1_000_000, None, in_10s));
        assert!(in_time(1_000_000, Some(1.0), None));
        // A rate too small to be a duration is never in time.
        assert!(!in_time(1, Some(0.0), in_10s));
    }
}
