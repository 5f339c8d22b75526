//! Deterministic mode (`Builder::deterministic`): the same seed gives the same schedule and the
//! same trace bytes (madsim's check: run each seed twice), a recorded schedule replays exactly,
//! the virtual clock jumps over sleeps, PCT and random explore different orders, and a wake-up
//! from outside the runtime is reported.
#![cfg(not(tasklings_loom))]

mod waitgroup_programs;

use runtime::{Policy, Runtime, WaitGroup};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A trace file of its own for each run, in the system's temporary folder.
fn trace_path(tag: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, SeqCst);
    std::env::temp_dir().join(format!(
        "tasklings-det-{}-{tag}-{n}.json",
        std::process::id()
    ))
}

/// A program whose output depends on the order tasks run in: `tasks` tasks each append their
/// number at every step, yielding between, and wait on one WaitGroup.
async fn interleaving(tasks: usize, steps: usize) -> Vec<usize> {
    let log = Arc::new(Mutex::new(Vec::new()));
    let wg = WaitGroup::new();
    for task in 0..tasks {
        wg.add(1);
        let (log, wg) = (log.clone(), wg.clone());
        runtime::spawn(async move {
            for _ in 0..steps {
                log.lock().unwrap().push(task);
                runtime::yield_now().await;
            }
            wg.done();
        });
    }
    wg.wait().await;
    let log = log.lock().unwrap();
    log.clone()
}

/// One run: the program's output, the schedule and the trace's bytes.
struct Run {
    output: Vec<usize>,
    schedule: String,
    trace: Vec<u8>,
}

fn run(builder: runtime::Builder, tasks: usize, steps: usize) -> Run {
    let path = trace_path("run");
    let rt = builder.trace(&path).build().unwrap();
    let output = rt.block_on(interleaving(tasks, steps));
    let schedule = rt
        .schedule()
        .expect("deterministic mode records a schedule");
    assert!(!rt.determinism_broken());
    drop(rt); // writes the trace
    let trace = std::fs::read(&path).expect("the trace was written on drop");
    let _ = std::fs::remove_file(&path);
    Run {
        output,
        schedule,
        trace,
    }
}

fn seeded(seed: u64) -> runtime::Builder {
    Runtime::builder().deterministic(seed)
}

/// Same seed, twice: same output, same schedule, same trace bytes; over 1,000 seeds.
#[test]
fn each_seed_twice_gives_the_same_schedule_and_trace_bytes() {
    let seeds = 1000;
    let mut outputs = std::collections::HashSet::new();
    for seed in 0..seeds {
        let (a, b) = (run(seeded(seed), 4, 3), run(seeded(seed), 4, 3));
        assert_eq!(a.output, b.output, "seed {seed}: the output differs");
        assert_eq!(a.schedule, b.schedule, "seed {seed}: the schedule differs");
        assert!(a.trace == b.trace, "seed {seed}: the trace bytes differ");
        outputs.insert(a.output);
    }
    assert!(
        outputs.len() > seeds as usize / 2,
        "seeds explore different orders: {} distinct outputs over {seeds} seeds",
        outputs.len()
    );
}

