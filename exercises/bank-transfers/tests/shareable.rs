//! The shape the grader relies on, checked at compile time (nothing here runs the bank, so this
//! passes on the unsolved starter): the bank can be shared between threads and tasks, and its
//! error is an ordinary error value.

use bank_transfers::{Bank, TransferError};

fn shareable<T: Send + Sync + 'static>() {}
fn plain_error<T: std::error::Error + Copy + Eq + Send + Sync + 'static>() {}

#[test]
fn a_bank_can_be_shared_between_threads_and_tasks() {
    shareable::<Bank>();
    shareable::<std::sync::Arc<Bank>>();
}

#[test]
fn a_transfer_error_is_a_plain_error_value() {
    plain_error::<TransferError>();
    let refused = TransferError::InsufficientFunds {
        balance: 3,
        amount: 5,
    };
    assert_eq!(refused.to_string(), "cannot move 5: the account holds 3");
    assert_eq!(TransferError::UnknownAccount(7).to_string(), "no account 7");
}
