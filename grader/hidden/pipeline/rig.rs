//! One run of the learner's `pipeline`, instrumented, on a runtime of its own.
//!
//! - **Items carry a token.** The input makes an [`Item`] holding a guard of the `in_flight`
//!   gauge; `work` moves the guard into the [`Output`]; the consumer drops the output. So
//!   `in_flight.current()` is the number of items taken from the input whose output the consumer
//!   hasn't received yet, counted at every step, and its peak is exact. It includes what the
//!   rig itself holds: the one output in its `output` channel (capacity 1) and the one the
//!   consumer is reading — [`SLACK`] allows for both.
//! - **`work` is scripted.** Each call counts itself in the `calls` gauge from the moment
//!   `work(item)` is called until its future completes or is dropped (and holds a live token for
//!   as long), arrives at an optional rendezvous, then waits as its item's [`Delay`] says. It
//!   waits in turns of the worker (`runtime::yield_now`), never in time.
//! - **The consumer is scripted** ([`Consumer`]): reads everything, stalls after a few outputs,
//!   or hangs up after a few.
//! - Right when `pipeline` returns, the driving task reads how many calls of `work` are still
//!   alive and which tasks other than the rig's own are alive (`runtime::dump()`).
//!
//! A stall or a held item waits [`TURNS`] turns, or less: it ends as soon as more than the
//! limit are in flight (the verdict is known then, and wrong code needn't make the test wait).
//! On a runtime with one worker every other ready task is polled between two turns (a yielding
//! task goes to the back of the run queue), so a pipeline that takes more than its share of the
//! input does so within those turns on every run. Correct code never passes the limit, however
//! many turns it gets.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use pipeline::{pipeline, Options};
use probes::{Gauge, GaugeGuard, LiveWork, Rendezvous};
use runtime::{Runtime, TaskId};
use tokio::sync::{mpsc, oneshot};

/// What the rig's own bookkeeping adds to the items in flight: the output waiting in its
/// `output` channel (capacity 1) and the one its consumer is reading.
pub const SLACK: usize = 2;

/// How long a stall or a held item lasts at most, in turns of the waiting task.
pub const TURNS: usize = 4_000;

/// The limit of the exercise: `capacity + workers + 2` (workers 0 counts as 1).
pub fn limit(options: Options) -> usize {
    options.capacity + options.workers.max(1) + 2
}

/// What the rig checks the in-flight count against: the limit plus its own [`SLACK`].
pub fn checked_limit(options: Options) -> usize {
    limit(options) + SLACK
}

/// The value `work` computes for item `index`: the output proves which item it came from.
pub fn value_of(index: usize) -> u64 {
    index as u64 * 7 + 3
}

/// One item of the rig's input.
pub struct Item {
    pub index: usize,
    _in_flight: GaugeGuard,
}

/// The output `work` makes of an [`Item`]: its index, its value, and the item's token.
pub struct Output {
    pub index: usize,
    pub value: u64,
    _in_flight: GaugeGuard,
}

/// How long the work of one item takes, in turns.
#[derive(Clone, Copy, Debug)]
pub enum Delay {
    /// Returns at once.
    Now,
    /// Gives its worker back this many times first.
    Turns(usize),
    /// Gives its worker back until more than the checked limit are in flight, or [`TURNS`]
    /// times: an early item that is slow while the others fly by.
    WhileOthersPass,
}

/// How the rig reads `output`.
#[derive(Clone, Copy, Debug)]
pub enum Consumer {
    /// Receives every output as soon as it can.
    ReadsAll,
    /// Receives this many outputs, then stops receiving for a while (until more than the checked
    /// limit are in flight, or [`TURNS`] turns), then receives the rest.
    StallsAfter(usize),
    /// Receives this many outputs, then drops its receiver.
    HangsUpAfter(usize),
}

