//! Your first task: the Go tour's `go say("world")`, on the Tasklings runtime.
//!
//!     cargo run -p runtime --example first_task

use std::time::Duration;

// ANCHOR: say
async fn say(word: &str) {
    for _ in 0..3 {
        runtime::sleep(Duration::from_millis(100)).await;
        println!("{word}");
    }
}
// ANCHOR_END: say

// ANCHOR: main
fn main() {
    runtime::run(async {
        let world = runtime::spawn(say("world")); // starts now, runs beside us
        say("hello").await; // meanwhile, main's own work
        world.await.expect("say does not panic"); // wait for the task before returning
    });
}
// ANCHOR_END: main
