//! How each reply is sampled and how long it may grow: the one place temperatures, seeds and
//! token budgets are decided.
//!
//! A run starts greedy (the most likely fix first). Each kind of setback warms the sampling by a
//! fixed amount, so the next attempt explores instead of repeating itself; a fresh start (a new
//! test to write, a verdict to check) cools it again. The seed follows the step, so a run is
//! reproducible and two attempts at the same temperature still differ.

use crate::model::Variant;

/// The temperature for the next reply, changed only through the named moves below.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Sampling {
    temperature: f32,
}

/// The first seed; step `n` samples with `SEED + n`.
const SEED: u32 = 42;

impl Default for Sampling {
    fn default() -> Self {
        Sampling { temperature: 0.0 }
    }
}

impl Sampling {
    pub(super) fn temperature(self) -> f32 {
        self.temperature
    }

    pub(super) fn seed(step: usize) -> u32 {
        SEED.wrapping_add(step as u32)
    }

    /// The most likely reply: first attempts, tests and checks.
    pub(super) fn greedy(&mut self) {
        self.temperature = 0.0;
    }

    /// An attempt applied but failed (or only helped partly): try something else.
    pub(super) fn after_failed_attempt(&mut self) {
        self.temperature = (self.temperature + 0.3).min(0.9);
    }

    /// The model repeated an attempt that already failed: push harder.
    pub(super) fn after_repeat(&mut self) {
        self.temperature = (self.temperature + 0.3).min(1.0);
    }

    /// An edit could not be placed: a little variety, not much (the format matters more).
    pub(super) fn after_unplaceable_edit(&mut self) {
        self.temperature = 0.4;
    }

    /// A second try at writing a test, after the first was not usable.
    pub(super) fn retry_test(&mut self) {
        self.temperature = 0.4;
    }

    /// The rewrite stage's passes over its candidates: greedy and guided by the diagnosis
    /// first, then ever more freely.
    pub(super) fn rewrite_pass(&mut self, pass: usize) {
        self.temperature = match pass {
            0 => 0.0,
            1 => 0.7,
            _ => 1.0,
        };
    }
}

/// Candidates decoded together for one rewrite: the stage's own sampling first (greedy on the
/// first pass), then ever freer ones.
pub(super) fn rewrite_variants(first: Sampling, step: usize, width: usize) -> Vec<Variant> {
    let t0 = first.temperature;
    spread(step, width, |k| match k {
        0 => t0,
        1 => t0.max(0.7),
        _ => 1.0,
    })
}

/// Candidates decoded together for a corrected test: greedy first (what the model was told is
/// what should change it), then warmer ones that need not repeat the test it corrects.
pub(super) fn test_variants(step: usize, width: usize) -> Vec<Variant> {
    spread(step, width, |k| match k {
        0 => 0.0,
        1 => 0.4,
        _ => 0.7,
    })
}

/// `width` candidates for step `step`, the `k`th at `temperature(k)`, each with a seed of its own.
fn spread(step: usize, width: usize, temperature: impl Fn(usize) -> f32) -> Vec<Variant> {
    (0..width)
        .map(|k| Variant {
            temperature: temperature(k),
            seed: Sampling::seed(step).wrapping_add(1000 * k as u32),
        })
        .collect()
}

/// Token budgets for each kind of reply, fitting what it is for: a reply that runs past its
/// purpose costs seconds per token on a CPU and is rarely better for it.
pub(super) mod budget {
    /// The diagnosis: a sentence or two.
    pub const DIAGNOSIS: usize = 160;
    /// A reply that edits or calls tools.
    pub const EDIT: usize = 768;
    /// A new test reproducing the issue.
    pub const TEST: usize = 400;

    /// A whole rewritten definition: room for it to grow to twice its size, and some.
    pub fn rewrite(definition_tokens: usize) -> usize {
        (definition_tokens * 2 + 128).clamp(192, 1024)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setbacks_warm_the_sampling_within_their_caps() {
        let mut s = Sampling::default();
        assert_eq!(s.temperature(), 0.0);
        for _ in 0..5 {
            s.after_failed_attempt();
        }
        assert!((s.temperature() - 0.9).abs() < 1e-6);
        s.after_repeat();
        assert!((s.temperature() - 1.0).abs() < 1e-6);
        s.rewrite_pass(7);
        assert!((s.temperature() - 1.0).abs() < 1e-6);
        assert_ne!(Sampling::seed(1), Sampling::seed(2));
    }
}
