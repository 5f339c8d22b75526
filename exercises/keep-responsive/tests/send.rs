//! The shape the grader relies on, checked at compile time (nothing here polls the future, so
//! this passes on the starter): the future `handle` returns is `Send` and owns what it uses, so a
//! server can spawn one task per request — the grader does. Run it before grading:
//! `cargo test -p keep-responsive --test send`. A `std::sync::MutexGuard` (or an `Rc`) held
//! across an `.await` breaks it.
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
use std::sync::Arc;

use keep_responsive::{handle, Backend, Request};

fn spawnable<F: Future + Send + 'static>(_future: &F)
where
    F::Output: Send + 'static,
{
}

/// Any backend will do: its methods are never called here.
struct Quiet;

impl Backend for Quiet {
    fn load_profile(&self, user: u64) -> String {
        format!("user {user}")
    }

    fn score(&self, item: u64) -> u32 {
        u32::try_from(item % 100).unwrap_or(0)
    }

    fn audit(&self, _line: String) {}
}

#[test]
fn handle_returns_a_future_that_can_be_spawned() {
    let request = Request {
        user: 7,
        items: vec![1, 2, 3],
    };
    let handling = handle(Arc::new(Quiet), request);
    spawnable(&handling);
}
