//! `TASKLINGS_LAZY_SPAWN=1` turns lazy spawning on for runtimes that don't choose; a builder's
//! explicit choice wins. A binary of its own: its one test sets the environment variable, which
//! is only sound while no other thread can read the environment.
#![cfg(not(tasklings_loom))]

use runtime::{Runtime, WaitGroup};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

#[test]
fn the_environment_variable_turns_it_on() {
    // SAFETY: this binary's only test, so no other thread reads the environment meanwhile.
    unsafe { std::env::set_var("TASKLINGS_LAZY_SPAWN", "1") };
    let from_env = Runtime::builder().workers(2).build().unwrap();
    let finished = from_env.block_on(async {
        let wg = WaitGroup::new();
        let finished = Arc::new(AtomicUsize::new(0));
        for _ in 0..8 {
            let (wg, finished) = (wg.clone(), Arc::clone(&finished));
            runtime::spawn(async move {
                wg.add(1); // the mistake: wait() may run first
                finished.fetch_add(1, SeqCst);
                wg.done();
            });
        }
        wg.wait().await;
        finished.load(SeqCst)
    });
    assert_eq!(
        finished, 0,
        "with TASKLINGS_LAZY_SPAWN=1 no task starts before the await"
    );
    // An explicit choice wins over the environment.
    let eager = Runtime::builder()
        .workers(2)
        .lazy_spawn(false)
        .build()
        .unwrap();
    let started = eager.block_on(async {
        let started = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&started);
        runtime::spawn(async move { flag.store(true, SeqCst) });
        // Eager: the task starts while this poll is still running.
        while !started.load(SeqCst) {
            std::thread::yield_now();
        }
        true
    });
    assert!(started);
}
