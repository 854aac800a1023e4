//! The agent: localize, prompt, generate, apply, test, follow up — within hard limits.

pub mod localize;
pub mod prompt;
pub mod session;
mod workspace;

pub use session::{fix, FixConfig, FixReport, Limits};
