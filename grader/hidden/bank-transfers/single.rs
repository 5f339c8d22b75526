//! One transfer at a time, from one thread: what moves, what is refused, and that a refusal moves
//! nothing.

use std::sync::mpsc;
use std::thread;

use bank_transfers::{Bank, TransferError};

use crate::hammer::panic_text;
use crate::watchdog::{self, Call, Progress};

/// Checks every view of `bank` against `expected`, after `what`.
#[track_caller]
fn assert_holds(bank: &Bank, expected: &[u64], what: &str) {
    let balances = bank.balances();
    assert!(
        balances == expected,
        "after {what}, balances() returned {balances:?}; expected {expected:?}"
    );
    for (account, &balance) in expected.iter().enumerate() {
        let got = bank.balance(account);
        assert!(
            got == Some(balance),
            "after {what}, balance({account}) returned {got:?}; expected Some({balance})"
        );
    }
    let missing = expected.len();
    let got = bank.balance(missing);
    assert!(
        got.is_none(),
        "balance({missing}) returned {got:?}, but the bank has only {missing} accounts (0 to \
         {}): expected None",
        missing.saturating_sub(1)
    );
    let total = bank.total();
    let sum: u64 = expected.iter().sum();
    assert!(
        total == sum,
        "after {what}, total() returned {total}; the balances {expected:?} add up to {sum}"
    );
}

pub fn new_bank_holds_the_given_balances() {
    assert_holds(&Bank::new(&[5, 0, 7]), &[5, 0, 7], "Bank::new(&[5, 0, 7])");
    assert_holds(&Bank::new(&[]), &[], "Bank::new(&[])");
    assert_holds(&Bank::new(&[42]), &[42], "Bank::new(&[42])");
    let big = [u64::MAX - 1, 1];
    assert_holds(&Bank::new(&big), &big, "Bank::new(&[u64::MAX - 1, 1])");
    // Two banks are two sets of accounts.
    let first = Bank::new(&[10, 10]);
    let second = Bank::new(&[10, 10]);
    first.transfer(0, 1, 4).unwrap_or_else(|error| {
        panic!("transfer(0, 1, 4) on a bank holding [10, 10] returned Err({error:?})")
    });
    assert_holds(
        &second,
        &[10, 10],
        "a transfer on ANOTHER bank (do two banks share their accounts?)",
    );
}

#[track_caller]
fn transfer_ok(bank: &Bank, from: usize, to: usize, amount: u64, then: &[u64]) {
    let before = bank.balances();
    let result = bank.transfer(from, to, amount);
    assert!(
        result.is_ok(),
        "transfer({from}, {to}, {amount}) on a bank holding {before:?} returned {result:?}; \
         expected Ok(())"
    );
    assert_holds(
        bank,
        then,
        &format!("transfer({from}, {to}, {amount}) on a bank holding {before:?}"),
    );
}

pub fn a_transfer_moves_exactly_its_amount() {
    let bank = Bank::new(&[100, 50, 0]);
    transfer_ok(&bank, 0, 2, 30, &[70, 50, 30]);
    transfer_ok(&bank, 2, 1, 30, &[70, 80, 0]);
    transfer_ok(&bank, 1, 0, 80, &[150, 0, 0]);
    transfer_ok(&bank, 0, 1, 0, &[150, 0, 0]);
    transfer_ok(&bank, 0, 2, 150, &[0, 0, 150]);
    // The largest amounts: no overflow on the way.
    let bank = Bank::new(&[u64::MAX - 1, 1]);
    transfer_ok(&bank, 0, 1, u64::MAX - 1, &[0, u64::MAX]);
    transfer_ok(&bank, 1, 0, u64::MAX, &[u64::MAX, 0]);
}

