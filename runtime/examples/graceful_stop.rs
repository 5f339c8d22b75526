//! Stopping gracefully: which branch a `select!` takes when the cancel and a job are both ready,
//! and a cleanup that runs exactly once however a future ends.
//!
//!     cargo run -p runtime --example graceful_stop

use std::future::Future;

// ANCHOR: race
/// The moment a worker's step ends: its token is cancelled *and* the next job is ready. Out of
/// `trials` such moments, how often does it stop?
fn stops(trials: u32, biased: bool) -> u32 {
    let token = runtime::CancellationToken::new();
    token.cancel();
    let mut stopped = 0;
    for _ in 0..trials {
        let next_job = std::future::ready("job"); // ready at once
        let stop = futures::executor::block_on(async {
            if biased {
                tokio::select! {
                    biased; // poll the branches in the order written
                    () = token.cancelled() => true,
                    _job = next_job => false,
                }
            } else {
                tokio::select! {
                    () = token.cancelled() => true,
                    _job = next_job => false,
                }
            }
        });
        stopped += u32::from(stop);
    }
    stopped
}
// ANCHOR_END: race

// ANCHOR: guard
/// Runs its closure when dropped — so exactly once, whichever way its owner ends: returning,
/// breaking out of a loop, panicking, or being dropped half-way at an `.await`.
struct OnDrop<F: FnOnce()>(Option<F>);

impl<F: FnOnce()> Drop for OnDrop<F> {
    fn drop(&mut self) {
        if let Some(cleanup) = self.0.take() {
            cleanup();
        }
    }
}

async fn with_cleanup(name: &'static str, work: impl Future<Output = ()>) {
    let _cleanup = OnDrop(Some(move || println!("{name}: cleaned up")));
    work.await;
    println!("{name}: finished its work");
}
// ANCHOR_END: guard

fn main() {
    const TRIALS: u32 = 1000;
    for biased in [false, true] {
        let stopped = stops(TRIALS, biased);
        println!(
            "select! {:<14} stopped {stopped} times out of {TRIALS}, took a job after the cancel {} times",
            if biased { "with biased:" } else { "without biased:" },
            TRIALS - stopped
        );
    }
    // One worker, and the demo runs as a task on it: a task spawned here starts only when the
    // demo reaches an `.await`, so the output is the same on every run.
    let runtime = runtime::Runtime::builder()
        .workers(1)
        .build()
        .expect("a runtime with one worker starts");
    runtime.block_on(async {
        runtime::spawn(guards())
            .await
            .expect("the example doesn't panic")
    });
}

async fn guards() {
    // ANCHOR: guard_use
    let finishes = runtime::spawn(with_cleanup("finishes", runtime::yield_now()));
    finishes.await.expect("no panic");

    let aborted = runtime::spawn(with_cleanup("aborted", std::future::pending()));
    runtime::yield_now().await; // it runs, up to its `.await`
    aborted.abort();
    let _ = aborted.await; // Err(aborted): its future is dropped, the guard with it

    let never_ran = runtime::spawn(with_cleanup("never ran", std::future::pending()));
    never_ran.abort(); // before its first poll
    let _ = never_ran.await;
    println!("never ran: no cleanup — its guard was to be made at its first poll");
    // ANCHOR_END: guard_use
}
