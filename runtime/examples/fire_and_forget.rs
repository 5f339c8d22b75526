//! Fire-and-forget: start a task and never wait for it. Fine for work whose result nobody needs
//! — as long as something still keeps the program alive long enough, and failures are reported.
//!
//!     cargo run -p runtime --example fire_and_forget

use std::time::Duration;

// ANCHOR: fire
/// Records an audit line in the background; the caller does not wait for it.
fn audit(event: String, log: runtime::WaitGroup) {
    log.add(1);
    runtime::spawn(async move {
        runtime::sleep(Duration::from_millis(10)).await; // pretend: a slow write
        println!("audit: {event}");
        log.done();
    }); // the JoinHandle is dropped: the task is detached
}
// ANCHOR_END: fire

// ANCHOR: main
async fn logins() {
    let pending_audits = runtime::WaitGroup::new();
    for user in ["ada", "grace"] {
        audit(format!("{user} logged in"), pending_audits.clone());
        println!("handled login of {user}");
    }
    // Without this wait, returning from main would drop the audits still in flight.
    pending_audits.wait().await;
}
// ANCHOR_END: main

fn main() {
    runtime::run(logins());
}
