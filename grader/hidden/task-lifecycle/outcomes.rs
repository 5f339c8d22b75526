//! What `first_success` returns: the first success in finishing order, failures in input order,
//! panics as failures with their messages, and no waiting once a winner is in.

use task_lifecycle::Failure;

use crate::scripted::{after, answered, call, held, now, show, Answer, Ending, Script, Workers};

fn check(steps_text: &str, answer: &Answer, expected: &Answer, why: &str) {
    assert!(
        answer == expected,
        "attempts {steps_text}: first_success returned {}, expected {}. {why}",
        show(answer),
        show(expected)
    );
}

pub fn a_success_after_failures_wins() {
    let steps = [
        now(Ending::Err("no route to mirror 0")),
        after(&[0, 2], Ending::Ok(7)),
        now(Ending::Err("mirror 2 timed out")),
    ];
    let seen = call(Script::new(&steps), Workers::Default);
    let answer = answered(&seen, "attempt 1 succeeded after 0 and 2 had failed");
    check(
        "[0: Err at once, 1: Ok(7) once 0 and 2 have ended, 2: Err at once]",
        &answer,
        &Ok(7),
        "A failure doesn't end the race: while some attempt is still running, keep waiting — \
         only when every attempt has failed is the answer Err.",
    );
}

pub fn returns_every_failure_in_input_order() {
    // Each attempt ends only after the next one has: they finish 3, 2, 1, 0.
    let steps = [
        after(&[1], Ending::Err("e0")),
        after(&[2], Ending::Panic("p1")),
        after(&[3], Ending::Err("e2")),
        now(Ending::Err("e3")),
    ];
    let seen = call(Script::new(&steps), Workers::Default);
    let answer = answered(&seen, "every attempt failed");
    let expected = Err(vec![
        Failure::Err("e0"),
        Failure::Panicked(Some("p1".to_owned())),
        Failure::Err("e2"),
        Failure::Err("e3"),
    ]);
    check(
        "[0: Err(\"e0\"), 1: panics with \"p1\", 2: Err(\"e2\"), 3: Err(\"e3\")], finishing in \
         the order 3, 2, 1, 0",
        &answer,
        &expected,
        "When no attempt succeeds, the failures come back one per attempt in the order of the \
         attempts — failures[i] is what attempt i did — not in the order they finished. Keep \
         each attempt's index next to its handle, and put each failure in its slot.",
    );
}

pub fn a_panic_is_a_failure_with_its_message() {
    let alone = call(
        Script::new(&[now(Ending::Panic("attempt 0 exploded"))]),
        Workers::Default,
    );
    check(
        "[0: panics with \"attempt 0 exploded\"]",
        &answered(&alone, "the only attempt panicked"),
        &Err(vec![Failure::Panicked(Some(
            "attempt 0 exploded".to_owned(),
        ))]),
        "A panicking attempt is a failure: Failure::Panicked with the panic's message exactly as \
         JoinError::panic_message() gives it (not the JoinError's Display text, which adds the \
         task id).",
    );

    let then_success = call(
        Script::new(&[
            now(Ending::Panic("the mirror is on fire")),
            after(&[0], Ending::Ok(5)),
        ]),
        Workers::Default,
    );
    check(
        "[0: panics, 1: Ok(5) once 0 has ended]",
        &answered(
            &then_success,
            "attempt 1 succeeded after attempt 0 panicked",
        ),
        &Ok(5),
        "A panic is one failure among others: the race goes on, and the later success wins.",
    );

    let not_a_string = call(
        Script::new(&[now(Ending::PanicWithNumber), after(&[0], Ending::Err("e1"))]),
        Workers::Default,
    );
    check(
        "[0: panics with a number (panic_any(42)), 1: Err(\"e1\") once 0 has ended]",
        &answered(&not_a_string, "every attempt failed"),
        &Err(vec![Failure::Panicked(None), Failure::Err("e1")]),
        "A panic whose payload is not a string has no message: Failure::Panicked(None), as \
         JoinError::panic_message() says.",
    );
}

pub fn no_attempts_is_an_empty_failure_list() {
    let seen = call(Script::new(&[]), Workers::Default);
    check(
        "[] (none)",
        &answered(&seen, "no attempts at all"),
        &Err(Vec::new()),
        "With no attempts, none can succeed: Err(vec![]) — and without waiting for anything \
         (select_all, for one, panics on an empty list).",
    );
}

pub fn returns_as_soon_as_one_succeeds() {
    let steps = [
        // Would succeed, but only once the call has returned: too late to win.
        held(Ending::Ok(10)),
        now(Ending::Never),
        now(Ending::Err("e2")),
        now(Ending::Ok(30)),
    ];
    let seen = call(Script::new(&steps), Workers::Default);
    let answer = answered(
        &seen,
        "attempt 3 succeeded at once while attempt 0 was held back and attempt 1 never ends",
    );
    check(
        "[0: Ok(10) only after the call returned, 1: never ends, 2: Err at once, 3: Ok(30) at \
         once]",
        &answer,
        &Ok(30),
        "The winner is the first attempt to finish with Ok, whatever its place in the list.",
    );
}
