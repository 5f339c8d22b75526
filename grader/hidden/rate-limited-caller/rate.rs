//! `fetch_all_rate_limited` on tokio's paused clock, with the instrumented fetch.
//!
//! "No more than `per_second` starts in any window of one second" is checked over every half-open
//! window `[t, t + 1 s)` (a strict sliding window), on exact virtual times. The pace check allows
//! 1 ms per call for tokio's timer, which rounds every sleep up to the next millisecond.

use std::time::Duration;

use rate_limited_caller::fetch_all_rate_limited;

use crate::concurrency::check_outputs;
use crate::instrumented::{
    blocking_hint, leftovers, max_in_window, run_paused, secs, urls_with_latencies, Recorder,
};

const SECOND: Duration = Duration::from_secs(1);

struct RateRun {
    what: String,
    outputs: Vec<String>,
    recorder: Recorder,
    real_time: Duration,
}

fn run_rate_limited(urls: Vec<String>, limit: usize, per_second: u32) -> RateRun {
    let what = format!(
        "fetch_all_rate_limited({} urls, {limit}, {per_second}, fetch)",
        urls.len()
    );
    let run = run_paused(&what, || async move {
        let recorder = Recorder::new();
        let outputs = fetch_all_rate_limited(urls, limit, per_second, recorder.fetch()).await;
        (outputs, recorder)
    });
    let (outputs, recorder) = run.output;
    RateRun {
        what,
        outputs,
        recorder,
        real_time: run.real_time,
    }
}

/// Panics unless every one-second window holds at most `allowed` starts.
fn check_window(run: &RateRun, allowed: usize) {
    let starts = run.recorder.starts();
    let (most, from) = max_in_window(&starts, SECOND);
    if most <= allowed {
        return;
    }
    let blocking = blocking_hint(run.real_time);
    let advice = if blocking.is_empty() {
        format!(
            " Keep the start times of the last {allowed} call(s), and let the next call start \
             only once the oldest of them is a full second old. (A token bucket that starts full \
             lets {allowed} go at once and refills within that same second; a tokio interval \
             fires missed ticks in a burst to catch up; a start time noted before the call waited \
             for a slot is earlier than the real start.)"
        )
    } else {
        blocking
    };
    panic!(
        "{}: {most} calls started within one second (from {} to just before {}); at most \
         {allowed} may start in any one-second window.{advice}",
        run.what,
        secs(from),
        secs(from + SECOND),
    );
}

/// Panics unless all calls started within ceil(n / per_second) seconds (+1 ms per call).
fn check_pace(run: &RateRun, per_second: usize) {
    let starts = run.recorder.starts();
    let count = starts.len();
    let allowed = Duration::from_secs(count.div_ceil(per_second) as u64)
        + Duration::from_millis(count as u64);
    let last = starts.last().copied().unwrap_or_default();
    assert!(
        last <= allowed,
        "{}: the last of {count} calls started at {}; at {per_second} per second, with slots free, \
         all of them can have started within {} s. Don't wait longer than the window requires \
         (a whole second between calls, or for each call to finish).{}",
        run.what,
        secs(last),
        count.div_ceil(per_second),
        blocking_hint(run.real_time)
    );
}

pub fn returns_outputs_in_the_order_of_urls() {
    let urls = urls_with_latencies(15, 10, 1500, 0x0D0E);
    let run = run_rate_limited(urls.clone(), 3, 5);
    check_outputs(&run.what, &urls, &run.outputs);
}

pub fn returns_nothing_for_no_urls() {
    let run = run_rate_limited(Vec::new(), 3, 5);
    assert!(
        run.outputs.is_empty(),
        "{} returned {} outputs; it should return an empty Vec",
        run.what,
        run.outputs.len()
    );
    assert_eq!(
        run.recorder.live.started(),
        0,
        "{} called fetch; there is nothing to fetch",
        run.what
    );
}

pub fn treats_per_second_zero_as_one() {
    let urls = urls_with_latencies(4, 10, 50, 0x2E81);
    let run = run_rate_limited(urls.clone(), 4, 0);
    check_outputs(&run.what, &urls, &run.outputs);
    check_window(&run, 1);
    check_pace(&run, 1);
}

pub fn no_one_second_window_sees_more_than_per_second_starts() {
    // Plenty of slots: the rate is the only limit.
    let run = run_rate_limited(urls_with_latencies(25, 10, 300, 0x7B), 25, 5);
    check_window(&run, 5);
    // Few slots and slow calls: first the slots limit, then the rate does.
    let run = run_rate_limited(urls_with_latencies(14, 400, 1500, 0x7C), 2, 3);
    check_window(&run, 3);
    // A rate that doesn't divide a second evenly (1 s / 3 is not a whole number of nanoseconds).
    let run = run_rate_limited(urls_with_latencies(10, 10, 50, 0x7D), 10, 3);
    check_window(&run, 3);
}

pub fn keeps_up_the_allowed_pace() {
    for (count, per_second) in [(23, 5), (7, 7), (9, 2)] {
        let urls = urls_with_latencies(count, 10, 60, 0xFA57 + count as u64);
        let run = run_rate_limited(urls, count, per_second);
        check_pace(&run, per_second as usize);
        check_window(&run, per_second as usize);
    }
}

pub fn keeps_max_concurrent_calls_in_flight() {
    // A generous rate, few slots and slow calls: the slots are the limit.
    let urls = urls_with_latencies(20, 200, 600, 0x5107);
    let run = run_rate_limited(urls.clone(), 3, 100);
    let peak = run.recorder.in_flight.peak();
    assert!(
        peak <= 3,
        "{}: {peak} calls were in flight at once; at most 3 (max_concurrent) may be",
        run.what
    );
    assert!(
        peak == 3,
        "{}: never more than {peak} call(s) in flight at once, though 3 were allowed and the rate \
         (100 per second) left room: start the next call as soon as a slot and the window allow \
         it, without waiting for earlier calls to finish.{}",
        run.what,
        blocking_hint(run.real_time)
    );
    check_outputs(&run.what, &urls, &run.outputs);
}

pub fn leaves_nothing_running_after_return() {
    let urls = urls_with_latencies(10, 10, 500, 0x1EA5);
    let left = leftovers(
        "fetch_all_rate_limited(10 urls, 3, 4, fetch)",
        |recorder| async move { fetch_all_rate_limited(urls, 3, 4, recorder.fetch()).await },
    );
    if let Err(problem) = left.quiet {
        panic!(
            "after fetch_all_rate_limited returned: {problem}. Await every call (or its task) \
             before returning: a dropped JoinHandle detaches its task, it doesn't stop it."
        );
    }
    assert!(
        left.extra_tasks == 0,
        "fetch_all_rate_limited left {} tokio task(s) alive ten (virtual) seconds after it \
         returned — a background task refilling a token bucket, say. Every task it spawns must \
         have finished (or been aborted) when it returns.",
        left.extra_tasks
    );
}
