//! Prompt lookup: in greedy decoding, the tokens that followed the context's last few tokens
//! where they occurred before are drafted and verified in one batch ([`find_draft`]), and
//! drafting is judged by what it yields ([`Pace`]).

use llama_cpp_2::token::LlamaToken;

/// Longest draft verified at once.
pub(super) const MAX_DRAFT: usize = 16;
/// Drafting is judged after this many drafting steps (and as many plain ones): it stops for the
/// rest of the reply when it yields fewer tokens per second than plain steps do (a small model
/// that is compute-bound pays for every drafted token), or under a fifth of drafts are accepted.
const JUDGE_AFTER: usize = 8;

/// Time spent in plain and in drafting decode steps, and what each yielded.
#[derive(Default)]
pub(super) struct Pace {
    plain_steps: usize,
    plain_seconds: f64,
    draft_steps: usize,
    draft_tokens: usize,
    draft_seconds: f64,
}

impl Pace {
    pub(super) fn record(&mut self, drafted: usize, produced: usize, seconds: f64) {
        if drafted == 0 {
            self.plain_steps += 1;
            self.plain_seconds += seconds;
        } else {
            self.draft_steps += 1;
            self.draft_tokens += produced;
            self.draft_seconds += seconds;
        }
    }

    pub(super) fn drafting_loses(&self, drafted: usize, accepted: usize) -> bool {
        if self.draft_steps < JUDGE_AFTER {
            return false;
        }
        if accepted * 5 < drafted {
            return true;
        }
        self.plain_steps >= JUDGE_AFTER
            && self.draft_tokens as f64 / self.draft_seconds
                < self.plain_steps as f64 / self.plain_seconds
    }
}

/// Tokens that followed the most recent earlier occurrence of the context's last n-gram
/// (`history` + `next`), longest n-gram first; at most `room`.
pub(super) fn find_draft(history: &[LlamaToken], next: LlamaToken, room: usize) -> Vec<LlamaToken> {
    for n in [4usize, 3, 2] {
        if history.len() < n {
            continue;
        }
        // The n-gram ending with `next`: its first n-1 tokens end `history`.
        let head = history.get(history.len() + 1 - n..).unwrap_or_default();
        let found = history
            .windows(n)
            .rposition(|w| w.get(..n - 1) == Some(head) && w.get(n - 1) == Some(&next));
        if let Some(j) = found {
            let from = j + n;
            let to = (from + room).min(history.len());
            if let Some(draft) = history.get(from..to).filter(|d| !d.is_empty()) {
                return draft.to_vec();
            }
        }
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(v: &[i32]) -> Vec<LlamaToken> {
        v.iter().map(|&t| LlamaToken(t)).collect()
    }

    #[test]
    fn drafts_what_followed_the_last_ngram_most_recent_first() {
        // ... 1 2 3 [4 5 6] ... 1 2 3 [7 8] ... 1 2 | next = 3
        let history = toks(&[1, 2, 3, 4, 5, 6, 9, 1, 2, 3, 7, 8, 9, 1, 2]);
        assert_eq!(
            find_draft(&history, LlamaToken(3), 10),
            toks(&[7, 8, 9, 1, 2])
        );
        assert_eq!(find_draft(&history, LlamaToken(3), 2), toks(&[7, 8]));
        assert!(find_draft(&history, LlamaToken(42), 10).is_empty());
        assert!(find_draft(&toks(&[1]), LlamaToken(1), 4).is_empty());
    }
}
