//! The gauge counts what really overlapped: exact peaks under contention, releases on every path.

use std::sync::Barrier;
use std::thread;

use probes::Gauge;

#[test]
fn peak_is_exact_when_threads_hold_their_calls_together() {
    let gauge = Gauge::new();
    let threads = 6;
    // Every thread holds its guard until all have entered: exactly `threads` overlap.
    let all_in = Barrier::new(threads);
    thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let _in_flight = gauge.enter();
                all_in.wait();
            });
        }
    });
    assert_eq!(gauge.peak(), threads);
    assert_eq!(gauge.total(), threads);
    assert_eq!(gauge.current(), 0);
}

#[test]
fn peak_never_exceeds_what_a_lock_lets_through() {
    // 8 threads hammer the gauge, but a mutex lets one call in at a time: the peak must be 1.
    let gauge = Gauge::new();
    let one_at_a_time = std::sync::Mutex::new(());
    thread::scope(|scope| {
        for _ in 0..8 {
            scope.spawn(|| {
                for _ in 0..1_000 {
                    let _lock = one_at_a_time.lock().unwrap();
                    let _in_flight = gauge.enter();
                    assert_eq!(gauge.current(), 1);
                }
            });
        }
    });
    assert_eq!(gauge.peak(), 1);
    assert_eq!(gauge.total(), 8_000);
}

#[test]
fn sequential_calls_peak_at_one() {
    let gauge = Gauge::new();
    for _ in 0..5 {
        gauge.track(|| assert_eq!(gauge.current(), 1));
    }
    assert_eq!((gauge.peak(), gauge.total(), gauge.current()), (1, 5, 0));
}

#[test]
fn a_panicking_call_is_released() {
    let gauge = Gauge::new();
    let inside = gauge.clone();
    let outcome = thread::spawn(move || {
        let _in_flight = inside.enter();
        panic!("the call under test panics");
    })
    .join();
    assert!(outcome.is_err());
    assert_eq!((gauge.current(), gauge.peak()), (0, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guards_live_in_spawned_tasks_and_dropped_futures() {
    let gauge = Gauge::new();
    let (release, released) = tokio::sync::watch::channel(false);
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let gauge = gauge.clone();
        let mut released = released.clone();
        tasks.push(tokio::spawn(async move {
            let _in_flight = gauge.enter();
            released.wait_for(|go| *go).await.unwrap();
        }));
    }
    // All four are in flight before any is released.
    while gauge.current() < 4 {
        tokio::task::yield_now().await;
    }
    // An aborted task releases its guard too.
    tasks[0].abort();
    assert!(tasks.remove(0).await.unwrap_err().is_cancelled());
    assert_eq!(gauge.current(), 3);
    release.send(true).unwrap();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!((gauge.current(), gauge.peak(), gauge.total()), (0, 4, 4));
}
