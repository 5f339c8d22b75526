//! tokio's JoinSet: a set of tasks whose results arrive in the order they finish.
//!
//!     cargo run -p runtime --example joinset

use std::time::Duration;

// ANCHOR: joinset
#[tokio::main]
async fn main() {
    let mut set = tokio::task::JoinSet::new();
    for (name, ms) in [("slow", 300), ("fast", 100), ("medium", 200)] {
        set.spawn(async move {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            name
        });
    }
    while let Some(result) = set.join_next().await {
        println!("finished: {}", result.expect("no panics"));
    }
    // Dropping a JoinSet aborts the tasks still in it: nothing outlives the set.
}
// ANCHOR_END: joinset
