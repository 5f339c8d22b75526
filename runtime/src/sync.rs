//! The atomics and locks that the loom model tests swap out.
//!
//! Only the two pieces with hand-written lock-free protocols — the local run queue (`queue`) and
//! the worker parker (`park`) — take their primitives from here. Under
//! `RUSTFLAGS="--cfg tasklings_loom"` they become loom's model-checked versions (a crate-specific
//! cfg, so tokio in the same build stays untouched); everything else always uses `std`.

#[cfg(not(tasklings_loom))]
pub(crate) use std::sync::{
    atomic::{AtomicPtr, AtomicU32, AtomicUsize},
    Condvar, Mutex,
};

#[cfg(tasklings_loom)]
pub(crate) use loom::sync::{
    atomic::{AtomicPtr, AtomicU32, AtomicUsize},
    Condvar, Mutex,
};

/// Locks a std mutex, ignoring poison: panics in tasks are caught, and no lock here is held
/// across user code, so a poisoned lock still guards consistent data.
pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}
