//! `total()` and `balances()` while transfers run: every answer must add up to the money in the
//! bank, which transfers never change.
//!
//! Why a half-done view shows on every run: readers call the view back to back for as long as
//! four writer threads transfer (until hundreds of calls have overlapped another caller's: see
//! [`watchdog::OVERLAPS_AT_LEAST`]), so a reader is inside a view most of its life. A view read
//! one account at a time is caught whenever a transfer lands between two of its reads — on two
//! cores in parallel, or when the reader is preempted mid-view and writers run.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;

use bank_transfers::Bank;

use crate::hammer::{cycle_until, panic_text, Plan};
use crate::watchdog::{self, Call, Progress};

/// Which view the readers take.
#[derive(Clone, Copy, PartialEq, Eq)]
enum View {
    Total,
    Balances,
}

const READERS: usize = 2;

/// Writers make `plan`'s transfers while `READERS` threads take `view` until the writers are
/// done; fails on the first view that doesn't add up, or on a deadlock.
fn views_while_transfers_run(view: View) {
    let plan = Plan::every_direction(6, 4, 1_024, 0x5EE);
    let expected = plan.total();
    let accounts = plan.balances.len();
    let bank = Arc::new(Bank::new(&plan.balances));
    let names = plan
        .callers
        .iter()
        .map(|c| format!("thread \"{}\"", c.name))
        .chain((0..READERS).map(|index| format!("thread \"reader #{index}\"")));
    let progress = Arc::new(Progress::new(names));
    let writers_left = Arc::new(AtomicUsize::new(plan.callers.len()));
    let stop = Arc::new(AtomicBool::new(false));
    let start = Arc::new(Barrier::new(plan.callers.len() + READERS));

    let mut handles = Vec::new();
    for (index, caller) in plan.callers.iter().enumerate() {
        let (bank, progress, start, left, stop) = (
            bank.clone(),
            progress.clone(),
            start.clone(),
            writers_left.clone(),
            stop.clone(),
        );
        let caller = caller.clone();
        handles.push(
            thread::Builder::new()
                .name(caller.name.clone())
                .spawn(move || -> Option<String> {
                    // Lowers the count even if a transfer panics, so the readers stop.
                    struct Leave(Arc<AtomicUsize>);
                    impl Drop for Leave {
                        fn drop(&mut self) {
                            self.0.fetch_sub(1, Ordering::SeqCst);
                        }
                    }
                    let _leave = Leave(left);
                    start.wait();
                    let slot = progress.slot(index);
                    for &(from, to, amount) in cycle_until(&caller.transfers, &stop) {
                        // Refusals for lack of money are expected; the books are hammer.rs's job.
                        let _ = slot.call(Call::Transfer { from, to, amount }, || {
                            bank.transfer(from, to, amount)
                        });
                    }
                    None
                })
                .expect("the test could not start a thread"),
        );
    }
    for reader in 0..READERS {
        let (bank, progress, start, left) = (
            bank.clone(),
            progress.clone(),
            start.clone(),
            writers_left.clone(),
        );
        let index = plan.callers.len() + reader;
        handles.push(
            thread::Builder::new()
                .name(format!("reader #{reader}"))
                .spawn(move || -> Option<String> {
                    start.wait();
                    let slot = progress.slot(index);
                    loop {
                        let running = left.load(Ordering::SeqCst) > 0;
                        let problem = match view {
                            View::Total => {
                                let total = slot.call(Call::Total, || bank.total());
                                (total != expected).then(|| {
                                    format!(
                                        "total() returned {total} while transfers were running, \
                                         but the bank holds {expected} (transfers only move \
                                         money). total() added up the balances while a transfer \
                                         was half done — debited from one account and not yet \
                                         credited to the other, or the other way round. Read \
                                         every balance while holding every account's lock (take \
                                         them in the same order as transfer does, and only then \
                                         read), or keep one lock that transfers and total() share."
                                    )
                                })
                            }
                            View::Balances => {
                                let balances = slot.call(Call::Balances, || bank.balances());
                                let sum: u128 = balances.iter().map(|&b| u128::from(b)).sum();
                                if balances.len() != accounts {
                                    Some(format!(
                                        "balances() returned {} balances; the bank has {accounts} \
                                         accounts",
                                        balances.len()
                                    ))
                                } else if sum != u128::from(expected) {
                                    Some(format!(
                                        "balances() returned {balances:?} while transfers were \
                                         running: they add up to {sum}, but the bank holds \
                                         {expected} (transfers only move money). The snapshot \
                                         was read one account at a time, and a transfer landed \
                                         between two reads. Take every account's lock (in the \
                                         same order as transfer does), then read them all, then \
                                         let go — or keep one lock that transfers and balances() \
                                         share."
                                    ))
                                } else {
                                    None
                                }
                            }
                        };
                        if problem.is_some() || !running {
                            return problem;
                        }
                    }
                })
                .expect("the test could not start a thread"),
        );
    }

    let hint = "A view that locks the accounts in another order than transfer does (highest \
        first, say) deadlocks with it: take every lock in one global order — the lower account \
        index first — in transfer, total() and balances() alike.";
    let watched = watchdog::watch(&progress, &stop, || handles.iter().all(|h| h.is_finished()));
    if let Err(report) = watched {
        panic!("{report}\n{hint}");
    }
    for handle in handles {
        match handle.join() {
            Ok(None) => {}
            Ok(Some(problem)) => panic!("{problem}"),
            Err(payload) => panic!(
                "a call into the bank panicked: {}",
                panic_text(payload.as_ref())
            ),
        }
    }
}

pub fn total_never_drifts_while_transfers_run() {
    views_while_transfers_run(View::Total);
}

pub fn balances_are_one_snapshot_while_transfers_run() {
    views_while_transfers_run(View::Balances);
}
