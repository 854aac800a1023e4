//! The process exit code, decided in one place.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// Fixed (a test failed before the change and passes after it); or a command succeeded.
    Fixed = 0,
    /// Not fixed; or an edit was refused.
    NotFixed = 1,
    /// Usage or configuration error.
    Usage = 2,
    /// The model or backend failed.
    Backend = 3,
    /// A change was kept but nothing verified it fixes the issue (no test showed the bug).
    Unverified = 4,
}

impl From<ExitCode> for std::process::ExitCode {
    fn from(c: ExitCode) -> Self {
        std::process::ExitCode::from(c as u8)
    }
}
