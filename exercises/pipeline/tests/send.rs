//! The shape the grader relies on, checked at compile time: the future of `pipeline` can be
//! spawned as a task (`runtime::spawn` needs `Send + 'static`). Nothing here runs `pipeline`, so
//! this passes on the unsolved starter.
//!
//! If this file fails to compile with "future cannot be sent between threads safely", your
//! `pipeline` keeps something that is not `Send` alive across an `.await`: most often a
//! `std::sync::MutexGuard` (lock, copy out what you need, and let the guard go before the
//! `.await` — or use `tokio::sync::Mutex`, whose guard may be held across one), an `Rc` or a
//! `RefCell` borrow. rustc's note "has type `…` which is not `Send`" names it, and "await occurs
//! here" shows where.
//!
//! If this stops compiling with "implementation of `FnOnce` is not general enough" or "one type
//! is more general than the other", that is a known limitation of rustc, not a mistake in your
//! logic: a future made inside a closure (an `async move` block in `.then(…)`, `.map(…)`,
//! `for_each`) borrows a local of the enclosing function (a limiter, a client, `fetch`), and the
//! compiler can't prove that future `Send` for every lifetime the closure could be called with.
//! The way round it: clone an `Arc` of the shared thing before each `async move` block and move
//! the clone in, so each future owns what it uses; boxing the future alone often doesn't help.
//! `cargo grade run` explains the same error the same way.

use std::future::Future;

use pipeline::{pipeline, Options};
use tokio::sync::mpsc;

fn must_be_send_to_be_spawned<F: Future + Send + 'static>(_future: F) {}

/// Type-checks a call of `pipeline` with the kinds of arguments the grader passes (its own
/// item and output types, an async closure, a bounded `Sender`). Never called.
fn pipeline_future_is_send() {
    let (output, _receiver) = mpsc::channel::<String>(1);
    let options = Options {
        workers: 2,
        capacity: 1,
    };
    must_be_send_to_be_spawned(pipeline(
        (0..10u64).map(|n| vec![n]),
        options,
        |item: Vec<u64>| async move { format!("{item:?}") },
        output,
    ));
}

#[test]
fn the_pipeline_future_can_be_spawned_as_a_task() {
    // Compiling this file is the test: the function above is only type-checked.
    let _type_checked: fn() = pipeline_future_is_send;
}
