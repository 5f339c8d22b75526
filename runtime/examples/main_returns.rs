//! When `main` returns, unfinished tasks die: `runtime::run` drops the runtime, and dropping the
//! runtime drops every task that has not finished (their destructors run, their code doesn't).
//!
//!     cargo run -p runtime --example main_returns

use std::time::Duration;

/// Says when it is dropped, so we can see the task die.
struct Noisy(&'static str);

impl Drop for Noisy {
    fn drop(&mut self) {
        println!("{}: dropped before it finished", self.0);
    }
}

// ANCHOR: main
fn main() {
    runtime::run(async {
        let guard = Noisy("background task");
        runtime::spawn(async move {
            let _guard = guard; // lives as long as the task does
            runtime::sleep(Duration::from_secs(3600)).await;
            println!("background task: done"); // never printed
        });
        println!("main: {} task alive, returning", runtime::num_tasks());
    }); // <- the runtime is dropped here, and with it the unfinished task
    println!("main: the runtime is gone");
}
// ANCHOR_END: main
