//! Putting an OS thread (an M) to sleep and waking it: the parker.
//!
//! Every worker owns one `Parker`; `block_on` and `JoinHandle::join` use one for the calling
//! thread. It holds a single wake-up token, like `std::thread::park`: an `unpark` that arrives
//! before `park` is not lost — the next `park` consumes it and returns at once. The state word
//! is `EMPTY`, `PARKED` or `NOTIFIED`; the mutex and condvar are only touched when a thread really
//! sleeps, and `unpark` takes the mutex once before notifying, which closes the window between
//! "state = PARKED" and the condvar wait (tokio's `park.rs` does the same).
//!
//! `park` may also return spuriously or at its timeout; callers re-check their condition.
//! Which worker to wake, and when, is decided in `idle`.

use crate::sync::{AtomicUsize, Condvar, Mutex};
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::Ordering::SeqCst;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

const EMPTY: usize = 0;
const PARKED: usize = 1;
const NOTIFIED: usize = 2;

/// A one-token sleep/wake-up for one thread.
#[derive(Debug)]
pub struct Parker {
    state: AtomicUsize,
    lock: Mutex<()>,
    cvar: Condvar,
}

impl Default for Parker {
    fn default() -> Self {
        Self::new()
    }
}

impl Parker {
    /// A parker with no pending token.
    pub fn new() -> Self {
        Parker {
            state: AtomicUsize::new(EMPTY),
            lock: Mutex::new(()),
            cvar: Condvar::new(),
        }
    }

    /// Sleeps until `unpark` (or a token left by an earlier `unpark`), the timeout, or a
    /// spurious wake-up.
    pub fn park(&self, timeout: Option<Duration>) {
        // Fast path: consume a pending token without touching the lock. SeqCst: the token's
        // consumer must see everything the unparker did before `unpark`.
        if self
            .state
            .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
            .is_ok()
        {
            return;
        }
        if timeout == Some(Duration::ZERO) {
            return;
        }
        let mut guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(actual) = self.state.compare_exchange(EMPTY, PARKED, SeqCst, SeqCst) {
            debug_assert_eq!(actual, NOTIFIED);
            // A swap, not a store: it reads the newest token, so we synchronise with every
            // unpark that left one, not just the first (the loom model `two_wakers_one_sleeper`
            // finds the lost wake-up a plain store allows).
            self.state.swap(EMPTY, SeqCst);
            return;
        }
        guard = match timeout {
            None => self.cvar.wait(guard).unwrap_or_else(|e| e.into_inner()),
            Some(t) => {
                self.cvar
                    .wait_timeout(guard, t)
                    .unwrap_or_else(|e| e.into_inner())
                    .0
            }
        };
        // Woken, timed out or spurious: either way leave as EMPTY, consuming a token if any.
        self.state.swap(EMPTY, SeqCst);
        drop(guard);
    }

    /// Leaves a token and wakes the thread if it sleeps.
    pub fn unpark(&self) {
        // swap, not CAS: the token is always written, whatever state we find.
        match self.state.swap(NOTIFIED, SeqCst) {
            EMPTY | NOTIFIED => {}
            _parked => {
                // Taking the lock waits until the parker is really inside `wait`.
                drop(self.lock.lock().unwrap_or_else(|e| e.into_inner()));
                self.cvar.notify_one();
            }
        }
    }
}

/// Runs `future` to completion on the calling thread, parked while it is pending: what
/// `Runtime::block_on` and `JoinHandle::join` do on a thread that is not a worker.
pub(crate) fn block_on_thread<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let parker = Arc::new(ThreadWaker(Parker::new()));
    let waker = Waker::from(parker.clone());
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        parker.0.park(None);
    }
}

/// A waker that unparks the thread in `block_on_thread`.
struct ThreadWaker(Parker);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

#[cfg(all(test, not(tasklings_loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn unpark_before_park_is_not_lost() {
        let p = Parker::new();
        p.unpark();
        p.park(None); // returns at once: the token was waiting
    }

    #[test]
    fn ping_pong_between_threads_never_hangs() {
        const ROUNDS: usize = if cfg!(miri) { 200 } else { 5_000 };
        let (a, b) = (Arc::new(Parker::new()), Arc::new(Parker::new()));
        let (a2, b2) = (a.clone(), b.clone());
        let t = std::thread::spawn(move || {
            for _ in 0..ROUNDS {
                a2.park(None);
                b2.unpark();
            }
        });
        for _ in 0..ROUNDS {
            a.unpark();
            b.park(None);
        }
        t.join().unwrap();
    }
}
