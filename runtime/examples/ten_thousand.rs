//! Spawning 10,000 tasks: each waits one second (a slow call), all at the same time.
//!
//!     cargo run -p runtime --example ten_thousand -- 10000 1000
//!
//! Arguments: the number of tasks (10000) and how long each one sleeps, in ms (1000).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

// ANCHOR: waitgroup
/// Spawns `n` tasks that each sleep for `pause`, waits for all of them; how many finished.
async fn sleep_together(n: usize, pause: Duration) -> usize {
    let wg = runtime::WaitGroup::new();
    let finished = Arc::new(AtomicUsize::new(0));
    for _ in 0..n {
        wg.add(1);
        let (wg, finished) = (wg.clone(), finished.clone());
        runtime::spawn(async move {
            runtime::sleep(pause).await; // a slow call: the task parks, its worker moves on
            finished.fetch_add(1, Ordering::Relaxed);
            wg.done();
        });
    }
    println!("spawned {n} tasks; {} are alive", runtime::num_tasks());
    wg.wait().await;
    finished.load(Ordering::Relaxed)
}
// ANCHOR_END: waitgroup

// ANCHOR: results
/// Each JoinHandle carries its task's result: no channel needed to collect them.
async fn sum_of_squares(n: u64) -> u64 {
    let handles: Vec<_> = (0..n)
        .map(|id| runtime::spawn(async move { id * id }))
        .collect();
    let mut sum = 0;
    for handle in handles {
        sum += handle.await.expect("squaring does not panic");
    }
    sum
}
// ANCHOR_END: results

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .map_or(10_000, |a| a.parse().expect("TASKS: a number"));
    let ms: u64 = args
        .next()
        .map_or(1_000, |a| a.parse().expect("SLEEP_MS: a number"));
    let pause = Duration::from_millis(ms);

    runtime::run(async move {
        let clock = Instant::now();
        let count = sleep_together(n, pause).await;
        let extra = clock.elapsed().saturating_sub(pause).as_millis();
        println!("{count} tasks slept {ms} ms each; all done after {ms} ms + {extra} ms");
        println!(
            "on {} worker threads: the sleeps overlapped",
            runtime::workers()
        );
        let sum = sum_of_squares(n as u64).await;
        println!("sum of the squares of 0..{n}, one task each: {sum}");
    });
}
