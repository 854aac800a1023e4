//! The agent: localize, prompt, generate, apply, test, follow up — within hard limits.
//!
//! Layers, each using only those above it:
//! - pure helpers: `prompt`, `reproduce`, `stated`, `cases`, `case_test`, `rewrite`, `callers`,
//!   `repro_imports`, `spectrum`, `progress`, `workspace`, `sampling`, `config`, `report`;
//! - `run`: the state of one run and the moves every stage shares;
//! - `stage/`: the stages and verdicts, each an `impl Run` in its own file;
//! - `session`: [`fix`], the loop, and every change of stage.

mod ask;
mod asserted;
mod callers;
mod case_test;
mod cases;
mod config;
mod crash;
mod frames;
mod hardcode;
mod hooks;
mod imports;
mod lift;
mod mcp;
mod mismatch;
mod mutate;
pub mod plan;
mod probe;
mod progress;
pub mod prompt;
mod provenance;
mod reach;
mod reassert;
mod report;
mod repro_imports;
pub mod reproduce;
pub mod rewrite;
mod run;
mod sampling;
mod session;
mod spectrum;
mod stage;
mod stated;
mod workspace;

pub use crate::context::localize;
pub use config::{FixConfig, Limits};
pub use plan::{plan, with_plan, Plan};
pub use report::{Escalation, FixReport};
pub use session::{fix, fix_escalating};
