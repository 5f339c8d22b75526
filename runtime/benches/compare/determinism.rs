//! `--determinism`: what deterministic mode and tracing cost, as ratios against the normal
//! runtime with one worker measured in the same run (issue 11's numbers).
//!
//! | variant | runtime |
//! |---|---|
//! | `normal` | `Runtime::builder().workers(1)` — the baseline (1.00) |
//! | `normal+trace` | the same, recording a trace (`Builder::trace`) |
//! | `det` | `deterministic(seed)`, uniform random, 2 workers played |
//! | `det+trace` | the same, recording a trace |
//!
//! Shapes (each iteration on a fresh runtime, built and dropped outside the timing; the trace
//! file is written on drop, so only recording is timed): `spawn` (one task spawns `n` no-op
//! tasks, a WaitGroup counts them), `yield` (`n` tasks yielding `m` times), `ping_pong` (`n`
//! pairs over tokio oneshots, as `async_shapes`). The number is nanoseconds per poll (the
//! runtime's own poll counter). Variants take turns round by round; a ratio is the median of the
//! round-by-round ratios, so drift on a shared machine hits both sides alike.
//!
//! Then **exploration speed**: the WaitGroup scenario (four tasks, each adding to a shared
//! counter between yields, `done` on a WaitGroup that `main` awaits) run under seed after seed,
//! each on a fresh deterministic runtime: schedules per second, and the time for 1,000 — with
//! the random policy and with PCT (depth 3). PCT is not in the table above: it scans the
//! runnable tasks at each step, made for scenarios of a few tasks, not for 20,000 at once.

use runtime::{Policy, Runtime, WaitGroup};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Variant {
    Normal,
    NormalTraced,
    Det,
    DetTraced,
}

const VARIANTS: [Variant; 4] = [
    Variant::Normal,
    Variant::NormalTraced,
    Variant::Det,
    Variant::DetTraced,
];

impl Variant {
    fn name(self) -> &'static str {
        match self {
            Variant::Normal => "normal (1 worker)",
            Variant::NormalTraced => "normal+trace",
            Variant::Det => "det (random)",
            Variant::DetTraced => "det+trace",
        }
    }

    fn build(self, seed: u64) -> Runtime {
        let trace =
            std::env::temp_dir().join(format!("tasklings-bench-{}.json", std::process::id()));
        let builder = Runtime::builder().workers(1);
        let builder = match self {
            Variant::Normal => builder,
            Variant::NormalTraced => builder.trace(trace),
            Variant::Det => Runtime::builder().deterministic(seed),
            Variant::DetTraced => Runtime::builder().deterministic(seed).trace(trace),
        };
        builder.build().expect("the benchmark's runtime starts")
    }
}

#[derive(Clone, Copy)]
enum Shape {
    Spawn(u64),
    Yield(u64, u64),
    PingPong(u64),
}

impl Shape {
    fn name(self) -> String {
        match self {
            Shape::Spawn(n) => format!("spawn ({n} tasks)"),
            Shape::Yield(n, m) => format!("yield ({n} tasks x {m})"),
            Shape::PingPong(n) => format!("ping_pong ({n} pairs)"),
        }
    }

    /// One timed iteration: nanoseconds per poll.
    fn measure(self, variant: Variant, seed: u64) -> f64 {
        let rt = variant.build(seed);
        // Start the worker (normal mode) before timing.
        rt.block_on(async { runtime::spawn(async {}).await.unwrap() });
        let polls_before = rt.metrics().polls;
        let start = Instant::now();
        match self {
            Shape::Spawn(n) => rt.block_on(spawn(n)),
            Shape::Yield(n, m) => rt.block_on(yields(n, m)),
            Shape::PingPong(n) => rt.block_on(ping_pong(n)),
        }
        let elapsed = start.elapsed();
        let polls = rt.metrics().polls - polls_before;
        drop(rt);
        elapsed.as_nanos() as f64 / polls.max(1) as f64
    }
}

async fn spawn(n: u64) {
    let wg = WaitGroup::new();
    wg.add(n as usize);
    let spawner = {
        let wg = wg.clone();
        runtime::spawn(async move {
            for _ in 0..n {
                let wg = wg.clone();
                drop(runtime::spawn(async move { wg.done() }));
            }
        })
    };
    spawner.await.unwrap();
    wg.wait().await;
}

