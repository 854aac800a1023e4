//! Keeping cria inside the repository: path confinement for every file it reads or writes.

pub mod paths;
pub mod process;
