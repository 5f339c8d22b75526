//! The lost wake-up: a future that checks, then registers its waker, misses an event that
//! happens in between — made to happen on every run by a waker whose `clone` lets another thread
//! fire the event at exactly that moment.
//!
//!     cargo run -p runtime --example lost_wakeup

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};
use std::thread;

// ANCHOR: latch
/// A one-shot event: `open()` once; `opened().await` completes once it is open. (A WaitGroup
/// whose count goes from 1 to 0 is such a latch.)
#[derive(Default)]
struct Latch {
    open: AtomicBool,
    wakers: Mutex<Vec<Waker>>,
}

impl Latch {
    fn open(&self) {
        self.open.store(true, SeqCst);
        let wakers = std::mem::take(&mut *self.wakers.lock().unwrap());
        for waker in wakers {
            waker.wake();
        }
    }
}
// ANCHOR_END: latch

/// The future of `opened()`, with one of the two polls below.
struct Opened<'a> {
    latch: &'a Latch,
    poll: fn(&Latch, &mut Context<'_>) -> Poll<()>,
}

impl Future for Opened<'_> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        (self.poll)(self.latch, cx)
    }
}

// ANCHOR: check_then_register
fn check_then_register(latch: &Latch, cx: &mut Context<'_>) -> Poll<()> {
    if latch.open.load(SeqCst) {
        return Poll::Ready(());
    }
    let waker = cx.waker().clone(); // another thread may open() right here…
    latch.wakers.lock().unwrap().push(waker); // …then this waker is never woken
    Poll::Pending
}
// ANCHOR_END: check_then_register

// ANCHOR: check_again
fn check_again_under_the_lock(latch: &Latch, cx: &mut Context<'_>) -> Poll<()> {
    if latch.open.load(SeqCst) {
        return Poll::Ready(());
    }
    let waker = cx.waker().clone();
    let mut wakers = latch.wakers.lock().unwrap();
    // open() sets the flag *before* it takes this lock to wake: either it has set it (we see it
    // now), or it will find our waker when it gets the lock.
    if latch.open.load(SeqCst) {
        return Poll::Ready(());
    }
    wakers.push(waker);
    Poll::Pending
}
// ANCHOR_END: check_again

/// Polls `opened()` once while another thread opens the latch from inside the waker's clone.
/// Returns whether the wake-up was lost: Pending, and never woken.
fn lost(poll: fn(&Latch, &mut Context<'_>) -> Poll<()>) -> bool {
    let latch = Arc::new(Latch::default());
    let hooked = HookedWaker::new({
        let latch = Arc::clone(&latch);
        move || {
            // Another thread opens the latch, and we wait until it has: the event lands between
            // the future's check and its registration, every time.
            let latch = Arc::clone(&latch);
            thread::spawn(move || latch.open()).join().unwrap();
        }
    });
    let waker = hooked.waker();
    let mut opened = pin!(Opened {
        latch: &latch,
        poll,
    });
    let first = opened.as_mut().poll(&mut Context::from_waker(&waker));
    first.is_pending() && hooked.wakes() == 0
}

fn main() {
    const RUNS: usize = 1000;
    for (name, poll) in [
        (
            "check, then register:      ",
            check_then_register as fn(&Latch, &mut Context<'_>) -> Poll<()>,
        ),
        ("check again under the lock:", check_again_under_the_lock),
    ] {
        let lost = (0..RUNS).filter(|_| lost(poll)).count();
        println!("{name} {lost} of {RUNS} waits never woken");
    }
}

// A waker that counts its wakes and runs a hook inside its first clone (the book doesn't show
// this part: it is plumbing).
struct HookedWaker {
    state: Arc<HookState>,
}

struct HookState {
    hook: Mutex<Option<Box<dyn FnOnce() + Send>>>,
    wakes: AtomicUsize,
}

impl HookedWaker {
    fn new(hook: impl FnOnce() + Send + 'static) -> Self {
        HookedWaker {
            state: Arc::new(HookState {
                hook: Mutex::new(Some(Box::new(hook))),
                wakes: AtomicUsize::new(0),
            }),
        }
    }

    fn waker(&self) -> Waker {
        let data = Arc::into_raw(Arc::clone(&self.state)).cast::<()>();
        // SAFETY: `data` is an `Arc<HookState>` turned into a raw pointer, as every VTABLE
        // function expects; the waker owns that reference.
        unsafe { Waker::from_raw(RawWaker::new(data, &VTABLE)) }
    }

    fn wakes(&self) -> usize {
        self.state.wakes.load(SeqCst)
    }
}

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

unsafe fn clone(data: *const ()) -> RawWaker {
    let state = data.cast::<HookState>();
    // SAFETY: the waker being cloned owns a reference, so the Arc is alive; the clone gets its own.
    unsafe { Arc::increment_strong_count(state) };
    // SAFETY: alive for this call, as above.
    let hook = unsafe { &*state }.hook.lock().unwrap().take();
    if let Some(hook) = hook {
        hook();
    }
    RawWaker::new(data, &VTABLE)
}

unsafe fn wake(data: *const ()) {
    // SAFETY: the waker's own reference keeps the state alive until it is released below.
    unsafe {
        wake_by_ref(data);
        drop_waker(data);
    }
}

unsafe fn wake_by_ref(data: *const ()) {
    // SAFETY: the caller's waker owns a reference, so the state is alive.
    unsafe { &*data.cast::<HookState>() }
        .wakes
        .fetch_add(1, SeqCst);
}

unsafe fn drop_waker(data: *const ()) {
    // SAFETY: releases exactly the reference this waker owned.
    unsafe { Arc::decrement_strong_count(data.cast::<HookState>()) };
}
