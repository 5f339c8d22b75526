//! Which runtime, and which worker, this thread is running — Go's `getg()` and `g.m.p`, tokio's
//! `runtime/context.rs`.
//!
//! Two thread-local pointers, and the only code that reads or writes them:
//! * the **runtime** (`scheduler::Shared`) is set on worker threads, on blocking-pool threads,
//!   inside `Runtime::block_on` and while a `Runtime` is being dropped. `runtime::spawn`,
//!   `sleep` and the other free functions act on it; outside every runtime they panic with a
//!   message saying what to do instead.
//! * the **worker** (`worker::Local`, the P with the thread-owned half of its state) is set only
//!   on a worker thread, for the length of its loop. A spawn or wake-up on that thread finds its
//!   LIFO slot here, and the per-worker counters count without a shared write.
//!
//! Both are set by guards (`enter`, `enter_worker`) that restore the previous value on drop, so
//! a `block_on` of one runtime inside another runtime's `block_on` unwinds correctly. The
//! pointers are only set while the thread keeps what they point at alive (the worker thread
//! owns an `Arc` of its runtime and its `Local` lives on its stack; `block_on` borrows its
//! `Runtime`), which is why reading them hands out a reference: but only for the length of a
//! closure (`with_runtime`, `with_worker`), so no caller can keep one past its guard.
//!
//! This module knows nothing about what a runtime or a worker does; `scheduler` and `worker`
//! enter it, every other module only asks it.

use crate::scheduler::Shared;
use crate::worker::Local;
use std::cell::Cell;
use std::ptr;

thread_local! {
    /// The runtime this thread belongs to, or null.
    static RUNTIME: Cell<*const Shared> = const { Cell::new(ptr::null()) };
    /// The worker this thread runs, or null. The lifetime is erased: see `enter_worker`.
    static WORKER: Cell<*const Local<'static>> = const { Cell::new(ptr::null()) };
}

/// Makes `shared` this thread's runtime until the guard drops.
#[must_use = "the thread leaves the runtime when the guard is dropped"]
pub(crate) fn enter(shared: &Shared) -> EnterGuard {
    EnterGuard {
        previous: RUNTIME.with(|r| r.replace(shared)),
    }
}

/// Restores the previous runtime of this thread on drop.
pub(crate) struct EnterGuard {
    previous: *const Shared,
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        RUNTIME.with(|r| r.set(self.previous));
    }
}

/// Makes `local` this thread's worker (and its runtime this thread's runtime) until the guard
/// drops. Called once per worker thread, around its loop.
#[must_use = "the thread stops being a worker when the guard is dropped"]
pub(crate) fn enter_worker<'a>(local: &'a Local<'a>) -> WorkerGuard<'a> {
    let runtime = enter(local.shared());
    let erased: *const Local<'_> = local;
    WorkerGuard {
        previous: WORKER.with(|w| w.replace(erased.cast())),
        _runtime: runtime,
        _local: std::marker::PhantomData,
    }
}

/// Restores the previous worker (none) and runtime of this thread on drop. Borrows the `Local`
/// it points at, so the `Local` can't be dropped (or moved) while it is current.
pub(crate) struct WorkerGuard<'a> {
    previous: *const Local<'static>,
    _runtime: EnterGuard,
    _local: std::marker::PhantomData<&'a Local<'a>>,
}

impl Drop for WorkerGuard<'_> {
    fn drop(&mut self) {
        WORKER.with(|w| w.set(self.previous));
    }
}

/// Calls `f` with this thread's runtime, if it has one.
pub(crate) fn with_runtime<R>(f: impl FnOnce(Option<&Shared>) -> R) -> R {
    // SAFETY: the pointer is non-null only between `enter` and its guard's drop, while the
    // thread keeps the runtime alive (module doc); the reference lives only as long as `f`.
    f(unsafe { RUNTIME.with(Cell::get).as_ref() })
}

/// Calls `f` with this thread's worker, if it is a worker thread.
pub(crate) fn with_worker<R>(f: impl FnOnce(Option<&Local<'_>>) -> R) -> R {
    // SAFETY: the pointer is non-null only while the `WorkerGuard` that borrows the `Local`
    // lives, on this thread; the reference lives only as long as `f`. `Local` is not `Sync`,
    // and it never leaves its thread: this thread-local is the only other way to reach it.
    f(unsafe { WORKER.with(Cell::get).as_ref() })
}

/// True on a worker thread (of any runtime): such a thread must never block.
pub(crate) fn is_worker_thread() -> bool {
    !WORKER.with(Cell::get).is_null()
}
