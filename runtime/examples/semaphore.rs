//! A semaphore: any number of tasks, at most N of them inside the guarded section at once.
//!
//!     cargo run -p runtime --example semaphore

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

// ANCHOR: semaphore
async fn ten_tasks_two_slots() {
    let slots = Arc::new(Semaphore::new(2)); // at most 2 at once
    let (inside, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (slots, inside, most) = (slots.clone(), inside.clone(), most.clone());
            runtime::spawn(async move {
                let _permit = slots.acquire().await.expect("never closed");
                let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                runtime::sleep(Duration::from_millis(10)).await; // e.g. a call to a rate-limited API
                inside.fetch_sub(1, Ordering::SeqCst);
            }) // the permit is returned when `_permit` drops
        })
        .collect();
    for task in tasks {
        task.await.expect("no panic");
    }
    println!(
        "10 tasks, at most {} inside at once",
        most.load(Ordering::SeqCst)
    );
}
// ANCHOR_END: semaphore

fn main() {
    runtime::run(ten_tasks_two_slots());
}