#[test]
fn a_recorded_schedule_replays_exactly() {
    for seed in [1, 42, 1234] {
        let recorded = run(seeded(seed), 5, 4);
        let replayed = run(Runtime::builder().replay(&recorded.schedule), 5, 4);
        assert_eq!(replayed.output, recorded.output, "seed {seed}");
        assert_eq!(replayed.schedule, recorded.schedule, "seed {seed}");
        // The trace's title differs (seed vs replay); every event line is the same.
        let events = |trace: &[u8]| {
            String::from_utf8_lossy(trace)
                .lines()
                .filter(|l| !l.contains("process_name"))
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        assert_eq!(events(&replayed.trace), events(&recorded.trace));
    }
}

#[test]
fn a_damaged_schedule_is_refused_with_a_message_naming_it() {
    let recorded = run(seeded(3), 3, 2).schedule;
    let damaged = &recorded[..recorded.len() - 3];
    let error = Runtime::builder().replay(damaged).build().unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    assert!(error.to_string().contains("not a schedule"), "{error}");
}

#[test]
fn the_virtual_clock_jumps_over_sleeps() {
    let rt = seeded(7).build().unwrap();
    let (slept, order) = rt.block_on(async {
        let start = runtime::now();
        let order = Arc::new(Mutex::new(Vec::new()));
        let sleepers: Vec<_> = [3u64, 1, 2]
            .into_iter()
            .map(|minutes| {
                let order = order.clone();
                runtime::spawn(async move {
                    runtime::sleep(Duration::from_secs(60 * minutes)).await;
                    order.lock().unwrap().push(minutes);
                })
            })
            .collect();
        for sleeper in sleepers {
            sleeper.await.unwrap();
        }
        let order = order.lock().unwrap().clone();
        (runtime::now() - start, order)
    });
    assert_eq!(
        slept,
        Duration::from_secs(180),
        "virtual time: exactly the longest sleep"
    );
    assert_eq!(order, [1, 2, 3], "sleepers wake in deadline order");
    let parks = rt.metrics().parks;
    assert!(parks > 0, "workers park while the clock jumps");
}

#[test]
fn adding_inside_the_task_fails_on_every_seed_and_policy() {
    for seed in 0..100 {
        for policy in [Policy::Random, Policy::Pct { depth: 2 }] {
            let rt = seeded(seed).policy(policy).build().unwrap();
            let finished = rt.block_on(waitgroup_programs::add_inside_the_task(4));
            assert_eq!(
                finished, 0,
                "seed {seed}, {policy:?}: wait returned at once"
            );
            let right = rt.block_on(waitgroup_programs::add_before_spawning(4));
            assert_eq!(right, 4, "seed {seed}, {policy:?}");
        }
    }
}

#[test]
fn pct_depth_one_runs_one_task_to_completion_before_the_next() {
    // With random priorities and no change point, the highest-priority task runs until it
    // finishes (yielding doesn't lower it): each task's entries are contiguous.
    for seed in 0..20 {
        let out = run(seeded(seed).policy(Policy::Pct { depth: 1 }), 3, 4).output;
        let switches = out.windows(2).filter(|w| w[0] != w[1]).count();
        assert_eq!(switches, 2, "seed {seed}: {out:?}");
    }
}

#[test]
fn join_from_a_plain_thread_drives_the_runtime() {
    let rt = seeded(5).workers(3).build().unwrap();
    assert_eq!(rt.workers(), 3);
    let handle = rt.spawn(async {
        let children: Vec<_> = (0..10u64)
            .map(|i| runtime::spawn(async move { i }))
            .collect();
        let mut sum = 0;
        for child in children {
            sum += child.await.unwrap();
        }
        sum
    });
    assert_eq!(handle.join().unwrap(), 45);
    assert_eq!(rt.metrics().per_worker.len(), 3);
    assert!(!rt.determinism_broken());
}

#[test]
fn a_std_thread_waking_a_task_while_others_run_breaks_determinism() {
    let rt = seeded(9).build().unwrap();
    rt.block_on(async {
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let waiter = {
            let done = done.clone();
            runtime::spawn(async move {
                rx.await.unwrap();
                done.store(true, SeqCst);
            })
        };
        // Another task stays runnable until the thread's wake-up lands: where that wake-up
        // falls in the order is decided by real time, not by the seed.
        let spinner = runtime::spawn(async move {
            while !done.load(SeqCst) {
                runtime::yield_now().await;
            }
        });
        let thread = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(5));
            tx.send(()).unwrap();
        });
        waiter.await.unwrap();
        spinner.await.unwrap();
        thread.join().unwrap();
    });
    assert!(rt.determinism_broken());

    // A thread's answer (or a blocking closure's) that the program waits for is let in when
    // nothing else can run: the same place every run, whenever it really arrives.
    for delay_ms in [0, 2] {
        let path = trace_path("outside");
        let calm = seeded(9).trace(&path).build().unwrap();
        let value = calm.block_on(async move {
            let (tx, rx) = tokio::sync::oneshot::channel();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(delay_ms));
                tx.send(7).unwrap()
            });
            let ticker = runtime::spawn(async {
                for _ in 0..50 {
                    runtime::yield_now().await;
                }
            });
            let blocking = runtime::spawn_blocking(|| 6).await.unwrap();
            ticker.await.unwrap();
            rx.await.unwrap() * blocking
        });
        assert_eq!(value, 42);
        assert!(!calm.determinism_broken(), "delay {delay_ms} ms");
        let schedule = calm.schedule();
        drop(calm);
        let again = seeded(9).build().unwrap();
        let _ = again.block_on(async {
            let (tx, rx) = tokio::sync::oneshot::channel();
            std::thread::spawn(move || tx.send(7).unwrap());
            let ticker = runtime::spawn(async {
                for _ in 0..50 {
                    runtime::yield_now().await;
                }
            });
            let blocking = runtime::spawn_blocking(|| 6).await.unwrap();
            ticker.await.unwrap();
            rx.await.unwrap() * blocking
        });
        assert_eq!(again.schedule(), schedule, "delay {delay_ms} ms");
        let _ = std::fs::remove_file(&path);
    }
}
