//! What of the repository the model can see: scanning (and later the repo map and packing).

pub mod instructions;
pub mod scan;
