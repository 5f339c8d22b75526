//! Timing tests run alone, across everything this grader process does at once.
//!
//! One `grader run` already runs its timing tests after its correctness tests, one at a time.
//! `grader batch` grades several submissions at once, so one submission's timing test could
//! otherwise share the CPUs with another's correctness tests or build, and a correct solution
//! could look slow. Every build and correctness test holds the gate [`shared`]; a timing test
//! holds it [`exclusive`]ly. The lock prefers writers: a waiting timing test keeps new
//! correctness tests from starting, so it waits only for those already running.
//!
//! In a single `grader run` nothing ever waits here.

use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

static GATE: RwLock<()> = RwLock::new(());

/// Held while building or running a correctness test: any number at once.
pub fn shared() -> RwLockReadGuard<'static, ()> {
    GATE.read().unwrap_or_else(PoisonError::into_inner)
}

/// Held while running a timing test: nothing else of ours runs meanwhile.
pub fn exclusive() -> RwLockWriteGuard<'static, ()> {
    GATE.write().unwrap_or_else(PoisonError::into_inner)
}
