//! Closing a channel: Go's `close(ch)` is dropping the last `Sender`; `for v := range ch` is
//! `while let Some(v) = rx.recv().await`. And the other way round, which Go doesn't have: a
//! dropped `Receiver` makes every send fail, handing the value back.
//!
//!     cargo run -p runtime --example closing

use std::time::Duration;
use tokio::sync::mpsc;

// ANCHOR: close
async fn squares(drop_ours: bool) -> Option<u64> {
    let (results, mut gathered) = mpsc::channel::<u64>(4);
    for worker in 1..=3u64 {
        let results = results.clone(); // each task owns a Sender
        runtime::spawn(async move {
            results
                .send(worker * worker)
                .await
                .expect("gatherer listens");
        }); // the task's Sender is dropped when it ends
    }
    if drop_ours {
        drop(results); // the last Sender left is ours: without this, the channel never closes
    }
    let mut total = 0;
    // `while let Some(n) = gathered.recv().await { total += n }`, with a deadline for the
    // whole loop (made once, outside it: a `sleep` written inside `select!` restarts each turn).
    let mut deadline = std::pin::pin!(runtime::sleep(Duration::from_millis(500)));
    loop {
        tokio::select! {
            next = gathered.recv() => match next {
                Some(n) => total += n,
                None => return Some(total), // every Sender dropped and the buffer empty
            },
            _ = &mut deadline => return None, // still waiting: a Sender is alive somewhere
        }
    }
}
// ANCHOR_END: close

// ANCHOR: receiver_gone
async fn send_to_nobody() {
    let (tx, rx) = mpsc::channel::<String>(1);
    drop(rx); // the consumer hangs up
    match tx.send("report".to_string()).await {
        Ok(()) => println!("sent"),
        // The value comes back: nothing is lost, and the sender knows to stop.
        Err(mpsc::error::SendError(value)) => println!("send failed, got {value:?} back"),
    }
    println!("tx.is_closed(): {}", tx.is_closed());
}
// ANCHOR_END: receiver_gone

fn main() {
    runtime::run(async {
        println!("with drop(results):    {:?}", squares(true).await);
        println!("without drop(results): {:?}", squares(false).await);
        send_to_nobody().await;
    });
}
