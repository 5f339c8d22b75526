//! A deadlock watchdog that counts progress instead of reading the clock.
//!
//! Every thread or task that calls into the bank has a [`Slot`]: before each call it notes what it
//! is calling, after the call it counts one more finished call. [`watch`] looks at the slots every
//! [`LOOK_EVERY`] from the test's own thread. A deadlock is the state where no call finishes
//! between [`QUIET_LOOKS`] looks in a row (and at least [`QUIET_AT_LEAST`] of real time), while
//! callers are still at work: then it returns a report naming each caller and the call it is
//! stuck in.
//!
//! Why looks and not only time: if the whole test process is descheduled for a while (a busy
//! machine), the watchdog doesn't look either, so one long pause counts as one quiet look, not
//! as many. Correct code finishes thousands of calls between two looks; a bank that deadlocked
//! finishes none, for ever. The verdict is one-sided: a slow machine can only make a deadlock
//! take longer to report, never make working code look stuck (40 looks in a row in which not
//! one of several threads finished one short call).

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crossbeam::utils::CachePadded;

/// How often the watchdog looks.
pub const LOOK_EVERY: Duration = Duration::from_millis(50);
/// Looks in a row without a finished call that make a deadlock.
pub const QUIET_LOOKS: u32 = 40;
/// ... and the least real time they must span.
pub const QUIET_AT_LEAST: Duration = Duration::from_secs(2);

/// A call into the bank, as a slot records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    Transfer { from: usize, to: usize, amount: u64 },
    Total,
    Balances,
}

// A call packed in a u64 so that noting it costs one store: 2 bits of kind, then 20 bits each
// for from, to and amount (the tests use small numbers). 0 means "between calls".
const FIELD: u32 = 20;
const MASK: u64 = (1 << FIELD) - 1;

impl Call {
    fn pack(self) -> u64 {
        match self {
            Call::Transfer { from, to, amount } => {
                debug_assert!(from as u64 <= MASK && to as u64 <= MASK && amount <= MASK);
                (1 << 62) | ((from as u64) << (2 * FIELD)) | ((to as u64) << FIELD) | amount
            }
            Call::Total => 2 << 62,
            Call::Balances => 3 << 62,
        }
    }

    fn unpack(packed: u64) -> Option<Call> {
        match packed >> 62 {
            1 => Some(Call::Transfer {
                from: ((packed >> (2 * FIELD)) & MASK) as usize,
                to: ((packed >> FIELD) & MASK) as usize,
                amount: packed & MASK,
            }),
            2 => Some(Call::Total),
            3 => Some(Call::Balances),
            _ => None,
        }
    }
}

impl std::fmt::Display for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Call::Transfer { from, to, amount } => write!(f, "transfer({from}, {to}, {amount})"),
            Call::Total => f.write_str("total()"),
            Call::Balances => f.write_str("balances()"),
        }
    }
}

/// What one caller (a thread or a task) is doing. Relaxed atomics throughout: the watchdog only
/// needs to see, eventually, that a count moved; nothing else is published through them.
#[derive(Debug)]
pub struct Slot {
    name: String,
    doing: AtomicU64,
    finished: AtomicU64,
    /// Calls of this caller during which another caller's call returned.
    overlapped: AtomicU64,
    /// Calls returned, all callers together.
    returned: Arc<CachePadded<AtomicU64>>,
}

impl Slot {
    /// Runs `call` (`what` it is) through this slot: noted while it runs, counted when it returns.
    pub fn call<R>(&self, what: Call, call: impl FnOnce() -> R) -> R {
        let before = self.returned.load(Ordering::Relaxed);
        self.doing.store(what.pack(), Ordering::Relaxed);
        let result = call();
        self.doing.store(0, Ordering::Relaxed);
        if self.returned.fetch_add(1, Ordering::Relaxed) != before {
            self.overlapped.fetch_add(1, Ordering::Relaxed);
        }
        self.finished.fetch_add(1, Ordering::Relaxed);
        result
    }
}

/// The slots of every caller of one test.
#[derive(Debug)]
pub struct Progress {
    slots: Vec<CachePadded<Slot>>,
}

impl Progress {
    /// One slot per name.
    pub fn new(names: impl IntoIterator<Item = String>) -> Progress {
        let returned = Arc::new(CachePadded::new(AtomicU64::new(0)));
        Progress {
            slots: names
                .into_iter()
                .map(|name| {
                    CachePadded::new(Slot {
                        name,
                        doing: AtomicU64::new(0),
                        finished: AtomicU64::new(0),
                        overlapped: AtomicU64::new(0),
                        returned: returned.clone(),
                    })
                })
                .collect(),
        }
    }

