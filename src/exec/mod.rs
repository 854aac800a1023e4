//! The headless front ends: one-shot `fix`, `apply` and `undo`, `batch` and `eval`, `context`,
//! `serve`, `bench`, the `sandbox` helper, and the commands that only print (`config`, `models`,
//! `trust`). Each turns a command line into calls on the agent, the edit engine or the model and
//! prints what they report; none holds logic another front end needs.

pub mod apply;
pub mod batch;
#[cfg(feature = "llama")]
pub mod bench;
pub mod context;
pub mod eval;
pub mod fix;
pub mod mcp;
pub mod meta;
pub mod progress;
pub mod sandbox;
#[cfg(feature = "llama")]
pub mod serve;
pub mod tasks;
