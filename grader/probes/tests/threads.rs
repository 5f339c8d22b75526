//! Thread identity, per call.

use std::thread;

use probes::ThreadLog;

#[test]
fn counts_distinct_threads_and_calls_per_thread() {
    let log = ThreadLog::new();
    log.record();
    let workers: Vec<_> = thread::scope(|scope| {
        let handles: Vec<_> = (1..=3)
            .map(|calls| {
                let log = &log;
                scope.spawn(move || {
                    for _ in 0..calls {
                        log.record();
                    }
                    thread::current().id()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(log.distinct(), 4);
    assert_eq!(log.calls(), 1 + 1 + 2 + 3);
    assert_eq!(log.calls_on(thread::current().id()), 1);
    let per_thread = log.calls_per_thread();
    // The first thread to record comes first.
    assert_eq!(per_thread[0], (thread::current().id(), 1));
    for (calls, id) in (1..=3).zip(workers) {
        assert!(per_thread.contains(&(id, calls)));
    }
}

#[test]
fn one_thread_many_calls_is_one_thread() {
    let log = ThreadLog::new();
    let clone = log.clone();
    thread::spawn(move || (0..100).for_each(|_| clone.record()))
        .join()
        .unwrap();
    assert_eq!((log.distinct(), log.calls()), (1, 100));
}
