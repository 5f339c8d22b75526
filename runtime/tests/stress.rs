//! Stress tests: each runs one tricky path of the scheduler thousands of times, fast enough to
//! run on every `cargo test`. None asserts on time; all assert on what must happen (every task
//! runs exactly once, every destructor runs, every wake-up arrives).
#![cfg(not(tasklings_loom))]

use futures::channel::{mpsc, oneshot};
use futures::{SinkExt, StreamExt};
use runtime::{CancellationToken, JoinHandle, Runtime, WaitGroup};
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

fn rt(workers: usize) -> Runtime {
    Runtime::builder().workers(workers).build().unwrap()
}

/// Counts drops, to prove destructors ran exactly once.
struct DropCount(Arc<AtomicUsize>);
impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

#[test]
fn spawn_storm_from_inside_runs_every_task_once() {
    for workers in [1, 2, 3] {
        let rt = rt(workers);
        let ran = Arc::new(AtomicUsize::new(0));
        let wg = WaitGroup::new();
        const N: usize = 50_000;
        wg.add(N);
        let (ran2, wg2) = (ran.clone(), wg.clone());
        rt.spawn(async move {
            for _ in 0..N {
                let (ran, wg) = (ran2.clone(), wg2.clone());
                runtime::spawn(async move {
                    ran.fetch_add(1, SeqCst);
                    wg.done();
                });
            }
        });
        wg.wait_blocking();
        assert_eq!(ran.load(SeqCst), N);
        let m = rt.metrics();
        while rt.num_tasks() != 0 {
            std::thread::yield_now();
        }
        assert_eq!(m.spawned, N as u64 + 1);
    }
}

#[test]
fn spawn_storm_from_outside_threads() {
    let rt = Arc::new(rt(2));
    let ran = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (rt, ran) = (rt.clone(), ran.clone());
            std::thread::spawn(move || {
                let handles: Vec<JoinHandle<usize>> = (0..5_000)
                    .map(|i| {
                        let ran = ran.clone();
                        rt.spawn(async move {
                            ran.fetch_add(1, SeqCst);
                            i
                        })
                    })
                    .collect();
                let sum: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
                assert_eq!(sum, (0..5_000).sum::<usize>());
            })
        })
        .collect();
    threads.into_iter().for_each(|t| t.join().unwrap());
    assert_eq!(ran.load(SeqCst), 20_000);
}

#[test]
fn remote_wakeups_racing_with_parking_are_never_lost() {
    let rt = rt(2);
    for i in 0..3_000 {
        let (tx, rx) = oneshot::channel::<usize>();
        let h = rt.spawn(async move { rx.await.unwrap() });
        // Vary the gap so the send lands before, during and after the workers park.
        for _ in 0..(i % 7) * 50 {
            std::hint::spin_loop();
        }
        if i % 3 == 0 {
            std::thread::yield_now();
        }
        tx.send(i).unwrap();
        assert_eq!(h.join().unwrap(), i);
    }
}

#[test]
fn cross_worker_ping_pong_delivers_every_message() {
    let rt = rt(2);
    let out = rt.block_on(async {
        let (mut to_b, mut b_in) = mpsc::channel::<u64>(1);
        let (mut to_a, mut a_in) = mpsc::channel::<u64>(1);
        let b = runtime::spawn(async move {
            while let Some(v) = b_in.next().await {
                if to_a.send(v + 1).await.is_err() {
                    break;
                }
            }
        });
        let mut v = 0;
        for _ in 0..20_000 {
            to_b.send(v).await.unwrap();
            v = a_in.next().await.unwrap();
        }
        drop(to_b);
        b.await.unwrap();
        v
    });
    assert_eq!(out, 20_000);
}

#[test]
fn yield_heavy_tasks_all_finish() {
    let rt = rt(2);
    let handles: Vec<_> = (0..200)
        .map(|i| {
            rt.spawn(async move {
                for _ in 0..200 {
                    runtime::yield_now().await;
                }
                i
            })
        })
        .collect();
    let sum: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(sum, (0..200).sum());
}

