//! What a deadlock looks like: two tasks, two locks, taken in opposite orders. Nothing crashes;
//! the tasks just never finish. The task dump shows who is stuck, and where they were spawned.
//!
//!     cargo run -p runtime --example deadlock

use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

fn main() {
    runtime::run(async {
        // ANCHOR: deadlock
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
        // ANCHOR_END: deadlock

        // ANCHOR: detect
        runtime::sleep(Duration::from_millis(200)).await;
        if !transfer.is_finished() && !report.is_finished() {
            println!(
                "still waiting after 200 ms; {} tasks alive:",
                runtime::num_tasks()
            );
            print!("{}", runtime::dump());
        }
        // ANCHOR_END: detect
    }); // dropping the runtime drops the two stuck tasks, and the program ends
}
