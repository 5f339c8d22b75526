//! Stopping, on the paused clock: at the time limit and on cancellation `crawl` returns at once,
//! starts nothing afterwards, drops the fetches in flight, reports what finished before, and
//! leaves nothing running — checked ten virtual seconds after it returned.

use std::time::Duration;

use web_crawler::{Config, Fetched};

use crate::checks::{check_each_url_fetched_once, check_matches_model};
use crate::recorder::{blocking_hint, run, secs, Run};
use crate::site::{memory_hosts, Resource, Shape, Site};

/// A slow crawl: a few fetches per second per host over a generated site, whose start page's
/// first link takes 8 s (so a fetch is in flight whenever the crawl is stopped).
fn slow_crawl_site(seed: u64) -> Site {
    let hosts = memory_hosts(3);
    let shape = Shape {
        missing_per_mille: 50,
        ..Shape::dense(50)
    };
    let mut site = Site::generate(seed, &shape, &hosts);
    let slow = format!("{}/slow", hosts[1]);
    site.page(&slow, 8_000, &[]);
    if let Resource::Page { mut links, latency } = site.resource(&site.start.clone()) {
        links.insert(0, slow);
        let start = site.start.clone();
        site.insert(&start, Resource::Page { links, latency });
    }
    site
}

fn slow_config(time_limit: Option<Duration>) -> Config {
    Config {
        max_depth: 4,
        max_concurrent: 4,
        per_host_per_second: 2,
        max_redirects: 5,
        fetch_timeout: Duration::from_secs(10),
        time_limit,
    }
}

