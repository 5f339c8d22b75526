//! rayon's thread pool (`num_threads(workers)`) where a shape fits it: spawns from a pool thread
//! go to that thread's deque (`scope`, `rayon::spawn`), spawns from outside to the pool's
//! injector (`ThreadPool::spawn`), and `fork_join` uses `rayon::join`, which runs an un-stolen
//! half inline with no allocation — the reference point for what fork-join can cost.

use std::time::Instant;

use crate::job::{timed, Job, Measurement, Shape};
use crate::latch::Latch;

/// Measures `job` on a fresh rayon pool.
pub fn run(job: &Job) -> Result<Measurement, String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(job.workers)
        .build()
        .map_err(|e| format!("cannot build the rayon pool: {e}"))?;
    pool.install(|| {}); // start the threads
    let n = job.n;
    let measurement = match job.shape {
        Shape::SpawnLocal => Measurement::per_op(
            timed(job.warmup, || {
                let latch = Latch::leak(n as usize);
                let start = Instant::now();
                // `scope` runs its body on a pool thread, so these spawns are local.
                pool.scope(|s| {
                    for _ in 0..n {
                        s.spawn(move |_| latch.done());
                    }
                });
                latch.wait();
                start.elapsed()
            }),
            n,
        ),
        Shape::SpawnRemote => Measurement::per_op(
            timed(job.warmup, || {
                let latch = Latch::leak(n as usize);
                let start = Instant::now();
                for _ in 0..n {
                    pool.spawn(move || latch.done());
                }
                latch.wait();
                start.elapsed()
            }),
            n,
        ),
        Shape::ChainedSpawn => Measurement::per_op(
            timed(job.warmup, || {
                let latch = Latch::leak(1);
                let start = Instant::now();
                pool.spawn(move || hop(n, latch));
                latch.wait();
                start.elapsed()
            }),
            n,
        ),
        Shape::ForkJoin => {
            let expected = crate::shapes::fib(n);
            let mut got = 0;
            let elapsed = timed(job.warmup, || {
                let start = Instant::now();
                got = pool.install(|| fib(n));
                start.elapsed()
            });
            if got != expected {
                return Err(format!("fib({n}) came out as {got}, expected {expected}"));
            }
            Measurement::per_op(elapsed, crate::shapes::forks(n))
        }
        other => return Err(format!("{} has no rayon version", other.name())),
    };
    Ok(measurement)
}

/// One hop of `chained_spawn` on a pool thread.
fn hop(remaining: u64, latch: &'static Latch) {
    if remaining == 0 {
        latch.done();
    } else {
        rayon::spawn(move || hop(remaining - 1, latch));
    }
}

/// fib(n) with a `rayon::join` at every node, no cutoff.
fn fib(n: u64) -> u64 {
    if n < 2 {
        return n;
    }
    let (a, b) = rayon::join(|| fib(n - 1), || fib(n - 2));
    a + b
}
