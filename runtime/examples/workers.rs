//! Workers, Tasklings' GOMAXPROCS: how many threads run tasks at once, and where that comes from.
//!
//!     cargo run -p runtime --example workers
//!     TASKLINGS_WORKERS=3 cargo run -p runtime --example workers

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

// ANCHOR: defaults
fn print_defaults() {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("available_parallelism: {cpus}");
    println!(
        "TASKLINGS_WORKERS: {}",
        std::env::var("TASKLINGS_WORKERS").unwrap_or_else(|_| "(not set)".into())
    );
    println!(
        "runtime::workers(), what a new Runtime gets: {}",
        runtime::workers()
    );
}
// ANCHOR_END: defaults

// ANCHOR: builder
fn four_workers() -> runtime::Runtime {
    let rt = runtime::Runtime::builder()
        .workers(4)
        .thread_name("crunch")
        .build()
        .expect("four threads can be started");
    println!("Runtime::builder().workers(4): {} workers", rt.workers());
    rt
}
// ANCHOR_END: builder

// ANCHOR: single
/// Runs 100 tasks on a one-worker runtime; how many distinct threads ran them.
fn threads_used_by_one_worker() -> usize {
    let solo = runtime::Runtime::builder()
        .workers(1)
        .build()
        .expect("one thread can be started");
    let threads = Arc::new(Mutex::new(BTreeSet::new()));
    solo.block_on(async {
        let handles: Vec<_> = (0..100)
            .map(|_| {
                let threads = threads.clone();
                runtime::spawn(async move {
                    let me = std::thread::current().id();
                    threads
                        .lock()
                        .expect("not poisoned")
                        .insert(format!("{me:?}"));
                })
            })
            .collect();
        for handle in handles {
            handle.await.expect("no panics here");
        }
    });
    let seen = threads.lock().expect("not poisoned").len();
    seen
}
// ANCHOR_END: single

fn main() {
    print_defaults();
    drop(four_workers());
    let seen = threads_used_by_one_worker();
    println!("workers(1): 100 tasks ran on {seen} thread");
}
