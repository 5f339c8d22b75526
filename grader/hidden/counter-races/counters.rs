//! The three counters, hammered from many threads.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use counter_races::{AtomicCounter, ChannelCounter, Counter, MutexCounter};
use probes::harness;
use probes::threads::{os_threads, wait_for_os_threads};

/// How long each hammering thread keeps incrementing.
#[derive(Clone, Copy)]
enum Work {
    /// A fixed number of increments per thread.
    Increments(u64),
    /// As many increments as fit in this (real) time. Only sizes the work, never judged: threads
    /// that race for a few timeslices interleave even on one busy CPU, where a fixed small count
    /// could run each thread start to finish without a single preemption (and lose nothing).
    For(Duration),
}

/// `threads` threads increment `counter`, all starting together (a barrier: a thread started early
/// would otherwise finish before the last one starts); then the total must be exact.
fn check_total<C: Counter>(name: &str, counter: &C, threads: usize, work: Work) {
    let start = Barrier::new(threads + 1);
    let stop = AtomicBool::new(false);
    let made = AtomicU64::new(0);
    thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                start.wait();
                let mut mine = 0_u64;
                loop {
                    let done = match work {
                        Work::Increments(count) => mine == count,
                        Work::For(_) => stop.load(Ordering::Relaxed),
                    };
                    if done {
                        break;
                    }
                    counter.increment();
                    mine += 1;
                }
                made.fetch_add(mine, Ordering::SeqCst);
            });
        }
        start.wait();
        if let Work::For(duration) = work {
            thread::sleep(duration);
            stop.store(true, Ordering::Relaxed);
        }
    });
    let expected = made.load(Ordering::SeqCst);
    let got = counter.get();
    assert!(
        got == expected,
        "{name}: {threads} threads made {expected} increments in all, then get() returned {got}{}",
        if got < expected {
            format!(
                " — {} updates were lost. An increment must be one indivisible step: hold the \
                 lock for the whole read-add-write, use fetch_add, or let only the owner touch \
                 the count.",
                expected - got
            )
        } else {
            " — more than were made.".to_owned()
        }
    );
}

pub fn start_at_zero() {
    fn check<C: Counter>(name: &str, new: C, default: C) {
        let got = new.get();
        assert!(
            got == 0,
            "{name}::new().get() returned {got}; it should be 0"
        );
        let got = default.get();
        assert!(
            got == 0,
            "{name}::default().get() returned {got}; it should be 0"
        );
        for _ in 0..3 {
            new.increment();
        }
        let got = new.get();
        assert!(
            got == 3,
            "{name}: three increments on one thread, then get() returned {got}; it should be 3"
        );
        let got = default.get();
        assert!(
            got == 0,
            "{name}: incrementing one counter made another's get() return {got} — do two \
             counters share state?"
        );
    }
    check("MutexCounter", MutexCounter::new(), MutexCounter::default());
    check(
        "AtomicCounter",
        AtomicCounter::new(),
        AtomicCounter::default(),
    );
    check(
        "ChannelCounter",
        ChannelCounter::new(),
        ChannelCounter::default(),
    );
}

pub fn mutex_counter_counts_every_increment() {
    check_total(
        "MutexCounter",
        &MutexCounter::new(),
        8,
        Work::For(Duration::from_millis(300)),
    );
}

pub fn atomic_counter_counts_every_increment() {
    check_total(
        "AtomicCounter",
        &AtomicCounter::new(),
        8,
        Work::For(Duration::from_millis(300)),
    );
}

pub fn channel_counter_counts_every_increment() {
    // Fixed counts: an owner thread can fall behind many senders, and its queue would grow with time.
    check_total(
        "ChannelCounter",
        &ChannelCounter::new(),
        8,
        Work::Increments(10_000),
    );
}

/// While `threads` threads increment, each now and then notes how many increments have returned
/// so far (on any thread) and then calls `get`: it must see at least that many. Returns the first
/// violation seen.
fn check_get_sees_returned<C: Counter>(
    name: &str,
    counter: &C,
    threads: usize,
    per_thread: u64,
    every: u64,
) {
    let returned = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let problem = Mutex::new(None::<String>);
    let start = Barrier::new(threads);
    thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                start.wait();
                for mine in 1..=per_thread {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    counter.increment();
                    // SeqCst on this tally (the test's own bookkeeping): an increment counted
                    // here returned before any `get` that starts after this tally is read.
                    returned.fetch_add(1, Ordering::SeqCst);
                    if mine % every == 0 {
                        let before = returned.load(Ordering::SeqCst);
                        let got = counter.get();
                        if got < before {
                            stop.store(true, Ordering::Relaxed);
                            let mut problem =
                                problem.lock().unwrap_or_else(|poison| poison.into_inner());
                            problem.get_or_insert(format!(
                                "{name}: get() returned {got} although {before} increments had \
                                 already returned (this thread's own {mine} among them). get must \
                                 include every increment that returned before it was called{}",
                                if name == "ChannelCounter" {
                                    ": ask the owner and wait for its answer, which comes after \
                                     every message already queued — don't read a copy the owner \
                                     updates later."
                                } else {
                                    "."
                                }
                            ));
                            return;
                        }
                    }
                }
            });
        }
    });
    if let Some(problem) = problem.into_inner().unwrap_or_else(|p| p.into_inner()) {
        panic!("{problem}");
    }
    let expected = threads as u64 * per_thread;
    let got = counter.get();
    assert!(
        got == expected,
        "{name}: {threads} threads x {per_thread} increments (with gets in between), then get() \
         returned {got}, expected {expected}"
    );
}