async fn yields(n: u64, m: u64) {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            runtime::spawn(async move {
                for _ in 0..m {
                    runtime::yield_now().await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
}

async fn ping_pong(n: u64) {
    let pairs: Vec<_> = (0..n).map(|_| runtime::spawn(pair())).collect();
    for pair in pairs {
        pair.await.unwrap();
    }
}

async fn pair() {
    let (ping_tx, ping_rx) = tokio::sync::oneshot::channel::<()>();
    let (pong_tx, pong_rx) = tokio::sync::oneshot::channel::<()>();
    drop(runtime::spawn(async move {
        ping_rx.await.expect("ping sender dropped");
        pong_tx.send(()).expect("pong receiver dropped");
    }));
    ping_tx.send(()).expect("ping receiver dropped");
    pong_rx.await.expect("pong sender dropped");
}

/// The WaitGroup scenario explored: returns the counter (4 × 3 when nothing is lost).
async fn waitgroup_scenario() -> u64 {
    let wg = WaitGroup::new();
    let counter = Arc::new(AtomicU64::new(0));
    for _ in 0..4 {
        wg.add(1);
        let (wg, counter) = (wg.clone(), counter.clone());
        runtime::spawn(async move {
            for _ in 0..3 {
                let seen = counter.load(Relaxed);
                runtime::yield_now().await;
                counter.store(seen + 1, Relaxed); // a lost update under some schedules
            }
            wg.done();
        });
    }
    wg.wait().await;
    counter.load(Relaxed)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Runs the table and the exploration; `quick` makes both smaller.
pub fn run(quick: bool, runs: usize) {
    let shapes = if quick {
        [
            Shape::Spawn(20_000),
            Shape::Yield(200, 50),
            Shape::PingPong(5_000),
        ]
    } else {
        [
            Shape::Spawn(100_000),
            Shape::Yield(1_000, 100),
            Shape::PingPong(20_000),
        ]
    };
    println!(
        "deterministic mode and tracing: ns per poll, and the ratio to the normal runtime with"
    );
    println!(
        "one worker (median of {runs} round-by-round ratios; each round runs every variant once)\n"
    );
    print!("{:<26}", "shape");
    for variant in VARIANTS {
        print!("{:>24}", variant.name());
    }
    println!();
    for shape in shapes {
        // Untimed warm-up of every variant (allocator, page faults).
        VARIANTS.iter().for_each(|&v| {
            shape.measure(v, 0);
        });
        let mut ns: Vec<Vec<f64>> = vec![Vec::new(); VARIANTS.len()];
        let mut ratios: Vec<Vec<f64>> = vec![Vec::new(); VARIANTS.len()];
        for round in 0..runs {
            let row: Vec<f64> = VARIANTS
                .iter()
                .map(|&v| shape.measure(v, round as u64 + 1))
                .collect();
            for (i, value) in row.iter().enumerate() {
                ns[i].push(*value);
                ratios[i].push(value / row[0]);
            }
        }
        print!("{:<26}", shape.name());
        for i in 0..VARIANTS.len() {
            let cell = format!(
                "{:.0} ns ({:.2}x)",
                median(&mut ns[i]),
                median(&mut ratios[i])
            );
            print!("{cell:>24}");
        }
        println!();
    }
    let schedules = if quick { 1_000 } else { 5_000 };
    explore(schedules, Policy::Random);
    explore(schedules, Policy::Pct { depth: 3 });
}

/// Schedules per second of the WaitGroup scenario.
fn explore(schedules: u64, policy: Policy) {
    let start = Instant::now();
    let mut lost = 0;
    let mut first_1000 = Duration::ZERO;
    for seed in 0..schedules {
        let rt = Runtime::builder()
            .deterministic(seed)
            .policy(policy)
            .build()
            .expect("runtime");
        if rt.block_on(waitgroup_scenario()) != 12 {
            lost += 1;
        }
        drop(rt);
        if seed + 1 == 1_000 {
            first_1000 = start.elapsed();
        }
    }
    let elapsed = start.elapsed();
    println!(
        "\nexploration ({policy}): the WaitGroup scenario (4 tasks x 3 racy increments) under {schedules} seeds: \
         {:.0} schedules/s; 1,000 schedules took {:.0} ms; {lost} of {schedules} schedules lost an update",
        schedules as f64 / elapsed.as_secs_f64(),
        first_1000.as_secs_f64() * 1000.0
    );
}
