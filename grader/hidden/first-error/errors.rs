//! Stopping at the first error: returned at once, the first one in time, no call started after
//! it, every call in flight dropped before the return — and a panic propagated, not swallowed.
//!
//! The scenarios run on a runtime with one worker: nothing else runs while the calling task
//! runs, so a call that was only asked to stop (an `abort()` not awaited) or let go (a dropped
//! `JoinHandle`) is still alive when `try_map_limited` returns, on every run. The roles go by
//! the order the calls start, so the 3rd call to start is the one that fails, whichever item it
//! got.

use crate::script::{
    answered, check_started, error_of, items_text, leftovers_text, on_item, run, show, Ending,
    Outcome, Role, Seen, Setup, Workers, STUCK_AFTER,
};

/// 8 items, limit 3: the 1st and 2nd calls to start wait until `try_map_limited` has returned
/// (they must be dropped by then), the 3rd fails at once, any later call would succeed at once.
fn stop_scenario(nth: usize, _items: usize) -> Role {
    match nth {
        0 | 1 => Role::held(),
        2 => Role::now(Ending::Err),
        _ => Role::now(Ending::Ok),
    }
}

fn stop() -> (Seen, String) {
    let setup = Setup {
        items: 8,
        limit: 3,
        workers: Workers::One,
        meet: 0,
        role: stop_scenario,
    };
    let seen = run(&setup);
    let scenario = format!(
        "items {}, limit 3, on a runtime with 1 worker: the 3rd call to start fails at once, \
         while the 1st and 2nd wait until try_map_limited has returned",
        items_text(8)
    );
    (seen, scenario)
}

/// Fails the test unless the 3rd call started and failed.
fn check_the_failure_happened(seen: &Seen, scenario: &str) {
    check_started(seen, scenario, 3, 3);
    assert!(
        !seen.failed.is_empty(),
        "{scenario}: the 3rd call to start never got to fail (the calls that started: {:?}).",
        seen.started
    );
}

pub fn returns_as_soon_as_a_call_fails() {
    let (seen, scenario) = stop();
    check_the_failure_happened(&seen, &scenario);
    let answer = answered(
        &seen,
        &scenario,
        "Once a call has failed, the answer is known: return its error right away. Don't wait \
         for the calls still in flight (they may never finish — drop them), nor for the items \
         in their order (a buffered() stream, or awaiting the handles one by one, waits for \
         the 1st call first).",
    );
    let expected = Err(error_of(seen.failed[0]));
    assert!(
        answer == expected,
        "{scenario}: try_map_limited returned {}, expected {} (the error of the call that \
         failed, on item {}).",
        show(&answer),
        show(&expected),
        seen.failed[0]
    );
}

pub fn starts_no_call_after_the_first_error() {
    let (seen, scenario) = stop();
    check_the_failure_happened(&seen, &scenario);
    assert!(
        seen.late.is_empty(),
        "{scenario}: after the call on item {} had failed, f was still called on {} more \
         item(s): {:?}. Once a call has failed, start no new call: the slot it frees goes to \
         no other item. Check for an error before every call of f (return at the first Err, \
         or keep a flag that the failing call sets before it gives its slot back).",
        seen.failed[0],
        seen.late.len(),
        seen.late
    );
}

pub fn cancels_the_calls_in_flight() {
    let (seen, scenario) = stop();
    check_the_failure_happened(&seen, &scenario);
    if let Outcome::Stuck = seen.outcome {
        panic!(
            "{scenario}: try_map_limited had not returned {} s after the call on item {} \
             failed, and {} call(s) were still under way. It seems to wait for the calls in \
             flight; they never finish on their own here. Cancel them instead: drop their \
             futures (return, and the FuturesUnordered holding them goes with you), or abort() \
             their tasks and await the handles.{}",
            STUCK_AFTER.as_secs(),
            seen.failed[0],
            seen.live_at_return,
            leftovers_text(&seen)
        );
    }
    assert!(
        seen.live_at_return == 0,
        "{scenario}: try_map_limited returned, but {} call(s) in flight had not been dropped \
         yet — their drop code (closing a connection, releasing a lock) had not run. Dropping a \
         JoinHandle detaches its task, it doesn't stop it; abort() only asks the runtime to drop \
         the task at its next turn, and returns before that happens. Drop the futures \
         yourself, or abort every task still running and then await its handle: the \
         Err(JoinError) that is_aborted() arrives only once the task's future has been \
         dropped.{}",
        seen.live_at_return,
        leftovers_text(&seen)
    );
    assert!(
        seen.tasks_at_return == seen.tasks_before,
        "{scenario}: runtime::num_tasks() was {} before try_map_limited and {} when it returned: \
         {} task(s) it spawned were still alive. Await every handle you spawn (the aborted ones \
         too) before returning.{}",
        seen.tasks_before,
        seen.tasks_at_return,
        seen.tasks_at_return.saturating_sub(seen.tasks_before),
        leftovers_text(&seen)
    );
}

