//! Tasks vs OS threads: what one of each costs on this machine, measured, not quoted.
//!
//! Spawns TASKS tasks and THREADS threads; each one starts, says so, and parks until released.
//! Prints the time to create and start one, and the resident memory one adds while it waits.
//!
//!     cargo run --release -p runtime --example tasks_vs_threads -- 100000 2000
//!
//! Linux only for the memory column (it reads VmRSS from /proc/self/status).

use std::sync::{mpsc, Arc, Barrier};
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let tasks: usize = args
        .next()
        .map_or(100_000, |a| a.parse().expect("TASKS: a number"));
    let threads: usize = args
        .next()
        .map_or(2_000, |a| a.parse().expect("THREADS: a number"));
    println!("{tasks} tasks and {threads} threads, each parked until released");
    println!();
    println!("unit        create+start, each   resident memory, each");
    report("task", measure_tasks(tasks));
    report("OS thread", measure_threads(threads));
    println!();
    print_future_size();
    print_limits();
}

/// What one unit (task or thread) cost.
struct Cost {
    start: Duration,
    rss_bytes: Option<usize>,
}

fn report(unit: &str, cost: Cost) {
    let memory = match cost.rss_bytes {
        Some(bytes) => format!("{bytes} B"),
        None => "n/a (no /proc here)".to_string(),
    };
    println!("{unit:<11} {:>10} ns {:>20}", cost.start.as_nanos(), memory);
}

// ANCHOR: tasks
fn measure_tasks(n: usize) -> Cost {
    let rt = runtime::Runtime::new();
    let release = runtime::CancellationToken::new();
    let started = runtime::WaitGroup::new();
    started.add(n);
    let before = resident_bytes();
    let clock = Instant::now();
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let (release, started) = (release.clone(), started.clone());
            rt.spawn(async move {
                started.done(); // "I am running"
                release.cancelled().await; // park: no thread is held while waiting
            })
        })
        .collect();
    started.wait_blocking(); // every task has run and is now parked
    let start = clock.elapsed() / n as u32;
    let rss_bytes = per_unit(before, resident_bytes(), n);
    release.cancel();
    for handle in handles {
        handle.join().expect("a parked task finishes once released");
    }
    Cost { start, rss_bytes }
}
// ANCHOR_END: tasks

// ANCHOR: threads
fn measure_threads(n: usize) -> Cost {
    let release = Arc::new(Barrier::new(n + 1));
    let (started, started_rx) = mpsc::channel();
    let before = resident_bytes();
    let clock = Instant::now();
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let (release, started) = (release.clone(), started.clone());
            std::thread::spawn(move || {
                started.send(()).expect("main is listening"); // "I am running"
                release.wait(); // park: this OS thread and its stack wait too
            })
        })
        .collect();
    for _ in 0..n {
        started_rx.recv().expect("every thread starts");
    }
    let start = clock.elapsed() / n as u32;
    let rss_bytes = per_unit(before, resident_bytes(), n);
    release.wait();
    for handle in handles {
        handle
            .join()
            .expect("a parked thread finishes once released");
    }
    Cost { start, rss_bytes }
}
// ANCHOR_END: threads

// ANCHOR: future_size
fn print_future_size() {
    let release = runtime::CancellationToken::new();
    let started = runtime::WaitGroup::new();
    let task = async move {
        started.done();
        release.cancelled().await;
    };
    // A task is its future (a state machine holding what lives across `.await`) plus a header:
    // no stack of its own.
    println!("the task's future: {} bytes", std::mem::size_of_val(&task));
}
// ANCHOR_END: future_size

fn print_limits() {
    // A thread's stack is reserved (2 MiB by default for Rust threads), but only the pages it
    // touches are resident. The count of threads is capped by the kernel, not by the runtime.
    let threads_max = std::fs::read_to_string("/proc/sys/kernel/threads-max").ok();
    let user_max = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|limits| {
            limits
                .lines()
                .find(|line| line.starts_with("Max processes"))
                .and_then(|line| line.split_whitespace().nth(2).map(str::to_string))
        });
    println!(
        "thread limits: kernel threads-max {}, per-user processes {}",
        threads_max.as_deref().map_or("n/a", str::trim),
        user_max.as_deref().unwrap_or("n/a")
    );
    println!("task limit: memory");
}

/// Resident set size of this process (Linux), in bytes.
fn resident_bytes() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmRSS:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn per_unit(before: Option<usize>, after: Option<usize>, n: usize) -> Option<usize> {
    Some(after?.saturating_sub(before?) / n.max(1))
}
