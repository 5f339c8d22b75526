//! Hidden tests of first-error: `try_map_limited`, Go's `errgroup` with `SetLimit` and
//! `WithContext`, where stopping means more than Go can promise.
//!
//! - `results`: one result per item, in the order of the items, while the calls finish in
//!   another order (each waits for the end of the next one to start); no items.
//! - `limit`: never more than `limit` calls under way (a gauge, from the call of `f` to the end
//!   of its future); really `limit` at once (a rendezvous: code that runs fewer waits it out
//!   once, 2 s, then fails); a limit of 0 works as 1.
//! - `errors`: at the first error — returned at once, the first in time (not in item order, not
//!   the last), no call started after it, every call in flight dropped before the return
//!   (counted on a runtime with one worker, where a task only asked to stop is still alive at
//!   return on every run) — and a panic in a call propagated.
//!
//! `script` builds the `f`: each call's role comes from the order the calls start, and what it
//! waits for is an event (another call's end, a gate the test opens after the return), never
//! the clock. The one clock is a 2-second limit on calls that should return at once, and the
//! rendezvous' patience: only wrong code waits either out. No wall-clock assertion anywhere.

mod errors;
mod limit;
mod results;
mod script;

use std::time::Duration;

use probes::harness::{self, Test};

/// Room for wrong code that waits out the rendezvous and then the stuck-call limit, on a busy
/// machine.
const ROOM_TO_WAIT: Duration = Duration::from_secs(20);

fn main() {
    harness::main(vec![
        Test::correctness(
            "returns_results_in_input_order",
            1.5,
            results::returns_results_in_input_order,
        )
        .timeout(ROOM_TO_WAIT),
        Test::correctness(
            "never_runs_more_than_limit_at_once",
            2.0,
            limit::never_runs_more_than_limit_at_once,
        )
        .timeout(ROOM_TO_WAIT),
        Test::correctness(
            "runs_limit_calls_at_once",
            1.5,
            limit::runs_limit_calls_at_once,
        )
        .timeout(ROOM_TO_WAIT),
        Test::correctness(
            "treats_a_limit_of_zero_as_one",
            0.5,
            limit::treats_a_limit_of_zero_as_one,
        )
        .timeout(ROOM_TO_WAIT),
        Test::correctness(
            "returns_as_soon_as_a_call_fails",
            1.5,
            errors::returns_as_soon_as_a_call_fails,
        )
        .timeout(ROOM_TO_WAIT),
        Test::correctness(
            "returns_the_error_that_came_first",
            1.5,
            errors::returns_the_error_that_came_first,
        )
        .timeout(ROOM_TO_WAIT),
        Test::correctness(
            "starts_no_call_after_the_first_error",
            2.0,
            errors::starts_no_call_after_the_first_error,
        )
        .timeout(ROOM_TO_WAIT),
        Test::correctness(
            "cancels_the_calls_in_flight",
            2.0,
            errors::cancels_the_calls_in_flight,
        )
        .timeout(ROOM_TO_WAIT),
        Test::correctness(
            "a_panic_in_f_propagates",
            1.0,
            errors::a_panic_in_f_propagates,
        )
        .timeout(ROOM_TO_WAIT),
    ])
}
