//! How the inputs run: one Tasklings task each, all alive at the same time, on a few threads.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use probes::harness;
use probes::threads::os_threads;
use probes::Rendezvous;
use spawn_many::spawn_all;

use crate::meeting::{Gate, Outcome};
use crate::PATIENCE;

/// Spawned tasks allowed beyond one per input: a task of your own that spawns the others, a
/// collector.
const EXTRA_TASKS: u64 = 2;

pub fn spawns_one_task_per_input() {
    for n in [100u64, 7] {
        // Outside any runtime, metrics() totals every runtime the process ever ran, dropped ones
        // included: the one spawn_all builds and drops is counted.
        let before = runtime::metrics().spawned;
        let outputs = spawn_all((0..n).collect(), |i| async move { i * 3 });
        let spawned = runtime::metrics().spawned - before;
        assert!(
            (n..=n + EXTRA_TASKS).contains(&spawned),
            "spawn_all with {n} inputs spawned {spawned} task(s) on the Tasklings runtime, \
             expected {n}: one task per input{}",
            if spawned == 0 {
                ". None at all: threads, tokio tasks, or futures awaited (or joined with \
                 join_all) without spawning them don't count — call runtime::spawn(f(input)) \
                 for each input, inside runtime::run(async move { … })."
            } else if spawned < n {
                ", not a few tasks that each run several inputs' futures (a single task that \
                 awaits them all is one task, not many). Call runtime::spawn(f(input)) for each \
                 input."
            } else {
                ", not several per input (a task of your own besides, to spawn or collect the \
                 others, is fine)."
            }
        );
        let expected: Vec<u64> = (0..n).map(|i| i * 3).collect();
        assert!(
            outputs == expected,
            "spawn_all((0..{n}).collect(), |i| async move {{ i * 3 }}) returned {outputs:?}, \
             expected {expected:?}"
        );
    }
}

/// Inputs of the rendezvous: well above the worker count of any machine, so a pool of workers
/// that each run inputs one after another can't get them all together.
const TOGETHER: usize = 50;

pub fn runs_every_task_at_the_same_time() {
    let rendezvous = Rendezvous::new(TOGETHER, PATIENCE);
    let outputs = {
        let rendezvous = rendezvous.clone();
        spawn_all((0..TOGETHER).collect(), move |i| {
            let arrive = rendezvous.arrive_async();
            async move { (i, arrive.await) }
        })
    };
    assert!(
        rendezvous.reached(),
        "spawn_all's {TOGETHER} tasks never all ran at the same time: each of them waits until \
         all {TOGETHER} have started, and at most {} did at once, so the first one waited {} ms \
         in vain. Spawn every task before awaiting any: awaiting each JoinHandle (or calling \
         block_on, or runtime::run) right after its spawn runs the inputs one after another, as \
         does one task that awaits them in a loop.",
        rendezvous.max_together(),
        PATIENCE.as_millis()
    );
    let expected: Vec<(usize, bool)> = (0..TOGETHER).map(|i| (i, true)).collect();
    assert!(
        outputs == expected,
        "spawn_all((0..{TOGETHER}).collect(), f) returned {outputs:?}, expected each input's \
         own output in input order: [(0, true), (1, true), …]"
    );
}

pub fn uses_no_thread_per_input() {
    if os_threads().is_none() {
        harness::skip(
            "needs Linux, macOS or Windows: it counts the process's OS threads, which this \
             system doesn't tell",
        );
    }
    // Many more inputs than threads any correct runtime starts (its workers, a couple more),
    // and not so many that a thread each would hit the grader's thread limit (512).
    let n = 2 * runtime::workers() + 200;
    let gate = Gate::new(n, PATIENCE);
    let most_threads = Arc::new(AtomicUsize::new(0));
    let before = os_threads().unwrap_or(0); // the gate's watchdog thread is already running
    {
        let (gate, most_threads) = (gate.clone(), Arc::clone(&most_threads));
        spawn_all((0..n).collect(), move |i| {
            let (arrive, most_threads) = (gate.arrive(i), Arc::clone(&most_threads));
            async move {
                // The last task to arrive counts while every other one waits at the gate: a
                // thread per input is a thread per waiting task.
                most_threads.fetch_max(os_threads().unwrap_or(0), Ordering::SeqCst);
                arrive.await
            }
        });
    }
    assert!(
        gate.outcome() == Outcome::Reached,
        "spawn_all's {n} tasks were never all alive at once (at most {} were waiting at the same \
         time), so their threads couldn't be counted: spawn every task before awaiting any (see \
         runs_every_task_at_the_same_time).",
        gate.most_waiting()
    );
    let extra = most_threads.load(Ordering::SeqCst).saturating_sub(before);
    assert!(
        extra < n / 2,
        "while spawn_all's {n} tasks were all waiting, this process had {extra} more OS threads \
         than before the call: a thread per input. Tasks share the runtime's {} worker threads \
         — a waiting task holds no thread. Spawn each input's future with runtime::spawn and \
         .await the JoinHandles inside runtime::run; no std::thread::spawn, spawn_blocking, \
         JoinHandle::join on threads of your own, or Runtime per input.",
        runtime::workers()
    );
}