pub fn get_includes_every_increment_that_returned_before() {
    check_get_sees_returned("MutexCounter", &MutexCounter::new(), 4, 20_000, 4);
    check_get_sees_returned("AtomicCounter", &AtomicCounter::new(), 4, 50_000, 4);
    check_get_sees_returned("ChannelCounter", &ChannelCounter::new(), 4, 5_000, 8);
}

/// How long an owner may take to be gone after its counter is dropped. Correct code is gone at
/// once (its `Drop` joined it); only wrong code waits this out.
const GRACE: Duration = Duration::from_secs(2);

/// What a counter's owner shows from outside: the process's OS threads and the live Tasklings
/// tasks of every runtime (`runtime::num_tasks()` outside a runtime). An owner thread raises the
/// first; an owner task on a runtime of the counter's own raises both, on a runtime kept for the
/// whole process only the second. The test judges what they do, not which they are.
#[derive(Clone, Copy)]
struct Running {
    threads: usize,
    tasks: usize,
}

impl std::fmt::Display for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} OS threads and {} live tasks",
            self.threads, self.tasks
        )
    }
}

impl Running {
    fn now(threads: usize) -> Running {
        Running {
            threads,
            tasks: runtime::num_tasks(),
        }
    }
}

/// Waits up to [`GRACE`] for the live tasks to come down to `limit`; `Err(count)` if they don't.
fn wait_for_tasks(limit: usize) -> Result<(), usize> {
    let deadline = Instant::now() + GRACE;
    loop {
        let count = runtime::num_tasks();
        if count <= limit {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(count);
        }
        thread::sleep(Duration::from_millis(2));
    }
}

/// Makes, uses and drops one counter, then returns what runs once it is gone: whatever a correct
/// counter keeps for the whole process (a runtime its owners share, a pool's idle thread) is
/// counted in the baseline from here on. An owner of this first counter that never stops is in
/// the baseline too, and is caught on the second counter.
fn baseline_after_a_first_counter(first: usize) -> Running {
    let counter = ChannelCounter::new();
    counter.increment();
    let _ = counter.get();
    drop(counter);
    let threads = match wait_for_os_threads(first, GRACE) {
        Ok(count) => count.unwrap_or(first),
        Err(still) => still,
    };
    Running::now(threads)
}

pub fn channel_counter_has_an_owner_that_stops_when_dropped() {
    let Some(first) = os_threads() else {
        harness::skip(
            "needs Linux, macOS or Windows: it counts the process's OS threads, which this \
             system doesn't tell",
        );
    };
    let before = baseline_after_a_first_counter(first);
    let counter = ChannelCounter::new();
    counter.increment();
    counter.increment();
    let with_owner = Running::now(os_threads().unwrap_or(0));
    assert!(
        with_owner.threads > before.threads || with_owner.tasks > before.tasks,
        "ChannelCounter::new() (and two increments) started no thread and no Tasklings task \
         ({before} before, {with_owner} after): the count must live with an owner — \
         a thread, or a task — that the others send messages to"
    );
    let got = counter.get();
    assert!(
        got == 2,
        "ChannelCounter: two increments, then get() returned {got}; it should be 2"
    );
    drop(counter);
    if let Err(still) = wait_for_os_threads(before.threads, GRACE) {
        panic!(
            "{} thread(s) the ChannelCounter started were still running {} s after it was \
             dropped: its owner must stop with it. Dropping the last Sender ends the owner's \
             `for message in receiver` loop; wait for the owner in Drop (join its JoinHandle, or \
             drop the runtime it runs on).",
            still - before.threads,
            GRACE.as_secs()
        );
    }
    if let Err(still) = wait_for_tasks(before.tasks) {
        panic!(
            "{} Tasklings task(s) the ChannelCounter spawned were still running {} s after it \
             was dropped: its owner task must end with it (when the channel closes), not wait \
             or spin forever.",
            still - before.tasks,
            GRACE.as_secs()
        );
    }
}
