//! How much runs at once: `workers` calls of `work`, no fewer and no more; and how many items
//! are in flight when the consumer stalls or an early item is slow.

use std::time::Duration;

use probes::Rendezvous;

use crate::outputs::expect_every_output_once_in_order;
use crate::rig::{self, checked_limit, limit, Consumer, Delay, Report, Setup, SLACK, TURNS};

/// How long the first `workers` calls wait for one another before the test gives up.
const TOGETHER_WITHIN: Duration = Duration::from_secs(2);

/// The first `workers` calls must all be running at once: they wait for one another. One worker
/// thread, so the calls overlap only if the pipeline runs them as concurrent tasks (or futures).
pub fn runs_workers_calls_at_once() {
    let mut setup = Setup::new(30, 4, 2);
    let together = Rendezvous::new(setup.options.workers, TOGETHER_WITHIN);
    setup.rendezvous = Some(together.clone());
    let described = setup.describe();
    let report = rig::run(setup);
    assert!(
        together.reached(),
        "{described}: the first 4 calls of `work` never ran at the same time — each waited for \
         the other three for {TOGETHER_WITHIN:?}, and at most {} were running at once. Start \
         `workers` worker tasks that each take the next item as soon as they are free (and \
         don't hold a shared lock while they `.await` the work: take the job, let the guard \
         go, then work).",
        together.max_together()
    );
    expect_every_output_once_in_order(&described, 30, &report);
}

/// Each call takes 50 turns, so calls would pile up if the pipeline started more than
/// `workers`.
pub fn never_runs_more_than_workers_calls_at_once() {
    let mut setup = Setup::new(60, 3, 4);
    setup.delays = vec![Delay::Turns(50); setup.items];
    let described = setup.describe();
    let report = rig::run(setup);
    assert!(
        report.peak_calls <= 3,
        "{described}: {} calls of `work` were running at once; at most `workers` (3) may be. \
         A call runs from `work(item)` until its future completes. Spawning a task per item \
         (or collecting futures faster than they finish) has no limit: let a fixed set of \
         `workers` workers each await one call at a time.",
        report.peak_calls
    );
    expect_every_output_once_in_order(&described, 60, &report);
}

fn expect_bounded(described: &str, what: &str, report: &Report, options: pipeline::Options) {
    let allowed = checked_limit(options);
    assert!(
        report.peak_in_flight <= allowed,
        "{described}, {what}: {} items were in flight at once (taken from the input, output \
         not yet received); the limit is capacity + workers + 2 = {}, and the test allows {SLACK} \
         more for its own channel. {}",
        report.peak_in_flight,
        limit(options),
        hint_for(report)
    );
}

fn hint_for(report: &Report) -> String {
    if report.peak_in_flight >= report.taken.saturating_sub(1) && report.taken > 20 {
        format!(
            "It took all {} items it could get without waiting: an unbounded channel, a task \
             per item, or a stage that gathers everything (into a Vec, a map) before passing \
             it on? Bounded channels make a full pipeline wait, and every place an item can \
             sit must be bounded — a reorder buffer too.",
            report.taken
        )
    } else {
        "Count every place an item can sit: the channels (their capacity), the workers (one \
         each), the producer's hand and the collector's hand — and a reorder buffer, which \
         grows behind a slow item unless something stops the producer."
            .to_string()
    }
}

/// The consumer reads three outputs, then stops reading for up to [`TURNS`] turns of its task
/// on one worker thread: the pipeline must fill up and stop taking input.
pub fn bounds_items_in_flight_when_the_consumer_stalls() {
    let mut setup = Setup::new(200, 3, 2);
    setup.consumer = Consumer::StallsAfter(3);
    let (described, options) = (setup.describe(), setup.options);
    let report = rig::run(setup);
    expect_bounded(
        &described,
        &format!("while the consumer stopped reading (for up to {TURNS} turns)"),
        &report,
        options,
    );
    expect_every_output_once_in_order(&described, 200, &report);
}

/// The work of item 0 takes up to [`TURNS`] turns while every other item's returns at once:
/// the items behind it finish first but must stay in flight until item 0's output is sent, so
/// the pipeline must stop taking input instead of piling them up.
pub fn bounds_items_in_flight_when_an_early_item_is_slow() {
    let mut setup = Setup::new(200, 3, 2);
    setup.delays = vec![Delay::WhileOthersPass];
    let (described, options) = (setup.describe(), setup.options);
    let report = rig::run(setup);
    expect_bounded(
        &described,
        &format!("while the work of item 0 was held back (for up to {TURNS} turns) and the others returned at once"),
        &report,
        options,
    );
    expect_every_output_once_in_order(&described, 200, &report);
}

/// Capacity 0, like Go's unbuffered channel: items still flow, in order, and no more than
/// `workers + 2` are in flight while the consumer stalls.
pub fn works_with_capacity_zero() {
    let mut setup = Setup::new(50, 2, 0);
    setup.consumer = Consumer::StallsAfter(2);
    let (described, options) = (setup.describe(), setup.options);
    let report = rig::run(setup);
    expect_every_output_once_in_order(&described, 50, &report);
    expect_bounded(
        &described,
        &format!("while the consumer stopped reading (for up to {TURNS} turns)"),
        &report,
        options,
    );
}
