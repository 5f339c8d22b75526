//! Hidden tests of web-crawler: `crawl`.
//!
//! - `crawling`, `limits`, `stopping`: an in-memory site (`site.rs`, seeded: pages on several
//!   hosts, fan-out, cycles, 404s, slow and hanging pages, redirect loops and endless chains)
//!   served by an instrumented fetch on tokio's paused clock (`recorder.rs`): exact counts and
//!   virtual times, the same on every machine. What is crawled is compared with the crawl the
//!   rules define (`Site::model`); the limits are read from the fetches' start and end times.
//! - `over_http`: the same kind of site served by hyper on 127.0.0.1 (one port per host), crawled
//!   through hyper-util's client in real time, `crawl` spawned on a multi-threaded runtime.
//!
//! Every verdict on the paused clock is decided by the schedule, not by luck: a current-thread
//! runtime whose clock only moves when every task waits runs the same interleaving on every run.
//! The HTTP checks are counts (requests per url at the server, fetches in flight at the client)
//! or one-sided (a 900 ms rate window, a gate that correct code opens at once).

mod checks;
mod crawling;
mod http;
mod limits;
mod over_http;
mod recorder;
mod site;
mod stopping;

use std::time::Duration;

use probes::harness::{self, Test};

/// `crawl`'s future must be `Send` and `'static` (applications spawn it): checked when the hidden
/// tests compile, whatever the tests then run.
#[allow(dead_code)]
fn crawl_can_be_spawned(fetch: recorder::Recorder) {
    let crawling = web_crawler::crawl(
        String::new(),
        web_crawler::Config::default(),
        fetch.fetch(),
        web_crawler::CancellationToken::new(),
    );
    drop(tokio::spawn(crawling));
}

fn main() {
    harness::main(vec![
        // What is crawled (paused clock).
        Test::correctness(
            "crawls_every_page_within_max_depth",
            1.5,
            crawling::crawls_every_page_within_max_depth,
        ),
        Test::correctness(
            "fetches_each_url_once_however_many_pages_link_to_it",
            1.5,
            crawling::fetches_each_url_once_however_many_pages_link_to_it,
        ),
        Test::correctness(
            "counts_depth_by_the_shortest_path",
            1.0,
            crawling::counts_depth_by_the_shortest_path,
        ),
        Test::correctness(
            "keeps_crawling_past_missing_pages_and_errors",
            1.0,
            crawling::keeps_crawling_past_missing_pages_and_errors,
        ),
        Test::correctness(
            "gives_up_on_a_page_after_fetch_timeout",
            1.0,
            crawling::gives_up_on_a_page_after_fetch_timeout,
        ),
        Test::correctness(
            "follows_redirects_once_each_up_to_max_redirects",
            1.5,
            crawling::follows_redirects_once_each_up_to_max_redirects,
        ),
        Test::correctness(
            "treats_zero_limits_as_one",
            0.5,
            crawling::treats_zero_limits_as_one,
        ),
        // The limits (paused clock).
        Test::timing(
            "never_has_more_than_max_concurrent_fetches_in_flight",
            1.0,
            limits::never_has_more_than_max_concurrent_fetches_in_flight,
        ),
        Test::timing(
            "keeps_max_concurrent_fetches_in_flight",
            1.0,
            limits::keeps_max_concurrent_fetches_in_flight,
        ),
        Test::timing(
            "no_host_sees_more_than_its_rate_in_any_second",
            1.5,
            limits::no_host_sees_more_than_its_rate_in_any_second,
        ),
        Test::timing(
            "keeps_every_host_at_its_allowed_pace",
            1.5,
            limits::keeps_every_host_at_its_allowed_pace,
        ),
        // Stopping (paused clock).
        Test::correctness(
            "stops_at_the_time_limit",
            1.5,
            stopping::stops_at_the_time_limit,
        ),
        Test::correctness("stops_when_cancelled", 1.5, stopping::stops_when_cancelled),
        Test::correctness(
            "leaves_nothing_running_after_return",
            1.0,
            stopping::leaves_nothing_running_after_return,
        ),
        // Over real HTTP (real time).
        Test::correctness(
            "crawls_a_site_over_http",
            1.5,
            over_http::crawls_a_site_over_http,
        )
        .timeout(Duration::from_secs(30)),
        Test::timing(
            "keeps_its_limits_over_http",
            1.0,
            over_http::keeps_its_limits_over_http,
        )
        .timeout(Duration::from_secs(30)),
        Test::timing(
            "stops_when_cancelled_over_http",
            1.0,
            over_http::stops_when_cancelled_over_http,
        )
        .timeout(Duration::from_secs(30)),
    ])
}
