//! Tasks that fill one Vec: a copy per task compiles and loses every result; one Vec behind
//! `Arc<Mutex<…>>`, a handle per task, keeps them all.
//!
//!     cargo run -p runtime --example loop_capture_results
//!
//! The literal version, which does not compile, is `book/compile_fail/loop_capture_shared_vec.rs`.

use std::sync::{Arc, Mutex};

use runtime::WaitGroup;

// ANCHOR: copied
async fn copied() {
    let squares: Vec<u64> = Vec::new();
    let wg = WaitGroup::new();
    for i in 0..5_u64 {
        wg.add(1);
        let wg = wg.clone(); // a handle to the same counter
        let mut squares = squares.clone(); // a NEW Vec: this task's own copy
        runtime::spawn(async move {
            squares.push(i * i); // into the copy, which dies with the task
            wg.done();
        });
    }
    wg.wait().await;
    println!(
        "copied: {} of 5 squares arrived: {squares:?}",
        squares.len()
    );
}
// ANCHOR_END: copied

// ANCHOR: shared
async fn shared() {
    // One Vec; many owners (Arc); one task at a time inside (Mutex).
    let squares = Arc::new(Mutex::new(Vec::new()));
    let wg = WaitGroup::new();
    for i in 0..5_u64 {
        wg.add(1);
        let wg = wg.clone();
        let squares = Arc::clone(&squares); // a handle to the same Vec
        runtime::spawn(async move {
            squares.lock().unwrap().push(i * i); // locked for this statement only
            wg.done();
        });
    }
    wg.wait().await;
    // Take the Vec out; the guard is a temporary, unlocked again at the `;`.
    let mut squares = std::mem::take(&mut *squares.lock().unwrap());
    squares.sort_unstable(); // the tasks finished in any order
    println!(
        "shared: {} of 5 squares arrived: {squares:?}",
        squares.len()
    );
}
// ANCHOR_END: shared

fn main() {
    runtime::run(async {
        copied().await;
        shared().await;
    });
}
