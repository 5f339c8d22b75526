//! Timing tests run alone, across everything the graders on this machine do at once.
//!
//! One `grader run` already runs its timing tests after its correctness tests, one at a time.
//! `grader batch` grades several submissions at once, and several graders may run at once (the
//! catalogue test, a learner's `watch` beside a `run`), so one submission's timing test could
//! otherwise share the CPUs with another's correctness tests or build, and a correct solution
//! could look slow. Every build and correctness test holds the gate [`shared`]; a timing test
//! holds it [`exclusive`]ly.
//!
//! The gate has two layers: a lock inside this process, which prefers writers (a waiting timing
//! test keeps new correctness tests of this process from starting), and a file lock in the
//! grader's folder (`<target>/tasklings/timing.lock`), shared or exclusive, that other grader
//! processes using the same folder see. The in-process lock is always taken first, so no thread
//! waits for it while holding the file lock. Where the file can't be opened the gate is only
//! in-process, as it was before.
//!
//! In a single `grader run` with nothing else running, nothing ever waits here.

use std::fs::File;
use std::path::Path;
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

static GATE: RwLock<()> = RwLock::new(());

/// A turn at the gate; the locks go when it is dropped (the file's lock when the file closes).
pub struct Turn<G> {
    _file: Option<File>,
    _here: G,
}

/// Held while building or running a correctness test: any number at once. `dir` is the
/// grader's folder (`<target>/tasklings`).
pub fn shared(dir: &Path) -> Turn<RwLockReadGuard<'static, ()>> {
    let here = GATE.read().unwrap_or_else(PoisonError::into_inner);
    let file = lock_file(dir).filter(|file| file.lock_shared().is_ok());
    Turn {
        _file: file,
        _here: here,
    }
}

/// Held while running a timing test: nothing else of ours runs meanwhile, in this process or
/// in another grader using the same folder.
pub fn exclusive(dir: &Path) -> Turn<RwLockWriteGuard<'static, ()>> {
    let here = GATE.write().unwrap_or_else(PoisonError::into_inner);
    let file = lock_file(dir).filter(|file| file.lock().is_ok());
    Turn {
        _file: file,
        _here: here,
    }
}

fn lock_file(dir: &Path) -> Option<File> {
    std::fs::create_dir_all(dir).ok()?;
    File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("timing.lock"))
        .ok()
}
