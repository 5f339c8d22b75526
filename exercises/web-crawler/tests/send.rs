//! The shape the grader relies on, checked without running a crawl (so this passes on the
//! unsolved starter): `crawl`'s future can be spawned on a multi-threaded runtime — it is `Send`
//! and borrows nothing — and its report can be sent back from the task.

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
