//! A pipeline: stages joined by bounded channels, after the Go blog's "Pipelines and
//! cancellation" (`gen` → `sq` → print). Each stage owns the `Sender` of the channel after it,
//! so the end of the input closes the channels one by one down the line, and a slow last
//! stage holds the first one back.
//!
//!     cargo run -p runtime --example pipeline

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::{self, Receiver, Sender};

// ANCHOR: stages
/// Go: `func gen(nums ...int) <-chan int`. It holds the only `Sender`: returning closes the
/// channel.
async fn generate(numbers: Vec<u64>, out: Sender<u64>, taken: Arc<AtomicUsize>) {
    for n in numbers {
        taken.fetch_add(1, Ordering::SeqCst);
        if out.send(n).await.is_err() {
            return; // the next stage is gone: stop
        }
    }
}

/// Go: `func sq(in <-chan int) <-chan int`. A `Receiver` can only receive and a `Sender` only
/// send, so mixing up the two channels is a type error, not a deadlock.
async fn square(mut input: Receiver<u64>, out: Sender<u64>) {
    while let Some(n) = input.recv().await {
        if out.send(n * n).await.is_err() {
            return;
        }
    }
} // `out` dropped: the next stage's `while let` ends

/// The last stage, slow on purpose: 2 ms per item.
async fn sum(mut input: Receiver<u64>, done: Arc<AtomicUsize>) -> u64 {
    let mut total = 0;
    while let Some(n) = input.recv().await {
        runtime::sleep(Duration::from_millis(2)).await;
        total += n;
        done.fetch_add(1, Ordering::SeqCst);
    }
    total
}
// ANCHOR_END: stages

// ANCHOR: wire
async fn sum_of_squares(up_to: u64) -> (u64, usize) {
    let (numbers, to_square) = mpsc::channel(2);
    let (squares, to_sum) = mpsc::channel(2);
    let (taken, done) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let first = runtime::spawn(generate((1..=up_to).collect(), numbers, taken.clone()));
    let second = runtime::spawn(square(to_square, squares));
    // How far ahead of the slow end does the first stage get? Look every millisecond.
    let watch = runtime::spawn({
        let (taken, done) = (taken.clone(), done.clone());
        async move {
            let mut most_ahead = 0;
            while done.load(Ordering::SeqCst) < up_to as usize {
                let (started, finished) =
                    (taken.load(Ordering::SeqCst), done.load(Ordering::SeqCst));
                let ahead = started.saturating_sub(finished);
                most_ahead = most_ahead.max(ahead);
                runtime::sleep(Duration::from_millis(1)).await;
            }
            most_ahead
        }
    });
    let total = sum(to_sum, done).await;
    first.await.expect("no panic");
    second.await.expect("no panic");
    (total, watch.await.expect("no panic"))
}
// ANCHOR_END: wire

fn main() {
    let (total, most_ahead) = runtime::run(sum_of_squares(50));
    println!("sum of the squares of 1..=50: {total}");
    // 2 + 2 in the channels, and one in the hands of each of the three stages.
    println!(
        "the first stage was at most 7 items ahead of the last: {}",
        most_ahead <= 7
    );
}
