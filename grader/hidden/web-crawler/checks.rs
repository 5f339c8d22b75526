//! Checks of a finished crawl against the model (`Site::model`), each failure phrased for the
//! learner: what was expected, what happened, the likely mistake.

use std::collections::BTreeMap;

use web_crawler::{Config, Fetched, Visit};

use crate::recorder::Run;
use crate::site::Site;

/// The urls `run` fetched, with how many times each.
pub fn fetch_counts(run: &Run) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for call in run.recorder.calls() {
        *counts.entry(call.url).or_insert(0) += 1;
    }
    counts
}

/// Panics unless every url was fetched at most once.
pub fn check_each_url_fetched_once(run: &Run) {
    let counts = fetch_counts(run);
    if let Some((url, count)) = counts.iter().find(|(_, count)| **count > 1) {
        let advice = if url.contains("/loop/") {
            " It is part of a redirect loop (a → b → a): a redirect to a url that is already \
             known ends the chain — check the known set before following a redirect too."
        } else if run.site.is_redirected_to(url) {
            " A redirect leads to it, and it was already known (fetched or claimed): a \
             redirect to a known url is not followed — check the known set before following a \
             redirect too."
        } else {
            " Claim a url (insert it into the set of known urls) the moment you first see it — \
             not after its fetch returns: while the first fetch is in flight, other pages that \
             link to it must find it taken."
        };
        panic!(
            "{}: fetched {url} {count} times; every url must be fetched at most once per crawl, \
             however many pages link to it.{advice}",
            run.what
        );
    }
}

/// Where a url lies on the site when nothing stops the crawl: its depth, and whether it is
/// reached only through more than `max_redirects` redirects in a row.
fn unlimited_depth(site: &Site, url: &str, config: &Config) -> Option<usize> {
    let unlimited = Config {
        max_depth: 64,
        max_redirects: config.max_redirects,
        ..config.clone()
    };
    site.model(&unlimited).get(url).map(|visit| visit.depth)
}

