//! Ctrl-C: the grader stops what it runs (killing every test's process group) before it exits.
//!
//! SIGINT and SIGTERM only set a flag; the loops that wait on processes (`sandbox`, `cargo_build`,
//! `watch`) check it and wind down. A second Ctrl-C while winding down exits at once.

use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_signal: libc::c_int) {
    if REQUESTED.swap(true, Ordering::SeqCst) {
        // SAFETY: _exit is async-signal-safe; the second interrupt means "now".
        unsafe { libc::_exit(130) };
    }
}

/// Routes SIGINT and SIGTERM to the flag.
pub fn install() {
    let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: the handler only touches an atomic (and calls the async-signal-safe _exit).
    unsafe {
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
}

/// True once the grader was asked to stop.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// Asks the grader to stop, as Ctrl-C would (`watch` does on `q` during a check).
pub fn request() {
    REQUESTED.store(true, Ordering::SeqCst);
}
