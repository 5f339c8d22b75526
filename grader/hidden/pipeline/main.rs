//! Hidden tests of pipeline: `pipeline`, a producer, `workers` workers and a collector joined by
//! bounded channels.
//!
//! - `outputs`: every item's output once, made by one call of `work`, in input order — also when
//!   the calls finish in another order (seeded delays; slow early items).
//! - `flow`: `workers` calls at once (a rendezvous of the first `workers` calls) and never more
//!   (a gauge); at most `capacity + workers + 2` items in flight (a token per item, from the
//!   input to the consumer) while the consumer stalls, while an early item is slow, and with
//!   capacity 0.
//! - `ending`: `pipeline` returns when the input ends (a forgotten `Sender` hangs here: a short
//!   timeout, and the grader's dump names the stuck tasks), stops when the consumer hangs up,
//!   and leaves no call of `work` and no task alive.
//!
//! `rig` runs the learner's code with an instrumented input, `work` and consumer. Delays are
//! counted in turns of a task (`runtime::yield_now`), never in time; the bound tests run on one
//! worker thread, where every ready task gets a turn between two turns of a waiting one, so a
//! pipeline that takes more than its share of the input does so on every run. The one clock is
//! the rendezvous' 2-second patience, which only wrong code waits out.

mod ending;
mod flow;
mod outputs;
mod rig;

use std::time::Duration;

use probes::harness::{self, Test};

/// Long enough for any correct pipeline on a busy machine (they finish in milliseconds); short
/// enough that a hung one is reported quickly, with the dump of its tasks.
const HANG: Duration = Duration::from_secs(5);

fn main() {
    harness::main(vec![
        Test::correctness(
            "delivers_every_output_once_in_input_order",
            2.0,
            outputs::delivers_every_output_once_in_input_order,
        )
        .timeout(HANG),
        Test::correctness(
            "keeps_input_order_when_early_items_are_slow",
            2.0,
            outputs::keeps_input_order_when_early_items_are_slow,
        )
        .timeout(HANG),
        Test::correctness(
            "runs_workers_calls_at_once",
            1.5,
            flow::runs_workers_calls_at_once,
        )
        .timeout(HANG),
        Test::correctness(
            "never_runs_more_than_workers_calls_at_once",
            1.0,
            flow::never_runs_more_than_workers_calls_at_once,
        )
        .timeout(HANG),
        Test::correctness(
            "bounds_items_in_flight_when_the_consumer_stalls",
            2.0,
            flow::bounds_items_in_flight_when_the_consumer_stalls,
        )
        .timeout(HANG),
        Test::correctness(
            "bounds_items_in_flight_when_an_early_item_is_slow",
            2.0,
            flow::bounds_items_in_flight_when_an_early_item_is_slow,
        )
        .timeout(HANG),
        Test::correctness(
            "works_with_capacity_zero",
            1.0,
            flow::works_with_capacity_zero,
        )
        .timeout(HANG),
        Test::correctness(
            "ends_when_the_input_ends",
            2.0,
            ending::ends_when_the_input_ends,
        )
        .timeout(HANG),
        Test::correctness(
            "stops_when_the_consumer_hangs_up",
            1.0,
            ending::stops_when_the_consumer_hangs_up,
        )
        .timeout(HANG),
        Test::correctness(
            "leaves_nothing_running_when_it_returns",
            1.5,
            ending::leaves_nothing_running_when_it_returns,
        )
        .timeout(HANG),
    ])
}
