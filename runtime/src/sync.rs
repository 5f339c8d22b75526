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
