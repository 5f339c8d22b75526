//! The public API, one behaviour per test.
#![cfg(not(tasklings_loom))]

use runtime::{CancellationToken, Runtime, TaskState, WaitGroup};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

fn rt(workers: usize) -> Runtime {
    Runtime::builder().workers(workers).build().unwrap()
}

#[test]
fn run_returns_the_future_output_and_spawned_results() {
    let total = runtime::run(async {
        let handles: Vec<_> = (1..=100u64)
            .map(|i| runtime::spawn(async move { i }))
            .collect();
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        sum
    });
    assert_eq!(total, 5050);
}

#[test]
fn spawn_from_outside_and_join_blocking() {
    let rt = rt(2);
    let h = rt.spawn(async { 7 });
    assert_eq!(h.join().unwrap(), 7);
}

#[test]
fn nested_spawns_from_tasks() {
    let rt = rt(2);
    let out = rt.block_on(async {
        runtime::spawn(async { runtime::spawn(async { 42 }).await.unwrap() })
            .await
            .unwrap()
    });
    assert_eq!(out, 42);
}

#[test]
fn panics_are_reported_and_the_worker_survives() {
    let rt = rt(1);
    let err = rt.spawn(async { panic!("boom {}", 1) }).join().unwrap_err();
    assert!(err.is_panic() && !err.is_aborted());
    assert_eq!(err.panic_message(), Some("boom 1"));
    assert!(err.to_string().contains("boom 1"));
    assert_eq!(
        rt.spawn(async { 5 }).join().unwrap(),
        5,
        "the worker still runs tasks"
    );
}

#[test]
fn abort_idle_task() {
    let rt = rt(2);
    let h = rt.spawn(std::future::pending::<()>());
    h.abort();
    let err = h.join().unwrap_err();
    assert!(err.is_aborted());
}

#[test]
#[should_panic(expected = "runtime::run")]
fn spawn_outside_a_runtime_says_what_to_do() {
    drop(runtime::spawn(async {}));
}

#[test]
fn sleep_and_yield() {
    runtime::run(async {
        let start = std::time::Instant::now();
        runtime::sleep(Duration::from_millis(20)).await;
        assert!(start.elapsed() >= Duration::from_millis(20));
        for _ in 0..10 {
            runtime::yield_now().await;
        }
    });
}

#[test]
fn waitgroup_waits_for_all_tasks() {
    let rt = rt(2);
    let count = Arc::new(AtomicUsize::new(0));
    let wg = WaitGroup::new();
    for _ in 0..1000 {
        wg.add(1);
        let (wg, count) = (wg.clone(), count.clone());
        rt.spawn(async move {
            count.fetch_add(1, SeqCst);
            wg.done();
        });
    }
    rt.block_on(wg.wait());
    assert_eq!(count.load(SeqCst), 1000);
}

#[test]
fn cancellation_token_wakes_waiters() {
    let rt = rt(2);
    let token = CancellationToken::new();
    let child = token.child();
    let h = rt.spawn(async move { child.cancelled().await });
    std::thread::sleep(Duration::from_millis(5));
    token.cancel();
    h.join().unwrap();
}

#[test]
fn dropping_the_runtime_drops_unfinished_tasks() {
    struct Guard(Arc<AtomicUsize>);
    impl Drop for Guard {
        fn drop(&mut self) {
            self.0.fetch_add(1, SeqCst);
        }
    }
    let dropped = Arc::new(AtomicUsize::new(0));
    let rt = rt(2);
    for _ in 0..100 {
        let g = Guard(dropped.clone());
        rt.spawn(async move {
            let _g = g;
            std::future::pending::<()>().await
        });
    }
    drop(rt);
    assert_eq!(dropped.load(SeqCst), 100);
}

#[test]
fn num_tasks_metrics_and_dump() {
    let rt = rt(2);
    let token = CancellationToken::new();
    for i in 0..5 {
        let t = token.clone();
        rt.block_on(async move {
            runtime::spawn_named(format!("waiter-{i}"), async move { t.cancelled().await });
        });
    }
    assert_eq!(rt.num_tasks(), 5);
    let dump = rt.dump();
    assert_eq!(dump.tasks.len(), 5);
    assert!(dump
        .tasks
        .iter()
        .all(|t| t.location.file().ends_with("api.rs")));
    let text = dump.to_string();
    assert!(text.contains("waiter-3"), "{text}");
    // Each task goes idle once a worker has polled it; on a slow machine (or under Wine) that
    // can take a while, so wait for it rather than for a fixed time.
    let all_idle = || rt.dump().tasks.iter().all(|t| t.state == TaskState::Idle);
    let waited = std::time::Instant::now();
    while !all_idle() && waited.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(all_idle(), "{}", rt.dump());
    token.cancel();
    while rt.num_tasks() != 0 {
        std::thread::yield_now();
    }
    let m = rt.metrics();
    assert_eq!((m.spawned, m.completed, m.workers), (5, 5, 2));
}

#[test]
fn spawn_blocking_runs_off_the_workers() {
    let rt = rt(1);
    let out = rt.block_on(async {
        let h = runtime::spawn_blocking(|| {
            std::thread::sleep(Duration::from_millis(5));
            std::thread::current().name().map(str::to_string)
        });
        h.await.unwrap()
    });
    assert!(out.unwrap().ends_with("-blocking"));
}

#[test]
fn public_types_have_the_promised_auto_traits() {
    fn send_sync<T: Send + Sync>() {}
    fn send_unpin<T: Send + Unpin>() {}
    send_sync::<Runtime>();
    send_sync::<runtime::JoinError>();
    send_sync::<WaitGroup>();
    send_sync::<CancellationToken>();
    send_sync::<runtime::Metrics>();
    send_sync::<runtime::Dump>();
    send_unpin::<runtime::JoinHandle<String>>();
    let e: Box<dyn std::error::Error + Send + Sync> = Box::new(
        rt(1)
            .spawn(async { panic!("as an error") })
            .join()
            .unwrap_err(),
    );
    assert!(e.to_string().contains("as an error"));
}
