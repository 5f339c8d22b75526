//! Keep a std MutexGuard out of `.await`: end the guard's scope first.
//! (`book/compile_fail/guard_across_await.rs` is the version that does not compile.)
//!
//!     cargo run -p runtime --example guard_scope

use std::sync::{Arc, Mutex};
use std::time::Duration;

fn main() {
    let hits = Arc::new(Mutex::new(0));
    let total = runtime::run(async move {
        // ANCHOR: scope
        let task = runtime::spawn({
            let hits = hits.clone();
            async move {
                {
                    let mut guard = hits.lock().expect("not poisoned");
                    *guard += 1;
                } // the guard is dropped here, before the task can be suspended
                runtime::sleep(Duration::from_millis(10)).await;
            }
        });
        // ANCHOR_END: scope
        task.await.expect("no panic");
        let total = *hits.lock().expect("not poisoned");
        total
    });
    println!("hits: {total}");
}
