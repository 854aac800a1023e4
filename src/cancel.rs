//! A flag the front end raises to cancel the step in progress (the TUI's Ctrl-C): generation
//! stops between tokens, a running command's process group is ended, and the run stops with a
//! reason. Clones share the flag.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn request(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn requested(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Lower the flag before the next step starts.
    pub fn reset(&self) {
        self.0.store(false, Ordering::SeqCst);
    }
}
