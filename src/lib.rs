//! cria: a terminal coding agent that runs a local model in-process.
//!
//! Layers, from the contract outwards:
//! - [`protocol`]: the messages and events every part speaks;
//! - [`edit`], [`sandbox`], [`tools`], [`toolcall`], [`testcmd`]: what the agent can do;
//! - [`model`]: the embedded llama.cpp backend, an OpenAI-compatible client, the scripted one;
//! - [`agent`]: the turn loop;
//! - [`exec`], [`tui`], [`cli`], [`config`]: the front ends and their configuration.

pub mod agent;
pub mod cancel;
pub mod cli;
pub mod config;
pub mod config_file;
pub mod context;
pub mod edit;
pub mod exec;
pub mod exit;
pub mod model;
pub mod protocol;
pub mod sandbox;
pub mod state;
pub mod testcmd;
pub mod toolcall;
pub mod tools;
pub mod tui;
