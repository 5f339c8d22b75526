// Passes: one Mutex<Vec<u64>> for the whole bank — no lock order to get wrong, every view consistent; transfers between different accounts wait for each other (slower, still correct).
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// A bank: a fixed number of accounts (numbered from 0), each with a balance in whole units.
pub struct Bank {
    balances: Mutex<Vec<u64>>,
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
    fn lock(&self) -> MutexGuard<'_, Vec<u64>> {
        self.balances.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A bank with one account per entry of `balances`, holding that amount.
    pub fn new(balances: &[u64]) -> Bank {
        let total = balances
            .iter()
            .try_fold(0_u64, |sum, &balance| sum.checked_add(balance));
        assert!(total.is_some(), "the balances add up to more than u64::MAX");
        Bank {
            balances: Mutex::new(balances.to_vec()),
        }
    }

    /// Moves `amount` from `from` to `to`, under the bank's one lock.
    pub fn transfer(&self, from: usize, to: usize, amount: u64) -> Result<(), TransferError> {
        let mut balances = self.lock();
        for account in [from, to] {
            if account >= balances.len() {
                return Err(TransferError::UnknownAccount(account));
            }
        }
        if from == to {
            return Err(TransferError::SameAccount);
        }
        if balances[from] < amount {
            return Err(TransferError::InsufficientFunds {
                balance: balances[from],
                amount,
            });
        }
        balances[from] -= amount;
        balances[to] += amount;
        Ok(())
    }

    /// The balance of `account`, or `None` if the bank has no such account.
    pub fn balance(&self, account: usize) -> Option<u64> {
        self.lock().get(account).copied()
    }

    /// Every account's balance, under the one lock.
    pub fn balances(&self) -> Vec<u64> {
        self.lock().clone()
    }

    /// The money in the bank.
    pub fn total(&self) -> u64 {
        self.lock().iter().sum()
    }
}
