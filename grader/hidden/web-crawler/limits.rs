//! The two limits, on the paused clock: fetches in flight (over all hosts) and starts per host in
//! any one-second window — never exceeded, and kept up to, hosts not waiting for each other.
//!
//! Windows are half-open, `[t, t + 1 s)`, over every `t` (a strict sliding window), on exact
//! virtual times. The pace checks allow 1 ms, for tokio's timer, which fires on whole
//! milliseconds.

use std::time::Duration;

use web_crawler::Config;

use crate::checks::check_matches_model;
use crate::recorder::{blocking_hint, run, secs, Call, Run};
use crate::site::{memory_hosts, Shape, Site};

const SECOND: Duration = Duration::from_secs(1);

fn config(max_concurrent: usize, per_host_per_second: u32, max_depth: usize) -> Config {
    Config {
        max_depth,
        max_concurrent,
        per_host_per_second,
        max_redirects: 5,
        fetch_timeout: Duration::from_secs(5),
        time_limit: None,
    }
}

fn plain(pages: usize) -> Shape {
    Shape {
        missing_per_mille: 0,
        ..Shape::dense(pages)
    }
}

/// A start page on its own host (10 ms) linking to `leaves`, each a page without links, with the
/// given latency in ms.
fn star(name: &str, leaves: &[(String, u64)]) -> Site {
    let start = "http://start.test/";
    let mut site = Site::new(name, start);
    let links: Vec<&str> = leaves.iter().map(|(url, _)| url.as_str()).collect();
    site.page(start, 10, &links);
    for (url, latency) in leaves {
        site.page(url, *latency, &[]);
    }
    site
}

/// When the start page's fetch ended (every leaf of a star is known from then on).
fn start_page_ended(crawl: &Run) -> Duration {
    crawl
        .recorder
        .calls()
        .iter()
        .find(|call| call.url == crawl.site.start)
        .and_then(|call| call.ended)
        .unwrap_or_else(|| panic!("{}: the start page was never fetched", crawl.what))
}

/// The largest number of `starts` (sorted) in any window `[t, t + window)`, and where it begins.
fn busiest(starts: &[Duration], window: Duration) -> (usize, Duration) {
    let mut best = (0, Duration::ZERO);
    let mut first = 0;
    for (last, &at) in starts.iter().enumerate() {
        while at - starts[first] >= window {
            first += 1;
        }
        if last + 1 - first > best.0 {
            best = (last + 1 - first, starts[first]);
        }
    }
    best
}

/// Panics unless no host saw more than `rate` starts in any one-second window.
fn check_rate(crawl: &Run, rate: usize) {
    for host_name in crawl.recorder.hosts() {
        let starts = crawl.recorder.starts_on(&host_name);
        let (most, from) = busiest(&starts, SECOND);
        if most > rate {
            panic!(
                "{}: {most} fetches to {host_name} started within one second (from {} to just \
                 before {}); at most {rate} may start to one host in any one-second window. Keep \
                 the start times of each host's last {rate} fetches, and let the next start only \
                 once the oldest is a full second old. (Counters reset every whole second let a \
                 burst through at the edge; a token bucket that starts full lets {rate} go at \
                 once and refills within that same second; a start time noted before the fetch \
                 waited for a slot is earlier than the real start.){}",
                crawl.what,
                secs(from),
                secs(from + SECOND),
                blocking_hint(crawl.real_time)
            );
        }
    }
}

/// Panics unless each of `hosts` kept its pace from `origin`: its k-th fetch started within
/// ceil(k / rate) seconds.
fn check_pace(crawl: &Run, hosts: &[&str], rate: usize, origin: Duration) {
    for host_name in hosts {
        let starts = crawl.recorder.starts_on(host_name);
        for (index, start) in starts.iter().enumerate() {
            let k = index + 1;
            let windows = k.div_ceil(rate);
            let allowed = origin + SECOND * windows as u32 + Duration::from_millis(1);
            if *start > allowed {
                panic!(
                    "{}: fetch {k} of {} to {host_name} started at {}, though all of them were \
                     known at {}: at {rate} per second it could have started by {}. Hosts must \
                     not wait for each other: a fetch waiting for its host's window must not \
                     hold one of the max_concurrent slots (take the slot once the host allows a \
                     start), and one host's window must not slow down another's.{}",
                    crawl.what,
                    starts.len(),
                    secs(*start),
                    secs(origin),
                    secs(allowed - Duration::from_millis(1)),
                    blocking_hint(crawl.real_time)
                );
            }
        }
    }
}

pub fn never_has_more_than_max_concurrent_fetches_in_flight() {
    let hosts = memory_hosts(4);
    for (seed, limit) in [(0xB0B, 3), (0xB0C, 5), (0xB0D, 1)] {
        let site = Site::generate(seed, &plain(40), &hosts);
        let crawl = run(site, config(limit, 100, 3), None);
        let peak = crawl.recorder.in_flight.peak();
        assert!(
            peak <= limit,
            "{}: {peak} fetches were in flight at once; at most max_concurrent = {limit} may be, \
             over all hosts. Take a slot (a semaphore permit) before each fetch starts and give \
             it back when the fetch ends.",
            crawl.what
        );
        check_matches_model(&crawl);
    }
}

