//! What comes back on success: one result per item, in the order of the items, whatever order
//! the calls finished in — and `f` called once per item.

use crate::script::{
    answered, item, items_text, result_of, run, show, Ending, Role, Setup, Workers,
};

/// The calls finish in pairs, the later-started one first: the 1st call to start waits for the
/// end of the 2nd, the 3rd for the 4th, … (a last unpaired call ends at once). So the finishing
/// order is never the order of the items. A limit of 2 or more always leaves room for the
/// partner to start (only the newest waiting call can lack one), so nothing waits forever.
fn pairs_finish_backwards(nth: usize, items: usize) -> Role {
    if nth.is_multiple_of(2) && nth + 1 < items {
        Role::after(nth + 1, Ending::Ok)
    } else {
        Role::now(Ending::Ok)
    }
}

pub fn returns_results_in_input_order() {
    for (items, limit) in [(9, 3), (6, 2), (3, 8)] {
        let setup = Setup {
            items,
            limit,
            workers: Workers::Default,
            meet: 0,
            role: pairs_finish_backwards,
        };
        let seen = run(&setup);
        let scenario = format!(
            "items {}, limit {limit}, calls finishing in pairs, each 2nd of a pair before the 1st",
            items_text(items)
        );
        let answer = answered(
            &seen,
            &scenario,
            "No call failed, and each call could finish as soon as its partner (the call started \
             right after it) had: start a new call whenever one ends, and wait for whichever \
             call finishes first, not for the items in order.",
        );
        let expected: Vec<String> = (0..items).map(|i| result_of(item(i))).collect();
        let Ok(results) = &answer else {
            panic!(
                "{scenario}: every call succeeded, but try_map_limited returned {}.",
                show(&answer)
            );
        };
        if results != &expected {
            let mut sorted = results.clone();
            sorted.sort();
            let mut wanted = expected.clone();
            wanted.sort();
            let likely = if sorted == wanted {
                " These are the right results in another order — the order the calls \
                 finished in, it seems. Keep each item's index with its call, and put each \
                 result in its slot (a Vec<Option<R>> of one slot per item), so results[i] is \
                 f(items[i])."
            } else {
                ""
            };
            panic!(
                "{scenario}: try_map_limited returned {}, expected {}.{likely}",
                show(&answer),
                show(&Ok(expected.clone()))
            );
        }
        let mut started = seen.started.clone();
        started.sort_unstable();
        let all: Vec<u32> = (0..items).map(item).collect();
        assert!(
            started == all,
            "{scenario}: f was called on the items {:?} (in the order the calls started); it \
             must be called exactly once on each item.",
            seen.started
        );
    }

    let setup = Setup {
        items: 0,
        limit: 3,
        workers: Workers::Default,
        meet: 0,
        role: pairs_finish_backwards,
    };
    let seen = run(&setup);
    let answer = answered(
        &seen,
        "no items at all",
        "With nothing to do, return Ok(vec![]) at once.",
    );
    assert!(
        answer == Ok(Vec::new()),
        "no items: try_map_limited returned {}, expected Ok([]).",
        show(&answer)
    );
}
