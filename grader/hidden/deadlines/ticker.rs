//! `poll_every` on tokio's paused clock: exact start times of its calls against the docs' rule,
//! `next start = max(previous end, first tick later than the previous start)`.
//!
//! The calls are fakes taking scripted (virtual) times: less than a period, to see drift (code
//! that sleeps a period after each call drifts by each call's duration), and one that stalls for
//! 2.5 periods, to see what happens to the ticks it missed (a burst of catch-up calls with
//! tokio's default `MissedTickBehavior::Burst`, a shifted schedule with `Delay`).

use std::time::Duration;

use deadlines::poll_every;

use crate::attempts::{reading, PollRecord, Polls};
use crate::model;
use crate::paused::{blocking_hint, ms, run_paused, secs};

struct PollRun {
    what: String,
    outputs: Vec<String>,
    returned_at: Duration,
    records: Vec<PollRecord>,
    peak_in_flight: usize,
    quiet: Result<(), String>,
    extra_tasks: usize,
    real_time: Duration,
}

fn run_poller(period: Duration, durations: &[u64], spawned: bool) -> PollRun {
    let calls = durations.len();
    let what = if durations.is_empty() {
        format!("poll_every({period:?}, 0, poll)")
    } else {
        let takes: Vec<String> = durations.iter().map(|ms| format!("{ms} ms")).collect();
        format!(
            "poll_every({period:?}, {calls}, poll) with calls that take {}",
            takes.join(", ")
        )
    };
    let durations = durations.to_vec();
    let run = run_paused(&what, || async move {
        let alive = || {
            tokio::runtime::Handle::current()
                .metrics()
                .num_alive_tasks()
        };
        let before = alive();
        let polls = Polls::new(durations);
        let poller = poll_every(period, calls, polls.poll());
        let outputs = if spawned {
            match tokio::spawn(poller).await {
                Ok(outputs) => outputs,
                Err(error) => std::panic::resume_unwind(error.into_panic()),
            }
        } else {
            poller.await
        };
        let returned_at = tokio::time::Instant::now() - polls.origin();
        let records = polls.records();
        let quiet = polls.live.check_quiet_async(Duration::from_secs(10)).await;
        (
            outputs,
            returned_at,
            records,
            polls.in_flight.peak(),
            quiet,
            alive().saturating_sub(before),
        )
    });
    let (outputs, returned_at, records, peak_in_flight, quiet, extra_tasks) = run.output;
    PollRun {
        what,
        outputs,
        returned_at,
        records,
        peak_in_flight,
        quiet,
        extra_tasks,
        real_time: run.real_time,
    }
}

/// Checks outputs, indices, one call at a time, exact starts, return time, nothing left.
fn check_poller(period: Duration, durations: &[u64], spawned: bool) {
    let run = run_poller(period, durations, spawned);
    let what = &run.what;
    let hint = blocking_hint(run.real_time);
    let calls = durations.len();
    assert!(
        run.records.len() == calls,
        "{what}: poll was called {} time(s); it should be called {calls} times{hint}",
        run.records.len()
    );
    if let Some((order, record)) = run
        .records
        .iter()
        .enumerate()
        .find(|(order, record)| record.index != *order)
    {
        panic!(
            "{what}: call #{order} was poll({}); the calls are poll(0), poll(1), …, in order",
            record.index
        );
    }
    let expected: Vec<String> = (0..calls).map(reading).collect();
    assert!(
        run.outputs == expected,
        "{what}: returned {:?}; it should return each call's output in order: {expected:?}",
        run.outputs
    );
    let starts = model::poll_starts(period, durations);
    for (index, (record, &expected_start)) in run.records.iter().zip(&starts).enumerate() {
        let started = record.started.unwrap_or_else(|| {
            panic!("{what}: poll({index})'s future was never polled: await each call")
        });
        if started != expected_start {
            panic!(
                "{what}: call {index} started at {}; it should start at {}{}{hint}",
                secs(started),
                secs(expected_start),
                explain(period, durations, &starts, index, started)
            );
        }
    }
    assert!(
        run.peak_in_flight <= 1,
        "{what}: {} calls ran at once; the calls run one at a time — await each before the next",
        run.peak_in_flight
    );
    let last_end = starts[calls - 1] + ms(durations[calls - 1]);
    assert!(
        run.returned_at == last_end,
        "{what}: returned at {}; it should return as soon as the last call has returned, at {} \
         (no wait after the last call){hint}",
        secs(run.returned_at),
        secs(last_end)
    );
    if let Err(problem) = run.quiet {
        panic!("{what}: after it returned: {problem}");
    }
    assert!(
        run.extra_tasks == 0,
        "{what}: {} tokio task(s) it spawned were still alive ten (virtual) seconds after it \
         returned",
        run.extra_tasks
    );
}

