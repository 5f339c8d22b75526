//! Many threads draining one account at once: nobody may take more than is there.
//!
//! Account 0 holds a small pot; eight threads, started together, each keep taking 1 to 16 units
//! from it into an account of their own, and now and then put all they hold back. Account 0 is
//! nearly empty most of the time, so most transfers race each other for its last units. At the
//! end each thread's account must hold exactly what its `Ok` transfers moved there, account 0
//! the rest, and nothing may have panicked (a balance below zero is an overflow panic in a `u64`).
//!
//! Why an overdraft shows on every run: a check made under one lock and a debit made under
//! another lets two threads pass the check on the same money whenever one of them is preempted
//! (or runs beside the other) between its check and its debit; the threads keep going until
//! hundreds of their calls have overlapped another's (see [`watchdog::OVERLAPS_AT_LEAST`]).

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Barrier};
use std::thread;

use bank_transfers::{Bank, TransferError};
use probes::seeded::Rng;

use crate::hammer::panic_text;
use crate::watchdog::{self, Call, Progress, Slot};

const THREADS: usize = 8;
const POT: u64 = 48;
const MOST_PER_TRANSFER: u64 = 16;

pub fn many_threads_draining_one_account_never_overdraw() {
    let mut balances = vec![0; THREADS + 1];
    balances[0] = POT;
    let bank = Arc::new(Bank::new(&balances));
    let progress = Arc::new(Progress::new(
        (1..=THREADS).map(|account| format!("thread \"drain into {account}\"")),
    ));
    let stop = Arc::new(AtomicBool::new(false));
    let start = Arc::new(Barrier::new(THREADS));
    let mut rng = Rng::new(0xD7A1);
    let handles: Vec<_> = (1..=THREADS)
        .map(|account| {
            let (bank, progress, stop, start) =
                (bank.clone(), progress.clone(), stop.clone(), start.clone());
            let seed = rng.next_u64();
            thread::Builder::new()
                .name(format!("drain into {account}"))
                .spawn(move || {
                    start.wait();
                    drain(&bank, account, progress.slot(account - 1), &stop, seed)
                })
                .expect("the test could not start a thread")
        })
        .collect();
    let watched = watchdog::watch(&progress, &stop, || handles.iter().all(|h| h.is_finished()));
    if let Err(report) = watched {
        panic!("{report}");
    }
    let mut held_in_all = 0;
    for (index, handle) in handles.into_iter().enumerate() {
        let account = index + 1;
        let held = handle
            .join()
            .unwrap_or_else(|payload| {
                Err(format!(
                    "a transfer panicked: {}{}",
                    panic_text(payload.as_ref()),
                    OVERDRAFT
                ))
            })
            .unwrap_or_else(|problem| panic!("{problem}"));
        let got = bank.balance(account);
        assert!(
            got == Some(held),
            "the transfers into and out of account {account} that returned Ok leave it at {held}, \
             but balance({account}) returned {got:?}{}",
            if got.is_some_and(|got| got > held) {
                " — money appeared: an overdraft elsewhere, or a stale balance written back."
            } else {
                " — an update was lost."
            }
        );
        held_in_all += held;
    }
    let left = bank.balance(0);
    let expected = POT - held_in_all;
    assert!(
        left == Some(expected),
        "account 0 held {POT} and the Ok transfers out of it and back leave {expected} there, \
         but balance(0) returned {left:?}{}",
        if left.is_some_and(|left| left > expected) {
            format!(" — more came out of it than was there.{OVERDRAFT}")
        } else {
            " — an update was lost.".to_owned()
        }
    );
}

const OVERDRAFT: &str = "\nMany threads took money out of account 0 at once, more than it held \
    (with a u64 balance, \"attempt to subtract with overflow\" is a balance below zero). The \
    check \"is there enough?\" and the debit must happen under one lock, held from the check to \
    the debit; otherwise two transfers both pass the check on the same money.";

/// Takes from account 0 into `account` until told to stop, putting everything back now and then;
/// returns what `account` should hold at the end.
fn drain(
    bank: &Bank,
    account: usize,
    slot: &Slot,
    stop: &AtomicBool,
    seed: u64,
) -> Result<u64, String> {
    let mut rng = Rng::new(seed);
    let mut held = 0;
    let transfer = |from: usize, to: usize, amount: u64| {
        slot.call(Call::Transfer { from, to, amount }, || {
            bank.transfer(from, to, amount)
        })
    };
    let mut first = true;
    while first || !stop.load(std::sync::atomic::Ordering::Relaxed) {
        first = false;
        for _ in 0..64 {
            let amount = 1 + rng.below(MOST_PER_TRANSFER);
            match transfer(0, account, amount) {
                Ok(()) => held += amount,
                Err(TransferError::InsufficientFunds { balance, .. }) if balance < amount => {}
                Err(error) => {
                    return Err(format!(
                        "transfer(0, {account}, {amount}) returned Err({error:?}){}",
                        if matches!(error, TransferError::InsufficientFunds { .. }) {
                            " although the balance it reports covers the amount"
                        } else {
                            "; only InsufficientFunds can refuse it"
                        }
                    ))
                }
            }
            if held > 0 && rng.chance(250) {
                // Only this thread takes from `account`: all it holds is there.
                transfer(account, 0, held).map_err(|error| {
                    format!(
                        "transfer({account}, 0, {held}) returned Err({error:?}), but only this \
                         thread takes money out of account {account} and its Ok transfers put \
                         {held} there"
                    )
                })?;
                held = 0;
            }
        }
    }
    Ok(held)
}
