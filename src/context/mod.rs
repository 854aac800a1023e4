//! What of the repository the model can see: [`select`] is the one pipeline (localize, show the
//! best files, map the rest, list them); under it scanning with the one visibility rule, the
//! localizer, tree-sitter tags (cached), ranking, packing into a token budget, and the project's
//! instructions.

pub mod index;
pub mod instructions;
pub mod localize;
pub mod pack;
pub mod rank;
pub mod scan;
pub mod select;
pub mod shown;
pub mod tags;
