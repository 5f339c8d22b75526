//! `block_on`: what it returns, how many polls it makes for how many wakes, whether a wake from
//! another thread reaches it, and whether it sleeps while it waits.
//!
//! Each scenario runs on a fresh thread (see `instruments::within`), so a `block_on` built on
//! `thread::park` starts without a stray `unpark` token.

use std::thread;
use std::time::Duration;

use mini_executor::block_on;
use probes::harness;
use probes::threads::CpuMeter;

use crate::instruments::{within, yield_now, Gate, Restless, GRACE, QUIET, WAKES_PER_POLL};

/// Rounds of the ping-pong with another thread: the thread wakes, `block_on` polls, again.
const PINGS: usize = 100;
/// How long the whole ping-pong may take. Correct code needs a few milliseconds (30 ms a round
/// would still pass, on a machine busy enough to delay each of 200 thread hand-offs that much).
const PINGS_GRACE: Duration = Duration::from_secs(3);
/// How long the test's thread waits before each of its wakes in `block_on_polls_only_when_woken`.
/// A `block_on` that polls on a timer instead of waiting for the wake polls within this pause (if
/// its nap is shorter), or takes `PINGS` naps of 30 ms or more and misses `PINGS_GRACE` in
/// `block_on_wakes_from_another_thread` (if it is longer): both ways it is caught.
const PAUSE: Duration = Duration::from_millis(100);

pub fn block_on_returns_the_output() {
    let outputs = within(GRACE, || {
        let answer = block_on(async { 40 + 2 });
        let text = block_on(std::future::ready(String::from("ready")));
        // A future that borrows from the caller, and futures that wait (yield) along the way.
        let words = vec!["G", "M", "P"];
        let joined = block_on(async {
            let mut joined = String::new();
            for word in &words {
                yield_now().await;
                joined.push_str(word);
            }
            joined
        });
        let sum = block_on(async {
            let mut sum = 0u64;
            for i in 1..=100 {
                yield_now().await;
                sum += i;
            }
            sum
        });
        (answer, text, joined, sum)
    });
    let Some((answer, text, joined, sum)) = outputs else {
        panic!(
            "block_on did not return within {GRACE:?} for futures that yield (a yield wakes its \
             own waker during poll, then returns Pending): a wake that comes while the future is \
             being polled must lead to one more poll, not be lost"
        );
    };
    assert_eq!(answer, 42, "block_on(async {{ 40 + 2 }}) must return 42");
    assert_eq!(
        text, "ready",
        "block_on(ready(\"ready\")) must return \"ready\""
    );
    assert_eq!(
        joined, "GMP",
        "block_on of a future that borrows [\"G\", \"M\", \"P\"] and yields before each word must \
         return \"GMP\""
    );
    assert_eq!(
        sum, 5050,
        "block_on of a future that adds 1..=100, yielding before each step, must return 5050"
    );
}

pub fn block_on_polls_once_per_batch_of_wakes() {
    const ROUNDS: usize = 50;
    let (future, polls) = Restless::new(ROUNDS);
    let finished = within(GRACE + QUIET, move || block_on(future));
    let polls = polls.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        finished.is_some(),
        "a future that wakes itself {WAKES_PER_POLL} times in each poll (from its own thread and \
         from another) was polled {polls} time(s), then block_on stopped polling it and never \
         returned: a wake that comes *during* the poll was lost. Remember every wake (a flag set \
         by the waker, checked before you sleep), so a wake before the wait still counts"
    );
    let expected = Restless::expected_polls(ROUNDS);
    assert_eq!(
        polls, expected,
        "a future that wakes itself {WAKES_PER_POLL} times in each of {ROUNDS} polls, then waits \
         for one wake from another thread, was polled {polls} times, not {expected}: \
         {WAKES_PER_POLL} wakes before the next poll are one reason to poll again, not \
         {WAKES_PER_POLL}. Remember *that* the future was woken (a flag), not how often (a \
         count, a channel message per wake)"
    );
}

