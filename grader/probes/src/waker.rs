//! A waker that counts what code does with it: how many copies are alive, how often it was woken,
//! and a hook that runs inside the next clone.
//!
//! A future keeps the waker of its last poll so that whoever completes it can wake its task. Hidden
//! tests poll a learner's future by hand with a [`WakerProbe`]'s waker and then *count*:
//!
//! - [`WakerProbe::wakes`]: was the task woken (a completion that wakes nobody is a lost wake-up),
//!   and was it woken when nothing happened (a future that wakes itself on every poll is a busy
//!   loop, without any CPU meter)?
//! - [`WakerProbe::live`]: how many copies are still held. A future that was dropped must not leave
//!   its waker behind in a shared list (a leak, and a later wake of a task that moved on); one that
//!   is polled a thousand times must not keep a thousand copies.
//! - [`WakerProbe::on_next_clone`]: code to run *inside* the next `clone` — the moment a future has
//!   decided to wait and is taking a copy of the waker to register it. A hook that completes the
//!   awaited event there puts the event between the future's check and its registration on every
//!   run, where a real schedule does so once in a million.
//!
//! The counts are atomics (SeqCst): read them after the code under test returned, or after joining
//! the thread that ran it.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{RawWaker, RawWakerVTable, Waker};

/// A hook run inside a clone.
type Hook = Box<dyn FnOnce() + Send>;

/// Makes counting wakers. Clones share one set of counts.
///
/// ```
/// use std::future::Future;
/// use std::task::{Context, Poll};
/// use probes::WakerProbe;
///
/// let probe = WakerProbe::new();
/// let waker = probe.waker();
/// let kept = waker.clone(); // what a pending future does with it
/// assert_eq!((probe.live(), probe.clones()), (2, 1));
/// kept.wake(); // consumes the copy
/// assert_eq!((probe.live(), probe.wakes()), (1, 1));
///
/// // A future that is ready at once neither keeps nor wakes the waker.
/// let mut ready = std::pin::pin!(std::future::ready(7));
/// assert_eq!(ready.as_mut().poll(&mut Context::from_waker(&waker)), Poll::Ready(7));
/// assert_eq!((probe.live(), probe.wakes()), (1, 1));
/// ```
#[derive(Clone, Default)]
pub struct WakerProbe {
    state: Arc<State>,
}

#[derive(Default)]
struct State {
    /// Wakers made by `waker()` or by cloning one, in all.
    made: AtomicUsize,
    /// Of those, how many were cloned from another.
    clones: AtomicUsize,
    /// Wakers dropped or consumed by `wake`.
    gone: AtomicUsize,
    /// `wake` and `wake_by_ref` calls.
    wakes: AtomicUsize,
    /// Runs inside the next clone, then is gone.
    clone_hook: Mutex<Option<Hook>>,
}

impl WakerProbe {
    /// A probe with no wakers yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A new waker of this probe (counts as one live copy until dropped or woken by value).
    pub fn waker(&self) -> Waker {
        self.state.made.fetch_add(1, SeqCst);
        let data = Arc::into_raw(Arc::clone(&self.state)).cast::<()>();
        // SAFETY: `data` is an `Arc<State>` turned into a raw pointer, which is what every function
        // of VTABLE expects; the waker owns that reference count and gives it back on drop or wake.
        unsafe { Waker::from_raw(RawWaker::new(data, &VTABLE)) }
    }

    /// Copies of this probe's wakers alive now: made (by [`waker`](Self::waker) or `clone`) and
    /// not yet dropped or consumed by `wake`.
    pub fn live(&self) -> usize {
        let made = self.state.made.load(SeqCst);
        made.saturating_sub(self.state.gone.load(SeqCst))
    }

    /// How many times a waker of this probe was woken (`wake` or `wake_by_ref`).
    pub fn wakes(&self) -> usize {
        self.state.wakes.load(SeqCst)
    }

    /// How many times a waker of this probe was cloned.
    pub fn clones(&self) -> usize {
        self.state.clones.load(SeqCst)
    }

    /// Runs `hook` inside the next clone of one of this probe's wakers, on the cloning thread,
    /// before the clone returns; later clones run nothing (until a new hook is set).
    ///
    /// The hook runs wherever the code under test clones: perhaps while it holds one of its own
    /// locks. A hook that calls back into that code on the same thread can then deadlock; hand
    /// such work to another thread and don't wait for it without a bound.
    pub fn on_next_clone(&self, hook: impl FnOnce() + Send + 'static) {
        *self.hook_slot() = Some(Box::new(hook));
    }

    fn hook_slot(&self) -> std::sync::MutexGuard<'_, Option<Hook>> {
        // Poisoned only if a hook panicked while being taken out; the slot is still an Option.
        self.state
            .clone_hook
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl fmt::Debug for WakerProbe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WakerProbe")
            .field("live", &self.live())
            .field("clones", &self.clones())
            .field("wakes", &self.wakes())
            .finish()
    }
}

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

/// # Safety
/// `data` must come from `Arc::<State>::into_raw` and its reference must still be owned by a waker.
unsafe fn clone(data: *const ()) -> RawWaker {
    let state = data.cast::<State>();
    // SAFETY: the caller's waker owns one reference to this Arc, so it is alive; the new waker
    // gets a reference of its own.
    unsafe { Arc::increment_strong_count(state) };
    // SAFETY: as above, the Arc is alive for the length of this call.
    let shared = unsafe { &*state };
    shared.made.fetch_add(1, SeqCst);
    shared.clones.fetch_add(1, SeqCst);
    // Taken out before it runs, so a hook that clones again doesn't find itself (or the lock).
    let hook = shared
        .clone_hook
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take();
    if let Some(hook) = hook {
        hook();
    }
    RawWaker::new(data, &VTABLE)
}

/// # Safety
/// As [`clone`]; the waker's reference is consumed.
unsafe fn wake(data: *const ()) {
    // SAFETY: the caller passes the waker's own reference, alive until we drop it below.
    unsafe { wake_by_ref(data) };
    // SAFETY: the waker is consumed by `wake`; its reference is released here.
    unsafe { drop_waker(data) };
}

/// # Safety
/// As [`clone`].
unsafe fn wake_by_ref(data: *const ()) {
    // SAFETY: the caller's waker owns a reference, so the State is alive.
    let shared = unsafe { &*data.cast::<State>() };
    shared.wakes.fetch_add(1, SeqCst);
}

/// # Safety
/// As [`clone`]; the waker's reference is released.
unsafe fn drop_waker(data: *const ()) {
    let state = data.cast::<State>();
    // SAFETY: the waker owned this reference, so the State is alive until the decrement below.
    unsafe { &*state }.gone.fetch_add(1, SeqCst);
    // SAFETY: releases exactly the reference this waker owned (from `into_raw` or `clone`).
    unsafe { Arc::decrement_strong_count(state) };
}
