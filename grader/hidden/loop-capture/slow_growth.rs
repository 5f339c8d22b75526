//! Slow growth: a global allocator that, once switched on, pauses before it grows a large
//! buffer — so a data race on a growing `Vec` shows on every run, not now and then.
//!
//! Tasks that push into one `Vec` without a lock (an `unsafe impl Sync` wrapper around it) race,
//! but two pushes only collide if they overlap to the nanosecond, and on a busy machine the
//! workers may not even run at the same time: such code passes most runs. The fragile moment is
//! growth: a push that finds the Vec full reallocates it, and every other push until it is done
//! works on the old buffer, with the old length and capacity. This allocator stretches that
//! moment: a `realloc` to [`FROM`] bytes or more first sleeps for [`PAUSE`], which also hands the
//! CPU to the other workers, so they push right into the window — two reallocs of one buffer, or
//! writes into freed memory, and the Vec comes back short or the process aborts. A Vec that
//! grows from empty to thousands of results passes this size several times per call.
//!
//! Correct code only gets slower by a few pauses per call (a Mutex is held a little longer while
//! its Vec grows). The pause is on only where a test switches it on ([`slow_down_growth`]):
//! every hidden test runs in a process of its own.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Reallocations to at least this many bytes pause (a Vec of 16-byte pairs past 256 items).
const FROM: usize = 4096;
/// How long they pause.
const PAUSE: Duration = Duration::from_micros(300);

static SLOW: AtomicBool = AtomicBool::new(false);

/// Makes every later large `realloc` in this process pause first.
pub fn slow_down_growth() {
    // Relaxed: the switch orders nothing else; a realloc that misses it is merely fast.
    SLOW.store(true, Ordering::Relaxed);
}

/// The system allocator, with a pause before large reallocations once switched on.
pub struct SlowGrowth;

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so `System`'s
// guarantees are this allocator's; the pause (a sleep, which doesn't allocate) changes no memory.
unsafe impl GlobalAlloc for SlowGrowth {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is; the caller upholds `alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded as is; the caller upholds `alloc_zeroed`'s contract.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded as is; `ptr` came from this allocator, that is from `System`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size >= FROM && new_size > layout.size() && SLOW.load(Ordering::Relaxed) {
            std::thread::sleep(PAUSE);
        }
        // SAFETY: forwarded as is; `ptr` came from `System`, and the caller upholds the rest.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}
