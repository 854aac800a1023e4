//! What of the repository the model can see: scanning, tags (cached), ranking, packing into a
//! token budget, and the project's instructions.

pub mod index;
pub mod instructions;
pub mod pack;
pub mod rank;
pub mod scan;
pub mod tags;
