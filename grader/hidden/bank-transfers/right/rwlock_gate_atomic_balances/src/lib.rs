// Passes: no lock per account — atomic balances, a compare-and-swap loop for the debit, fetch_add for the credit; transfers share a read lock and the views take it exclusively, so they never see money in flight.
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{PoisonError, RwLock};

/// A bank: a fixed number of accounts (numbered from 0), each with a balance in whole units.
pub struct Bank {
    accounts: Vec<AtomicU64>,
    /// Transfers hold it shared (many at once); views hold it exclusively (no transfer half done).
    gate: RwLock<()>,
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
            gate: RwLock::new(()),
        }
    }

    /// Moves `amount` from `from` to `to`: a checked debit in one compare-and-swap, then a credit.
    pub fn transfer(&self, from: usize, to: usize, amount: u64) -> Result<(), TransferError> {
        for account in [from, to] {
            if account >= self.accounts.len() {
                return Err(TransferError::UnknownAccount(account));
            }
        }
        if from == to {
            return Err(TransferError::SameAccount);
        }
        let _shared = self.gate.read().unwrap_or_else(PoisonError::into_inner);
        // The check and the debit are one atomic step: the swap fails if the balance changed.
        // SeqCst everywhere: cheap enough here, and nothing to argue about.
        self.accounts[from]
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |balance| {
                balance.checked_sub(amount)
            })
            .map_err(|balance| TransferError::InsufficientFunds { balance, amount })?;
        self.accounts[to].fetch_add(amount, Ordering::SeqCst);
        Ok(())
    }

    /// The balance of `account`, or `None` if the bank has no such account. (A transfer
    /// half done may show here; only the views promise a consistent moment.)
    pub fn balance(&self, account: usize) -> Option<u64> {
        let _shared = self.gate.read().unwrap_or_else(PoisonError::into_inner);
        self.accounts
            .get(account)
            .map(|balance| balance.load(Ordering::SeqCst))
    }

    /// Every account's balance, with no transfer under way.
    pub fn balances(&self) -> Vec<u64> {
        let _exclusive = self.gate.write().unwrap_or_else(PoisonError::into_inner);
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