/// A star of 20 pages on one host at 2 per second: its one level takes ten seconds.
fn long_level() -> (Site, Config) {
    let start = "http://start.test/";
    let leaves: Vec<String> = (0..20)
        .map(|index| format!("http://a.test/{index}"))
        .collect();
    let mut site = Site::new("a star of 20 pages on a.test", start);
    site.page(
        start,
        10,
        &leaves.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    for leaf in &leaves {
        site.page(leaf, 300, &[]);
    }
    let config = Config {
        max_depth: 1,
        ..slow_config(None)
    };
    (site, config)
}

/// Panics unless the crawl stopped at `at` (`cause`: "the time limit", "the cancellation") as the
/// crate docs say.
fn check_stopped_at(crawl: &Run, at: Duration, cause: &str) {
    let advice = " Wait for the stop (stop.cancelled(), or tokio::time::sleep_until the time \
                  limit) in the same select! as the results, and on stop abort every task (or \
                  drop every future) still running.";
    assert!(
        crawl.returned >= at,
        "{}: crawl returned at {}, before {cause} at {}, with the work not done (the crawl \
         takes longer than that).",
        crawl.what,
        secs(crawl.returned),
        secs(at)
    );
    if crawl.returned > at + Duration::from_millis(1) {
        panic!(
            "{}: crawl returned at {}, though {cause} came at {}: it must return at once. Fetches \
             in flight at the stop are dropped, not awaited.{advice}{}",
            crawl.what,
            secs(crawl.returned),
            secs(at),
            blocking_hint(crawl.real_time)
        );
    }
    if let Some(call) = crawl.started_after(at).first() {
        panic!(
            "{}: the fetch of {} started at {}, after {cause} at {}; no fetch may start after \
             the stop — also none that was waiting for a slot or for its host's window, and none \
             of a level already under way.{advice}",
            crawl.what,
            call.url,
            secs(call.started.unwrap_or_default()),
            secs(at)
        );
    }
    assert!(
        crawl.report.stopped,
        "{}: {cause} ended the crawl at {}, but the report says stopped: false",
        crawl.what,
        secs(at)
    );
    check_nothing_left(crawl);
    check_each_url_fetched_once(crawl);
    check_report_of_a_stopped_crawl(crawl, at);
}

/// Panics unless, ten virtual seconds after `crawl` returned, no fetch future was held and no
/// task it spawned was alive.
fn check_nothing_left(crawl: &Run) {
    if let Some(call) = crawl.started_after(crawl.returned).first() {
        panic!(
            "{}: crawl returned at {}, but the fetch of {} started at {}, after that: something \
             it started is still running. Every task must have ended (or been aborted) when \
             crawl returns — a dropped JoinHandle detaches its task, it doesn't stop it.",
            crawl.what,
            secs(crawl.returned),
            call.url,
            secs(call.started.unwrap_or_default())
        );
    }
    if let Some(call) = crawl.held_after_return().first() {
        panic!(
            "{}: ten (virtual) seconds after crawl returned, the future of the fetch of {} \
             (called at {}) was still held, neither finished nor dropped: a task spawned by \
             crawl still runs, or the future was stored somewhere. Abort (or await) every task \
             before returning.",
            crawl.what,
            call.url,
            secs(call.called)
        );
    }
    assert!(
        crawl.extra_tasks == 0,
        "{}: {} tokio task(s) spawned by crawl were still alive ten (virtual) seconds after it \
         returned; every task it spawns must have ended or been aborted when it returns.",
        crawl.what,
        crawl.extra_tasks
    );
}

/// Panics unless the report of a crawl stopped at `at` holds exactly what finished: every fetch
/// that ended before `at`, with what it gave, and nothing that didn't end.
fn check_report_of_a_stopped_crawl(crawl: &Run, at: Duration) {
    let calls = crawl.recorder.calls();
    for (url, visit) in &crawl.report.pages {
        let Some(call) = calls.iter().find(|call| call.url == *url) else {
            panic!(
                "{}: the report lists {url}, which was never fetched",
                crawl.what
            );
        };
        let answer = crawl.site.resource(url).fetched();
        let expected = match (call.ended, answer) {
            (Some(_), Some(answer)) => answer,
            // Given up on: dropped, a fetch_timeout after it started.
            (None, _)
                if call.dropped.is_some_and(|dropped| {
                    call.started
                        .is_some_and(|started| dropped - started >= crawl.config.fetch_timeout)
                }) =>
            {
                Fetched::TimedOut
            }
            _ => panic!(
                "{}: the report lists {url} as {:?}, but its fetch never finished (it was in \
                 flight at the stop and dropped); a fetch dropped at the stop is left out of the \
                 report.",
                crawl.what, visit.fetched
            ),
        };
        assert!(
            visit.fetched == expected,
            "{}: the report says {url} gave {:?}, but it gave {expected:?}",
            crawl.what,
            visit.fetched
        );
    }
    for call in &calls {
        let finished = call.ended.is_some_and(|ended| ended < at);
        if finished && !crawl.report.pages.contains_key(&call.url) {
            panic!(
                "{}: the fetch of {} finished at {}, before the stop at {}, but it is missing \
                 from the report; the report of a stopped crawl holds every fetch that finished \
                 before the stop.",
                crawl.what,
                call.url,
                secs(call.ended.unwrap_or_default()),
                secs(at)
            );
        }
    }
}

pub fn stops_at_the_time_limit() {
    for (seed, limit_ms) in [(0x1A57, 4_500), (0x1A58, 2_250)] {
        let limit = Duration::from_millis(limit_ms);
        let crawl = run(slow_crawl_site(seed), slow_config(Some(limit)), None);
        check_stopped_at(&crawl, limit, "the time limit");
    }
    // A time limit the crawl doesn't reach changes nothing.
    let hosts = memory_hosts(2);
    let site = Site::generate(0x1A59, &Shape::dense(12), &hosts);
    let config = Config {
        per_host_per_second: 50,
        ..slow_config(Some(Duration::from_secs(600)))
    };
    check_matches_model(&run(site, config, None));
}

pub fn stops_when_cancelled() {
    // Cancelled in the middle of a level: the rest of the level must not start.
    let (site, config) = long_level();
    let at = Duration::from_millis(2_500);
    let crawl = run(site, config, Some(at));
    check_stopped_at(&crawl, at, "the cancellation");
    // Cancelled in the middle of a generated site's crawl.
    let at = Duration::from_millis(3_700);
    let crawl = run(slow_crawl_site(0xCA2C), slow_config(None), Some(at));
    check_stopped_at(&crawl, at, "the cancellation");
    // Cancelled before crawl is called: nothing to fetch.
    let (site, config) = long_level();
    let crawl = run(site, config, Some(Duration::ZERO));
    let calls = crawl.recorder.calls();
    assert!(
        calls.is_empty(),
        "{}: the token was cancelled before crawl was called, yet it called fetch {} time(s) \
         (first for {}); with stop already cancelled, nothing is fetched",
        crawl.what,
        calls.len(),
        calls[0].url
    );
    assert!(
        crawl.report.stopped && crawl.report.pages.is_empty(),
        "{}: the token was cancelled before crawl was called; the report should be empty with \
         stopped: true, got {} page(s) and stopped: {}",
        crawl.what,
        crawl.report.pages.len(),
        crawl.report.stopped
    );
    assert!(
        crawl.returned == Duration::ZERO,
        "{}: the token was cancelled before crawl was called, but crawl returned only at {}",
        crawl.what,
        secs(crawl.returned)
    );
}

pub fn leaves_nothing_running_after_return() {
    // A crawl that runs out of work.
    let hosts = memory_hosts(3);
    let shape = Shape {
        hang_per_mille: 100,
        ..Shape::mixed(30)
    };
    let site = Site::generate(0x1EAF, &shape, &hosts);
    let crawl = run(site, slow_config(None), None);
    check_nothing_left(&crawl);
    // Cancelled, with fetches in flight and others waiting for their host's window.
    let (site, config) = long_level();
    let crawl = run(site, config, Some(Duration::from_millis(1_200)));
    check_nothing_left(&crawl);
    // Stopped by the time limit.
    let crawl = run(
        slow_crawl_site(0x1EB0),
        slow_config(Some(Duration::from_millis(3_300))),
        None,
    );
    check_nothing_left(&crawl);
}
