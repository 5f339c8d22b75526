//! `abort()` asks; awaiting the aborted handle is how you know the task is gone.
//!
//!     cargo run -p runtime --example abort_then_await
//!
//! The runtime has one worker, and the code runs as a task on it: while that task runs, nothing
//! else does, so the output shows on every run what more workers only make a matter of luck —
//! an aborted task is still alive when `abort()` returns.

/// Stands for what a task holds: a connection, a lock, a temporary file.
struct Connection(&'static str);

impl Drop for Connection {
    fn drop(&mut self) {
        println!("  {}: connection closed (its drop code ran)", self.0);
    }
}

// ANCHOR: abort_then_await
async fn stop_the_losers() {
    let losers: Vec<_> = ["mirror A", "mirror B"]
        .into_iter()
        .map(|name| {
            let connection = Connection(name);
            runtime::spawn(async move {
                let _connection = connection;
                std::future::pending::<()>().await // a download that never ends
            })
        })
        .collect();
    runtime::yield_now().await; // let them start
    println!("two tasks waiting; live tasks: {}", runtime::num_tasks());

    for loser in &losers {
        loser.abort();
    }
    println!("abort() returned; live tasks: {}", runtime::num_tasks());

    let mut aborted = Vec::new();
    for loser in losers {
        let error = loser.await.expect_err("an aborted task has no output");
        aborted.push(error.is_aborted());
    }
    println!(
        "awaited both: aborted = {aborted:?}; live tasks: {}",
        runtime::num_tasks()
    );
}
// ANCHOR_END: abort_then_await

fn main() {
    let runtime = runtime::Runtime::builder()
        .workers(1)
        .build()
        .expect("a runtime with one worker starts");
    runtime.block_on(async {
        runtime::spawn(stop_the_losers())
            .await
            .expect("the example doesn't panic")
    });
}