/// Why call `index` should start at `starts[index]`, and what the actual start suggests.
fn explain(
    period: Duration,
    durations: &[u64],
    starts: &[Duration],
    index: usize,
    started: Duration,
) -> String {
    let Some(previous) = index.checked_sub(1) else {
        return ": the first call starts at once".to_owned();
    };
    let previous_start = starts[previous];
    let previous_end = previous_start + ms(durations[previous]);
    let next_tick = period * (previous_start.as_nanos() / period.as_nanos() + 1) as u32;
    let overran = overran_at(period, durations, starts, previous);
    let rule = if overran {
        format!(
            ": call {previous} started at {} and overran — it returned at {}, after the tick at \
             {} — so call {index} starts at once, when it returns (the ticks it missed are \
             skipped)",
            secs(previous_start),
            secs(previous_end),
            secs(next_tick)
        )
    } else {
        format!(
            ": call {previous} started at {} and returned at {}, so call {index} starts on the \
             next tick, at {}",
            secs(previous_start),
            secs(previous_end),
            secs(next_tick)
        )
    };
    let diagnosis = if started < previous_end {
        " It started before the previous call had returned: one call at a time.".to_owned()
    } else if started == previous_end + period {
        format!(
            " It started one period after the previous call returned: {}",
            if overran {
                "that shifts every later tick (MissedTickBehavior::Delay does this) — after an \
                 overrun, start the next call at once and keep the ticks where they were"
            } else {
                "sleeping a period after each call adds each call's own duration to the \
                 schedule, and the ticks drift — wait for the next tick instead (an interval, or \
                 sleep_until a tick you compute)"
            }
        )
    } else if started < starts[index] {
        " It started early: a missed tick made up for after a stall is a burst of calls \
         (tokio's interval does that by default, MissedTickBehavior::Burst) — skip missed ticks \
         (MissedTickBehavior::Skip)."
            .to_owned()
    } else if overran && started > previous_end {
        " After an overrun, the next call starts at once, the moment the late call returns; \
         only the call after it waits for a tick."
            .to_owned()
    } else if started > starts[index]
        && (0..previous).any(|earlier| overran_at(period, durations, starts, earlier))
    {
        " It started late: after a stall the ticks stay where they were, at start + k·period — \
         don't restart them from the late call (MissedTickBehavior::Delay does that; Skip \
         doesn't)."
            .to_owned()
    } else if started > starts[index] {
        " It started late.".to_owned()
    } else {
        String::new()
    };
    format!("{rule}.{diagnosis}")
}

/// Whether call `index` was still running at the first tick after its start.
fn overran_at(period: Duration, durations: &[u64], starts: &[Duration], index: usize) -> bool {
    let next_tick = period * (starts[index].as_nanos() / period.as_nanos() + 1) as u32;
    starts[index] + ms(durations[index]) > next_tick
}

pub fn poll_every_returns_the_outputs_in_order() {
    let run = run_poller(ms(500), &[], false);
    assert!(
        run.outputs.is_empty() && run.records.is_empty(),
        "{}: returned {:?} after {} call(s) of poll; with 0 calls it should return an empty Vec \
         without calling poll",
        run.what,
        run.outputs,
        run.records.len()
    );
    assert!(
        run.returned_at == Duration::ZERO,
        "{}: returned at {}; with 0 calls it should return at once",
        run.what,
        secs(run.returned_at)
    );
    check_poller(ms(500), &[20, 20, 20, 20, 20], false);
}

pub fn poll_every_starts_calls_on_the_ticks() {
    check_poller(ms(1000), &[300, 300, 300, 300, 300, 300], false);
    check_poller(ms(250), &[10, 240, 0, 120, 249, 1, 60], false);
}

pub fn poll_every_neither_bursts_nor_drifts_after_a_stall() {
    // Call 2 stalls for 2.5 periods; call 3 overruns too, a little.
    check_poller(ms(1000), &[250, 100, 2500, 700, 300, 200, 50, 400], false);
    // A shorter period, the stall on call 1.
    check_poller(ms(300), &[30, 750, 30, 30, 30, 30], false);
}

pub fn runs_inside_a_spawned_task() {
    check_poller(ms(1000), &[100, 2500, 100, 100], true);
}
