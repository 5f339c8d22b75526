//! `TASKLINGS_LAZY_SPAWN=1` turns lazy spawning on for runtimes that don't choose; a builder's
//! explicit choice wins. A binary of its own: its one test sets the environment variable, which
//! is only sound while no other thread can read the environment.
#![cfg(not(tasklings_loom))]

mod waitgroup_programs;

use runtime::Runtime;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::Arc;
use std::time::{Duration, Instant};
use waitgroup_programs::add_inside_the_task;

#[test]
fn the_environment_variable_turns_it_on() {
    // SAFETY: this binary's only test, so no other thread reads the environment meanwhile.
    unsafe { std::env::set_var("TASKLINGS_LAZY_SPAWN", "1") };
    let from_env = Runtime::builder().workers(2).build().unwrap();
    let finished = from_env.block_on(add_inside_the_task(8));
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
        // Eager: the task starts while this poll is still running (lazy, it never would: the
        // generous deadline only turns that hang into a failure).
        let give_up = Instant::now() + Duration::from_secs(30);
        while !started.load(SeqCst) && Instant::now() < give_up {
            std::thread::yield_now();
        }
        started.load(SeqCst)
    });
    assert!(
        started,
        "lazy_spawn(false) must win over TASKLINGS_LAZY_SPAWN=1: the task never started while \
         its spawner's poll ran"
    );
}
