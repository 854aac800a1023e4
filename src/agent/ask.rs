//! The run's model calls: one reply or several decoded together, streamed to the front end,
//! stopped at the run's time limit, counted in the report; the conversation fitted to the
//! context window first, and the reply constrained where it has a grammar.

use std::time::Instant;

use super::run::Run;
use super::sampling::Sampling;
use crate::model::constrain::{Constraints, ToolSchema};
use crate::model::{BackendError, Flow, Piece, Request, Variant};
use crate::protocol::{Event, Message};

impl Run<'_> {
    /// One model reply of at most `budget` tokens (never more than `--reply-tokens`), counted as
    /// a step. `prefill` is honoured where the backend can (the reply then starts with it).
    pub(super) fn generate(
        &mut self,
        prefill: &str,
        stop: &[&str],
        budget: usize,
    ) -> Result<String, BackendError> {
        self.generate_code(prefill, stop, None, budget)
    }

    /// [`Run::generate`] for a reply that is code: where the backend constrains, it begins with
    /// `head` (see [`crate::model::constrain::head`]).
    pub(super) fn generate_code(
        &mut self,
        prefill: &str,
        stop: &[&str],
        head: Option<&str>,
        budget: usize,
    ) -> Result<String, BackendError> {
        self.busy(format!(
            "model is thinking (step {})",
            self.report.steps + 1
        ));
        let mut replies = self.ask_model(prefill, stop, head, budget, &[])?;
        Ok(replies.pop().unwrap_or_default())
    }

    /// One reply per variant to the same conversation, decoded together where the backend can
    /// (see [`Backend::complete_variants`]); one step. The first is streamed and joins the
    /// conversation; the others are candidates only.
    pub(super) fn generate_variants(
        &mut self,
        prefill: &str,
        stop: &[&str],
        head: Option<&str>,
        budget: usize,
        variants: &[Variant],
    ) -> Result<Vec<String>, BackendError> {
        self.busy(format!(
            "model is writing {} candidates at once (step {})",
            variants.len(),
            self.report.steps + 1
        ));
        self.ask_model(prefill, stop, head, budget, variants)
    }

    /// Start the backend on the next step's prompt (the conversation as it stands, the reply
    /// begun with `prefill`) while cria does other work that does not change it: the step then
    /// reuses what was processed meanwhile ([`crate::model::Backend::warm`]).
    pub(super) fn warm(&mut self, prefill: &str) {
        self.fit_context();
        let specs = self.tool_specs();
        let request = Request {
            messages: &self.talk.history,
            tools: &specs,
            max_tokens: 0,
            temperature: 0.0,
            seed: 0,
            stop_after: &[],
            prefill: self.honoured(prefill),
            constraints: None,
            deadline: Some(self.deadline()),
        };
        self.backend.warm(&request);
    }

    /// `prefill` where the backend makes a reply begin with it, else nothing: a warm-up and the
    /// step it warms must render the same prompt.
    fn honoured<'p>(&self, prefill: &'p str) -> &'p str {
        if self.backend.supports_prefill() {
            prefill
        } else {
            ""
        }
    }

    /// The model call behind both: one reply (no `variants`) or one per variant, streamed,
    /// counted, reported, the first added to the conversation.
    fn ask_model(
        &mut self,
        prefill: &str,
        stop: &[&str],
        head: Option<&str>,
        budget: usize,
        variants: &[Variant],
    ) -> Result<Vec<String>, BackendError> {
        self.report.steps += 1;
        self.fit_context();
        let specs = self.tool_specs();
        let prefill = self.honoured(prefill);
        self.talk.expect_fix = true;
        let constraints = self.constraints(&specs, head);
        let request = Request {
            messages: &self.talk.history,
            tools: &specs,
            max_tokens: budget.min(self.cfg.limits.reply_tokens),
            temperature: self.sampling.temperature(),
            seed: Sampling::seed(self.report.steps),
            stop_after: stop,
            prefill,
            constraints: constraints.as_ref(),
            deadline: Some(self.deadline()),
        };
        if !prefill.is_empty() {
            // The reply begins with it: front ends show it as the start of the stream.
            self.sink.emit(Event::ModelDelta {
                text: prefill.to_string(),
            });
        }
        // The run's time limit holds inside a reply too: a reply still going when it passes is
        // dropped, and the run stops on the limit (see `session::go`).
        let deadline = self.deadline();
        let sink = &mut *self.sink;
        let cancel = &self.cfg.cancel;
        let late = std::cell::Cell::new(false);
        let mut stream = |piece: Piece<'_>| {
            if cancel.requested() {
                return Flow::Stop;
            }
            if std::time::Instant::now() > deadline {
                late.set(true);
                return Flow::Stop;
            }
            match piece {
                Piece::Text(text) => sink.emit(Event::ModelDelta {
                    text: text.to_string(),
                }),
                Piece::Prefill { done, total } => sink.emit(Event::Progress {
                    what: format!("processing the prompt ({total} new tokens)"),
                    fraction: done as f32 / total.max(1) as f32,
                }),
                Piece::Quiet => {}
            }
            Flow::Continue
        };
        let replies = if variants.is_empty() {
            self.backend
                .complete(&request, &mut stream)
                .map(|one| vec![one])
        } else {
            self.backend
                .complete_variants(&request, variants, &mut stream)
        };
        if self.cfg.cancel.requested() {
            return Err(BackendError::Cancelled);
        }
        if late.get() {
            return Err(BackendError::OutOfTime);
        }
        if let Err(BackendError::OutOfTime) = replies {
            // The backend saw that the reply could not be done in time (a prompt whose
            // processing alone would outlast the time left): the rest of the time is spent.
            let left = self.deadline().saturating_duration_since(Instant::now());
            self.status(format!(
                "the model's next reply would not be done in the {} s left",
                left.as_secs()
            ));
            self.budget.time_spent = true;
        }
        let replies = replies?;
        let mut texts = Vec::with_capacity(replies.len());
        for (k, c) in replies.into_iter().enumerate() {
            // The prompt is processed once; the candidates after the first reuse all of it.
            let reused = if k == 0 {
                c.reused_tokens
            } else {
                c.prompt_tokens
            };
            if k == 0 {
                self.report.tokens_in += c.prompt_tokens - c.reused_tokens;
                self.report.tokens_reused += c.reused_tokens;
                self.report.tokens_reprocessed += self
                    .talk
                    .cached_tokens
                    .min(c.prompt_tokens)
                    .saturating_sub(c.reused_tokens);
                // Candidates decoded together leave only the prompt in the cache.
                self.talk.cached_tokens = c.prompt_tokens
                    + if variants.is_empty() {
                        c.generated_tokens
                    } else {
                        0
                    };
            }
            self.report.tokens_out += c.generated_tokens;
            self.emit(Event::ModelDone {
                text: c.text.clone(),
                prompt_tokens: c.prompt_tokens,
                reused_tokens: reused,
                generated_tokens: c.generated_tokens,
                seconds: c.seconds,
            });
            texts.push(c.text);
        }
        if let Some(first) = texts.first() {
            self.talk.history.push(Message::assistant(first.clone()));
        }
        Ok(texts)
    }

    /// Keep the conversation inside the window: trim the oldest follow-ups' bodies first.
    fn fit_context(&mut self) {
        let window = self.backend.context_window();
        let limit = window.saturating_sub(self.cfg.limits.reply_tokens + 64);
        let history = &mut self.talk.history;
        let mut sizes: Vec<usize> = history
            .iter()
            .map(|m| self.backend.count_tokens(&m.content) + 4)
            .collect();
        // The system prompt, the task and the latest two messages always stay whole.
        let mut i = 2;
        while sizes.iter().sum::<usize>() > limit && i + 2 < history.len() {
            if let (Some(m), Some(size)) = (history.get_mut(i), sizes.get_mut(i)) {
                if *size > 64 && !m.content.starts_with("[trimmed") {
                    m.content = format!("[trimmed to save context: {size} tokens]");
                    *size = 12;
                }
            }
            i += 1;
        }
    }

    /// What the next reply may say, as far as the backend enforces it: its SEARCH sections
    /// quote the files the model has seen, as they are now; its tool calls fit the tools'
    /// schemas (all of them, or none when one has arguments the constraint cannot describe);
    /// its code begins with `head`. `None` when turned off or nothing is enforced.
    fn constraints(&self, specs: &[serde_json::Value], head: Option<&str>) -> Option<Constraints> {
        let enforced = self.backend.constrains();
        if !self.cfg.constrain || !enforced.any() {
            return None;
        }
        let search_files: Vec<(String, String)> = if enforced.search_lines {
            self.work
                .seen_paths()
                .filter_map(|p| Some((p.to_string(), self.current_text(p)?)))
                .collect()
        } else {
            Vec::new()
        };
        let tools = if enforced.tool_calls {
            specs
                .iter()
                .map(ToolSchema::from_spec)
                .collect::<Option<Vec<_>>>()
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let constraints = Constraints {
            search_files,
            tools,
            code_head: head.filter(|_| enforced.code_head).map(str::to_string),
        };
        (!constraints.is_empty()).then_some(constraints)
    }
}
