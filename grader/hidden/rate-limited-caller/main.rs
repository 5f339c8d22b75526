//! Hidden tests of rate-limited-caller: `fetch_all` and `fetch_all_rate_limited`.
//!
//! - `concurrency` and `rate`: an instrumented fake fetch on tokio's paused clock (exact,
//!   machine-independent times): outputs, order, the in-flight bound, slots reused at once, the
//!   sliding one-second window (also under dozens of seeded latency profiles, `profiles`), the
//!   pace, 0 treated as 1, nothing left running.
//! - `over_http`: the same functions driving a real HTTP client against a server on 127.0.0.1.

mod concurrency;
mod http;
mod instrumented;
mod over_http;
mod profiles;
mod rate;

use std::time::Duration;

use probes::harness::{self, Test};

fn main() {
    harness::main(vec![
        // fetch_all, paused clock.
        Test::correctness(
            "returns_outputs_in_the_order_of_urls",
            1.0,
            concurrency::returns_outputs_in_the_order_of_urls,
        ),
        Test::correctness(
            "returns_nothing_for_no_urls",
            0.5,
            concurrency::returns_nothing_for_no_urls,
        ),
        Test::correctness(
            "calls_fetch_once_per_url",
            0.5,
            concurrency::calls_fetch_once_per_url,
        ),
        Test::correctness(
            "treats_max_concurrent_zero_as_one",
            0.5,
            concurrency::treats_max_concurrent_zero_as_one,
        ),
        Test::timing(
            "never_has_more_than_max_concurrent_calls_in_flight",
            1.0,
            concurrency::never_has_more_than_max_concurrent_calls_in_flight,
        ),
        Test::timing(
            "runs_max_concurrent_calls_at_once",
            1.0,
            concurrency::runs_max_concurrent_calls_at_once,
        ),
        Test::timing(
            "starts_a_call_as_soon_as_a_slot_frees",
            1.5,
            concurrency::starts_a_call_as_soon_as_a_slot_frees,
        ),
        Test::timing(
            "leaves_nothing_running_after_return",
            0.5,
            concurrency::leaves_nothing_running_after_return,
        ),
        // fetch_all_rate_limited, paused clock.
        Test::correctness(
            "rate_limited_returns_outputs_in_the_order_of_urls",
            0.5,
            rate::returns_outputs_in_the_order_of_urls,
        ),
        Test::correctness(
            "rate_limited_returns_nothing_for_no_urls",
            0.5,
            rate::returns_nothing_for_no_urls,
        ),
        Test::correctness(
            "rate_limited_treats_per_second_zero_as_one",
            0.5,
            rate::treats_per_second_zero_as_one,
        ),
        Test::timing(
            "no_one_second_window_sees_more_than_per_second_starts",
            1.5,
            rate::no_one_second_window_sees_more_than_per_second_starts,
        ),
        Test::timing(
            "keeps_up_the_allowed_pace",
            1.0,
            rate::keeps_up_the_allowed_pace,
        ),
        Test::timing(
            "rate_limited_keeps_max_concurrent_calls_in_flight",
            1.0,
            rate::keeps_max_concurrent_calls_in_flight,
        ),
        Test::timing(
            "rate_limited_leaves_nothing_running_after_return",
            0.5,
            rate::leaves_nothing_running_after_return,
        ),
        // Both, over real HTTP (real time).
        Test::correctness(
            "fetches_pages_over_http_with_each_status_or_error_in_order",
            1.5,
            over_http::fetches_pages_with_each_status_or_error_in_order,
        )
        .timeout(Duration::from_secs(30)),
        Test::timing(
            "keeps_max_concurrent_http_requests_in_flight",
            1.0,
            over_http::keeps_max_concurrent_requests_in_flight,
        )
        .timeout(Duration::from_secs(30)),
        Test::timing(
            "rate_limits_http_requests",
            1.0,
            over_http::rate_limits_requests,
        )
        .timeout(Duration::from_secs(30)),
    ])
}
