//! # Bank transfers
//!
//! A bank whose accounts each sit behind a lock of their own, and transfers between them that run
//! from many threads and tasks at once. Two things go wrong with such a bank, and both are the
//! subject of this exercise:
//!
//! - **Deadlock.** `transfer(a, b)` locks `a` and then `b`, while `transfer(b, a)` on another
//!   thread locks `b` and then `a`. Each holds one lock and waits for the other's, for ever.
//!   Nothing crashes; the program just stops. The cure is to take the two locks in one global
//!   order (by account index, say), whatever the direction of the transfer.
//! - **Money lost or made.** A transfer is a check (is there enough?), a debit and a credit. If
//!   another transfer can slip in between the check and the debit, or between reading a balance
//!   and writing it back, money is lost or created. And [`Bank::total`] read one account at a
//!   time sees a transfer half done — debited, not yet credited — and reports money that isn't
//!   missing.
//!
//! Read the chapter first: `book/src/fixing-races.md` (its last section is this exercise), and
//! `book/src/debugging.md` for reading the dump a deadlock leaves. Then grade your work with
//! `cargo grade run bank-transfers`; `cargo grade hint bank-transfers` gives hints.
//!
//! You may change the struct's fields (they are private) and add private helpers; keep every
//! public signature as it is. Use std, rayon, crossbeam or the Tasklings runtime.
//!
//! ## What the grader checks
//!
//! - Single transfers: the amount moves exactly; a refused transfer (unknown account, the same
//!   account twice, not enough money) returns its error and moves nothing.
//! - **No deadlock**: many threads, and many tasks on the Tasklings runtime, transfer between the
//!   same two accounts in opposite directions, back to back, until hundreds of their calls have
//!   overlapped one another (two cores, or a preemption in mid-call). The test counts the calls
//!   that return; when none returns for 40 looks in a row (2 s at least) while callers are inside
//!   the bank, it stops and reports a deadlock, naming the call each thread or task is stuck in
//!   (and the runtime's task dump). A bank that locks in the direction of the money deadlocks
//!   within a few overlapping calls, on every run. The same watch covers every test below.
//! - **No lost update**: after the hammering, every account holds exactly its start plus the
//!   transfers into it minus the transfers out of it that returned `Ok` (the test keeps its own
//!   books) — so a refused transfer that moved money is caught too.
//! - **No overdraft**: many threads take money out of one nearly empty account at once; no
//!   balance goes below zero (in a `u64`, that is an overflow panic), and no more comes out than
//!   was there.
//! - **A consistent view**: while transfers run, other threads call [`Bank::total`] and
//!   [`Bank::balances`]; every answer must add up to the money in the bank, which transfers never
//!   change.
//!
//! No verdict depends on time (the 2 s above only keep a slow machine from looking stuck), and
//! none on how the bank is built: a bank with one lock for all accounts passes every test. It is
//! correct, only slower, since transfers between different accounts wait for each other — the
//! chapter says why a lock per account is the design worth learning.

use std::fmt;

/// A bank: a fixed number of accounts (numbered from 0), each with a balance in whole units.
///
/// Shared by reference between threads and tasks (`&Bank`, `Arc<Bank>`): it must be `Send` and
/// `Sync`, and every method takes `&self`.
pub struct Bank {
    // Your fields here: one lock per account is the design the chapter builds.
}

/// Why a transfer was refused. A refused transfer moves nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferError {
    /// `from` or `to` is not an account of this bank (the index given; `from` is checked first).
    UnknownAccount(usize),
    /// `from` and `to` are the same account.
    SameAccount,
    /// `from` holds less than `amount`: `balance` is what it held when the transfer looked.
    InsufficientFunds {
        /// The balance of `from` when the transfer was refused.
        balance: u64,
        /// The amount asked for.
        amount: u64,
    },
}

impl fmt::Display for TransferError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransferError::UnknownAccount(account) => write!(f, "no account {account}"),
            TransferError::SameAccount => f.write_str("a transfer needs two different accounts"),
            TransferError::InsufficientFunds { balance, amount } => {
                write!(f, "cannot move {amount}: the account holds {balance}")
            }
        }
    }
}

impl std::error::Error for TransferError {}

impl Bank {
    /// A bank with one account per entry of `balances`, holding that amount.
    ///
    /// # Panics
    /// If the balances add up to more than `u64::MAX` (then no transfer can ever overflow an
    /// account, since transfers only move money around).
    pub fn new(balances: &[u64]) -> Bank {
        todo!("a bank with {} accounts", balances.len())
    }

    /// Moves `amount` from account `from` to account `to`, as one step: no other call ever sees
    /// the money in neither account or in both.
    ///
    /// Checks, in this order: both accounts exist (else `UnknownAccount` with the first unknown
    /// index), they differ (else `SameAccount`), and `from` holds at least `amount` (else
    /// `InsufficientFunds`). A refused transfer changes nothing. An `amount` of 0 is a transfer
    /// that moves nothing and returns `Ok(())`.
    ///
    /// Any number of threads and tasks may call it at once, between any accounts, in any
    /// direction: it never deadlocks. (With a lock per account, transfers between different
    /// accounts also run at the same moment; the grader doesn't time that.)
    pub fn transfer(&self, from: usize, to: usize, amount: u64) -> Result<(), TransferError> {
        todo!("move {amount} from account {from} to account {to}")
    }

    /// The balance of `account`, or `None` if the bank has no such account.
    pub fn balance(&self, account: usize) -> Option<u64> {
        todo!("the balance of account {account}")
    }

    /// Every account's balance, by account index, all read at one moment: while transfers run,
    /// the snapshot shows each of them either not started or finished, so its sum is always the
    /// money in the bank.
    pub fn balances(&self) -> Vec<u64> {
        todo!("a consistent snapshot of every balance")
    }

    /// The money in the bank: the sum of all balances at one moment. Transfers only move money,
    /// so this is the sum given to [`Bank::new`] — also while transfers are running.
    pub fn total(&self) -> u64 {
        todo!("the sum of every balance, read at one moment")
    }
}
