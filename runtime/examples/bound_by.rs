//! CPU-bound vs memory-bound: a parallel sum, limited by memory, and work limited by the CPU.
//!
//!     cargo run --release -p runtime --example bound_by -- 256
//!
//! Sums a 256 MiB array of i64 (argument: MiB) with 1 thread and with 2, then computes an
//! expensive function of each of 1/16 as many numbers, with 1 thread and with 2 (rayon pools).
//! Reports the best of 7 runs of each. `--svg FILE` also draws the two speed-ups as a chart
//! (`--note TEXT`: a line under its title), from the same measurements.

#[path = "charts/bars.rs"]
mod bars;

use bars::{Bar, BarChart, ChartArgs, Marker};
use rayon::prelude::*;
use std::time::{Duration, Instant};

fn main() {
    let args = ChartArgs::from_env();
    let mib: usize = args
        .rest
        .first()
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
    let (sum_gain, crunch_gain) = (
        s1.as_secs_f64() / s2.as_secs_f64(),
        c1.as_secs_f64() / c2.as_secs_f64(),
    );
    println!(
        "sum (memory-bound):      1 thread {:>5} ms, 2 threads {:>5} ms: speed-up x{sum_gain:.2}",
        s1.as_millis(),
        s2.as_millis(),
    );
    println!(
        "expensive (CPU-bound):   1 thread {:>5} ms, 2 threads {:>5} ms: speed-up x{crunch_gain:.2}",
        c1.as_millis(),
        c2.as_millis(),
    );
    if let Some(path) = &args.svg {
        let chart = BarChart {
            title: "Speed-up on 2 threads over 1 (best of 7)".into(),
            note: args.note.clone(),
            x_label: "speed-up (1-thread time / 2-thread time)",
            x_max: 2.4,
            bars: vec![
                Bar {
                    label: "sum (memory-bound)",
                    value: sum_gain,
                    text: format!("×{sum_gain:.2}"),
                },
                Bar {
                    label: "expensive (CPU-bound)",
                    value: crunch_gain,
                    text: format!("×{crunch_gain:.2}"),
                },
            ],
            markers: vec![
                Marker {
                    at: 1.0,
                    label: "×1: no gain",
                },
                Marker {
                    at: 2.0,
                    label: "×2: both threads busy",
                },
            ],
        };
        chart.write(path).expect("the chart can be written");
    }
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
