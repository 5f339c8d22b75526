//! Live work: joined work is quiet at return; detached work is caught, running or starting late.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use probes::LiveWork;

const GRACE: Duration = Duration::from_millis(50);

#[test]
fn joined_threads_leave_nothing_live() {
    let live = LiveWork::new();
    thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| live.track(thread::yield_now));
        }
    });
    assert_eq!(live.check_quiet(GRACE), Ok(()));
    assert_eq!((live.started(), live.finished(), live.live()), (4, 4, 0));
}

#[test]
fn a_detached_thread_still_running_is_caught() {
    let live = LiveWork::new();
    let (release, released) = mpsc::channel::<()>();
    let (started_tx, started) = mpsc::channel();
    let worker = {
        let live = live.clone();
        thread::spawn(move || {
            let _live = live.start();
            started_tx.send(()).unwrap();
            let _ = released.recv();
        })
    };
    started.recv().unwrap();
    let error = live.check_quiet(GRACE).unwrap_err();
    assert!(error.contains("still running"), "{error}");
    drop(release);
    worker.join().unwrap();
    assert_eq!(live.check_quiet(GRACE), Ok(()));
}

#[test]
fn detached_work_that_starts_late_is_caught() {
    // The function under test "returns" having spawned a thread that begins its unit of work only
    // a moment later and holds it. Whether that start lands before the checker's first look (then
    // it is still running) or during the grace (then it started after return), it is caught.
    let live = LiveWork::new();
    let (release, released) = mpsc::channel::<()>();
    let worker = {
        let live = live.clone();
        thread::spawn(move || {
            thread::yield_now();
            let _live = live.start();
            let _ = released.recv();
        })
    };
    let error = live.check_quiet(Duration::from_secs(1)).unwrap_err();
    assert!(
        error.contains("started after") || error.contains("still running"),
        "{error}"
    );
    drop(release);
    worker.join().unwrap();
}

#[test]
fn tasks_detached_on_a_paused_clock_are_caught_after_the_grace() {
    probes::clock::block_on_paused(async {
        let live = LiveWork::new();
        // "Returns" having spawned a task that starts its work 10 ms later and never finishes.
        {
            let live = live.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(10)).await;
                let _live = live.start();
                std::future::pending::<()>().await;
            });
        }
        let error = live
            .check_quiet_async(Duration::from_secs(1))
            .await
            .unwrap_err();
        assert!(error.contains("started after"), "{error}");
    });
}

#[test]
fn an_aborted_and_awaited_task_is_not_live() {
    probes::clock::block_on_paused(async {
        let live = LiveWork::new();
        let task = {
            let live = live.clone();
            tokio::spawn(async move {
                let _live = live.start();
                std::future::pending::<()>().await;
            })
        };
        tokio::task::yield_now().await;
        assert_eq!(live.live(), 1);
        task.abort();
        let _ = task.await;
        assert_eq!(live.check_quiet_async(Duration::from_secs(1)).await, Ok(()));
    });
}
