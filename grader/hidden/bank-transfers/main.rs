//! Hidden tests of bank-transfers.
//!
//! - `single`: one transfer at a time — what moves, what is refused, and that a refusal moves
//!   nothing; a same-account transfer under a watchdog (locking one `Mutex` twice hangs).
//! - `hammer`: threads, and tasks on the Tasklings runtime, transfer in opposite directions and
//!   in every direction at once while the test keeps its own books; afterwards every balance is
//!   checked against them (lost updates, money made by refusals).
//! - `drain`: many threads empty one account at once, round after round (overdrafts).
//! - `views`: `total()` and `balances()` taken while transfers run must add up (half-done
//!   transfers seen by a view read one account at a time).
//! - `watchdog`: a deadlock is reported, not waited out: callers note what they call and count
//!   what returned, and when nothing returns for many looks in a row the test fails with who is
//!   stuck where, and why opposite lock orders deadlock.
//!
//! No test measures time: every verdict is a count (balances, books, calls that returned). Each
//! module's header says why the failure it looks for shows on every run, not by luck.

mod drain;
mod hammer;
mod single;
mod views;
mod watchdog;

use std::time::Duration;

use bank_transfers::Bank;
use probes::harness::{self, Test};

/// The bank is shared by reference between threads and tasks: a `Bank` that isn't `Send + Sync`
/// (an `Rc`, a `Cell` inside) fails to build here, with rustc naming the field.
const _: fn() = || {
    fn shareable<T: Send + Sync + 'static>() {}
    shareable::<Bank>();
};

/// Tests under the deadlock watchdog get room for it to report (a few seconds) and more.
const ROOM_FOR_THE_WATCHDOG: Duration = Duration::from_secs(30);

fn main() {
    harness::main(vec![
        Test::correctness(
            "new_bank_holds_the_given_balances",
            0.5,
            single::new_bank_holds_the_given_balances,
        ),
        Test::correctness(
            "a_transfer_moves_exactly_its_amount",
            1.0,
            single::a_transfer_moves_exactly_its_amount,
        ),
        Test::correctness(
            "a_transfer_beyond_the_balance_is_refused",
            1.0,
            single::a_transfer_beyond_the_balance_is_refused,
        ),
        Test::correctness(
            "unknown_accounts_are_refused",
            0.5,
            single::unknown_accounts_are_refused,
        ),
        Test::correctness(
            "a_transfer_to_the_same_account_is_refused",
            0.5,
            single::a_transfer_to_the_same_account_is_refused,
        )
        .timeout(ROOM_FOR_THE_WATCHDOG),
        Test::correctness(
            "opposite_transfers_from_threads_never_deadlock",
            2.0,
            hammer::opposite_transfers_from_threads_never_deadlock,
        )
        .timeout(ROOM_FOR_THE_WATCHDOG),
        Test::correctness(
            "opposite_transfers_from_tasks_never_deadlock",
            1.5,
            hammer::opposite_transfers_from_tasks_never_deadlock,
        )
        .timeout(ROOM_FOR_THE_WATCHDOG),
        Test::correctness(
            "transfers_in_every_direction_lose_no_money",
            1.5,
            hammer::transfers_in_every_direction_lose_no_money,
        )
        .timeout(ROOM_FOR_THE_WATCHDOG),
        Test::correctness(
            "many_threads_draining_one_account_never_overdraw",
            1.0,
            drain::many_threads_draining_one_account_never_overdraw,
        )
        .timeout(ROOM_FOR_THE_WATCHDOG),
        Test::correctness(
            "total_never_drifts_while_transfers_run",
            1.5,
            views::total_never_drifts_while_transfers_run,
        )
        .timeout(ROOM_FOR_THE_WATCHDOG),
        Test::correctness(
            "balances_are_one_snapshot_while_transfers_run",
            1.0,
            views::balances_are_one_snapshot_while_transfers_run,
        )
        .timeout(ROOM_FOR_THE_WATCHDOG),
    ])
}
