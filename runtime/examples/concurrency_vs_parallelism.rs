//! Concurrency vs parallelism: the same program on one worker and on two.
//!
//!     TASKLINGS_WORKERS=1 cargo run --release -p runtime --example concurrency_vs_parallelism
//!     TASKLINGS_WORKERS=2 cargo run --release -p runtime --example concurrency_vs_parallelism
//!
//! Four tasks that compute (count primes) and four tasks that wait (sleep). With one worker
//! both kinds are concurrent — in progress at the same time — but only the waiting kind finishes
//! in the time of one: computing needs a core, waiting doesn't. With two workers the computing
//! tasks also run in parallel. Optional argument: the prime-counting limit (200000). `--svg FILE`
//! also draws both times, in units of one count, as a chart (`--note TEXT`: a line under its
//! title), from the same measurements; every run's chart has the same scale, so the charts of
//! two runs can be compared side by side.

#[path = "charts/bars.rs"]
mod bars;

use bars::{Bar, BarChart, ChartArgs, Marker};
use std::time::{Duration, Instant};

// ANCHOR: work
/// CPU-bound: counts the primes below `limit` by trial division.
fn count_primes(limit: u64) -> usize {
    (2..limit)
        .filter(|&n| (2..).take_while(|d| d * d <= n).all(|d| n % d != 0))
        .count()
}
// ANCHOR_END: work

fn main() {
    let args = ChartArgs::from_env();
    let limit: u64 = args
        .rest
        .first()
        .map_or(200_000, |a| a.parse().expect("LIMIT: a number"));
    println!("workers: {}", runtime::workers());
    runtime::run(async move {
        let alone = (0..3)
            .map(|_| timed(|| count_primes(limit)))
            .min()
            .expect("3 runs");
        println!(
            "one prime count alone:    {:>5} ms (best of 3)",
            alone.as_millis()
        );

        let (computing, waiting) = four_of_each(limit, alone).await;
        println!(
            "four prime counts:        {:>5} ms = {:.1} x one",
            computing.as_millis(),
            ratio(computing, alone)
        );
        println!(
            "four sleeps of that long: {:>5} ms = {:.1} x one",
            waiting.as_millis(),
            ratio(waiting, alone)
        );
        if let Some(path) = &args.svg {
            chart(ratio(computing, alone), ratio(waiting, alone), &args.note)
                .write(path)
                .expect("the chart can be written");
        }
    });
}

/// The two times in units of one count, against the two times that tell the cases apart.
fn chart(computing: f64, waiting: f64, note: &str) -> BarChart {
    let workers = runtime::workers();
    BarChart {
        title: format!(
            "{workers} worker{}: time in units of one prime count",
            if workers == 1 { "" } else { "s" }
        ),
        note: note.to_string(),
        x_label: "time / time of one prime count alone",
        x_max: 5.0,
        bars: vec![
            Bar {
                label: "four prime counts",
                value: computing,
                text: format!("{computing:.1}"),
            },
            Bar {
                label: "four sleeps",
                value: waiting,
                text: format!("{waiting:.1}"),
            },
        ],
        markers: vec![
            Marker {
                at: 1.0,
                label: "one",
            },
            Marker {
                at: 4.0,
                label: "four in a row",
            },
        ],
    }
}

// ANCHOR: four
/// Four tasks that compute, then four that wait as long as one computation: how long each took.
async fn four_of_each(limit: u64, alone: Duration) -> (Duration, Duration) {
    let clock = Instant::now();
    let tasks: Vec<_> = (0..4)
        .map(|_| runtime::spawn(async move { count_primes(limit) }))
        .collect();
    for task in tasks {
        task.await.expect("counting does not panic");
    }
    let computing = clock.elapsed();

    let clock = Instant::now();
    let tasks: Vec<_> = (0..4)
        .map(|_| runtime::spawn(runtime::sleep(alone)))
        .collect();
    for task in tasks {
        task.await.expect("sleeping does not panic");
    }
    (computing, clock.elapsed())
}
// ANCHOR_END: four

fn timed<T>(f: impl FnOnce() -> T) -> Duration {
    let clock = Instant::now();
    std::hint::black_box(f());
    clock.elapsed()
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}
