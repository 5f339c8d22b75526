//! The limit: never more than `limit` calls under way at once (a gauge, counted from the call of
//! `f` to the end of its future), really `limit` at once when there are enough items (a
//! rendezvous), and 0 treated as 1.

use probes::seeded::Rng;

use crate::script::{
    answered, item, items_text, panicked, result_of, run, show, Ending, Outcome, Role, Setup,
    Workers, PATIENCE,
};

/// A few `yield_now`s, a different number for each start position (the same on every run), so
/// the calls end in a mixed order and overlap in many ways.
fn some_yields(nth: usize, _items: usize) -> Role {
    let mut rng = Rng::new(0xF1E5_7E22 ^ nth as u64);
    Role {
        yields: u32::try_from(rng.below(6)).expect("below 6"),
        ..Role::now(Ending::Ok)
    }
}

fn expected(items: usize) -> Vec<String> {
    (0..items).map(|i| result_of(item(i))).collect()
}

pub fn never_runs_more_than_limit_at_once() {
    for (items, limit) in [(6, 1), (10, 2), (24, 3), (12, 5), (3, 4)] {
        let setup = Setup {
            items,
            limit,
            workers: Workers::Default,
            meet: 0,
            role: some_yields,
        };
        let seen = run(&setup);
        let scenario = format!("items {}, limit {limit}", items_text(items));
        let answer = answered(
            &seen,
            &scenario,
            "Every call succeeds after a few yield_now()s; nothing should keep it waiting.",
        );
        assert!(
            seen.peak <= limit,
            "{scenario}: {} calls were under way at once, more than the limit of {limit}. A \
             call counts from the moment you call f(item) until its future has finished or been \
             dropped — f may start work as soon as it is called. So call f only when a slot is \
             free: creating every future first (items.into_iter().map(f).collect()) and then \
             polling {limit} of them at a time still calls f on all {items} items at once.",
            seen.peak
        );
        assert!(
            answer == Ok(expected(items)),
            "{scenario}: every call succeeded, but try_map_limited returned {}, expected {}.",
            show(&answer),
            show(&Ok(expected(items)))
        );
    }
}

/// The first `LIMIT` calls wait for one another before they go on; correct code has them all
/// under way at once, and they meet at once.
fn first_ones_meet(nth: usize, _items: usize) -> Role {
    Role {
        meet: nth < LIMIT,
        yields: 1,
        ..Role::now(Ending::Ok)
    }
}

const LIMIT: usize = 4;

pub fn runs_limit_calls_at_once() {
    let items = 10;
    let setup = Setup {
        items,
        limit: LIMIT,
        workers: Workers::Default,
        meet: LIMIT,
        role: first_ones_meet,
    };
    let seen = run(&setup);
    let scenario = format!(
        "items {}, limit {LIMIT}, the first {LIMIT} calls waiting for one another",
        items_text(items)
    );
    if let Outcome::Panicked(message) = &seen.outcome {
        panic!("{}", panicked(message.as_deref()));
    }
    assert!(
        seen.met,
        "{scenario}: at most {} calls were under way at once, never {LIMIT}; the first ones \
         waited {} s for the others, then gave up. With {items} items and a limit of {LIMIT}, \
         {LIMIT} calls must run at the same time: start calls until {LIMIT} are under way, then \
         wait for whichever finishes first — don't await each call before starting the next.",
        seen.most_met,
        PATIENCE.as_secs_f64()
    );
    let answer = answered(
        &seen,
        &scenario,
        "The calls met at once and then succeeded; something else keeps it from returning.",
    );
    assert!(
        answer == Ok(expected(items)),
        "{scenario}: every call succeeded, but try_map_limited returned {}, expected {}.",
        show(&answer),
        show(&Ok(expected(items)))
    );
}

pub fn treats_a_limit_of_zero_as_one() {
    let items = 4;
    let setup = Setup {
        items,
        limit: 0,
        workers: Workers::Default,
        meet: 0,
        role: some_yields,
    };
    let seen = run(&setup);
    let scenario = format!("items {}, limit 0", items_text(items));
    let answer = answered(
        &seen,
        &scenario,
        "A limit of 0 is treated as 1: one call at a time, not none (a semaphore with 0 \
         permits, or buffer_unordered(0), never starts anything). Use limit.max(1).",
    );
    assert!(
        seen.peak <= 1,
        "{scenario}: {} calls were under way at once. A limit of 0 is treated as 1 — one call \
         at a time, counted from the moment f is called —, not as \"no limit\".",
        seen.peak
    );
    assert!(
        answer == Ok(expected(items)),
        "{scenario}: every call succeeded, but try_map_limited returned {}, expected {}.",
        show(&answer),
        show(&Ok(expected(items)))
    );
}