#[track_caller]
fn transfer_refused(bank: &Bank, from: usize, to: usize, amount: u64, expected: TransferError) {
    let before = bank.balances();
    let result = bank.transfer(from, to, amount);
    assert!(
        result == Err(expected),
        "transfer({from}, {to}, {amount}) on a bank holding {before:?} returned {result:?}; \
         expected Err({expected:?})"
    );
    assert_holds(
        bank,
        &before,
        &format!("the refused transfer({from}, {to}, {amount}) (a refusal moves nothing)"),
    );
}

pub fn a_transfer_beyond_the_balance_is_refused() {
    let bank = Bank::new(&[100, 50]);
    let short = |balance, amount| TransferError::InsufficientFunds { balance, amount };
    transfer_refused(&bank, 1, 0, 51, short(50, 51));
    transfer_refused(&bank, 1, 0, u64::MAX, short(50, u64::MAX));
    transfer_ok(&bank, 1, 0, 50, &[150, 0]);
    transfer_refused(&bank, 1, 0, 1, short(0, 1));
    transfer_ok(&bank, 1, 0, 0, &[150, 0]);
    transfer_refused(&bank, 0, 1, 151, short(150, 151));
    transfer_ok(&bank, 0, 1, 150, &[0, 150]);
}

pub fn unknown_accounts_are_refused() {
    let bank = Bank::new(&[100, 50, 20]);
    use TransferError::UnknownAccount;
    transfer_refused(&bank, 0, 3, 10, UnknownAccount(3));
    transfer_refused(&bank, 3, 0, 10, UnknownAccount(3));
    transfer_refused(&bank, 1, usize::MAX, 10, UnknownAccount(usize::MAX));
    transfer_refused(&bank, 7, 9, 10, UnknownAccount(7));
    transfer_refused(&bank, 9, 9, 10, UnknownAccount(9));
    transfer_refused(&bank, 5, 0, 0, UnknownAccount(5));
    transfer_refused(&bank, 0, 4, 1_000, UnknownAccount(4));
    let empty = Bank::new(&[]);
    transfer_refused(&empty, 0, 1, 0, UnknownAccount(0));
}

/// A same-account transfer runs on a thread of its own, under the watchdog: code that locks the
/// one account twice waits for itself for ever, and this reports it instead of hanging.
pub fn a_transfer_to_the_same_account_is_refused() {
    let bank = std::sync::Arc::new(Bank::new(&[100, 50]));
    let progress = std::sync::Arc::new(Progress::new(["the test's thread".to_owned()]));
    let (sender, results) = mpsc::channel();
    let helper = {
        let (bank, progress) = (bank.clone(), progress.clone());
        thread::spawn(move || {
            for (account, amount) in [(1, 10), (0, 0), (0, 100), (1, 51)] {
                let call = Call::Transfer {
                    from: account,
                    to: account,
                    amount,
                };
                let result = progress
                    .slot(0)
                    .call(call, || bank.transfer(account, account, amount));
                if sender.send((account, amount, result)).is_err() {
                    return;
                }
            }
        })
    };
    // Nothing here to stop: the four calls are the whole work.
    let stop = std::sync::atomic::AtomicBool::new(false);
    let watched = watchdog::watch(&progress, &stop, || helper.is_finished());
    if let Err(report) = watched {
        panic!(
            "{report}A transfer from an account to itself locked that account's lock and then \
             tried to lock it again: std's Mutex is not reentrant, so the thread waits for itself \
             for ever. Check `from == to` before locking anything, and return \
             Err(TransferError::SameAccount)."
        );
    }
    if let Err(payload) = helper.join() {
        panic!(
            "a transfer from an account to itself panicked: {}",
            panic_text(payload.as_ref())
        );
    }
    let answers: Vec<_> = results.try_iter().collect();
    for (account, amount, result) in answers {
        assert!(
            result == Err(TransferError::SameAccount),
            "transfer({account}, {account}, {amount}) returned {result:?}; expected \
             Err(SameAccount) — a transfer needs two different accounts"
        );
        assert_holds(
            &bank,
            &[100, 50],
            &format!("the refused transfer({account}, {account}, {amount})"),
        );
    }
}
