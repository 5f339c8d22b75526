//! The life of a task: it finishes, panics, is aborted, or is detached and runs on alone.
//!
//!     cargo run -p runtime --example lifecycle
//!
//! (The panicking task's message also appears on stderr: the panic hook runs before the runtime
//! catches the panic.)

use std::time::Duration;

// ANCHOR: finishes
async fn finishes() {
    let quick = runtime::spawn(async { 6 * 7 });
    println!("quick: returned {}", quick.await.expect("no panic"));
}
// ANCHOR_END: finishes

// ANCHOR: panics
async fn panics() {
    let boom = runtime::spawn(async {
        panic!("the disk is on fire");
    });
    match boom.await {
        Ok(()) => println!("boom: finished"),
        Err(e) if e.is_panic() => println!("boom: panicked: {}", e.panic_message().unwrap_or("?")),
        Err(e) => println!("boom: {e}"),
    }
    let survivor = runtime::spawn(async { "yes" });
    println!("the worker survived: {}", survivor.await.expect("no panic"));
}
// ANCHOR_END: panics

// ANCHOR: aborted
async fn aborted() {
    let (started, has_started) = tokio::sync::oneshot::channel();
    let slow = runtime::spawn_named("slow", async {
        let _ = started.send(());
        runtime::sleep(Duration::from_secs(3600)).await;
    });
    has_started.await.expect("the task starts");
    runtime::sleep(Duration::from_millis(50)).await; // by now it is parked on its timer
    let state = runtime::dump()
        .tasks
        .iter()
        .find(|t| t.id == slow.id())
        .map(|t| format!("{:?}", t.state));
    println!("slow: state while it sleeps: {}", state.unwrap_or_default());
    slow.abort();
    let aborted = slow.await.expect_err("an aborted task has no output");
    println!("slow: aborted = {}", aborted.is_aborted());
}
// ANCHOR_END: aborted

// ANCHOR: detached
async fn detached() {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let handle = runtime::spawn(async move {
        runtime::sleep(Duration::from_millis(20)).await;
        tx.send("the detached task ran to the end")
            .expect("main is waiting");
    });
    drop(handle); // detaches: the task keeps running, nobody can await it any more
    println!(
        "detached: {}",
        rx.await.expect("the task sends before it ends")
    );
}
// ANCHOR_END: detached

fn main() {
    runtime::run(async {
        finishes().await;
        panics().await;
        aborted().await;
        detached().await;
    });
}
