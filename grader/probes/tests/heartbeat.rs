//! The heartbeat: beats when a worker is free, never when the only worker is stuck, and counts
//! the turns a task gives up on its worker.

use std::sync::mpsc;
use std::time::Duration;

use probes::heartbeat::Heartbeat;
use runtime::Runtime;

fn one_worker() -> Runtime {
    Runtime::builder()
        .workers(1)
        .build()
        .expect("a worker thread")
}

#[test]
fn beats_for_a_blocking_thread_while_the_worker_is_free() {
    let rt = one_worker();
    let heart = Heartbeat::new(Duration::from_secs(10));
    rt.spawn(heart.task());
    assert!(heart.wait_until_running());
    let waiting = heart.clone();
    let beats = rt
        .spawn_blocking(move || (0..3).map(|_| waiting.wait_for_beat()).collect::<Vec<_>>())
        .join()
        .unwrap();
    assert_eq!(beats, [true, true, true]);
    assert_eq!(heart.beats(), 3);
    assert!(!heart.gave_up());
    heart.stop();
}

#[test]
fn gives_up_once_when_the_only_worker_waits_for_the_waiter() {
    let rt = one_worker();
    let heart = Heartbeat::new(Duration::from_millis(200));
    rt.spawn(heart.task());
    assert!(heart.wait_until_running());
    let (done, finished) = mpsc::channel();
    let waiting = heart.clone();
    // The task blocks its worker on a channel that the blocking closure fills only after its
    // wait: the heartbeat can't be polled meanwhile.
    let stuck = rt.spawn(async move {
        let (tx, rx) = mpsc::channel();
        runtime::spawn_blocking(move || {
            let first = waiting.wait_for_beat();
            let second = waiting.wait_for_beat(); // decided: returns at once
            tx.send((first, second)).unwrap();
        });
        let verdicts = rx.recv().unwrap();
        done.send(verdicts).unwrap();
    });
    let (first, second) = finished.recv().unwrap();
    stuck.join().unwrap();
    assert!(!first && !second);
    assert!(heart.gave_up());
    // (The request is answered late, once the worker is free again: at most one beat by now.)
    assert!(heart.beats() <= 1);
    heart.stop();
}

#[test]
fn counts_one_beat_per_turn_a_task_gives_back() {
    let rt = one_worker();
    let heart = Heartbeat::new(Duration::from_secs(10));
    rt.spawn(heart.task());
    assert!(heart.wait_until_running());
    let asking = heart.clone();
    let seen = rt
        .block_on(rt.spawn(async move {
            let mut seen = Vec::new();
            for step in 0..12 {
                seen.push(asking.beats());
                asking.request();
                if step % 4 == 3 {
                    runtime::yield_now().await;
                }
            }
            seen
        }))
        .unwrap();
    assert_eq!(seen, [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    heart.stop();
}

#[test]
fn stop_ends_the_task() {
    let rt = one_worker();
    let heart = Heartbeat::new(Duration::from_secs(10));
    let task = rt.spawn(heart.task());
    assert!(heart.wait_until_running());
    heart.stop();
    task.join().unwrap();
}
