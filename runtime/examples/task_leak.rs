//! Task leaks: Go's classic one — a send on a rendezvous channel nobody will read — happens in
//! Rust only while the receiver lives; and a task nobody stops lives for ever.
//!
//!     cargo run -p runtime --example task_leak

use std::time::Duration;

// ANCHOR: go_leak
/// Asks two replicas, returns the first answer: Go's program, with Go's unbuffered channel.
/// `flume::bounded(0)` is a rendezvous, so the loser's send waits for a receiver, as in Go. But
/// returning drops `rx`, the only receiver: the channel is closed, the waiting send fails with
/// an error, and the loser's task ends.
async fn first_answer(query: u32) -> u32 {
    let (tx, rx) = flume::bounded(0); // Go's make(chan u32)
    for replica in 1..=2u64 {
        let tx = tx.clone();
        runtime::spawn(async move {
            runtime::sleep(Duration::from_millis(5 * replica)).await;
            let _ = tx.send_async(query * 10).await; // the loser waits here, until rx is dropped
        });
    }
    rx.recv_async().await.expect("a replica answers")
} // <- rx dropped: the channel is closed, and the loser's send returns Err
  // ANCHOR_END: go_leak

// ANCHOR: go_leak_kept
/// The same, but the receiver outlives the call (here in `kept`; in real code a struct field, a
/// cache, a map of pending requests). Nobody will receive again, yet the channel is open: the
/// loser waits for ever — Go's leak, in Rust.
async fn first_answer_keeping_rx(query: u32, kept: &mut Vec<flume::Receiver<u32>>) -> u32 {
    let (tx, rx) = flume::bounded(0);
    for replica in 1..=2u64 {
        let tx = tx.clone();
        runtime::spawn(async move {
            runtime::sleep(Duration::from_millis(5 * replica)).await;
            let _ = tx.send_async(query * 10).await;
        });
    }
    let answer = rx.recv_async().await.expect("a replica answers");
    kept.push(rx); // the receiver lives on: the channel stays open
    answer
}
// ANCHOR_END: go_leak_kept

// ANCHOR: leak
/// Handles a request and starts a heartbeat for it... that nothing ever stops.
async fn handle_leaky(request: u32) -> u32 {
    runtime::spawn_named(format!("heartbeat {request}"), async {
        loop {
            runtime::sleep(Duration::from_millis(10)).await; // "still working..."
        }
    });
    runtime::sleep(Duration::from_millis(30)).await; // the request's real work
    request * 10
}
// ANCHOR_END: leak

// ANCHOR: fixed
/// Aborts its task when dropped: the task cannot outlive the scope that owns this.
struct AbortOnDrop(runtime::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn handle(request: u32) -> u32 {
    let _heartbeat = AbortOnDrop(runtime::spawn_named(
        format!("heartbeat {request}"),
        async {
            loop {
                runtime::sleep(Duration::from_millis(10)).await;
            }
        },
    ));
    runtime::sleep(Duration::from_millis(30)).await;
    request * 10
} // <- _heartbeat dropped: the heartbeat is aborted, even if this future is itself cancelled
  // ANCHOR_END: fixed

// ANCHOR: count
async fn watch_the_count() {
    let settle = Duration::from_millis(200); // every replica has answered by then
    for query in 1..=3 {
        first_answer(query).await;
        runtime::sleep(settle).await;
        println!(
            "first_answer, after request {query}: {} tasks alive",
            runtime::num_tasks()
        );
    }
    let mut kept = Vec::new();
    for query in 1..=3 {
        first_answer_keeping_rx(query, &mut kept).await;
        runtime::sleep(settle).await;
        println!(
            "first_answer_keeping_rx, after request {query}: {} tasks alive",
            runtime::num_tasks()
        );
    }
    drop(kept); // the channels close: every waiting send fails, every loser ends
    runtime::sleep(settle).await;
    println!(
        "first_answer_keeping_rx, receivers dropped: {} tasks alive",
        runtime::num_tasks()
    );
    for request in 1..=3 {
        handle(request).await;
        runtime::sleep(settle).await;
        println!(
            "handle, after request {request}:       {} tasks alive",
            runtime::num_tasks()
        );
    }
    for request in 1..=3 {
        handle_leaky(request).await;
        runtime::sleep(settle).await;
        println!(
            "handle_leaky, after request {request}: {} tasks alive",
            runtime::num_tasks()
        );
    }
}
// ANCHOR_END: count

// ANCHOR: dump
/// The names of the tasks still alive, from the task dump.
fn leaked_names() -> Vec<String> {
    let mut leaked: Vec<_> = runtime::dump()
        .tasks
        .into_iter()
        .filter_map(|task| task.name)
        .collect();
    leaked.sort();
    leaked
}
// ANCHOR_END: dump

fn main() {
    runtime::run(async {
        watch_the_count().await;
        println!();
        println!("still alive: {:?}", leaked_names());
    });
}