/// One run: the input's length, the options, the runtime, the script.
pub struct Setup {
    pub items: usize,
    pub options: Options,
    /// Worker threads of the runtime the run uses.
    pub threads: usize,
    pub consumer: Consumer,
    /// The delay of each item's work (items beyond the list: [`Delay::Now`]).
    pub delays: Vec<Delay>,
    /// Every call of `work` arrives here first.
    pub rendezvous: Option<Rendezvous>,
}

impl Setup {
    pub fn new(items: usize, workers: usize, capacity: usize) -> Setup {
        Setup {
            items,
            options: Options { workers, capacity },
            threads: 1,
            consumer: Consumer::ReadsAll,
            delays: Vec::new(),
            rendezvous: None,
        }
    }

    /// The options as the learner reads them in a message.
    pub fn describe(&self) -> String {
        format!(
            "{} items, workers: {}, capacity: {}",
            self.items, self.options.workers, self.options.capacity
        )
    }
}

/// What one run saw.
pub struct Report {
    /// `(index, value)` of each output, in the order the consumer received them.
    pub received: Vec<(usize, u64)>,
    /// Calls of `work` per item index.
    pub calls_per_item: Vec<usize>,
    /// Items taken from the input.
    pub taken: usize,
    /// The most items in flight at once (rig's slack included).
    pub peak_in_flight: usize,
    /// The most calls of `work` alive at once.
    pub peak_calls: usize,
    /// Calls of `work` still alive when `pipeline` returned.
    pub calls_alive_at_return: usize,
    /// Tasks other than the rig's alive when `pipeline` returned, one line each.
    pub tasks_alive_at_return: Vec<String>,
}

impl Report {
    /// The received indices, for messages.
    pub fn received_indices(&self) -> Vec<usize> {
        self.received.iter().map(|&(index, _)| index).collect()
    }
}

/// Runs `pipeline` once as `setup` says and reports what happened. Panics (failing the test)
/// if `pipeline` panics.
pub fn run(setup: Setup) -> Report {
    let Setup {
        items,
        options,
        threads,
        consumer,
        delays,
        rendezvous,
    } = setup;
    let checked = checked_limit(options);
    let in_flight = Gauge::new();
    let calls = Gauge::new();
    let live = LiveWork::new();
    let taken = Arc::new(AtomicUsize::new(0));
    let calls_per_item: Arc<Vec<AtomicUsize>> =
        Arc::new((0..items).map(|_| AtomicUsize::new(0)).collect());

    let input = {
        let (in_flight, taken) = (in_flight.clone(), Arc::clone(&taken));
        (0..items).map(move |index| {
            taken.fetch_add(1, Ordering::SeqCst);
            Item {
                index,
                _in_flight: in_flight.enter(),
            }
        })
    };
    let work = {
        let (calls, live, in_flight) = (calls.clone(), live.clone(), in_flight.clone());
        let calls_per_item = Arc::clone(&calls_per_item);
        let delays = Arc::new(delays);
        move |item: Item| {
            let call = calls.enter();
            let alive = live.start();
            if let Some(count) = calls_per_item.get(item.index) {
                count.fetch_add(1, Ordering::SeqCst);
            }
            let delay = delays.get(item.index).copied().unwrap_or(Delay::Now);
            let (rendezvous, in_flight) = (rendezvous.clone(), in_flight.clone());
            async move {
                let _call = call;
                let _alive = alive;
                if let Some(rendezvous) = rendezvous {
                    rendezvous.arrive_async().await;
                }
                match delay {
                    Delay::Now => {}
                    Delay::Turns(n) => {
                        for _ in 0..n {
                            runtime::yield_now().await;
                        }
                    }
                    Delay::WhileOthersPass => wait_until_overflow(&in_flight, checked).await,
                }
                Output {
                    index: item.index,
                    value: value_of(item.index),
                    _in_flight: item._in_flight,
                }
            }
        }
    };

    let runtime = Runtime::builder()
        .workers(threads)
        .build()
        .expect("the test can start a runtime");
    let (output, receiver) = mpsc::channel::<Output>(1);
    let (received, (calls_alive_at_return, tasks_alive_at_return)) = runtime.block_on({
        let (in_flight, live) = (in_flight.clone(), live.clone());
        async move {
            let reader = runtime::spawn_named(
                "the grader's consumer (reads `output`)",
                consume(receiver, consumer, in_flight, checked),
            );
            let (ours_tx, ours_rx) = oneshot::channel::<Vec<TaskId>>();
            let driver =
                runtime::spawn_named("the grader's task (awaits `pipeline`)", async move {
                    let ours = ours_rx.await.unwrap_or_default();
                    pipeline(input, options, work, output).await;
                    // Right at the return, before anything else of the rig runs here.
                    let calls_alive = live.live();
                    let tasks_alive = runtime::dump()
                        .tasks
                        .iter()
                        .filter(|task| !ours.contains(&task.id))
                        .map(|task| {
                            let mut line = format!("task {}", task.id);
                            if let Some(name) = &task.name {
                                let _ = write!(line, " \"{name}\"");
                            }
                            let _ = write!(line, " [{}], spawned at {}", task.state, task.location);
                            line
                        })
                        .collect::<Vec<_>>();
                    (calls_alive, tasks_alive)
                });
            let _ = ours_tx.send(vec![reader.id(), driver.id()]);
            let at_return = match driver.await {
                Ok(at_return) => at_return,
                Err(failed) => {
                    let message = failed.panic_message().unwrap_or("(no message)");
                    panic!("pipeline panicked: {message}{}", advice_for(message))
                }
            };
            let received = reader.await.expect("the test's consumer doesn't panic");
            (received, at_return)
        }
    });
    drop(runtime);
    Report {
        received,
        calls_per_item: calls_per_item
            .iter()
            .map(|count| count.load(Ordering::SeqCst))
            .collect(),
        taken: taken.load(Ordering::SeqCst),
        peak_in_flight: in_flight.peak(),
        peak_calls: calls.peak(),
        calls_alive_at_return,
        tasks_alive_at_return,
    }
}

