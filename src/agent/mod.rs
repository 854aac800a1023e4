//! The agent: localize, prompt, generate, apply, test, follow up — within hard limits.

mod acceptance;
mod attempt;
pub mod prompt;
mod repro_imports;
pub mod reproduce;
pub mod rewrite;
pub mod session;
mod spectrum;
mod turn;
mod workspace;

pub use crate::context::localize;
pub use attempt::failure_count;
pub use session::{fix, FixConfig, FixReport, Limits};
