//! The bank-transfers exercise's first mistake, run: a transfer that locks its two accounts in
//! the direction of the money. Two tasks transfer back and forth between the same two accounts;
//! within moments each holds one lock and waits for the other's, and the workers they run on are
//! stuck with them. The program notices that no transfer finishes any more and prints the dump.
//!
//!     cargo run -p runtime --example bank_deadlock

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

// ANCHOR: naive
/// Accounts, each behind its own lock.
struct Bank {
    accounts: Vec<Mutex<u64>>,
}

impl Bank {
    /// Locks `from`, then `to`: the order of the money. (Wrong, as this program shows.)
    fn transfer(&self, from: usize, to: usize, amount: u64) {
        let mut source = self.accounts[from].lock().unwrap();
        let mut destination = self.accounts[to].lock().unwrap(); // waits, holding `from`
        if *source >= amount {
            *source -= amount;
            *destination += amount;
        }
    }
}
// ANCHOR_END: naive

// ANCHOR: hammer
/// Two tasks move money back and forth between accounts 0 and 1, counting finished transfers.
fn transfer_back_and_forth(bank: &Arc<Bank>, finished: &Arc<AtomicU64>) {
    for (from, to) in [(0, 1), (1, 0)] {
        let (bank, finished) = (bank.clone(), finished.clone());
        runtime::spawn_named(format!("transfer {from}→{to}"), async move {
            loop {
                bank.transfer(from, to, 1);
                finished.fetch_add(1, Ordering::Relaxed);
            }
        });
    }
}
// ANCHOR_END: hammer

// ANCHOR: watch
/// Looks every 50 ms; once four looks in a row see no transfer finish, prints the dump.
fn wait_until_stuck(runtime: &runtime::Runtime, finished: &AtomicU64) {
    let (mut seen, mut quiet_looks) = (finished.load(Ordering::Relaxed), 0);
    while quiet_looks < 4 {
        thread::sleep(Duration::from_millis(50));
        let now = finished.load(Ordering::Relaxed);
        quiet_looks = if now == seen { quiet_looks + 1 } else { 0 };
        seen = now;
    }
    println!("no transfer has finished for 200 ms:\n{}", runtime.dump());
}
// ANCHOR_END: watch

fn main() {
    let runtime = runtime::Runtime::builder().workers(2).build().unwrap();
    let bank = Arc::new(Bank {
        accounts: vec![Mutex::new(100), Mutex::new(100)],
    });
    let finished = Arc::new(AtomicU64::new(0));
    runtime.block_on(async { transfer_back_and_forth(&bank, &finished) });
    wait_until_stuck(&runtime, &finished);
    // Dropping a runtime waits for its workers, and these two never come back from their
    // `lock()`: leave the runtime be; the process ends with `main`.
    std::mem::forget(runtime);
}