/// 6 items, limit 3: the 3rd call to start fails at once; the 1st fails too, but only once the
/// 3rd has ended; the 2nd succeeds once the 1st has ended; later calls would succeed at once.
fn two_failures(nth: usize, _items: usize) -> Role {
    match nth {
        0 => Role::after(2, Ending::Err),
        1 => Role::after(0, Ending::Ok),
        2 => Role::now(Ending::Err),
        _ => Role::now(Ending::Ok),
    }
}

pub fn returns_the_error_that_came_first() {
    let setup = Setup {
        items: 6,
        limit: 3,
        workers: Workers::One,
        meet: 0,
        role: two_failures,
    };
    let seen = run(&setup);
    let scenario = format!(
        "items {}, limit 3, on a runtime with 1 worker: the 3rd call to start{} fails at once; \
         the 1st{} fails too, but only after the 3rd has ended",
        items_text(6),
        on_item(&seen, 2),
        on_item(&seen, 0)
    );
    check_started(&seen, &scenario, 3, 3);
    let answer = answered(
        &seen,
        &scenario,
        "Every call here ends by itself; return at the first error.",
    );
    let Some(&first) = seen.failed.first() else {
        panic!(
            "{scenario}: no call failed — the calls that started were {:?}, and it returned \
             {}. Three calls must be under way at once.",
            seen.started,
            show(&answer)
        );
    };
    let expected = Err(error_of(first));
    if answer != expected {
        let later: Vec<String> = seen.failed.iter().skip(1).map(|&i| error_of(i)).collect();
        let likely = if matches!(&answer, Err(error) if later.contains(error)) {
            " That is the error of a call that failed later. The first error is the first \
             to *finish* with Err: wait for the calls in the order they finish \
             (FuturesUnordered, buffer_unordered, a channel that each task writes to) — not in \
             the order of the items (buffered(), awaiting the handles in turn) — and return at \
             the first Err instead of remembering the last one."
        } else {
            ""
        };
        panic!(
            "{scenario}: try_map_limited returned {}, expected {}.{likely}",
            show(&answer),
            show(&expected)
        );
    }
}

/// 4 items, limit 2: the 2nd call to start panics at once; the others succeed at once.
fn second_panics(nth: usize, _items: usize) -> Role {
    if nth == 1 {
        Role::now(Ending::Panic)
    } else {
        Role::now(Ending::Ok)
    }
}

pub fn a_panic_in_f_propagates() {
    let setup = Setup {
        items: 4,
        limit: 2,
        workers: Workers::Default,
        meet: 0,
        role: second_panics,
    };
    let seen = run(&setup);
    let scenario = format!(
        "items {}, limit 2: the 2nd call to start{} panics",
        items_text(4),
        on_item(&seen, 1)
    );
    match &seen.outcome {
        Outcome::Panicked(message) => {
            if let Some(message) = message {
                assert!(
                    !message.starts_with("not yet implemented"),
                    "try_map_limited is not written yet: {message}"
                );
            }
        }
        Outcome::Returned(answer) => panic!(
            "{scenario}: try_map_limited returned {} instead of panicking. A panic in a call is \
             a bug, not an error: let it propagate. Calls polled in your own future panic \
             through it by themselves; with tasks, a JoinError that is_panic() means panic too \
             (e.g. panic!(\"{{join_error}}\")) — don't skip it or unwrap_or it away.",
            show(answer)
        ),
        Outcome::Stuck => panic!(
            "{scenario}: try_map_limited had neither returned nor panicked {} s later. A \
             panicked call never delivers a result: if you wait for results on a channel, also \
             watch the tasks' JoinHandles (a panic arrives there as a JoinError), and panic \
             when one did.",
            STUCK_AFTER.as_secs()
        ),
    }
}
