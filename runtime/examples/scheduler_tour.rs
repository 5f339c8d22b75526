//! The scheduler at work: one task spawns many; idle workers steal from its local queue.
//! Prints the runtime's counters per worker.
//!
//!     cargo run --release -p runtime --example scheduler_tour -- 100000
//!
//! The same storm simulated (deterministic mode, docs/runtime-env.md): one thread plays both
//! workers in an order chosen by the seed, so two runs print the same counters and write the
//! same trace, byte for byte (open it in Perfetto; `-- 1000` makes one small enough to read):
//!
//!     TASKLINGS_SEED=42 TASKLINGS_TRACE=t.json cargo run -p runtime --example scheduler_tour

// ANCHOR: tour
/// On a two-worker runtime, one task spawns `n` children and adds up their results.
fn spawn_storm(n: u64) -> (u64, runtime::Metrics) {
    let rt = runtime::Runtime::builder()
        .workers(2)
        .build()
        .expect("two threads can be started");
    let total = rt.block_on(async move {
        // This spawner runs on a worker: its children go to that worker's LIFO slot and local
        // queue. The other worker has nothing to do, so it steals.
        let spawner = runtime::spawn(async move {
            let children: Vec<_> = (0..n)
                .map(|i| runtime::spawn(async move { i % 7 }))
                .collect();
            let mut total = 0;
            for child in children {
                total += child.await.expect("no panics here");
            }
            total
        });
        spawner.await.expect("no panics here")
    });
    (total, rt.metrics())
}
// ANCHOR_END: tour

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .map_or(100_000, |a| a.parse().expect("TASKS: a number"));
    let (total, m) = spawn_storm(n);
    println!("total: {total}");
    println!("worker   spawned  completed     polls    steals     parks");
    for (i, w) in m.per_worker.iter().enumerate() {
        println!(
            "{i:>6} {:>9} {:>10} {:>9} {:>9} {:>9}",
            w.spawned, w.completed, w.polls, w.steals, w.parks
        );
    }
    println!(
        "{:>6} {:>9} {:>10} {:>9} {:>9} {:>9}",
        "all", m.spawned, m.completed, m.polls, m.steals, m.parks
    );
}
