//! Ctrl-C: the grader stops what it runs (killing every test's process tree) before it exits.
//!
//! An interrupt (Ctrl-C, SIGTERM, or a Windows console closing) only sets a flag; the loops that
//! wait on processes (`process`, `cargo_build`, `watch`) check it and wind down. A second
//! interrupt while winding down exits at once. The `ctrlc` crate runs the handler on a thread of
//! its own (not in a signal handler), on Unix and Windows alike.

use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Routes interrupts to the flag. Installing twice is harmless (the second is ignored).
pub fn install() {
    let _ = ctrlc::set_handler(|| {
        if REQUESTED.swap(true, Ordering::SeqCst) {
            // The second interrupt means "now": nothing is left to wind down gracefully.
            std::process::exit(130);
        }
    });
}

/// True once the grader was asked to stop.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// Asks the grader to stop, as Ctrl-C would (`watch` does on `q` during a check).
pub fn request() {
    REQUESTED.store(true, Ordering::SeqCst);
}
