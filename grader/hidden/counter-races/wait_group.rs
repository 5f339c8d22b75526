//! `count_concurrently`: tasks on the Tasklings runtime, waited for with a WaitGroup.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use counter_races::{count_concurrently, AtomicCounter, ChannelCounter, Counter, MutexCounter};
use probes::live::LiveWork;
use probes::Explore;

/// The test's own counter (right by construction), so these tests judge `count_concurrently` alone.
/// Each increment is live work while it runs, and may take a while.
struct TallyCounter {
    count: AtomicU64,
    live: LiveWork,
    pause: Duration,
}

impl TallyCounter {
    fn new(pause: Duration) -> Arc<TallyCounter> {
        Arc::new(TallyCounter {
            count: AtomicU64::new(0),
            live: LiveWork::new(),
            pause,
        })
    }
}

impl Counter for TallyCounter {
    fn increment(&self) {
        let _running = self.live.start();
        if !self.pause.is_zero() {
            std::thread::sleep(self.pause);
        }
        self.count.fetch_add(1, Ordering::SeqCst);
    }

    fn get(&self) -> u64 {
        self.count.load(Ordering::SeqCst)
    }
}

/// What to add to a message when `count_concurrently` came back short. `own_counter`: the test
/// passed its own (correct) counter, so the shortfall is count_concurrently's.
fn short_hint(got: u64, expected: u64, own_counter: bool) -> &'static str {
    if got >= expected {
        ""
    } else if own_counter {
        " — fewer: did it return before every task had finished? Call wg.add(1) before each \
         spawn, wg.done() when each task ends, and wg.wait().await before counter.get()."
    } else {
        " — fewer: either the counter loses updates (its own tests above say), or \
         count_concurrently returned before every task had finished (wg.add(1) before each spawn, \
         wg.done() when each task ends, wg.wait().await before counter.get())."
    }
}

fn check_total<C: Counter + 'static>(name: &str, counter: C, tasks: usize, increments: usize) {
    let counter = Arc::new(counter);
    let got = count_concurrently(Arc::clone(&counter), tasks, increments);
    let expected = (tasks * increments) as u64;
    assert!(
        got == expected,
        "count_concurrently({name}, {tasks}, {increments}) returned {got}, expected \
         {expected}{}",
        short_hint(got, expected, false)
    );
    let after = counter.get();
    assert!(
        after == expected,
        "after count_concurrently({name}, {tasks}, {increments}) returned {got}, the counter held \
         {after}, expected {expected}"
    );
}

pub fn returns_the_exact_total() {
    check_total("MutexCounter::new()", MutexCounter::new(), 8, 5_000);
    check_total("AtomicCounter::new()", AtomicCounter::new(), 16, 2_000);
    check_total("ChannelCounter::new()", ChannelCounter::new(), 4, 1_000);
}

pub fn adds_to_the_current_count() {
    let counter = TallyCounter::new(Duration::ZERO);
    for _ in 0..7 {
        counter.increment();
    }
    for (tasks, increments, expected) in [(3, 10, 37), (0, 100, 37), (5, 0, 37), (1, 1, 38)] {
        let got = count_concurrently(Arc::clone(&counter), tasks, increments);
        assert!(
            got == expected,
            "count_concurrently(counter, {tasks}, {increments}) on a counter at {} returned {got}, \
             expected {expected}: it returns counter.get() after its own increments, and the \
             counter keeps what it held before{}",
            expected - (tasks * increments) as u64,
            short_hint(got, expected, true)
        );
    }
}

pub fn spawns_tasks_on_the_runtime() {
    let counter = TallyCounter::new(Duration::ZERO);
    // Outside any runtime, metrics() totals every runtime the process ever ran, dropped ones too.
    let before = runtime::metrics();
    let got = count_concurrently(Arc::clone(&counter), 12, 100);
    let after = runtime::metrics();
    let spawned = after.spawned - before.spawned;
    assert!(
        spawned >= 12,
        "count_concurrently(counter, 12, 100) spawned {spawned} task(s) on the Tasklings runtime; \
         it must spawn one task per `tasks` (12 here) with runtime::spawn, inside runtime::run — \
         not threads, and not one task doing all the work"
    );
    assert!(
        got == 1200,
        "count_concurrently(counter, 12, 100) returned {got}, expected 1200{}",
        short_hint(got, 1200, true)
    );
}

/// Explored: every runtime `count_concurrently` builds is deterministic, under 200 seeds in turn
/// (`probes::explore`), so a `wg.add(1)` inside the task — or no wait at all — fails under the
/// same first seed on every run, and the message says how to replay that schedule.
pub fn waits_for_every_task() {
    let explored = Explore::new().run(|| {
        let counter = TallyCounter::new(Duration::ZERO);
        let got = count_concurrently(Arc::clone(&counter), 8, 20);
        let at_return = counter.get();
        assert!(
            got == 160 && at_return == 160,
            "count_concurrently(counter, 8, 20) returned {got} (the counter held {at_return} at \
             that moment), expected 160: it returned before every task had finished. When \
             runtime::run's future returns, the runtime drops every task still waiting or \
             running — Go's main returning. Call wg.add(1) before each spawn (not inside the \
             task), wg.done() when each task ends, and wg.wait().await before counter.get()."
        );
    });
    // Then once on the ordinary runtime, with slow increments: nothing may still run after it
    // returned.
    let counter = TallyCounter::new(Duration::from_micros(200));
    let got = count_concurrently(Arc::clone(&counter), 32, 20);
    let quiet = counter.live.check_quiet(Duration::from_millis(100));
    assert!(
        got == 640,
        "count_concurrently(counter, 32, 20) returned {got}, expected 640 (it passed all \
         {explored} explored schedules, but not this ordinary run){}",
        short_hint(got, 640, true)
    );
    if let Err(problem) = quiet {
        panic!("after count_concurrently returned: {problem}");
    }
}
