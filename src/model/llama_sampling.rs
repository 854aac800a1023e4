//! Choosing each next token: the sampling chain (greedy, or top-k/top-p/temperature/seed), and
//! under a request's constraints ([`super::constrain`]) the same chain run on the tokens the
//! guide allows — exactly as unconstrained sampling wherever the guide does not constrain.

use llama_cpp_2::context::LlamaContext;
use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::data::LlamaTokenData;
use llama_cpp_2::token::data_array::LlamaTokenDataArray;
use llama_cpp_2::token::LlamaToken;

use super::constrain::Guide;
use super::llama::piece;

/// Picks tokens; holds every token's text for constrained steps (read on the first one, then
/// kept for the session).
#[derive(Default)]
pub(super) struct Picker {
    pieces: Vec<Vec<u8>>,
}

impl Picker {
    /// The next token from the logits at batch index `idx`: the sampler's choice, made among
    /// the tokens the guide allows when it constrains this step. Ending the reply is not
    /// allowed there, or a model that wanted to write something else would stop mid-line.
    /// Unconstrained steps sample exactly as without a guide. The guide follows the choice.
    pub(super) fn pick(
        &mut self,
        model: &LlamaModel,
        ctx: &LlamaContext<'_>,
        idx: i32,
        sampler: &mut Sampler,
        guide: &mut Option<Guide>,
    ) -> LlamaToken {
        let Some(g) = guide else {
            return sampler.chain.sample(ctx, idx);
        };
        let token = if g.constraining() {
            if self.pieces.is_empty() {
                self.pieces = (0..model.n_vocab())
                    .map(|t| piece(model, LlamaToken(t)))
                    .collect();
            }
            let mut candidates =
                allowed(ctx.get_logits_ith(idx), &self.pieces, g, sampler.considers);
            candidates.apply_sampler(&mut sampler.chain);
            match candidates.selected_token() {
                Some(t) => {
                    sampler.chain.accept(t);
                    t
                }
                None => sampler.chain.sample(ctx, idx),
            }
        } else {
            sampler.chain.sample(ctx, idx)
        };
        g.feed(&piece(model, token));
        token
    }
}

/// The sampling chain, and how many of the best tokens it considers (what a constrained step
/// must keep of them).
pub(super) struct Sampler {
    pub(super) chain: LlamaSampler,
    pub(super) considers: usize,
}

/// Tokens a sampled step considers.
const TOP_K: usize = 40;

/// Greedy at temperature 0; otherwise top-k 40, top-p 0.95, the temperature, and the seed.
pub(super) fn sampler_for(temperature: f32, seed: u32) -> Sampler {
    if temperature <= 0.0 {
        Sampler {
            chain: LlamaSampler::greedy(),
            considers: 1,
        }
    } else {
        Sampler {
            chain: LlamaSampler::chain_simple([
                LlamaSampler::top_k(TOP_K as i32),
                LlamaSampler::top_p(0.95, 1),
                LlamaSampler::temp(temperature),
                LlamaSampler::dist(seed),
            ]),
            considers: TOP_K,
        }
    }
}

/// The best tokens a constrained step looks at first.
const SHORTLIST: usize = 256;

/// The candidates a constrained step samples from: the allowed tokens among the `SHORTLIST`
/// best by logit when at least `considers` of them are allowed — then they hold every token
/// the sampler would consider among all allowed ones, so the choice is the same — or else
/// every allowed token of the vocabulary.
fn allowed(
    logits: &[f32],
    pieces: &[Vec<u8>],
    guide: &Guide,
    considers: usize,
) -> LlamaTokenDataArray {
    let logit = |t: usize| logits.get(t).copied().unwrap_or(f32::NEG_INFINITY);
    let ok = |t: usize| {
        pieces
            .get(t)
            .is_some_and(|p| !p.is_empty() && guide.allows(p))
    };
    let data = |t: usize| LlamaTokenData::new(LlamaToken(t as i32), logit(t), 0.0);
    let mut order: Vec<usize> = (0..logits.len()).collect();
    if order.len() > SHORTLIST {
        order.select_nth_unstable_by(SHORTLIST, |&a, &b| logit(b).total_cmp(&logit(a)));
        order.truncate(SHORTLIST);
        let kept: Vec<LlamaTokenData> = order.into_iter().filter(|&t| ok(t)).map(data).collect();
        if kept.len() >= considers {
            return LlamaTokenDataArray::new(kept, false);
        }
    }
    let all = (0..logits.len()).filter(|&t| ok(t)).map(data).collect();
    LlamaTokenDataArray::new(all, false)
}
