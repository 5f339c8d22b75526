//! Cancellation with a CancellationToken: Go's `context.WithCancel`.
//!
//!     cargo run -p runtime --example cancellation

use futures::future::{select, Either};
use std::pin::pin;
use std::time::Duration;

// ANCHOR: worker
/// Works in steps until the token is cancelled; returns how many steps it finished.
async fn worker(name: &'static str, token: runtime::CancellationToken) -> u32 {
    let mut steps = 0;
    loop {
        let step = pin!(runtime::sleep(Duration::from_millis(10))); // one step of work
        match select(pin!(token.cancelled()), step).await {
            Either::Left(_) => {
                println!("{name}: cancelled, cleaning up");
                return steps;
            }
            Either::Right(_) => steps += 1,
        }
    }
}
// ANCHOR_END: worker

// ANCHOR: tree
async fn cancel_a_tree() {
    let root = runtime::CancellationToken::new();
    let uploads = root.child(); // cancelled with root, or on its own
    let a = runtime::spawn(worker("upload 1", uploads.clone()));
    let b = runtime::spawn(worker("upload 2", uploads.clone()));
    let c = runtime::spawn(worker("indexer", root.clone()));

    runtime::sleep(Duration::from_millis(100)).await;
    uploads.cancel(); // stops both uploads; the indexer goes on
    for upload in [a, b] {
        upload.await.expect("no panic");
    }
    println!("indexer still running: {}", !root.is_cancelled());

    root.cancel(); // stops everything below root
    c.await.expect("no panic");
}
// ANCHOR_END: tree

fn main() {
    runtime::run(async {
        cancel_a_tree().await;
        println!("tasks alive: {}", runtime::num_tasks());
    });
}
