//! Lazy spawning (`Builder::lazy_spawn`, `TASKLINGS_LAZY_SPAWN`): a spawned task starts only
//! after its spawner's poll returns, every time — so a race that hangs on "who runs first" is
//! lost the same way on every run. Each scenario runs many times: the point is that no run
//! differs.
#![cfg(not(tasklings_loom))]

mod waitgroup_programs;

use runtime::{Runtime, WaitGroup};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use waitgroup_programs::{add_before_spawning, add_inside_the_task};

const RUNS: usize = 300;

fn lazy(workers: usize) -> Runtime {
    Runtime::builder()
        .workers(workers)
        .lazy_spawn(true)
        .build()
        .unwrap()
}

#[test]
fn add_inside_the_task_returns_early_on_every_run_from_block_on() {
    for workers in [1, 2, 4] {
        for run in 0..RUNS {
            let rt = lazy(workers);
            let finished = rt.block_on(add_inside_the_task(16));
            assert_eq!(
                finished, 0,
                "run {run} on {workers} workers: a task started before block_on's future reached \
                 its await"
            );
        }
    }
}

#[test]
fn add_inside_the_task_returns_early_on_every_run_from_a_task() {
    let rt = lazy(2);
    for run in 0..RUNS {
        let finished = rt
            .block_on(async { runtime::spawn(add_inside_the_task(16)).await })
            .unwrap();
        assert_eq!(
            finished, 0,
            "run {run}: a task spawned by a task started before its spawner reached its await"
        );
    }
}

#[test]
fn add_before_spawning_waits_for_every_task() {
    let rt = lazy(2);
    for _ in 0..RUNS {
        assert_eq!(rt.block_on(add_before_spawning(16)), 16);
        assert_eq!(
            rt.block_on(async { runtime::spawn(add_before_spawning(16)).await })
                .unwrap(),
            16
        );
    }
}

#[test]
fn blocking_waits_release_held_tasks_instead_of_hanging() {
    let rt = lazy(2);
    for _ in 0..RUNS {
        // Blocking inside block_on's future is poor style, but must not deadlock on a task
        // the same thread is holding back.
        let joined = rt.block_on(async { runtime::spawn(async { 5 }).join().unwrap() });
        assert_eq!(joined, 5);
        let counted = rt.block_on(async {
            let wg = WaitGroup::new();
            let count = Arc::new(AtomicUsize::new(0));
            for _ in 0..4 {
                wg.add(1);
                let (wg, count) = (wg.clone(), Arc::clone(&count));
                runtime::spawn(async move {
                    count.fetch_add(1, SeqCst);
                    wg.done();
                });
            }
            wg.wait_blocking();
            count.load(SeqCst)
        });
        assert_eq!(counted, 4);
    }
}

#[test]
fn held_tasks_of_a_future_that_panics_are_still_dropped_with_the_runtime() {
    struct CountDrop(Arc<AtomicUsize>);
    impl Drop for CountDrop {
        fn drop(&mut self) {
            self.0.fetch_add(1, SeqCst);
        }
    }
    let dropped = Arc::new(AtomicUsize::new(0));
    for _ in 0..50 {
        let rt = lazy(2);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(async {
                let guard = CountDrop(Arc::clone(&dropped));
                runtime::spawn(async move {
                    let _guard = guard;
                    std::future::pending::<()>().await
                });
                panic!("block_on's future panics while holding a spawn");
            })
        }));
        assert!(outcome.is_err());
        drop(rt);
    }
    assert_eq!(dropped.load(SeqCst), 50, "every held task was dropped");
}
