// Passes: the dining philosophers' waiter — a transfer claims both its accounts at once in a table guarded by one Mutex and a Condvar (both or neither, so no lock order is needed), works on them with the table unlocked, then frees them.
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// Which accounts are claimed by a transfer under way, and how many views wait for none to be.
struct Claims {
    busy: Vec<bool>,
    views_waiting: usize,
}

/// A bank: a fixed number of accounts (numbered from 0), each with a balance in whole units.
pub struct Bank {
    claims: Mutex<Claims>,
    /// Notified whenever accounts are freed or a view is done.
    changed: Condvar,
    /// Only the transfer that claimed an account touches its balance, so Relaxed suffices: the
    /// claim and the release go through the `claims` Mutex, which orders everything around them.
    balances: Vec<AtomicU64>,
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
    fn claims(&self) -> MutexGuard<'_, Claims> {
        self.claims.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait<'a>(&self, claims: MutexGuard<'a, Claims>) -> MutexGuard<'a, Claims> {
        self.changed
            .wait(claims)
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// A bank with one account per entry of `balances`, holding that amount.
    pub fn new(balances: &[u64]) -> Bank {
        let total = balances
            .iter()
            .try_fold(0_u64, |sum, &balance| sum.checked_add(balance));
        assert!(total.is_some(), "the balances add up to more than u64::MAX");
        Bank {
            claims: Mutex::new(Claims {
                busy: vec![false; balances.len()],
                views_waiting: 0,
            }),
            changed: Condvar::new(),
            balances: balances
                .iter()
                .map(|&balance| AtomicU64::new(balance))
                .collect(),
        }
    }

    /// Moves `amount` from `from` to `to`, with both accounts claimed.
    pub fn transfer(&self, from: usize, to: usize, amount: u64) -> Result<(), TransferError> {
        for account in [from, to] {
            if account >= self.balances.len() {
                return Err(TransferError::UnknownAccount(account));
            }
        }
        if from == to {
            return Err(TransferError::SameAccount);
        }
        {
            let mut claims = self.claims();
            // A waiting view goes first, or a stream of transfers could keep it out for ever.
            while claims.busy[from] || claims.busy[to] || claims.views_waiting > 0 {
                claims = self.wait(claims);
            }
            claims.busy[from] = true;
            claims.busy[to] = true;
        }
        let balance = self.balances[from].load(Ordering::Relaxed);
        let result = if balance < amount {
            Err(TransferError::InsufficientFunds { balance, amount })
        } else {
            self.balances[from].store(balance - amount, Ordering::Relaxed);
            let destination = self.balances[to].load(Ordering::Relaxed);
            self.balances[to].store(destination + amount, Ordering::Relaxed);
            Ok(())
        };
        let mut claims = self.claims();
        claims.busy[from] = false;
        claims.busy[to] = false;
        drop(claims);
        self.changed.notify_all();
        result
    }

    /// The balance of `account`, or `None` if the bank has no such account.
    pub fn balance(&self, account: usize) -> Option<u64> {
        self.balances().get(account).copied()
    }

    /// Every account's balance, read while no account is claimed (and none can be: the table
    /// stays locked while they are read).
    pub fn balances(&self) -> Vec<u64> {
        let mut claims = self.claims();
        claims.views_waiting += 1;
        while claims.busy.iter().any(|&busy| busy) {
            claims = self.wait(claims);
        }
        let balances = self
            .balances
            .iter()
            .map(|balance| balance.load(Ordering::Relaxed))
            .collect();
        claims.views_waiting -= 1;
        drop(claims);
        self.changed.notify_all();
        balances
    }

    /// The money in the bank.
    pub fn total(&self) -> u64 {
        self.balances().iter().sum()
    }
}
