//! What comes out: every item's output once, in input order, made by one call of `work`.

use probes::seeded::Rng;

use crate::rig::{self, value_of, Delay, Report, Setup};

/// Fails with a learner-facing message unless every item was given to `work` once and its
/// output received once, in input order.
pub fn expect_every_output_once_in_order(setup: &str, items: usize, report: &Report) {
    let never_called: Vec<usize> = (0..items)
        .filter(|&i| report.calls_per_item[i] == 0)
        .collect();
    let called_twice: Vec<(usize, usize)> = (0..items)
        .filter(|&i| report.calls_per_item[i] > 1)
        .map(|i| (i, report.calls_per_item[i]))
        .collect();
    assert!(
        called_twice.is_empty(),
        "{setup}: `work` was called more than once for some items — (item, calls): {:?}. Each \
         item is handed to exactly one worker, once: a job taken from a channel is gone from \
         it, so don't put an item back (or send it again) to retry it.",
        first_few(&called_twice)
    );
    let received = report.received_indices();
    let mut seen = vec![0usize; items];
    for &index in &received {
        if index < items {
            seen[index] += 1;
        }
    }
    let missing: Vec<usize> = (0..items).filter(|&i| seen[i] == 0).collect();
    let repeated: Vec<usize> = (0..items).filter(|&i| seen[i] > 1).collect();
    assert!(
        missing.is_empty(),
        "{setup}: the outputs of {} items never arrived on `output`, e.g. items {:?} ({} of {} \
         arrived). {}",
        missing.len(),
        first_few(&missing),
        received.len(),
        items,
        if never_called.is_empty() {
            "`work` ran for them, but their outputs were lost on the way: a `try_send` that \
             failed on a full channel, an output dropped instead of sent, or a stage that \
             stopped early."
                .to_string()
        } else {
            format!(
                "`work` was never called for {} of them (e.g. items {:?}): were they dropped \
                 when a channel was full (`try_send`), or did a stage stop before the input \
                 ended?",
                never_called.len(),
                first_few(&never_called)
            )
        }
    );
    assert!(
        repeated.is_empty(),
        "{setup}: the outputs of items {:?} arrived more than once. Send each output once.",
        first_few(&repeated)
    );
    if let Some(position) = (0..received.len()).find(|&p| received[p] != p) {
        let from = position.saturating_sub(3);
        let to = (position + 5).min(received.len());
        panic!(
            "{setup}: the outputs arrived out of input order: at position {position} came the \
             output of item {}, expected item {position}. Around there: positions {from}..{to} \
             held items {:?}. Outputs must leave in the order their items came from the \
             input, whatever order the calls of `work` finish in: the collector has to put \
             them back in order (or wait for each item's own result in turn).",
            received[position],
            &received[from..to]
        );
    }
    for &(index, value) in &report.received {
        assert!(
            value == value_of(index),
            "{setup}: the output received for item {index} carries the value {value}, but \
             work(item {index}) returned {}: an output was paired with the wrong item.",
            value_of(index)
        );
    }
}

/// Up to eight entries, for messages.
fn first_few<T: Clone>(list: &[T]) -> Vec<T> {
    list.iter().take(8).cloned().collect()
}

/// Two hundred items whose work takes 0 to 40 turns (seeded), on two worker threads: the calls
/// finish in a shuffled order.
pub fn delivers_every_output_once_in_input_order() {
    const SEED: u64 = 0x5EED_0310;
    let mut rng = Rng::new(SEED);
    let mut setup = Setup::new(200, 4, 3);
    setup.threads = 2;
    setup.delays = (0..setup.items)
        .map(|_| Delay::Turns(rng.below(40) as usize))
        .collect();
    let described = format!(
        "{} (work takes 0-40 turns each, seed {SEED:#x})",
        setup.describe()
    );
    let items = setup.items;
    let report = rig::run(setup);
    expect_every_output_once_in_order(&described, items, &report);
}

/// Every eighth item's work takes 300 turns, the others none, on one worker thread: the items
/// after a slow one finish before it, every time.
pub fn keeps_input_order_when_early_items_are_slow() {
    let mut setup = Setup::new(40, 3, 2);
    setup.delays = (0..setup.items)
        .map(|i| {
            if i % 8 == 0 {
                Delay::Turns(300)
            } else {
                Delay::Now
            }
        })
        .collect();
    let described = format!(
        "{} (the work of items 0, 8, 16, … takes long; the others return at once)",
        setup.describe()
    );
    let items = setup.items;
    let report = rig::run(setup);
    expect_every_output_once_in_order(&described, items, &report);
}