#[test]
fn shutdown_with_tasks_pending_sleeping_and_running_drops_them_all() {
    for round in 0..300 {
        let dropped = Arc::new(AtomicUsize::new(0));
        let rt = rt(1 + round % 3);
        let mut expected = 0;
        for k in 0..20 {
            let guard = DropCount(dropped.clone());
            expected += 1;
            match k % 4 {
                0 => drop(rt.spawn(async move {
                    let _g = guard;
                    std::future::pending::<()>().await
                })),
                1 => drop(rt.spawn(async move {
                    let _g = guard;
                    runtime::sleep(Duration::from_secs(3600)).await
                })),
                2 => drop(rt.spawn(async move {
                    let _g = guard;
                    loop {
                        runtime::yield_now().await
                    }
                })),
                _ => drop(rt.spawn(async move {
                    let _g = guard;
                    // A chain: each task spawns the next and waits for it.
                    runtime::spawn(std::future::pending::<()>()).await.ok();
                })),
            }
        }
        let kept: JoinHandle<()> = rt.spawn(std::future::pending());
        drop(rt);
        assert_eq!(dropped.load(SeqCst), expected, "round {round}");
        // A handle outliving its runtime reports the abort.
        assert!(kept.join().unwrap_err().is_aborted());
    }
}

#[test]
fn panics_are_caught_and_reported_every_time() {
    let rt = rt(2);
    let handles: Vec<_> = (0..2_000)
        .map(|i| {
            rt.spawn(async move {
                if i % 2 == 0 {
                    panic!("task {i} failed");
                }
                i
            })
        })
        .collect();
    for (i, h) in handles.into_iter().enumerate() {
        match h.join() {
            Ok(v) => assert_eq!(v, i),
            Err(e) => {
                assert!(i % 2 == 0 && e.is_panic());
                assert_eq!(e.panic_message(), Some(format!("task {i} failed").as_str()));
            }
        }
    }
    assert_eq!(rt.spawn(async { 1 }).join().unwrap(), 1);
}

#[test]
fn abort_races_with_running_and_completing_tasks() {
    let rt = rt(2);
    let dropped = Arc::new(AtomicUsize::new(0));
    for i in 0..3_000 {
        let guard = DropCount(dropped.clone());
        let h = rt.spawn(async move {
            let _g = guard;
            for _ in 0..(i % 5) {
                runtime::yield_now().await;
            }
            i
        });
        for _ in 0..(i % 11) * 20 {
            std::hint::spin_loop();
        }
        h.abort();
        h.abort(); // twice is harmless
        match h.join() {
            Ok(v) => assert_eq!(v, i),
            Err(e) => assert!(e.is_aborted()),
        }
    }
    while rt.num_tasks() != 0 {
        std::thread::yield_now();
    }
    assert_eq!(dropped.load(SeqCst), 3_000);
}

#[test]
fn abort_of_a_task_that_never_yields_control_back() {
    let rt = rt(2);
    for _ in 0..500 {
        let h = rt.spawn(async {
            loop {
                runtime::yield_now().await;
            }
        });
        std::thread::yield_now();
        h.abort();
        assert!(h.join().unwrap_err().is_aborted());
    }
}

#[test]
fn join_handles_dropped_early_or_racing_completion_drop_outputs_once() {
    let rt = rt(2);
    let outputs = Arc::new(AtomicUsize::new(0));
    let made = 5_000;
    for i in 0..made {
        let out = DropCount(outputs.clone());
        let h = rt.spawn(async move {
            if i % 2 == 0 {
                runtime::yield_now().await;
            }
            out
        });
        if i % 3 == 0 {
            drop(h); // detached: the runtime drops the output
        } else {
            for _ in 0..(i % 13) * 10 {
                std::hint::spin_loop();
            }
            drop(h); // racing with completion
        }
    }
    drop(rt);
    assert_eq!(outputs.load(SeqCst), made);
}

#[test]
fn waitgroup_races_between_done_and_wait() {
    let rt = rt(2);
    for round in 0..1_000 {
        let wg = WaitGroup::new();
        let n = 1 + round % 8;
        wg.add(n);
        let waiter = {
            let wg = wg.clone();
            rt.spawn(async move { wg.wait().await })
        };
        for k in 0..n {
            let wg = wg.clone();
            if k % 2 == 0 {
                rt.spawn(async move { wg.done() });
            } else {
                std::thread::spawn(move || wg.done());
            }
        }
        wg.wait_blocking();
        waiter.join().unwrap();
    }
}

