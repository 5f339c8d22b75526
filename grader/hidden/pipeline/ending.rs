//! How it ends: when the input ends, when the consumer hangs up — and with nothing left behind.

use crate::outputs::expect_every_output_once_in_order;
use crate::rig::{self, checked_limit, Consumer, Delay, Report, Setup};

/// An empty input, a single item, then 25 items on two worker threads: `pipeline` must return
/// each time. A pipeline whose last stage never sees its channel close (a `Sender` clone kept
/// alive somewhere) hangs here until the test's timeout; the grader then shows the tasks still
/// alive, and their names say which stage is stuck.
pub fn ends_when_the_input_ends() {
    for (items, workers, capacity) in [(0, 3, 2), (1, 3, 2), (25, 3, 2)] {
        let mut setup = Setup::new(items, workers, capacity);
        setup.threads = 2;
        let described = setup.describe();
        let report = rig::run(setup);
        expect_every_output_once_in_order(&described, items, &report);
    }
}

/// The consumer takes five outputs of a 2,000-item input and drops its receiver: `pipeline`
/// must stop taking input and return, with nothing left running.
pub fn stops_when_the_consumer_hangs_up() {
    const ITEMS: usize = 2_000;
    let mut setup = Setup::new(ITEMS, 3, 2);
    setup.consumer = Consumer::HangsUpAfter(5);
    let (described, options) = (setup.describe(), setup.options);
    let report = rig::run(setup);
    let received = report.received_indices();
    assert!(
        received == [0, 1, 2, 3, 4],
        "{described}: the consumer read five outputs, expected those of items 0 to 4, got {:?}",
        received
    );
    let allowed = 5 + 4 * checked_limit(options);
    assert!(
        report.taken <= allowed,
        "{described}: the consumer hung up (dropped its receiver) after 5 outputs, but the \
         pipeline went on and took {} of the {ITEMS} items (at most {allowed} may be taken: \
         what was in flight, and a few on their way). A send on a channel whose receiver is \
         gone returns Err: that is the signal to stop — return from the stage, which drops its \
         own channels and stops the stage before it in turn.",
        report.taken
    );
    expect_nothing_left(&described, "after the consumer hung up", &report);
}

/// Thirty items whose work takes a few turns, on one worker thread: right when `pipeline`
/// returns, no call of `work` and no task it spawned may still be alive.
pub fn leaves_nothing_running_when_it_returns() {
    let mut setup = Setup::new(30, 3, 2);
    setup.delays = (0..setup.items).map(|i| Delay::Turns(i % 5)).collect();
    let described = setup.describe();
    let report = rig::run(setup);
    expect_every_output_once_in_order(&described, 30, &report);
    expect_nothing_left(&described, "after the input ended", &report);
}

fn expect_nothing_left(described: &str, when: &str, report: &Report) {
    assert!(
        report.calls_alive_at_return == 0,
        "{described}, {when}: {} calls of `work` were still alive (running, or not yet dropped) \
         when `pipeline` returned. Await every task you spawn before returning: a dropped \
         JoinHandle detaches its task, it doesn't wait for it.",
        report.calls_alive_at_return
    );
    assert!(
        report.tasks_alive_at_return.is_empty(),
        "{described}, {when}: {} task(s) spawned by `pipeline` were still alive when it \
         returned:\n  {}\nAwait every JoinHandle (the producer, each worker, the collector) \
         before returning: a task whose handle is dropped runs on, detached, behind the \
         caller's back.",
        report.tasks_alive_at_return.len(),
        report.tasks_alive_at_return.join("\n  ")
    );
}
