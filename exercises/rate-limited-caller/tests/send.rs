//! The shape the grader relies on, checked at compile time (nothing here polls the futures, so
//! this passes on the unsolved starter): the futures `fetch_all` and `fetch_all_rate_limited`
//! return can be handed to `tokio::spawn` — they are `Send` and own everything they use — as the
//! hidden tests over HTTP do. Run it before grading: `cargo test -p rate-limited-caller --test send`.
//! A `std::sync::MutexGuard` held across an `.await` breaks it ("future cannot be sent between
//! threads safely").
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

use rate_limited_caller::{fetch_all, fetch_all_rate_limited};

fn spawnable<F: Future + Send + 'static>(_future: &F)
where
    F::Output: Send + 'static,
{
}

/// A fetch like the tests': an owned future per url.
async fn fetch(url: String) -> usize {
    url.len()
}

#[test]
fn fetch_all_returns_a_future_tokio_can_spawn() {
    let urls = vec!["http://a.test/".to_owned(), "http://b.test/".to_owned()];
    let fetching = fetch_all(urls, 2, fetch);
    spawnable(&fetching);
}

#[test]
fn fetch_all_rate_limited_returns_a_future_tokio_can_spawn() {
    let urls = vec!["http://a.test/".to_owned(), "http://b.test/".to_owned()];
    let fetching = fetch_all_rate_limited(urls, 2, 5, fetch);
    spawnable(&fetching);
}
