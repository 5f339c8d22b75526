//! Time: `sleep` and `yield_now` — Go's timers (kept per P there, per runtime here).
//!
//! A sleeping task is not a blocked thread: `Sleep` puts `(deadline, waker)` into its runtime's
//! ordered map and returns `Pending`. Nobody runs a timer thread; **parking workers drive the
//! timers**: a worker about to sleep parks with a timeout equal to the earliest deadline, and a
//! worker that wakes (or every 61st scheduling turn of a busy one) fires every due timer, which
//! queues the sleepers on that worker. When a new timer becomes the earliest one, a sleeping
//! worker is woken so it can re-arm its timeout (a worker that registers as a sleeper before
//! reading the earliest deadline, and an inserter that writes the deadline before checking for
//! sleepers, can't miss each other — the same handshake as in `idle`).
//!
//! Dropping a `Sleep` removes its entry, so cancelled timeouts don't pile up. Ten thousand
//! tasks sleeping one second cost ten thousand map entries and one worker wake-up.
//!
//! The time is read from `clock`, and the runtime a `Sleep` registers with is the current
//! one (`context`).
//!
//! `yield_now` needs no timer: it wakes its own task during the poll, and a task woken while
//! running goes to the *back* of the run queue (`worker`), letting everyone else run first.

use crate::clock;
use crate::context;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

type Key = (u64, u64); // (deadline in ns since the epoch, sequence number)

/// The timers of one runtime.
pub(crate) struct Timers {
    /// Deterministic mode's clock; None: the real one (`clock`).
    virtual_time: Option<Arc<clock::VirtualTime>>,
    epoch: Instant,
    entries: Mutex<TimerMap>,
    /// Earliest deadline (ns since `epoch`), `u64::MAX` when none: read without the lock.
    earliest: AtomicU64,
}

#[derive(Default)]
struct TimerMap {
    map: BTreeMap<Key, Waker>,
    seq: u64,
}

impl Timers {
    pub(crate) fn new(virtual_time: Option<Arc<clock::VirtualTime>>) -> Self {
        let epoch = virtual_time.as_ref().map_or_else(clock::now, |v| v.now());
        Timers {
            virtual_time,
            epoch,
            entries: Mutex::new(TimerMap::default()),
            earliest: AtomicU64::new(u64::MAX),
        }
    }

    /// The time these timers run on: the virtual clock in deterministic mode, else the real one.
    pub(crate) fn now(&self) -> Instant {
        match &self.virtual_time {
            Some(virtual_time) => virtual_time.now(),
            None => clock::now(),
        }
    }

    /// The earliest pending deadline, if any (deterministic mode jumps its clock there).
    pub(crate) fn earliest(&self) -> Option<Instant> {
        match self.earliest.load(SeqCst) {
            u64::MAX => None,
            at => Some(self.epoch + Duration::from_nanos(at)),
        }
    }

