//! CPU-bound vs memory-bound: a parallel sum, limited by memory, and work limited by the CPU.
//!
//!     cargo run --release -p runtime --example bound_by -- 256
//!
//! Sums a 256 MiB array of i64 (argument: MiB) with 1 thread and with 2, then computes an
//! expensive function of each of 1/16 as many numbers, with 1 thread and with 2 (rayon pools).
//! Reports the best of 7 runs of each.

use rayon::prelude::*;
use std::time::{Duration, Instant};

fn main() {
    let mib: usize = std::env::args()
        .nth(1)
        .map_or(256, |a| a.parse().expect("MiB: a number"));
    let numbers: Vec<i64> = (0..(mib << 20) / 8).map(|i| i as i64 % 1000).collect();
    let few = &numbers[..numbers.len() / 16];
    println!("{} MiB of i64, {} numbers", mib, numbers.len());

    let one = pool(1);
    let two = pool(2);
    // Best of 7, the four measurements taking turns, so a burst of load elsewhere on the
    // machine hits them alike.
    let mut best = [Duration::MAX; 4];
    for _ in 0..7 {
        best[0] = best[0].min(timed(|| sum(&one, &numbers)));
        best[1] = best[1].min(timed(|| sum(&two, &numbers)));
        best[2] = best[2].min(timed(|| crunch(&one, few)));
        best[3] = best[3].min(timed(|| crunch(&two, few)));
    }
    let [s1, s2, c1, c2] = best;
    println!(
        "sum (memory-bound):      1 thread {:>5} ms, 2 threads {:>5} ms: speed-up x{:.2}",
        s1.as_millis(),
        s2.as_millis(),
        s1.as_secs_f64() / s2.as_secs_f64()
    );
    println!(
        "expensive (CPU-bound):   1 thread {:>5} ms, 2 threads {:>5} ms: speed-up x{:.2}",
        c1.as_millis(),
        c2.as_millis(),
        c1.as_secs_f64() / c2.as_secs_f64()
    );
}

// ANCHOR: memory
/// Memory-bound: one addition per 8 bytes read; the cores wait for RAM.
fn sum(pool: &rayon::ThreadPool, numbers: &[i64]) -> i64 {
    pool.install(|| numbers.par_iter().sum())
}
// ANCHOR_END: memory

// ANCHOR: cpu
/// CPU-bound: a lot of arithmetic per number read; the cores are the limit.
fn crunch(pool: &rayon::ThreadPool, numbers: &[i64]) -> i64 {
    pool.install(|| numbers.par_iter().map(|&x| expensive(x)).sum())
}
// ANCHOR_END: cpu

/// Forty rounds of a cheap integer hash: about a hundred instructions per number, no memory.
fn expensive(x: i64) -> i64 {
    let mut h = x as u64;
    for _ in 0..40 {
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    }
    (h % 1000) as i64
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("threads can be started")
}

fn timed<T>(f: impl FnOnce() -> T) -> Duration {
    let clock = Instant::now();
    std::hint::black_box(f());
    clock.elapsed()
}
