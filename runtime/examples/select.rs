//! Go's `select`, written with `tokio::select!` on the Tasklings runtime: the first ready branch
//! wins, a timeout branch, Go's `default`, tokio's `else`, and which branch wins when several
//! are ready.
//!
//!     cargo run -p runtime --example select

use std::time::Duration;
use tokio::sync::mpsc::{self, error::TryRecvError, Receiver};

// ANCHOR: first
/// Go: `select { case v := <-a: …; case v := <-b: …; case <-time.After(50 * time.Millisecond): … }`
async fn first_of(a: &mut Receiver<&'static str>, b: &mut Receiver<&'static str>) -> String {
    tokio::select! {
        Some(v) = a.recv() => format!("from a: {v}"),
        Some(v) = b.recv() => format!("from b: {v}"),
        // A timer of the Tasklings runtime (tokio's own need tokio's runtime).
        _ = runtime::sleep(Duration::from_millis(50)) => "timed out".to_string(),
    }
}
// ANCHOR_END: first

// ANCHOR: default
/// Go: `select { case v := <-rx: …; default: … }` — never waits.
async fn without_waiting(rx: &mut Receiver<&'static str>) -> String {
    tokio::select! {
        biased; // try the branches top to bottom...
        Some(v) = rx.recv() => format!("got {v}"),
        _ = std::future::ready(()) => "nothing ready".to_string(), // ...this one is always ready
    }
}

/// The same without `select!`: one channel, one attempt.
fn try_once(rx: &mut Receiver<&'static str>) -> String {
    match rx.try_recv() {
        Ok(v) => format!("got {v}"),
        Err(TryRecvError::Empty) => "nothing ready".to_string(),
        Err(TryRecvError::Disconnected) => "closed".to_string(),
    }
}
// ANCHOR_END: default

// ANCHOR: else
/// Reads two channels until both are closed. A branch whose pattern doesn't match (`None`:
/// closed) is disabled for this `select!`; when every branch is disabled, `else` runs.
async fn drain_both(mut a: Receiver<u32>, mut b: Receiver<u32>) -> (u32, u32) {
    let (mut from_a, mut from_b) = (0, 0);
    loop {
        tokio::select! {
            Some(n) = a.recv() => from_a += n,
            Some(n) = b.recv() => from_b += n,
            else => break, // both closed — not Go's `default`!
        }
    }
    (from_a, from_b)
}
// ANCHOR_END: else

// ANCHOR: fairness
/// Two channels that are always ready: how often does each branch win?
async fn wins(biased: bool) -> [u32; 2] {
    let (tx_a, mut a) = mpsc::channel(1000);
    let (tx_b, mut b) = mpsc::channel(1000);
    for i in 0..1000 {
        tx_a.send(i).await.expect("open");
        tx_b.send(i).await.expect("open");
    }
    let mut wins = [0, 0];
    for _ in 0..1000 {
        if biased {
            tokio::select! {
                biased;
                Some(_) = a.recv() => wins[0] += 1,
                Some(_) = b.recv() => wins[1] += 1,
            }
        } else {
            tokio::select! {
                Some(_) = a.recv() => wins[0] += 1,
                Some(_) = b.recv() => wins[1] += 1,
            }
        }
    }
    wins
}
// ANCHOR_END: fairness

fn main() {
    runtime::run(async {
        let (tx_a, mut a) = mpsc::channel(1);
        let (tx_b, mut b) = mpsc::channel(1);
        tx_b.send("hi").await.expect("open");
        println!("b has a message: {}", first_of(&mut a, &mut b).await);
        println!("neither has one: {}", first_of(&mut a, &mut b).await);

        println!("select! with a default: {}", without_waiting(&mut a).await);
        tx_a.send("hello").await.expect("open");
        println!("select! with a default: {}", without_waiting(&mut a).await);
        println!("try_recv:               {}", try_once(&mut a));
        drop((tx_a, tx_b));
        println!("try_recv:               {}", try_once(&mut a));

        let (tx_a, a) = mpsc::channel(8);
        let (tx_b, b) = mpsc::channel(8);
        runtime::spawn(async move {
            for n in 1..=3 {
                tx_a.send(n).await.expect("open");
            }
        });
        runtime::spawn(async move {
            for n in 10..=12 {
                tx_b.send(n).await.expect("open");
            }
        });
        println!("drained until both closed: {:?}", drain_both(a, b).await);

        let random = wins(false).await;
        println!(
            "random order: each channel won at least 400 of 1000 turns: {}",
            random.iter().all(|&w| w >= 400)
        );
        println!("biased:       wins {:?}", wins(true).await);
    });
}