    fn nanos(&self, at: Instant) -> u64 {
        at.saturating_duration_since(self.epoch).as_nanos() as u64
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, TimerMap> {
        crate::sync::lock(&self.entries)
    }

    /// Adds a timer; true if it is now the earliest one.
    fn insert(&self, deadline: Instant, waker: Waker) -> (Key, bool) {
        let mut timers = self.lock();
        timers.seq += 1;
        let key = (self.nanos(deadline), timers.seq);
        timers.map.insert(key, waker);
        let earliest = key.0 < self.earliest.load(SeqCst);
        if earliest {
            self.earliest.store(key.0, SeqCst);
        }
        (key, earliest)
    }

    /// Replaces the waker of a pending timer; false if it already fired.
    fn update(&self, key: Key, waker: &Waker) -> bool {
        match self.lock().map.get_mut(&key) {
            Some(w) => {
                if !w.will_wake(waker) {
                    *w = waker.clone();
                }
                true
            }
            None => false,
        }
    }

    fn remove(&self, key: Key) {
        let waker = self.lock().map.remove(&key);
        drop(waker); // outside the lock: dropping a waker may free a task
    }

    /// Wakes every due timer; returns how many.
    pub(crate) fn fire_due(&self) -> usize {
        if self.earliest.load(SeqCst) > self.nanos(self.now()) {
            return 0;
        }
        let due: Vec<Waker> = {
            let mut timers = self.lock();
            let now = self.nanos(self.now());
            let later = timers.map.split_off(&(now + 1, 0));
            let due = std::mem::replace(&mut timers.map, later);
            let next = timers.map.keys().next().map_or(u64::MAX, |k| k.0);
            self.earliest.store(next, SeqCst);
            due.into_values().collect()
        };
        let n = due.len();
        due.into_iter().for_each(Waker::wake);
        n
    }

    /// How long a worker about to park may sleep before the next timer is due.
    pub(crate) fn park_timeout(&self) -> Option<Duration> {
        match self.earliest.load(SeqCst) {
            u64::MAX => None,
            at => Some(Duration::from_nanos(
                at.saturating_sub(self.nanos(self.now())),
            )),
        }
    }

    /// Drops every pending timer (runtime shutdown).
    pub(crate) fn clear(&self) {
        let map = std::mem::take(&mut self.lock().map);
        self.earliest.store(u64::MAX, SeqCst);
        drop(map);
    }
}

/// Future returned by `sleep`: completes once `duration` has passed. Must be awaited inside a
/// runtime (a task or `block_on`).
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` them"]
pub struct Sleep {
    deadline: Instant,
    entry: Option<(Arc<Timers>, Key)>,
}

impl std::fmt::Debug for Timers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Timers")
    }
}

/// Waits for `duration` without blocking the worker thread (Go's `time.Sleep` in a goroutine).
pub fn sleep(duration: Duration) -> Sleep {
    Sleep {
        deadline: now() + duration,
        entry: None,
    }
}

impl Sleep {
    /// When this sleep ends.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let now = match &this.entry {
            Some((timers, _)) => timers.now(),
            None => now(),
        };
        if now >= this.deadline {
            if let Some((timers, key)) = this.entry.take() {
                timers.remove(key);
            }
            return Poll::Ready(());
        }
        if let Some((timers, key)) = &this.entry {
            if timers.update(*key, cx.waker()) {
                return Poll::Pending;
            }
        }
        context::with_runtime(|shared| {
            let shared = shared.expect(
                "runtime::sleep must be awaited inside the Tasklings runtime \
                 (in a task, or inside runtime::run / Runtime::block_on)",
            );
            let (key, earliest) = shared.timers().insert(this.deadline, cx.waker().clone());
            this.entry = Some((shared.timers().clone(), key));
            if earliest {
                std::sync::atomic::fence(SeqCst);
                shared.wake_one_sleeper();
            }
        });
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some((timers, key)) = self.entry.take() {
            timers.remove(key);
        }
    }
}

/// The current runtime's time: in deterministic mode its virtual clock (which stands still
/// while tasks run and jumps to the next timer when none can), else — and outside every
/// runtime — `Instant::now()`. Measure elapsed time with this, not `Instant::now()`, in a
/// program that should behave the same under `TASKLINGS_SEED`.
pub fn now() -> Instant {
    context::with_runtime(|shared| shared.map(|shared| shared.timers().now()))
        .unwrap_or_else(clock::now)
}

/// Future returned by `yield_now`.
#[derive(Debug, Default)]
#[must_use = "futures do nothing unless you `.await` them"]
pub struct YieldNow {
    yielded: bool,
}

/// Lets other tasks run: the task goes to the back of its worker's run queue (Go's
/// `runtime.Gosched`).
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fires_only_due_timers_in_order() {
        let timers = Timers::new(None);
        let now = timers.now();
        let (_, first) = timers.insert(now, futures_noop());
        let (late, second) = timers.insert(now + Duration::from_secs(3600), futures_noop());
        assert!(
            first && !second,
            "only the earlier timer is the new earliest"
        );
        assert_eq!(timers.fire_due(), 1);
        assert!(timers.park_timeout().unwrap() > Duration::from_secs(60));
        timers.remove(late);
        timers.clear();
        assert_eq!(timers.park_timeout(), None);
    }

    fn futures_noop() -> Waker {
        Waker::noop().clone()
    }
}
