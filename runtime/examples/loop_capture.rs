//! The loop-variable mistake, and the two ways Rust makes you write what you meant.
//!
//!     cargo run -p runtime --example loop_capture
//!
//! The versions that do not compile are in `book/compile_fail/`.

use std::sync::Arc;

// ANCHOR: moved
async fn moved() {
    let mut handles = Vec::new();
    for i in 0..3 {
        // `move`: the task gets its own copy of this iteration's `i`.
        handles.push(runtime::spawn(async move { i * 10 }));
    }
    for handle in handles {
        println!("task saw {}", handle.await.expect("no panic"));
    }
}
// ANCHOR_END: moved

// ANCHOR: cloned
async fn cloned() {
    let greeting = Arc::new(String::from("hello"));
    let mut handles = Vec::new();
    for i in 0..3 {
        let greeting = Arc::clone(&greeting); // Go's old `x := x`, made explicit
        handles.push(runtime::spawn(async move {
            format!("{greeting} from task {i}")
        }));
    }
    for handle in handles {
        println!("{}", handle.await.expect("no panic"));
    }
}
// ANCHOR_END: cloned

fn main() {
    runtime::run(async {
        moved().await;
        cloned().await;
    });
}
