//! Cancellation safety: when one branch of `select!` wins, the others are dropped. What happens
//! to what they held? `recv()` loses nothing; `send(value)` loses the value; `reserve()` first
//! keeps it.
//!
//!     cargo run -p runtime --example select_cancel

use std::time::Duration;
use tokio::sync::mpsc;

/// A message that says when it is dropped.
#[derive(Debug)]
struct Loud(&'static str);

impl Drop for Loud {
    fn drop(&mut self) {
        println!("  (dropped: {})", self.0);
    }
}

// ANCHOR: lost_send
async fn send_with_timeout(tx: &mpsc::Sender<Loud>) {
    let report = Loud("report 2");
    tokio::select! {
        sent = tx.send(report) => println!("sent: {}", sent.is_ok()),
        // The channel is full and nobody reads: the timer wins, and the send future is
        // dropped — with the message inside it.
        _ = runtime::sleep(Duration::from_millis(20)) => println!("timed out"),
    }
    // `report` was moved into `send`: it is gone, there is nothing left to retry with.
}
// ANCHOR_END: lost_send

// ANCHOR: reserve
async fn reserve_with_timeout(tx: &mpsc::Sender<Loud>, report: Loud) -> Option<Loud> {
    tokio::select! {
        // Wait for room first; the message is only handed over once there is room.
        permit = tx.reserve() => {
            match permit {
                Ok(permit) => permit.send(report), // can't fail, can't wait
                Err(_closed) => return Some(report),
            }
            None
        }
        _ = runtime::sleep(Duration::from_millis(20)) => {
            println!("timed out, still holding {report:?}");
            Some(report) // ours again: retry later, or log it
        }
    }
}
// ANCHOR_END: reserve

// ANCHOR: recv_safe
/// Receives while a ticker keeps winning the other branch: `recv()` is cancel safe, so a
/// dropped `recv()` future never took a message with it.
async fn receive_between_ticks(mut rx: mpsc::Receiver<u32>) -> Vec<u32> {
    let mut got = Vec::new();
    loop {
        tokio::select! {
            next = rx.recv() => match next {
                Some(n) => got.push(n),
                None => return got,
            },
            _ = runtime::sleep(Duration::from_millis(1)) => {} // a tick: do other work
        }
    }
}
// ANCHOR_END: recv_safe

fn main() {
    runtime::run(async {
        let (tx, mut rx) = mpsc::channel::<Loud>(1);
        tx.send(Loud("report 1")).await.expect("open"); // the channel is full now
        send_with_timeout(&tx).await;
        let kept = reserve_with_timeout(&tx, Loud("report 3")).await;
        println!("received {:?}", rx.recv().await.as_ref().map(|m| m.0));
        if let Some(report) = kept {
            // Room again: the kept message goes through this time.
            println!("retry: {:?}", reserve_with_timeout(&tx, report).await);
        }
        println!("received {:?}", rx.recv().await.as_ref().map(|m| m.0));

        let (tx, rx) = mpsc::channel(1);
        runtime::spawn(async move {
            for n in 1..=5 {
                runtime::sleep(Duration::from_millis(3)).await;
                tx.send(n).await.expect("open");
            }
        });
        println!(
            "received between ticks: {:?}",
            receive_between_ticks(rx).await
        );
    });
}
