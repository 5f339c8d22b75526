//! `fetch_all_rate_limited` on tokio's paused clock, with the instrumented fetch.
//!
//! "No more than `per_second` starts in any window of one second" is checked over every half-open
//! window `[t, t + 1 s)` (a strict sliding window), on exact virtual times: first three fixed
//! cases, then dozens of seeded latency profiles (`profiles.rs`), because a limiter keyed to fixed
//! windows, a token bucket that starts full, or a sleep per batch breaks the rate only under some
//! latency patterns. The pace check allows
//! 1 ms per call for tokio's timer, which rounds every sleep up to the next millisecond.

use std::time::Duration;

use rate_limited_caller::fetch_all_rate_limited;

use crate::concurrency::check_outputs;
use crate::instrumented::{
    blocking_hint, leftovers, max_in_window, run_paused, secs, urls_with_latencies, Recorder,
};
use crate::profiles;

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
    if let Some(span) = crowded_span(run, allowed) {
        panic!("{}: {span}{}", run.what, window_advice(run, allowed));
    }
}

/// The first one-second window holding more than `allowed` starts, described with the starts in
/// it; `None` if every window holds at most `allowed`.
fn crowded_span(run: &RateRun, allowed: usize) -> Option<String> {
    let starts = run.recorder.starts();
    let (most, from) = max_in_window(&starts, SECOND);
    if most <= allowed {
        return None;
    }
    let inside: Vec<String> = starts
        .iter()
        .filter(|&&at| at >= from && at < from + SECOND)
        .map(|&at| secs(at))
        .collect();
    Some(format!(
        "{most} calls started within one second, from {} to just before {} (at {}); at most \
         {allowed} may start in any one-second window.",
        secs(from),
        secs(from + SECOND),
        inside.join(", "),
    ))
}

/// What to do about a crowded window: the blocking hint if real time passed, else the usual ways
/// a limiter lets too many calls through.
fn window_advice(run: &RateRun, allowed: usize) -> String {
    let blocking = blocking_hint(run.real_time);
    if !blocking.is_empty() {
        return blocking;
    }
    format!(
        " Keep the start times of the last {allowed} call(s), and let the next call start only \
         once the oldest of them is a full second old. (Windows fixed in advance — counting \
         starts per second and resetting the count — let {allowed} start at the end of one \
         window and {allowed} more at the start of the next; a token bucket that starts full \
         lets {allowed} go at once and refills within that same second; a sleep of a second per \
         batch crowds two batches together when one waited for its slots; a tokio interval fires \
         missed ticks in a burst to catch up; a start time noted before the call waited for a \
         slot is earlier than the real start.)"
    )
}

/// Runs every seeded latency profile (`profiles.rs`) and panics naming the first whose starts
/// crowd a one-second window, with how many profiles broke the rate in all.
fn check_window_under_profiles() {
    let profiles = profiles::all();
    let mut crowded = Vec::new();
    for profile in &profiles {
        let allowed = profile.per_second as usize;
        let run = run_rate_limited(
            profile.urls.clone(),
            profile.max_concurrent,
            profile.per_second,
        );
        if let Some(span) = crowded_span(&run, allowed) {
            if !blocking_hint(run.real_time).is_empty() {
                // Blocking code takes real time per profile: say so now, rather than after all.
                panic!(
                    "{} under {profile}: {span}{}",
                    run.what,
                    window_advice(&run, allowed)
                );
            }
            crowded.push((profile, run, span));
        }
    }
    if let Some((profile, run, span)) = crowded.first() {
        let allowed = profile.per_second as usize;
        panic!(
            "{} under the latency {profile}: {span} That is {} of the {} seeded latency profiles \
             (calls slowed by the slots, long first calls, bursts after idle, calls ending on a \
             window's edge) under which more calls started in some one-second span than the rate \
             allows.{}",
            run.what,
            crowded.len(),
            profiles.len(),
            window_advice(run, allowed)
        );
    }
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
    // Dozens of seeded latency profiles: a limiter must hold the rate under all of them.
    check_window_under_profiles();
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
