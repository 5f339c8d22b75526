// Passes: an actor — one owner thread holds every balance and serves requests from a channel, one at a time, answering on a reply channel; no lock anywhere in the bank.
use std::fmt;
use std::sync::mpsc::{self, Sender};
use std::thread::{self, JoinHandle};

/// A request to the owner, with the channel its answer goes back on.
enum Request {
    Transfer {
        from: usize,
        to: usize,
        amount: u64,
        reply: Sender<Result<(), TransferError>>,
    },
    Balances(Sender<Vec<u64>>),
}

/// A bank: a fixed number of accounts (numbered from 0), each with a balance in whole units.
pub struct Bank {
    requests: Option<Sender<Request>>,
    owner: Option<JoinHandle<()>>,
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

/// The owner's loop: the only code that ever touches the balances.
fn serve(mut balances: Vec<u64>, requests: mpsc::Receiver<Request>) {
    for request in requests {
        match request {
            Request::Transfer {
                from,
                to,
                amount,
                reply,
            } => {
                let result = move_money(&mut balances, from, to, amount);
                let _ = reply.send(result);
            }
            Request::Balances(reply) => {
                let _ = reply.send(balances.clone());
            }
        }
    }
}

fn move_money(
    balances: &mut [u64],
    from: usize,
    to: usize,
    amount: u64,
) -> Result<(), TransferError> {
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

impl Bank {
    /// A bank with one account per entry of `balances`, holding that amount; its owner starts now.
    pub fn new(balances: &[u64]) -> Bank {
        let total = balances
            .iter()
            .try_fold(0_u64, |sum, &balance| sum.checked_add(balance));
        assert!(total.is_some(), "the balances add up to more than u64::MAX");
        let (sender, requests) = mpsc::channel();
        let balances = balances.to_vec();
        let owner = thread::spawn(move || serve(balances, requests));
        Bank {
            requests: Some(sender),
            owner: Some(owner),
        }
    }

    fn ask<T>(&self, request: impl FnOnce(Sender<T>) -> Request) -> T {
        let (reply, answer) = mpsc::channel();
        self.requests
            .as_ref()
            .expect("the bank is open until dropped")
            .send(request(reply))
            .expect("the owner thread runs until the bank is dropped");
        answer.recv().expect("the owner answers every request")
    }

    /// Moves `amount` from `from` to `to`: the owner does it, between two other requests.
    pub fn transfer(&self, from: usize, to: usize, amount: u64) -> Result<(), TransferError> {
        self.ask(|reply| Request::Transfer {
            from,
            to,
            amount,
            reply,
        })
    }

    /// The balance of `account`, or `None` if the bank has no such account.
    pub fn balance(&self, account: usize) -> Option<u64> {
        self.balances().get(account).copied()
    }

    /// Every account's balance, as the owner holds them between two requests.
    pub fn balances(&self) -> Vec<u64> {
        self.ask(Request::Balances)
    }

    /// The money in the bank.
    pub fn total(&self) -> u64 {
        self.balances().iter().sum()
    }
}

impl Drop for Bank {
    fn drop(&mut self) {
        // Closing the channel ends the owner's loop.
        drop(self.requests.take());
        if let Some(owner) = self.owner.take() {
            let _ = owner.join();
        }
    }
}
