//! The shapes as written once for every async runtime, so that Tasklings and tokio run exactly
//! the same code: only spawning, yielding, joining and the parking gate differ, and those come
//! from the [`AsyncRuntime`] trait (`tasklings.rs`, `tokio_mt.rs`).
//!
//! Spawns inside a task go through [`AsyncRuntime::spawn`], the worker's local path; the root
//! task of each iteration comes in through [`AsyncRuntime::spawn_remote`] from the measuring
//! thread, which then blocks on a [`Latch`] — never on `block_on` around the spawning loop, which
//! in tokio would send every spawn down the remote path (the `block_on` gotcha). Channels are
//! tokio's `oneshot` and `mpsc`, which run on any executor, so both runtimes use the same ones.

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use crate::job::{proc_status_kb, timed, Job, Measurement, Shape};
use crate::latch::Latch;

/// What the shapes need from an async runtime.
pub trait AsyncRuntime: Sized + 'static {
    type JoinHandle<T: Send + 'static>: Future<Output = Result<T, Self::JoinError>>
        + Send
        + Unpin
        + 'static;
    type JoinError: Debug;
    /// What `mem_parked` tasks wait on: the runtime's own WaitGroup, Notify or the like.
    type Gate: Send + Sync + 'static;

    /// A runtime with `workers` worker threads.
    fn build(workers: usize) -> Self;
    /// Spawns from a thread that is not one of the runtime's workers.
    fn spawn_remote<F>(&self, future: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;
    /// Spawns from inside a task of this runtime.
    fn spawn<F>(future: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static;
    /// Blocks the calling thread (not a worker) until the task behind `handle` finishes.
    fn join<T: Send + 'static>(&self, handle: Self::JoinHandle<T>) -> Result<T, Self::JoinError>;
    /// Lets the other tasks on this worker run.
    fn yield_now() -> impl Future<Output = ()> + Send;
    /// A closed gate.
    fn gate() -> Self::Gate;
    /// Waits until `gate` opens; the first poll registers the task as a waiter. An `open` that
    /// comes after this future is made but before its first poll must still release it.
    fn wait_for(gate: &'static Self::Gate) -> impl Future<Output = ()> + Send + 'static;
    /// Opens `gate`, waking every task waiting on it.
    fn open(gate: &Self::Gate);
    /// The runtime's own counters after a run (spawns, polls, steals, parks), if it keeps any;
    /// the child prints them on stderr, and `--verbose` shows them.
    fn counters(&self) -> Option<String> {
        None
    }
}

/// Spawns from inside a task and detaches (drops the JoinHandle), as `go f()` does.
fn go<R: AsyncRuntime>(future: impl Future<Output = ()> + Send + 'static) {
    drop(R::spawn(future));
}

/// Measures `job` on a fresh runtime of type `R`.
pub fn run<R: AsyncRuntime>(job: &Job) -> Result<Measurement, String> {
    let rt = R::build(job.workers);
    // Start the workers and let them go idle, so no shape pays for thread start-up.
    rt.join(rt.spawn_remote(async {}))
        .map_err(|e| format!("a no-op task failed: {e:?}"))?;
    let (n, m, warmup) = (job.n, job.m, job.warmup);
    let measurement = match job.shape {
        Shape::SpawnLocal => spawn_local(&rt, n, warmup),
        Shape::SpawnRemote => spawn_remote(&rt, n, warmup),
        Shape::ChainedSpawn => chained_spawn(&rt, n, warmup),
        Shape::YieldMany => yield_many(&rt, n, m, warmup),
        Shape::PingPong => ping_pong(&rt, n, m, warmup),
        Shape::ForkJoin => fork_join(&rt, n, warmup)?,
        Shape::MemParked => mem_parked(&rt, n),
        Shape::WakeLatency => wake_latency(&rt, n, m, warmup),
    };
    if let Some(counters) = rt.counters() {
        eprintln!("counters: {counters}");
    }
    drop(rt);
    Ok(measurement)
}

/// `n` no-op tasks spawned (and detached) from one task.
fn spawn_local<R: AsyncRuntime>(rt: &R, n: u64, warmup: u32) -> Measurement {
    let elapsed = timed(warmup, || {
        let latch = Latch::leak(n as usize);
        let start = Instant::now();
        drop(rt.spawn_remote(async move {
            for _ in 0..n {
                go::<R>(async move { latch.done() });
            }
        }));
        latch.wait();
        start.elapsed()
    });
    Measurement::per_op(elapsed, n)
}

/// `n` no-op tasks spawned from the measuring thread.
fn spawn_remote<R: AsyncRuntime>(rt: &R, n: u64, warmup: u32) -> Measurement {
    let elapsed = timed(warmup, || {
        let latch = Latch::leak(n as usize);
        let start = Instant::now();
        for _ in 0..n {
            drop(rt.spawn_remote(async move { latch.done() }));
        }
        latch.wait();
        start.elapsed()
    });
    Measurement::per_op(elapsed, n)
}

/// A chain of `n` tasks, each spawning the next.
fn chained_spawn<R: AsyncRuntime>(rt: &R, n: u64, warmup: u32) -> Measurement {
    let elapsed = timed(warmup, || {
        let latch = Latch::leak(1);
        let start = Instant::now();
        drop(rt.spawn_remote(async move { hop::<R>(n, latch) }));
        latch.wait();
        start.elapsed()
    });
    Measurement::per_op(elapsed, n)
}

/// `n` tasks yielding `m` times each.
fn yield_many<R: AsyncRuntime>(rt: &R, n: u64, m: u64, warmup: u32) -> Measurement {
    let elapsed = timed(warmup, || {
        let latch = Latch::leak(n as usize);
        let start = Instant::now();
        drop(rt.spawn_remote(async move {
            for _ in 0..n {
                go::<R>(async move {
                    for _ in 0..m {
                        R::yield_now().await;
                    }
                    latch.done();
                });
            }
        }));
        latch.wait();
        start.elapsed()
    });
    Measurement::per_op(elapsed, n * m)
}

/// `m` batches of `n` ping-pong pairs.
fn ping_pong<R: AsyncRuntime>(rt: &R, n: u64, m: u64, warmup: u32) -> Measurement {
    let elapsed = timed(warmup, || {
        let start = Instant::now();
        for _ in 0..m {
            let latch = Latch::leak(n as usize);
            drop(rt.spawn_remote(async move {
                for _ in 0..n {
                    go::<R>(ping_pong_pair::<R>(latch));
                }
            }));
            latch.wait();
        }
        start.elapsed()
    });
    Measurement::per_op(elapsed, n * m)
}

/// fib(`n`) by spawn-and-await, checked against the plain computation.
fn fork_join<R: AsyncRuntime>(rt: &R, n: u64, warmup: u32) -> Result<Measurement, String> {
    let expected = crate::shapes::fib(n);
    let mut got = 0;
    let elapsed = timed(warmup, || {
        let start = Instant::now();
        got = rt.join(rt.spawn_remote(fib::<R>(n))).unwrap_or(u64::MAX);
        start.elapsed()
    });
    if got != expected {
        return Err(format!("fib({n}) came out as {got}, expected {expected}"));
    }
    Ok(Measurement::per_op(elapsed, crate::shapes::forks(n)))
}

/// One hop of `chained_spawn`: spawn the next hop and exit; the last one opens the latch.
fn hop<R: AsyncRuntime>(remaining: u64, latch: &'static Latch) {
    if remaining == 0 {
        latch.done();
    } else {
        go::<R>(async move { hop::<R>(remaining - 1, latch) });
    }
}

/// tokio's `ping_pong` pair: this task spawns a partner, sends it a ping and waits for the pong.
async fn ping_pong_pair<R: AsyncRuntime>(latch: &'static Latch) {
    let (ping_tx, ping_rx) = tokio::sync::oneshot::channel::<()>();
    let (pong_tx, pong_rx) = tokio::sync::oneshot::channel::<()>();
    go::<R>(async move {
        ping_rx.await.expect("ping sender dropped");
        pong_tx.send(()).expect("pong receiver dropped");
    });
    ping_tx.send(()).expect("ping receiver dropped");
    pong_rx.await.expect("pong sender dropped");
    latch.done();
}

/// fib(n) with a spawn at every node and no sequential cutoff: one branch becomes a new task,
/// the other runs inline, then the task awaits the spawned one (the shape of `rayon::join`).
fn fib<R: AsyncRuntime>(n: u64) -> Pin<Box<dyn Future<Output = u64> + Send>> {
    Box::pin(async move {
        if n < 2 {
            return n;
        }
        let forked = R::spawn(fib::<R>(n - 1));
        let inline = fib::<R>(n - 2).await;
        forked.await.expect("a fib task failed") + inline
    })
}

/// Parks `n` tasks on one gate and reports the resident bytes each adds (no warm-up: the heap
/// must be fresh) and the time to spawn and park them all.
fn mem_parked<R: AsyncRuntime>(rt: &R, n: u64) -> Measurement {
    let gate: &'static R::Gate = Box::leak(Box::new(R::gate()));
    let started = Latch::leak(n as usize);
    let finished = Latch::leak(n as usize);
    // The same body as Go's `started.Done(); <-gate; finished.Done()`. The wait future is made
    // before counting in, so an `open` that comes before its first poll still releases it (a
    // WaitGroup at zero is ready; a tokio `Notified` counts `notify_waiters` calls from its
    // creation); the sleep below lets the last tasks register before RSS is read.
    let parked_task = move || async move {
        let parked = R::wait_for(gate);
        started.done();
        parked.await;
        finished.done();
    };
    // For --verbose: how much of a parked task is the future itself (the rest is the runtime's).
    eprintln!(
        "mem_parked: each task's future is {} bytes",
        std::mem::size_of_val(&parked_task())
    );
    let rss_before = proc_status_kb("VmRSS");
    let start = Instant::now();
    drop(rt.spawn_remote(async move {
        for _ in 0..n {
            go::<R>(parked_task());
        }
    }));
    started.wait();
    let elapsed = start.elapsed();
    // Let the workers finish whatever bookkeeping follows the last park before reading RSS.
    std::thread::sleep(Duration::from_millis(50));
    let rss_parked = proc_status_kb("VmRSS");
    R::open(gate);
    finished.wait();
    Measurement {
        bytes_per_task: Some(rss_parked.saturating_sub(rss_before) as f64 * 1024.0 / n as f64),
        ..Measurement::per_op(elapsed, n)
    }
}

/// Sends `events` messages, `gap_us` apart, from this (non-worker) thread to one task parked on
/// a channel in an otherwise idle runtime; reports the p50 and p99 delay from send to the task
/// running. The first `10 × warmup` events are not counted.
fn wake_latency<R: AsyncRuntime>(rt: &R, events: u64, gap_us: u64, warmup: u32) -> Measurement {
    let skip = 10 * warmup as usize;
    let total = events as usize + skip;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    let receiver = rt.spawn_remote(async move {
        let mut delays = Vec::with_capacity(total);
        while let Some(sent) = rx.recv().await {
            delays.push(sent.elapsed());
        }
        delays
    });
    for _ in 0..total {
        std::thread::sleep(Duration::from_micros(gap_us));
        tx.send(Instant::now())
            .expect("the receiving task ended early");
    }
    drop(tx);
    let delays = rt.join(receiver).unwrap_or_default();
    crate::stats::latency_measurement(delays.get(skip..).unwrap_or_default())
}