pub fn keeps_max_concurrent_fetches_in_flight() {
    // 24 leaves on three hosts with latencies from 10 ms to 1 s, 4 slots, a rate that doesn't
    // bind: once the start page answered, 4 fetches must be in flight until fewer than 4 remain.
    let mut rng = probes::seeded::Rng::new(0x51075);
    let leaves: Vec<(String, u64)> = (0..24)
        .map(|index| {
            (
                format!("http://{}.test/{index}", ["a", "b", "c"][index % 3]),
                10 + rng.below(991),
            )
        })
        .collect();
    let site = star("a star of 24 pages (seed 0x51075)", &leaves);
    let crawl = run(site, config(4, 100, 1), None);
    check_matches_model(&crawl);
    let origin = start_page_ended(&crawl);
    let leaves: Vec<Call> = crawl
        .recorder
        .calls()
        .into_iter()
        .filter(|call| call.url != crawl.site.start)
        .collect();
    if let Err(problem) = check_slots_reused(&leaves, 4, origin) {
        panic!(
            "{}: {problem}{}",
            crawl.what,
            blocking_hint(crawl.real_time)
        );
    }
}

/// At every instant from `origin` (when every call was known) on, as many calls were in flight
/// as the limit and the remaining work allowed.
fn check_slots_reused(calls: &[Call], limit: usize, origin: Duration) -> Result<(), String> {
    let total = calls.len();
    let ends: Vec<Duration> = calls
        .iter()
        .map(|call| call.ended.or(call.dropped).unwrap_or(Duration::MAX))
        .collect();
    let starts: Vec<Duration> = calls
        .iter()
        .map(|call| call.started.unwrap_or(Duration::MAX))
        .collect();
    let mut instants: Vec<Duration> = starts
        .iter()
        .chain(&ends)
        .copied()
        .filter(|at| *at >= origin && *at != Duration::MAX)
        .collect();
    instants.push(origin);
    instants.sort();
    instants.dedup();
    for &at in &instants {
        let started = starts.iter().filter(|start| **start <= at).count();
        let ended = ends.iter().filter(|end| **end <= at).count();
        let in_flight = started - ended;
        let possible = limit.min(total - ended);
        if in_flight < possible {
            let next = starts
                .iter()
                .filter(|start| **start > at && **start != Duration::MAX)
                .min()
                .map_or_else(
                    || "never".to_owned(),
                    |start| format!("only at {}", secs(*start)),
                );
            return Err(format!(
                "at {} only {in_flight} fetch(es) were in flight although {possible} could have \
                 been (max_concurrent {limit}, {} url(s) known and not started yet); the next \
                 fetch started {next}. Start a fetch as soon as a slot frees — don't wait for a \
                 whole batch, or for a slow fetch ahead of it, to finish.",
                secs(at),
                total - started,
            ));
        }
    }
    Ok(())
}

pub fn no_host_sees_more_than_its_rate_in_any_second() {
    // The start page takes 700 ms, then 10 pages of its host are known at once: counters reset
    // at whole seconds (from the crawl's start) let 2 + 3 of them start within [0.7 s, 1.7 s).
    let leaves: Vec<(String, u64)> = (0..10)
        .map(|index| (format!("http://start.test/{index}"), 10))
        .collect();
    let mut site = star("a star of 10 pages on the start page's host", &leaves);
    site.page(
        "http://start.test/",
        700,
        &leaves
            .iter()
            .map(|(url, _)| url.as_str())
            .collect::<Vec<_>>(),
    );
    let crawl = run(site, config(10, 3, 1), None);
    check_rate(&crawl, 3);
    check_matches_model(&crawl);
    // Generated sites on three hosts, the rate the tighter limit.
    let hosts = memory_hosts(3);
    for (seed, rate, limit) in [(0x7B, 2, 8), (0x7C, 3, 4), (0x7D, 5, 6)] {
        let site = Site::generate(seed, &plain(40), &hosts);
        let crawl = run(site, config(limit, rate, 3), None);
        check_rate(&crawl, rate as usize);
        check_matches_model(&crawl);
    }
}

pub fn keeps_every_host_at_its_allowed_pace() {
    // 12 pages on a.test then 12 on b.test, 10 ms each, 4 slots, 3 per host per second: each
    // host can do its 12 in 4 seconds, side by side. A fetch that holds a slot while its host's
    // window is full leaves b.test's fetches queued behind a.test's.
    let leaves: Vec<(String, u64)> = ["a", "b"]
        .iter()
        .flat_map(|name| (0..12).map(move |index| (format!("http://{name}.test/{index}"), 10)))
        .collect();
    let site = star("a star of 12 pages on a.test and 12 on b.test", &leaves);
    let crawl = run(site, config(4, 3, 1), None);
    check_matches_model(&crawl);
    check_rate(&crawl, 3);
    check_pace(&crawl, &["a.test", "b.test"], 3, start_page_ended(&crawl));
    // One host, plenty of slots: the rate alone sets the pace.
    let leaves: Vec<(String, u64)> = (0..10)
        .map(|index| (format!("http://a.test/{index}"), 30))
        .collect();
    let site = star("a star of 10 pages on a.test", &leaves);
    let crawl = run(site, config(10, 4, 1), None);
    check_matches_model(&crawl);
    check_rate(&crawl, 4);
    check_pace(&crawl, &["a.test"], 4, start_page_ended(&crawl));
}
