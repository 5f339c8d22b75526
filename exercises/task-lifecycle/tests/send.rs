//! The shape the grader relies on, checked at compile time (nothing here polls the future, so
//! this passes on the unsolved starter): the future `first_success` returns is `Send` and owns
//! what it uses, so it can itself be spawned as a task. Run it before grading:
//! `cargo test -p task-lifecycle --test send`. An `Rc`, a `RefCell` borrow or a
//! `std::sync::MutexGuard` held across an `.await` breaks it.
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
use std::pin::Pin;

use task_lifecycle::first_success;

fn spawnable<F: Future + Send + 'static>(_future: &F)
where
    F::Output: Send + 'static,
{
}

type Attempt = Pin<Box<dyn Future<Output = Result<u32, String>> + Send>>;

#[test]
fn first_success_returns_a_future_that_can_be_spawned() {
    let attempts: Vec<Attempt> = (0..3_u32)
        .map(|n| -> Attempt {
            Box::pin(async move {
                if n == 2 {
                    Ok(n)
                } else {
                    Err(format!("attempt {n} failed"))
                }
            })
        })
        .collect();
    let racing = first_success(attempts);
    spawnable(&racing);
}
