//! `fetch_all` on tokio's paused clock, with the instrumented fetch.

use std::time::Duration;

use rate_limited_caller::fetch_all;

use crate::instrumented::{
    blocking_hint, body_of, check_slots_reused, leftovers, run_paused, url, urls_with_latencies,
    Recorder,
};

/// Runs `fetch_all(urls, limit, fetch)` on the paused clock; returns its outputs and the recorder.
fn run_fetch_all(urls: Vec<String>, limit: usize) -> (Vec<String>, Recorder, Duration) {
    let what = format!("fetch_all({} urls, {limit}, fetch)", urls.len());
    let run = run_paused(&what, || async move {
        let recorder = Recorder::new();
        let outputs = fetch_all(urls, limit, recorder.fetch()).await;
        (outputs, recorder)
    });
    let (outputs, recorder) = run.output;
    (outputs, recorder, run.real_time)
}

/// Panics with a message naming the first output that is not the page of its url.
pub fn check_outputs(what: &str, urls: &[String], outputs: &[String]) {
    assert_eq!(
        outputs.len(),
        urls.len(),
        "{what} returned {} outputs for {} urls: one output per url, please",
        outputs.len(),
        urls.len()
    );
    let expected: Vec<String> = urls.iter().map(|url| body_of(url)).collect();
    if let Some(index) = (0..urls.len()).find(|&index| outputs[index] != expected[index]) {
        let belongs_to = expected.iter().position(|page| *page == outputs[index]);
        let hint = match belongs_to {
            Some(other) => format!(
                " — that is the output for url #{other}: keep each output at its url's index \
                 (calls finish in any order)"
            ),
            None => String::new(),
        };
        panic!(
            "{what}: output #{index} should be fetch(urls[{index}])'s output {:?}, got {:?}{hint}",
            expected[index], outputs[index]
        );
    }
}

pub fn returns_outputs_in_the_order_of_urls() {
    // Latencies all different, so calls finish in an order unrelated to the urls'.
    let urls = urls_with_latencies(30, 10, 900, 0x0DE5);
    let (outputs, _, _) = run_fetch_all(urls.clone(), 4);
    check_outputs("fetch_all(30 urls, 4, fetch)", &urls, &outputs);
}

pub fn returns_nothing_for_no_urls() {
    let (outputs, recorder, _) = run_fetch_all(Vec::new(), 3);
    assert!(
        outputs.is_empty(),
        "fetch_all with no urls returned {} outputs; it should return an empty Vec",
        outputs.len()
    );
    assert_eq!(
        recorder.live.started(),
        0,
        "fetch_all with no urls called fetch; there is nothing to fetch"
    );
}

pub fn calls_fetch_once_per_url() {
    // The same url three times: each occurrence is its own call with its own output.
    let mut urls = urls_with_latencies(9, 10, 400, 0x0CE);
    urls.push(urls[2].clone());
    urls.push(urls[2].clone());
    let count = urls.len();
    let (outputs, recorder, _) = run_fetch_all(urls.clone(), 3);
    assert_eq!(
        recorder.live.started(),
        count,
        "fetch_all({count} urls, 3, fetch) called fetch {} times; call it exactly once per url \
         (a url listed twice is fetched twice)",
        recorder.live.started()
    );
    check_outputs("fetch_all(11 urls, 3, fetch)", &urls, &outputs);
}

pub fn treats_max_concurrent_zero_as_one() {
    let urls = urls_with_latencies(5, 50, 300, 0x2E80);
    let (outputs, recorder, _) = run_fetch_all(urls.clone(), 0);
    check_outputs("fetch_all(5 urls, 0, fetch)", &urls, &outputs);
    let peak = recorder.in_flight.peak();
    assert!(
        peak == 1,
        "fetch_all(5 urls, 0, fetch) had {peak} calls in flight at once; max_concurrent 0 is \
         treated as 1"
    );
}

pub fn never_has_more_than_max_concurrent_calls_in_flight() {
    for (count, limit) in [(40, 5), (10, 1), (7, 3)] {
        let urls = urls_with_latencies(count, 20, 700, 0xB0B + count as u64);
        let (outputs, recorder, _) = run_fetch_all(urls.clone(), limit);
        let peak = recorder.in_flight.peak();
        assert!(
            peak <= limit,
            "fetch_all({count} urls, {limit}, fetch) had {peak} calls in flight at once; at most \
             {limit} may be. Take a slot (a semaphore permit) before each call starts and give it \
             back when the call ends."
        );
        check_outputs(
            &format!("fetch_all({count} urls, {limit}, fetch)"),
            &urls,
            &outputs,
        );
    }
}

pub fn runs_max_concurrent_calls_at_once() {
    for (count, limit) in [(12, 4), (3, 8)] {
        let urls = urls_with_latencies(count, 100, 500, 0xA11 + count as u64);
        let (_, recorder, real_time) = run_fetch_all(urls, limit);
        let expected = limit.min(count);
        let peak = recorder.in_flight.peak();
        assert!(
            peak >= expected,
            "fetch_all({count} urls, {limit}, fetch) never had more than {peak} call(s) in flight \
             at once; {expected} should run at the same time. Are the calls awaited one after \
             another? Start up to max_concurrent of them (spawn them, or put them in a \
             JoinSet/FuturesUnordered) before awaiting any.{}",
            blocking_hint(real_time)
        );
    }
}

pub fn starts_a_call_as_soon_as_a_slot_frees() {
    // Many different latencies: batches leave slots idle.
    let urls = urls_with_latencies(30, 10, 1000, 0x51075);
    let (_, recorder, real_time) = run_fetch_all(urls, 4);
    if let Err(problem) = check_slots_reused(&recorder.calls(), 4) {
        panic!(
            "fetch_all(30 urls, 4, fetch): {problem}{}",
            blocking_hint(real_time)
        );
    }
    // A slow first page: a call finishing behind it must still free its slot at once (an ordered
    // buffer that keeps finished outputs in the queue doesn't).
    let mut urls = vec![url(0, 5000)];
    urls.extend((1..12).map(|index| url(index, 100 + 10 * index as u64)));
    let (outputs, recorder, real_time) = run_fetch_all(urls.clone(), 3);
    check_outputs("fetch_all(12 urls, 3, fetch)", &urls, &outputs);
    if let Err(problem) = check_slots_reused(&recorder.calls(), 3) {
        panic!(
            "fetch_all(12 urls, 3, fetch) with a slow first page: {problem} (Keeping outputs in \
             order must not hold a slot: store each output at its index as it arrives.){}",
            blocking_hint(real_time)
        );
    }
}

pub fn leaves_nothing_running_after_return() {
    let urls = urls_with_latencies(10, 10, 500, 0x1EAF);
    let left = leftovers("fetch_all(10 urls, 3, fetch)", |recorder| async move {
        fetch_all(urls, 3, recorder.fetch()).await
    });
    if let Err(problem) = left.quiet {
        panic!(
            "after fetch_all returned: {problem}. Await every call (or its task) before returning: \
             a dropped JoinHandle detaches its task, it doesn't stop it."
        );
    }
    assert!(
        left.extra_tasks == 0,
        "fetch_all left {} tokio task(s) alive ten (virtual) seconds after it returned; every task \
         it spawns must have finished when it returns (a dropped JoinHandle detaches, it doesn't \
         cancel)",
        left.extra_tasks
    );
}
