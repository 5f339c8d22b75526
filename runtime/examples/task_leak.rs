//! Task leaks: Go's classic one cannot happen here, but a task nobody stops still lives forever.
//!
//!     cargo run -p runtime --example task_leak

use std::time::Duration;
use tokio::sync::mpsc;

// ANCHOR: go_leak
/// Asks two replicas, returns the first answer. In Go, the loser blocks forever on its send to
/// an unbuffered channel nobody reads. Here, returning drops `rx`, which closes the channel:
/// the loser's `send` fails at once and its task ends.
async fn first_answer(query: u32) -> u32 {
    let (tx, mut rx) = mpsc::channel(1);
    for replica in 1..=2u64 {
        let tx = tx.clone();
        runtime::spawn(async move {
            runtime::sleep(Duration::from_millis(5 * replica)).await;
            let _ = tx.send(query * 10).await; // Err(closed) for the loser: nothing to wait for
        });
    }
    rx.recv().await.expect("a replica answers")
} // <- rx dropped: the channel is closed
  // ANCHOR_END: go_leak

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
