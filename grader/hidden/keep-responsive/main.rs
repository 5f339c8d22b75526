//! Hidden tests of keep-responsive: `handle`, the request handler of a small service.
//!
//! - `answers`: the responses, and the calls made to get them (once per request, once per item).
//! - `responsiveness`: on a runtime with one worker, a heartbeat task must get polled while the
//!   blocking calls run and while the scoring runs (`probes::heartbeat`): blocking calls wait for
//!   a heartbeat, which never comes if the handler's task holds the worker; `score` on the worker
//!   counts how many calls pass with no heartbeat between them.
//! - `placement`: the blocking calls run on the runtime's blocking pool (thread name and
//!   `runtime::dump()`), and have all finished when `handle` returns (each waits for a few
//!   heartbeats, so one nobody awaits is still running at the return).
//!
//! On one worker every verdict is decided by the schedule, not by luck or speed: a worker held by
//! the handler can't poll the heartbeat on any machine, a free one always does. Wrong code waits
//! out the heartbeat's patience (2 s) at most once per test. No wall-clock assertion anywhere.

mod answers;
mod placement;
mod responsiveness;
mod service;

use probes::harness::{self, Test};

fn main() {
    harness::main(vec![
        Test::correctness(
            "answers_every_request_correctly",
            2.0,
            answers::answers_every_request_correctly,
        ),
        Test::correctness(
            "keeps_the_worker_free_during_blocking_calls",
            3.0,
            responsiveness::keeps_the_worker_free_during_blocking_calls,
        ),
        Test::correctness(
            "keeps_the_worker_free_during_the_scoring",
            3.0,
            responsiveness::keeps_the_worker_free_during_the_scoring,
        ),
        Test::correctness(
            "runs_blocking_calls_on_the_blocking_pool",
            2.0,
            placement::runs_blocking_calls_on_the_blocking_pool,
        ),
        Test::correctness(
            "finishes_every_call_before_returning",
            2.0,
            placement::finishes_every_call_before_returning,
        ),
    ])
}
