//! `wg.add(1)` inside the task: a bug that passes on most runs — until the schedule is made to
//! lose the race every time, with lazy spawning.
//!
//!     cargo run --release -p runtime --example add_inside_task [RUNS]
//!     TASKLINGS_LAZY_SPAWN=1 cargo run …   # lazy spawning for every runtime of a program

use runtime::{Runtime, WaitGroup};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::{Duration, Instant};

const TASKS: usize = 8;

// ANCHOR: mistake
/// Spawns TASKS tasks and waits for them — with `add` in the wrong place. Returns how many
/// tasks had finished when `wait` returned.
async fn add_inside_the_task() -> usize {
    let wg = WaitGroup::new();
    let finished = Arc::new(AtomicUsize::new(0));
    for _ in 0..TASKS {
        let (wg, finished) = (wg.clone(), Arc::clone(&finished));
        runtime::spawn(async move {
            wg.add(1); // too late: wait() below may already have seen zero
            finished.fetch_add(1, SeqCst);
            wg.done();
        });
    }
    other_work(); // a log line, some setup: the tasks get a head start
    wg.wait().await;
    finished.load(SeqCst)
}
// ANCHOR_END: mistake

/// About 50 µs of the spawner's own work before it waits.
fn other_work() {
    let start = Instant::now();
    while start.elapsed() < Duration::from_micros(50) {
        std::hint::spin_loop();
    }
}

async fn add_before_spawning() -> usize {
    let wg = WaitGroup::new();
    let finished = Arc::new(AtomicUsize::new(0));
    for _ in 0..TASKS {
        wg.add(1);
        let (wg, finished) = (wg.clone(), Arc::clone(&finished));
        runtime::spawn(async move {
            finished.fetch_add(1, SeqCst);
            wg.done();
        });
    }
    wg.wait().await;
    finished.load(SeqCst)
}

/// In how many of `runs` runs `wait` returned before every task had finished.
fn early_returns<F: std::future::Future<Output = usize>>(
    runs: usize,
    lazy: bool,
    program: fn() -> F,
) -> usize {
    // ANCHOR: lazy
    let rt = Runtime::builder().lazy_spawn(lazy).build().unwrap();
    // ANCHOR_END: lazy
    (0..runs).filter(|_| rt.block_on(program()) < TASKS).count()
}

fn main() {
    let runs: usize = std::env::args()
        .nth(1)
        .map_or(1000, |n| n.parse().expect("RUNS is a number of runs"));
    println!(
        "{runs} runs of {TASKS} tasks each, on {} workers:",
        runtime::workers()
    );
    println!(
        "add inside the task, default schedule: wait() returned early in {} runs",
        early_returns(runs, false, add_inside_the_task)
    );
    println!(
        "add inside the task, lazy spawning:    wait() returned early in {} runs",
        early_returns(runs, true, add_inside_the_task)
    );
    println!(
        "add before spawning, lazy spawning:    wait() returned early in {} runs",
        early_returns(runs, true, add_before_spawning)
    );
}