/// What a panic message most likely means, for the learner.
fn advice_for(message: &str) -> &'static str {
    if message.contains("buffer > 0") {
        "\nThat is tokio's `mpsc::channel(0)`: a tokio channel needs room for at least one \
         message. `capacity` 0 means no item waits between the stages (Go's unbuffered \
         channel), so use at least 1 where a channel needs it and keep the in-flight limit \
         (capacity + workers + 2) some other way."
    } else {
        ""
    }
}

/// The rig's consumer: receives outputs (dropping each one, and with it its token) as
/// `consumer` says.
async fn consume(
    mut receiver: mpsc::Receiver<Output>,
    consumer: Consumer,
    in_flight: Gauge,
    checked: usize,
) -> Vec<(usize, u64)> {
    let mut received = Vec::new();
    let before_pause = match consumer {
        Consumer::ReadsAll => 0,
        Consumer::StallsAfter(n) | Consumer::HangsUpAfter(n) => n,
    };
    for _ in 0..before_pause {
        match receiver.recv().await {
            Some(output) => received.push((output.index, output.value)),
            None => return received,
        }
    }
    match consumer {
        Consumer::ReadsAll => {}
        Consumer::StallsAfter(_) => wait_until_overflow(&in_flight, checked).await,
        Consumer::HangsUpAfter(_) => {
            drop(receiver);
            return received;
        }
    }
    while let Some(output) = receiver.recv().await {
        received.push((output.index, output.value));
    }
    received
}

/// Gives the worker back until more than `checked` items are in flight, or [`TURNS`] times.
async fn wait_until_overflow(in_flight: &Gauge, checked: usize) {
    for _ in 0..TURNS {
        if in_flight.peak() > checked {
            return;
        }
        runtime::yield_now().await;
    }
}
