//! The shape the grader relies on, checked at compile time (nothing here polls the future, so
//! this passes on the unsolved starter): `try_map_limited`'s future is `Send` whenever its
//! inputs are, so it can be spawned as a task — which is how the grader runs it. Hold an `Rc`,
//! a `RefCell` borrow or a `std::sync::MutexGuard` across an `.await` inside it, and this stops
//! compiling.
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

use first_error::try_map_limited;

fn spawnable<F: Future + Send + 'static>(_future: &F)
where
    F::Output: Send,
{
}

#[test]
fn the_future_can_be_spawned_as_a_task() {
    let future = try_map_limited(vec![1_u32, 2, 3], 2, |n| async move {
        if n > 0 {
            Ok(u64::from(n) * 10)
        } else {
            Err(format!("no zero: {n}"))
        }
    });
    spawnable(&future);
    // Dropped unpolled: the starter's `todo!()` never runs.
    drop(future);
}

#[test]
fn boxed_calls_are_fine_too() {
    type Call = std::pin::Pin<Box<dyn Future<Output = Result<String, std::io::Error>> + Send>>;
    let future = try_map_limited(vec!["a".to_owned()], 0, |s: String| -> Call {
        Box::pin(async move { Ok(s) })
    });
    spawnable(&future);
    drop(future);
}
