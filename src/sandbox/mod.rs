//! Keeping cria inside the repository: path confinement for every file it reads or writes, and
//! for the commands the model runs, an OS sandbox, process control and approvals.

pub mod approval;
pub mod beneath;
#[cfg(target_os = "linux")]
pub mod linux;
pub mod paths;
pub mod policy;
pub mod process;
#[cfg(target_os = "linux")]
pub mod supervise;