/// Panics unless `run` fetched exactly the urls of the model, each once, and reported each with
/// the model's depth and answer, as a crawl that ran out of work (`stopped: false`).
pub fn check_matches_model(run: &Run) {
    let model = run.site.model(&run.config);
    let config = &run.config;
    check_each_url_fetched_once(run);
    let counts = fetch_counts(run);

    // Fetched, but not part of the crawl.
    if let Some(url) = counts.keys().find(|url| !model.contains_key(*url)) {
        let why = if url.contains("/trap/") {
            format!(
                "it lies at the end of a chain of more redirects in a row than max_redirects \
                 ({}) allows: count the redirects followed in a row (the hops), and stop \
                 following at max_redirects",
                config.max_redirects
            )
        } else if config.max_redirects == 0 && is_redirect_target(&run.site, url) {
            "it is only reached through a redirect, and with max_redirects 0 redirects are not \
             followed"
                .to_owned()
        } else {
            match unlimited_depth(&run.site, url, config) {
                Some(depth) if depth > config.max_depth => format!(
                    "it is {depth} links from the start, beyond max_depth {}: a page at depth d \
                     has its links at depth d + 1, and a page at max_depth is fetched but its \
                     links are not",
                    config.max_depth
                ),
                _ => "no page within the crawl links to it".to_owned(),
            }
        };
        panic!(
            "{}: fetched {url}, which the crawl must not fetch: {why}.",
            run.what
        );
    }

    // Depths: the fewest links from the start.
    for (url, visit) in &run.report.pages {
        if let Some(expected) = model.get(url) {
            if visit.depth != expected.depth {
                panic!(
                    "{}: the report gives {url} depth {}, but it is {} link(s) from the start by \
                     its shortest path{}. A crawl that doesn't go level by level can find a \
                     page first by a longer path: then it must still count (and crawl) the page \
                     at the shorter depth when it finds it again.",
                    run.what,
                    visit.depth,
                    expected.depth,
                    if is_redirect_target(&run.site, url) {
                        " (a redirect's target keeps the depth of the redirect)"
                    } else {
                        ""
                    }
                );
            }
        }
    }

    // Part of the crawl, but never fetched.
    if let Some((url, visit)) = model.iter().find(|(url, _)| !counts.contains_key(*url)) {
        if let Some(failed) = error_then_nothing(run) {
            panic!(
                "{}: never fetched {url} (depth {}), which the crawl must fetch. Did an error end \
                 the crawl? The fetch of {failed} failed, and no fetch started after that; a \
                 404 or a timeout is recorded in the report, and the crawl goes on with the \
                 other pages.",
                run.what, visit.depth
            );
        }
        let why = if is_redirect_target(&run.site, url) {
            format!(
                "a redirect leads to it (at depth {}): follow a redirect to a url not yet \
                 known, at the same depth, up to max_redirects ({}) redirects in a row",
                visit.depth, config.max_redirects
            )
        } else {
            format!(
                "it is {} link(s) from the start, within max_depth {}{}",
                visit.depth,
                config.max_depth,
                match deeper_report(run, &model) {
                    Some(hint) => format!(" ({hint})"),
                    None => String::new(),
                }
            )
        };
        panic!(
            "{}: never fetched {url}, which the crawl must fetch: {why}.",
            run.what
        );
    }

    // The report: every fetch, with what it gave.
    for (url, expected) in &model {
        match run.report.pages.get(url) {
            None => panic!(
                "{}: {url} was fetched but is missing from the report; the report must hold \
                 every url fetched, with its depth and what the fetch gave ({:?}).",
                run.what, expected.fetched
            ),
            Some(visit) if visit.fetched != expected.fetched => panic!(
                "{}: the report says {url} gave {:?}, but it gave {:?}.{}",
                run.what,
                visit.fetched,
                expected.fetched,
                if expected.fetched == Fetched::TimedOut {
                    " That page never answers: after fetch_timeout, drop its fetch and record \
                     Fetched::TimedOut."
                } else {
                    " Record what fetch returned, as it returned it."
                }
            ),
            Some(_) => {}
        }
    }
    if let Some(url) = run
        .report
        .pages
        .keys()
        .find(|url| !model.contains_key(*url))
    {
        panic!(
            "{}: the report lists {url}, which the crawl never fetched.",
            run.what
        );
    }
    assert!(
        !run.report.stopped,
        "{}: the crawl ran out of work (nothing stopped it), but the report says stopped: true; \
         stopped is for a crawl that `stop` or the time limit ended.",
        run.what
    );
}

/// The first url whose fetch failed (an error or a timeout), if no fetch started after it
/// failed.
fn error_then_nothing(run: &Run) -> Option<String> {
    let calls = run.recorder.calls();
    let failed_at = |call: &&crate::recorder::Call| match run.report.pages.get(&call.url) {
        Some(visit) if matches!(visit.fetched, Fetched::Error(_) | Fetched::TimedOut) => {
            call.ended.or(call.dropped)
        }
        _ => None,
    };
    let (url, at) = calls
        .iter()
        .filter_map(|call| failed_at(&call).map(|at| (call.url.clone(), at)))
        .min_by_key(|(_, at)| *at)?;
    let later = calls
        .iter()
        .any(|call| call.started.is_some_and(|started| started >= at));
    (!later).then_some(url)
}

/// A url the site's redirects lead to (a moved page's target, a loop's page, a chain's later
/// hops, the start page).
fn is_redirect_target(site: &Site, url: &str) -> bool {
    site.is_redirected_to(url)
}

/// When the report gives some page a greater depth than its shortest path, say so: that is why
/// pages below it go missing.
fn deeper_report(run: &Run, model: &BTreeMap<String, Visit>) -> Option<String> {
    run.report.pages.iter().find_map(|(url, visit)| {
        let expected = model.get(url)?;
        (visit.depth > expected.depth).then(|| {
            format!(
                "your crawl gave {url} depth {}, though it is {} link(s) from the start",
                visit.depth, expected.depth
            )
        })
    })
}
