//! What the crawl fetches and reports, on the paused clock: the urls within `max_depth`, each
//! once, at its shortest depth; 404s, timeouts and redirects handled as the crate docs say.

use std::time::Duration;

use web_crawler::Config;

use crate::checks::{check_each_url_fetched_once, check_matches_model};
use crate::recorder::{run, secs};
use crate::site::{memory_hosts, Resource, Shape, Site};

/// Limits that stay out of the way: the tests here are about *what* is crawled.
fn roomy(max_depth: usize) -> Config {
    Config {
        max_depth,
        max_concurrent: 6,
        per_host_per_second: 50,
        max_redirects: 5,
        fetch_timeout: Duration::from_secs(5),
        time_limit: None,
    }
}

/// Pages and links only.
fn plain(pages: usize) -> Shape {
    Shape {
        pages,
        fan_out: (0, 2),
        latency_ms: (10, 900),
        slow_per_mille: 0,
        slow_ms: 0,
        hang_per_mille: 0,
        missing_per_mille: 0,
        gadgets: 0,
    }
}

pub fn crawls_every_page_within_max_depth() {
    let hosts = memory_hosts(3);
    for (seed, max_depth) in [(0xD0, 0), (0xD1, 1), (0xD2, 2), (0xD3, 3), (0xD4, 5)] {
        let site = Site::generate(seed, &plain(40), &hosts);
        check_matches_model(&run(site, roomy(max_depth), None));
    }
}

pub fn fetches_each_url_once_however_many_pages_link_to_it() {
    let hosts = memory_hosts(2);
    for seed in [0x0CE, 0x0CF, 0x0D0] {
        // Many links per page, latencies all different: the same url turns up on several pages
        // while its first fetch is still in flight.
        let site = Site::generate(seed, &Shape::dense(30), &hosts);
        let crawl = run(site, roomy(3), None);
        check_each_url_fetched_once(&crawl);
        check_matches_model(&crawl);
    }
}

pub fn counts_depth_by_the_shortest_path() {
    // s links a (slow) and b (fast); b → c → d is the long way to d, a → d the short one. A crawl
    // that takes the depth of the first path it finds reaches d at depth 3 (through c, long before
    // a answers) and never fetches e, which is only 3 links away through a.
    let mut site = Site::new("a hand-made site with a slow shortcut", "http://s.test/");
    site.page("http://s.test/", 10, &["http://a.test/", "http://b.test/"])
        .page("http://a.test/", 2_000, &["http://d.test/"])
        .page("http://b.test/", 10, &["http://c.test/"])
        .page("http://c.test/", 10, &["http://d.test/"])
        .page("http://d.test/", 10, &["http://e.test/"])
        .page("http://e.test/", 10, &["http://f.test/"])
        .page("http://f.test/", 10, &[]);
    check_matches_model(&run(site, roomy(3), None));
    // The same on generated sites whose latencies range from 10 ms to 3 s.
    let hosts = memory_hosts(3);
    for seed in [0x5407, 0x5408] {
        let shape = Shape {
            latency_ms: (10, 3_000),
            ..plain(40)
        };
        let site = Site::generate(seed, &shape, &hosts);
        check_matches_model(&run(site, roomy(3), None));
    }
}

pub fn keeps_crawling_past_missing_pages_and_errors() {
    // The start page's first link is a 404; many more are spread over the site.
    let mut site = Site::new(
        "a hand-made site whose first link is missing",
        "http://s.test/",
    );
    site.page(
        "http://s.test/",
        10,
        &[
            "http://s.test/missing",
            "http://s.test/1",
            "http://s.test/2",
        ],
    )
    .page(
        "http://s.test/1",
        50,
        &["http://s.test/gone", "http://s.test/3"],
    )
    .page("http://s.test/2", 200, &["http://s.test/3"])
    .page("http://s.test/3", 20, &[]);
    check_matches_model(&run(site, roomy(3), None));
    let hosts = memory_hosts(3);
    for seed in [0xE404, 0xE405] {
        let shape = Shape {
            missing_per_mille: 300,
            ..plain(40)
        };
        let site = Site::generate(seed, &shape, &hosts);
        check_matches_model(&run(site, roomy(3), None));
    }
}