#[test]
fn cancellation_races_with_waiters_and_children() {
    let rt = rt(2);
    for round in 0..1_000 {
        let token = CancellationToken::new();
        let waiters: Vec<_> = (0..4)
            .map(|k| {
                let t = if k % 2 == 0 {
                    token.clone()
                } else {
                    token.child()
                };
                rt.spawn(async move { t.cancelled().await })
            })
            .collect();
        if round % 2 == 0 {
            let t = token.clone();
            std::thread::spawn(move || t.cancel()).join().unwrap();
        } else {
            let t = token.clone();
            rt.spawn(async move { t.cancel() });
        }
        waiters.into_iter().for_each(|w| w.join().unwrap());
        assert!(token.is_cancelled());
    }
}

#[test]
fn many_short_sleeps_and_sleeps_dropped_early() {
    let rt = rt(2);
    let handles: Vec<_> = (0..2_000)
        .map(|i| {
            rt.spawn(async move {
                if i % 2 == 0 {
                    runtime::sleep(Duration::from_micros((i % 50) as u64 * 20)).await;
                } else {
                    // A sleep that is polled once and dropped (a lost select! race).
                    let mut long = Box::pin(runtime::sleep(Duration::from_secs(3600)));
                    assert!(futures::poll!(long.as_mut()).is_pending());
                }
                i
            })
        })
        .collect();
    let sum: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(sum, (0..2_000).sum());
}

#[test]
fn blocking_pool_runs_every_closure() {
    let rt = rt(1);
    let handles: Vec<_> = (0..1_000)
        .map(|i| rt.spawn_blocking(move || i * 2))
        .collect();
    let sum: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(sum, (0..1_000).map(|i| i * 2).sum());
}

#[test]
fn dump_and_num_tasks_while_tasks_come_and_go() {
    let rt = Arc::new(rt(2));
    let stop = Arc::new(AtomicUsize::new(0));
    let dumper = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut dumps = 0;
            while stop.load(SeqCst) == 0 || dumps < 3 {
                let d = runtime::dump();
                assert!(d.tasks.windows(2).all(|w| w[0].id < w[1].id));
                let _ = d.to_string();
                let _ = runtime::num_tasks();
                dumps += 1;
            }
        })
    };
    for _ in 0..20 {
        let handles: Vec<_> = (0..2_000)
            .map(|i| {
                rt.spawn(async move {
                    runtime::yield_now().await;
                    i
                })
            })
            .collect();
        handles
            .into_iter()
            .for_each(|h| assert!(h.join().unwrap() < 2_000));
    }
    stop.store(1, SeqCst);
    dumper.join().unwrap();
}

#[test]
fn runtimes_created_and_dropped_with_handles_outliving_them() {
    let before = runtime::metrics().spawned;
    let mut leftovers = Vec::new();
    for round in 0..200 {
        let rt = rt(1 + round % 2);
        let done = rt.spawn(async { 1 });
        let pending = rt.spawn(std::future::pending::<i32>());
        #[allow(clippy::async_yields_async)] // the handle itself is what we want out
        let inner = rt.block_on(async { runtime::spawn(async { 2 }) });
        assert_eq!(done.join().unwrap(), 1);
        leftovers.push(pending);
        leftovers.push(inner);
        drop(rt);
    }
    for h in leftovers {
        match h.join() {
            Ok(v) => assert_eq!(v, 2),
            Err(e) => assert!(e.is_aborted()),
        }
    }
    assert!(
        runtime::metrics().spawned >= before + 600,
        "dropped runtimes still count"
    );
}

#[test]
fn a_task_blocking_its_worker_on_a_child_it_spawned_still_finishes() {
    // The classic mistake: wait_blocking inside a task, for a task it just spawned. The child
    // sits in this worker's queue; the other worker must find it (woken, or by re-checking).
    let rt = rt(2);
    for _ in 0..300 {
        let h = rt.spawn(async {
            let wg = WaitGroup::new();
            wg.add(1);
            let child = wg.clone();
            runtime::spawn(async move { child.done() });
            wg.wait_blocking();
        });
        h.join().unwrap();
    }
}
