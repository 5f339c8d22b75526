//! Keep a std MutexGuard out of `.await`: end the guard's scope first.
//! (`book/compile_fail/guard_across_await.rs` is the version that does not compile.)
//!
//!     cargo run -p runtime --example guard_scope

use std::sync::{Arc, Mutex};
use std::time::Duration;

// ANCHOR: scope
fn count_a_hit(hits: Arc<Mutex<u32>>) -> runtime::JoinHandle<()> {
    runtime::spawn(async move {
        {
            let mut guard = hits.lock().expect("not poisoned");
            *guard += 1;
        } // the guard is dropped here, before the task can be suspended
        runtime::sleep(Duration::from_millis(10)).await;
    })
}
// ANCHOR_END: scope

fn main() {
    let hits = Arc::new(Mutex::new(0));
    runtime::run(async { count_a_hit(hits.clone()).await }).expect("no panic");
    println!("hits: {}", hits.lock().expect("not poisoned"));
}
