//! cria: a terminal coding agent that runs a local model in-process.
//!
//! Layers, from the contract outwards:
//! - [`protocol`]: the messages and events every part speaks;
//! - [`edit`], [`sandbox`], [`tools`], [`toolcall`], [`testcmd`]: what the agent can do;
//! - [`model`]: the embedded llama.cpp backend, an OpenAI-compatible client, the scripted one;
//! - [`agent`]: the turn loop;
//! - [`exec`], [`tui`], [`cli`], [`config`]: the front ends and their configuration.

// Non-test code does not panic on input: no unwrap/expect, no indexing or slicing that can go
// out of bounds (`get` instead). An exception carries `#[allow]` and a comment proving it safe.
// (Set here rather than in Cargo.toml's [lints], which would reach the test crates too.)
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::string_slice,
        clippy::indexing_slicing
    )
)]

pub mod agent;
pub mod cancel;
pub mod cli;
pub mod config;
pub mod config_file;
pub mod context;
pub mod edit;
pub mod exec;
pub mod exit;
pub mod git;
pub mod hooks;
pub mod mcp;
pub mod model;
pub mod protocol;
pub mod sandbox;
pub mod state;
pub mod testcmd;
pub mod toolcall;
pub mod tools;
pub mod tui;
