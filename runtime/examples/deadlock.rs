//! What a deadlock looks like: two tasks, two locks, taken in opposite orders. Nothing crashes;
//! the tasks just never finish. The task dump shows who is stuck, and where they were spawned.
//!
//!     cargo run -p runtime --example deadlock

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

// ANCHOR: deadlock
/// Two tasks that each take one lock, then wait for the other's.
fn two_tasks_two_locks() -> (runtime::JoinHandle<()>, runtime::JoinHandle<()>) {
    let accounts = Arc::new(Mutex::new("accounts"));
    let audit_log = Arc::new(Mutex::new("audit log"));
    let transfer = {
        let (accounts, audit_log) = (accounts.clone(), audit_log.clone());
        runtime::spawn_named("transfer", async move {
            let _a = accounts.lock().await;
            runtime::sleep(Duration::from_millis(10)).await;
            let _l = audit_log.lock().await; // waits for "report", which waits for us
        })
    };
    let report = runtime::spawn_named("report", async move {
        let _l = audit_log.lock().await;
        runtime::sleep(Duration::from_millis(10)).await;
        let _a = accounts.lock().await; // waits for "transfer"
    });
    (transfer, report)
}
// ANCHOR_END: deadlock

// ANCHOR: detect
async fn look_after_200_ms(transfer: &runtime::JoinHandle<()>, report: &runtime::JoinHandle<()>) {
    runtime::sleep(Duration::from_millis(200)).await;
    if !transfer.is_finished() && !report.is_finished() {
        println!(
            "still waiting after 200 ms; {} tasks alive:",
            runtime::num_tasks()
        );
        print!("{}", runtime::dump());
    }
}
// ANCHOR_END: detect

fn main() {
    runtime::run(async {
        let (transfer, report) = two_tasks_two_locks();
        look_after_200_ms(&transfer, &report).await;
    }); // dropping the runtime drops the two stuck tasks, and the program ends
}
