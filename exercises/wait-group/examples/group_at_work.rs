//! Go's WaitGroup example, with your WaitGroup: five workers in tasks, one waiter in a task and
//! one on a plain thread.
//!
//!     cargo run -p wait-group --example group_at_work
//!
//! On the starter this stops at the first `todo!()`; once yours works, both waiters report after
//! the last worker.

use std::thread;
use std::time::Duration;

use wait_group::WaitGroup;

fn main() {
    let group = WaitGroup::new();
    let on_a_thread = {
        let group = group.clone();
        // Added to before the thread can wait, so it can't see zero too early.
        group.add(5);
        thread::spawn(move || {
            group.wait_blocking();
            println!("a thread in wait_blocking(): every worker is done");
        })
    };
    runtime::run(async move {
        for id in 1..=5u64 {
            let group = group.clone();
            runtime::spawn(async move {
                println!("worker {id} starting");
                runtime::sleep(Duration::from_millis(id * 50)).await;
                println!("worker {id} done");
                group.done();
            });
        }
        group.wait().await;
        println!("a task awaiting wait(): every worker is done");
    });
    on_a_thread.join().expect("the waiting thread");
}