pub fn gives_up_on_a_page_after_fetch_timeout() {
    let hosts = memory_hosts(3);
    for seed in [0x71E0, 0x71E1] {
        // Hanging pages never answer; slow ones take 4 s, within the 5 s timeout.
        let shape = Shape {
            hang_per_mille: 150,
            slow_per_mille: 150,
            slow_ms: 4_000,
            ..plain(40)
        };
        let site = Site::generate(seed, &shape, &hosts);
        let crawl = run(site, roomy(3), None);
        check_matches_model(&crawl);
        // Each hanging fetch was dropped exactly fetch_timeout after it started.
        let timeout = crawl.config.fetch_timeout;
        for call in crawl.recorder.calls() {
            if crawl.site.resource(&call.url) != Resource::Hang {
                continue;
            }
            let (Some(started), Some(dropped)) = (call.started, call.dropped) else {
                panic!(
                    "{}: the fetch of {} (a page that never answers) was never dropped; give up \
                     after fetch_timeout and drop the fetch's future",
                    crawl.what, call.url
                );
            };
            let waited = dropped - started;
            assert!(
                waited >= timeout && waited <= timeout + Duration::from_millis(1),
                "{}: the fetch of {} (a page that never answers) started at {} and was dropped \
                 at {}, after {}; a fetch is given up exactly fetch_timeout ({timeout:?}) after \
                 it starts. Time it from the start of the fetch itself, not from when the task \
                 was spawned or waited for its turn.",
                crawl.what,
                call.url,
                secs(started),
                secs(dropped),
                secs(waited),
            );
        }
    }
}

pub fn follows_redirects_once_each_up_to_max_redirects() {
    // One of each redirect gadget on a small site: a moved page, a redirect home, a loop, an
    // endless chain; with no redirects followed, one, three and five in a row.
    let hosts = memory_hosts(2);
    for (seed, max_redirects) in [(0x3010, 0), (0x3011, 1), (0x3012, 3), (0x3013, 5)] {
        let shape = Shape {
            gadgets: 2,
            ..plain(25)
        };
        let site = Site::generate(seed, &shape, &hosts);
        let config = Config {
            max_redirects,
            // Deep enough that every gadget is reached.
            ..roomy(6)
        };
        let crawl = run(site, config, None);
        check_matches_model(&crawl);
        let in_chain = |url: &String| url.contains("/trap/0/");
        let expected = crawl
            .site
            .model(&crawl.config)
            .keys()
            .filter(|url| in_chain(url))
            .count();
        let chain = crawl
            .recorder
            .calls()
            .iter()
            .filter(|call| in_chain(&call.url))
            .count();
        assert!(
            chain == expected,
            "{}: fetched {chain} url(s) of the endless redirect chain that starts at \
             {}/trap/0/0; with max_redirects {max_redirects} that is the first url and \
             {max_redirects} redirect(s) followed: {expected}",
            crawl.what,
            hosts[0],
        );
    }
}

pub fn treats_zero_limits_as_one() {
    let hosts = memory_hosts(2);
    let site = Site::generate(0x2E80, &plain(12), &hosts);
    let config = Config {
        max_concurrent: 0,
        per_host_per_second: 0,
        ..roomy(2)
    };
    let crawl = run(site, config, None);
    check_matches_model(&crawl);
    let peak = crawl.recorder.in_flight.peak();
    assert!(
        peak == 1,
        "{}: {peak} fetches were in flight at once; max_concurrent 0 is treated as 1",
        crawl.what
    );
    for host in crawl.recorder.hosts() {
        let starts = crawl.recorder.starts_on(&host);
        if let Some(pair) = starts
            .windows(2)
            .find(|pair| pair[1] - pair[0] < Duration::from_secs(1))
        {
            panic!(
                "{}: two fetches to {host} started at {} and {}, less than a second apart; \
                 per_host_per_second 0 is treated as 1",
                crawl.what,
                secs(pair[0]),
                secs(pair[1])
            );
        }
    }
}