pub fn block_on_wakes_from_another_thread() {
    // Ping-pong: the test's thread waits for each poll, then wakes the future from over there;
    // the future finishes after PINGS wakes. Correct code needs a few milliseconds.
    let gate = Gate::needing(PINGS);
    let pinger = {
        let gate = gate.clone();
        thread::spawn(move || {
            for ping in 1..=PINGS {
                if !gate.wait_for_polls(ping, PINGS_GRACE) {
                    return;
                }
                gate.grant();
            }
        })
    };
    let future = gate.wait();
    let finished = within(PINGS_GRACE, move || block_on(future));
    let polls = gate.polls();
    let Some(()) = finished else {
        if polls <= 1 {
            panic!(
                "the future handed its waker to another thread, which woke it; {PINGS_GRACE:?} \
                 later block_on had still not polled it again. The waker must wake the thread that \
                 sleeps in block_on (unpark it, or notify the condition variable it waits on); \
                 a waker that does nothing (a no-op waker) leaves it asleep forever"
            );
        }
        panic!(
            "a future woken {PINGS} times from another thread, one wake after each poll, had been \
             polled only {polls} times after {PINGS_GRACE:?}: block_on doesn't poll again promptly \
             after a wake. Either the waker doesn't wake the sleeping thread (unpark it, or \
             notify the condition variable it waits on — setting a flag alone isn't enough), or \
             block_on sleeps a fixed time between polls instead of until the wake"
        );
    };
    pinger
        .join()
        .expect("the test's waking thread doesn't panic");
    assert_eq!(
        polls,
        PINGS + 1,
        "a future woken {PINGS} times from another thread (each wake after the previous poll) \
         was polled {polls} times, not {}: block_on must poll once at first and once per wake",
        PINGS + 1
    );
}

pub fn block_on_polls_only_when_woken() {
    // The thread wakes the future twice, after a pause each time; only the second wake comes with
    // the grant that finishes it. Polls: the first, one per wake.
    let gate = Gate::new();
    let waker = {
        let gate = gate.clone();
        thread::spawn(move || {
            if !gate.wait_for_polls(1, GRACE) {
                return;
            }
            thread::sleep(PAUSE);
            gate.wake();
            if !gate.wait_for_polls(2, GRACE) {
                return;
            }
            thread::sleep(PAUSE);
            gate.grant();
        })
    };
    let future = gate.wait();
    let finished = within(GRACE + 2 * PAUSE, move || block_on(future));
    let polls = gate.polls();
    assert!(
        finished.is_some(),
        "block_on never returned a future that another thread woke twice (it was polled {polls} \
         time(s)): does the waker wake the thread sleeping in block_on?"
    );
    waker
        .join()
        .expect("the test's waking thread doesn't panic");
    assert_eq!(
        polls, 3,
        "a future woken twice by another thread (after a pause of {PAUSE:?} each time) was \
         polled {polls} times, not 3: block_on polls only after a wake. Don't poll in a loop or on \
         a timer (thread::sleep, yield_now, a spin loop) — sleep until the waker says so"
    );
}

pub fn block_on_does_not_spin_while_waiting() {
    // The future waits for a thread that sleeps; correct code sleeps too, and burns next to no
    // CPU (well under 1% of one), however long it waits. A spinning block_on burns about as much
    // CPU as wall time passes — less only when the machine is so busy it gets little of a CPU,
    // which can let a spinner slip through but never fail correct code. Hence the low bar.
    let nap = Duration::from_millis(200);
    let gate = Gate::new();
    let future = gate.wait();
    let opener = {
        let gate = gate.clone();
        thread::spawn(move || {
            if gate.wait_for_polls(1, GRACE) {
                thread::sleep(nap);
                gate.grant();
            }
        })
    };
    let usage = within(GRACE + nap, move || {
        CpuMeter::measure(|| block_on(future)).1
    });
    let Some(usage) = usage else {
        panic!(
            "block_on never returned a future that another thread woke after {nap:?}: does the \
             waker wake the thread sleeping in block_on?"
        );
    };
    opener
        .join()
        .expect("the test's waking thread doesn't panic");
    let Some(usage) = usage else {
        harness::skip("this platform doesn't let the test read the process's CPU time");
    };
    assert!(
        usage.cpu_per_wall() < 0.1,
        "while block_on waited {:.0?} for a wake from another thread, the process burned {:.0?} \
         of CPU ({:.0}% of a CPU): block_on keeps the CPU busy instead of sleeping. Park the \
         thread (thread::park, or Condvar::wait) until the waker wakes it",
        usage.wall,
        usage.cpu,
        usage.cpu_per_wall() * 100.0
    );
}
