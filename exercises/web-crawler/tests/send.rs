//! The shape the grader relies on, checked without running a crawl (so this passes on the
//! unsolved starter): `crawl`'s future can be spawned on a multi-threaded runtime — it is `Send`
//! and borrows nothing — and its report can be sent back from the task.
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

use web_crawler::{crawl, host_of, CancellationToken, Config, Fetched};

fn spawnable<T: Future + Send + 'static>(_: &T)
where
    T::Output: Send + 'static,
{
}

#[test]
fn the_crawl_future_can_be_spawned() {
    // Creating the future runs none of its body: nothing here reaches the starter's todo!().
    let crawling = crawl(
        "http://site.test/".to_owned(),
        Config::default(),
        |url: String| async move { Fetched::Error(format!("no network here: {url}")) },
        CancellationToken::new(),
    );
    spawnable(&crawling);
    drop(crawling);
}

#[test]
fn host_of_keeps_the_port_and_drops_the_path() {
    assert_eq!(host_of("http://127.0.0.1:8080/a/b"), "127.0.0.1:8080");
    assert_eq!(host_of("https://example.test?q=1"), "example.test");
    assert_eq!(host_of("http://h.test#top"), "h.test");
    assert_eq!(host_of("no-scheme/path"), "no-scheme");
}
