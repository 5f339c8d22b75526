// Must fail transfers_in_every_direction_lose_no_money: each balance is an atomic, but a transfer loads it and stores the new value in two steps, so a transfer in between is overwritten (a lost update).
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// A bank: a fixed number of accounts (numbered from 0), each with a balance in whole units.
pub struct Bank {
    accounts: Vec<AtomicU64>,
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
    pub fn new(balances: &[u64]) -> Bank {
        let total = balances
            .iter()
            .try_fold(0_u64, |sum, &balance| sum.checked_add(balance));
        assert!(total.is_some(), "the balances add up to more than u64::MAX");
        Bank {
            accounts: balances
                .iter()
                .map(|&balance| AtomicU64::new(balance))
                .collect(),
        }
    }

    /// Moves `amount` from `from` to `to`.
    pub fn transfer(&self, from: usize, to: usize, amount: u64) -> Result<(), TransferError> {
        for account in [from, to] {
            if account >= self.accounts.len() {
                return Err(TransferError::UnknownAccount(account));
            }
        }
        if from == to {
            return Err(TransferError::SameAccount);
        }
        // No locks at all: atomics can't deadlock.
        let balance = self.accounts[from].load(Ordering::SeqCst);
        if balance < amount {
            return Err(TransferError::InsufficientFunds { balance, amount });
        }
        self.accounts[from].store(balance - amount, Ordering::SeqCst);
        let destination = self.accounts[to].load(Ordering::SeqCst);
        self.accounts[to].store(destination + amount, Ordering::SeqCst);
        Ok(())
    }

    /// The balance of `account`, or `None` if the bank has no such account.
    pub fn balance(&self, account: usize) -> Option<u64> {
        self.accounts
            .get(account)
            .map(|balance| balance.load(Ordering::SeqCst))
    }

    /// Every account's balance.
    pub fn balances(&self) -> Vec<u64> {
        self.accounts
            .iter()
            .map(|balance| balance.load(Ordering::SeqCst))
            .collect()
    }

    /// The money in the bank.
    pub fn total(&self) -> u64 {
        self.balances().iter().sum()
    }
}
