//! Front ends that run without a TUI: one-shot `fix`, `apply`, `undo`, and the model loader they
//! share.

pub mod apply;
pub mod backend;
pub mod batch;
#[cfg(feature = "llama")]
pub mod bench;
pub mod context;
pub mod eval;
pub mod fix;
pub mod meta;
pub mod progress;
pub mod sandbox;
#[cfg(feature = "llama")]
pub mod serve;
pub mod tasks;