    /// The slot of caller `index`.
    pub fn slot(&self, index: usize) -> &Slot {
        &self.slots[index]
    }

    fn overlapped(&self) -> u64 {
        self.slots
            .iter()
            .map(|slot| slot.overlapped.load(Ordering::Relaxed))
            .sum()
    }

    fn finished(&self) -> u64 {
        self.slots
            .iter()
            .map(|slot| slot.finished.load(Ordering::Relaxed))
            .sum()
    }

    /// Each caller and the call it is inside, if any.
    fn report(&self) -> String {
        let mut text = String::new();
        for slot in &self.slots {
            let done = slot.finished.load(Ordering::Relaxed);
            match Call::unpack(slot.doing.load(Ordering::Relaxed)) {
                Some(call) => {
                    let _ = writeln!(
                        text,
                        "  {:<22} stuck inside {call}, after {done} calls that returned",
                        slot.name
                    );
                }
                None => {
                    let _ = writeln!(
                        text,
                        "  {:<22} between calls, after {done} calls",
                        slot.name
                    );
                }
            }
        }
        text
    }

    /// Whether some caller is inside a call right now.
    fn someone_inside(&self) -> bool {
        self.slots
            .iter()
            .any(|slot| slot.doing.load(Ordering::Relaxed) != 0)
    }
}

/// How long the callers keep calling, and how much they must have interleaved, before the
/// watchdog tells them to stop. This sizes the work; it judges nothing.
///
/// A fixed number of calls is no good: on a busy machine each caller can run its share start to
/// finish inside one timeslice, alone, and then no two calls ever overlap. So the callers go on
/// until [`OVERLAPS_AT_LEAST`] of their calls have *overlapped* — another caller's call returned
/// while they were inside theirs, which takes two cores or a preemption in mid-call — and at
/// least [`HAMMER_AT_LEAST`] has passed. That is the evidence a race needs: the bugs these tests
/// look for show up only in a call that overlaps another.
///
/// Measured on the 2-core reference machine, on both cores and pinned to one
/// (`taskset -c 0`): the lock-in-order bank deadlocked after at most 18 overlapped calls, in 120
/// runs of the two opposite-direction tests (most often after 0 to 3, and the higher the count
/// the rarer: 200 is a wide margin). Correct code reaches the count within 100 ms
/// on two free cores and within about a second on one busy core. [`HAMMER_AT_MOST`] ends the
/// hammering even if it doesn't (then correct code passes, a wrong one may be missed: one-sided).
pub const OVERLAPS_AT_LEAST: u64 = 200;
/// See [`OVERLAPS_AT_LEAST`].
pub const HAMMER_AT_LEAST: Duration = Duration::from_millis(100);
/// See [`OVERLAPS_AT_LEAST`].
pub const HAMMER_AT_MOST: Duration = Duration::from_secs(5);

/// Watches `progress` until `all_done()` says every caller has ended (`Ok`), or until the calls
/// stop finishing while callers are inside the bank: then `Err` with a report of who is stuck
/// where. Sets `stop` to tell the callers to finish, once they have called enough (see
/// [`OVERLAPS_AT_LEAST`]).
pub fn watch(
    progress: &Progress,
    stop: &AtomicBool,
    mut all_done: impl FnMut() -> bool,
) -> Result<(), String> {
    let started = Instant::now();
    let mut seen = progress.finished();
    let mut quiet_looks = 0;
    let mut quiet_since = Instant::now();
    loop {
        thread::sleep(LOOK_EVERY);
        let elapsed = started.elapsed();
        let overlapped = progress.overlapped();
        if (elapsed >= HAMMER_AT_LEAST && overlapped >= OVERLAPS_AT_LEAST)
            || elapsed >= HAMMER_AT_MOST
        {
            stop.store(true, Ordering::Relaxed);
        }
        if all_done() {
            return Ok(());
        }
        let now = progress.finished();
        if now != seen || !progress.someone_inside() {
            seen = now;
            quiet_looks = 0;
            quiet_since = Instant::now();
            continue;
        }
        quiet_looks += 1;
        let quiet_for = quiet_since.elapsed();
        if quiet_looks >= QUIET_LOOKS && quiet_for >= QUIET_AT_LEAST {
            return Err(format!(
                "no call into the bank returned for {:.1} s ({quiet_looks} looks in a row), \
                 while callers were inside it — a deadlock. {} calls had returned, the last \
                 one within {:.2} s of the callers' start; since then:\n{}",
                quiet_for.as_secs_f64(),
                now,
                (quiet_since - started).as_secs_f64(),
                progress.report()
            ));
        }
    }
}
