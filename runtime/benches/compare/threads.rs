//! std::thread where a shape fits it: one OS thread per task (spawn all, then join all — the
//! most a thread per task can do), a chain of threads each starting the next, and a thread
//! blocked on a channel for `wake_latency` (the futex floor the async runtimes are measured
//! against). Thread counts are capped lower than task counts (see `shapes.rs`).

use std::time::{Duration, Instant};

use crate::job::{timed, Job, Measurement, Shape};
use crate::latch::Latch;

/// Measures `job` with plain threads.
pub fn run(job: &Job) -> Result<Measurement, String> {
    let n = job.n;
    let measurement = match job.shape {
        Shape::SpawnLocal => Measurement::per_op(
            timed(job.warmup, || {
                let latch = Latch::leak(n as usize);
                let start = Instant::now();
                let threads: Vec<_> = (0..n)
                    .map(|_| std::thread::spawn(move || latch.done()))
                    .collect();
                for t in threads {
                    t.join().expect("a no-op thread panicked");
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
                std::thread::spawn(move || hop(n, latch));
                latch.wait();
                start.elapsed()
            }),
            n,
        ),
        Shape::WakeLatency => {
            let skip = 10 * job.warmup as usize;
            let total = n as usize + skip;
            let (tx, rx) = std::sync::mpsc::channel::<Instant>();
            let receiver = std::thread::spawn(move || {
                rx.iter().map(|sent| sent.elapsed()).collect::<Vec<_>>()
            });
            for _ in 0..total {
                std::thread::sleep(Duration::from_micros(job.m));
                tx.send(Instant::now())
                    .map_err(|_| "the receiving thread ended early")?;
            }
            drop(tx);
            let delays = receiver
                .join()
                .map_err(|_| "the receiving thread panicked")?;
            crate::stats::latency_measurement(delays.get(skip..).unwrap_or_default())
        }
        other => return Err(format!("{} has no std::thread version", other.name())),
    };
    Ok(measurement)
}

/// One hop of `chained_spawn`: start the next thread (detached) and exit.
fn hop(remaining: u64, latch: &'static Latch) {
    if remaining == 0 {
        latch.done();
    } else {
        std::thread::spawn(move || hop(remaining - 1, latch));
    }
}
