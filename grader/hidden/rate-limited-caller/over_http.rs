//! Both functions over real HTTP, in real time (see `http.rs` for why each check is one-sided).

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rate_limited_caller::{fetch_all, fetch_all_rate_limited};

use crate::http::{http_fetch, refused_url, runtime, Fetched, Server};
use crate::instrumented::{max_in_window, secs};

/// What a url of the test should give.
#[derive(Debug)]
enum Expect {
    Status(u16, String),
    ConnectError,
    TimedOut,
}

/// Runs the learner's future as a spawned task — an application spawns it, so it must be `Send` —
/// and passes its panic on with context.
async fn spawned<T: Send + 'static>(
    what: &str,
    future: impl Future<Output = T> + Send + 'static,
) -> T {
    match tokio::spawn(future).await {
        Ok(output) => output,
        Err(error) => match error.try_into_panic() {
            Ok(payload) => panic!(
                "{what} panicked: {}",
                payload
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| payload.downcast_ref::<&str>().copied())
                    .unwrap_or("(a panic without a message)")
            ),
            Err(error) => panic!("{what} was cancelled: {error}"),
        },
    }
}

fn check(what: &str, urls: &[String], expected: &[Expect], outputs: &[Fetched]) {
    assert_eq!(
        outputs.len(),
        urls.len(),
        "{what} returned {} outputs for {} urls",
        outputs.len(),
        urls.len()
    );
    for (index, (expect, output)) in expected.iter().zip(outputs).enumerate() {
        let fine = match (expect, output) {
            (Expect::Status(status, body), Ok((got_status, got_body))) => {
                status == got_status && body == got_body
            }
            (Expect::ConnectError, Err(error)) => error.starts_with("request failed"),
            (Expect::TimedOut, Err(error)) => error.starts_with("timed out"),
            _ => false,
        };
        assert!(
            fine,
            "{what}: output #{index} (for {}) should be {expect:?}, got {output:?}. Each output \
             must be what fetch returned for the url at the same index — errors included.",
            urls[index]
        );
    }
}

pub fn fetches_pages_with_each_status_or_error_in_order() {
    runtime().block_on(async {
        // Both functions at once, each against a server of its own (so each checks its own
        // bound): the client's timeout on /hang is waited out once per grade, not twice.
        tokio::join!(fetch_pages_in_order(false), fetch_pages_in_order(true));
    });
}

async fn fetch_pages_in_order(rate_limited: bool) {
    let server = Server::start(usize::MAX).await;
    let urls = vec![
        server.url("/page/0?ms=50"),
        server.url("/missing/1"),
        server.url("/page/2?ms=200"),
        refused_url(),
        server.url("/hang"),
        server.url("/page/5?ms=10"),
        server.url("/missing/6"),
        server.url("/page/7?ms=100"),
        server.url("/page/8"),
    ];
    let expected = [
        Expect::Status(200, "page 0".into()),
        Expect::Status(404, "no page 1".into()),
        Expect::Status(200, "page 2".into()),
        Expect::ConnectError,
        Expect::TimedOut,
        Expect::Status(200, "page 5".into()),
        Expect::Status(404, "no page 6".into()),
        Expect::Status(200, "page 7".into()),
        Expect::Status(200, "page 8".into()),
    ];
    // The client gives up on /hang after 1 s; slow pages take at most 200 ms, so even a loaded
    // machine doesn't time them out, and a learner waits one second for the timeout, not more.
    let fetch = http_fetch(Duration::from_secs(1));
    let (what, outputs) = if rate_limited {
        let what = "fetch_all_rate_limited(9 urls over HTTP, 3, 20, fetch)";
        let outputs = spawned(what, fetch_all_rate_limited(urls.clone(), 3, 20, fetch)).await;
        (what, outputs)
    } else {
        let what = "fetch_all(9 urls over HTTP, 3, fetch)";
        (what, spawned(what, fetch_all(urls.clone(), 3, fetch)).await)
    };
    check(what, &urls, &expected, &outputs);
    let peak = server.peak_requests();
    assert!(
        peak <= 3,
        "{what}: the server saw {peak} requests in flight at once; at most 3 may be"
    );
}

pub fn keeps_max_concurrent_requests_in_flight() {
    runtime().block_on(async {
        for rate_limited in [false, true] {
            // The first requests wait at the server until 4 are in flight (or 5 s pass).
            let server = Server::start(4).await;
            let urls: Vec<String> = (0..10)
                .map(|index| server.url(&format!("/gate/{index}")))
                .collect();
            let fetch = http_fetch(Duration::from_secs(20));
            let (what, outputs) = if rate_limited {
                let what = "fetch_all_rate_limited(10 urls over HTTP, 4, 50, fetch)";
                let outputs =
                    spawned(what, fetch_all_rate_limited(urls.clone(), 4, 50, fetch)).await;
                (what, outputs)
            } else {
                let what = "fetch_all(10 urls over HTTP, 4, fetch)";
                (what, spawned(what, fetch_all(urls.clone(), 4, fetch)).await)
            };
            let expected: Vec<Expect> = (0..10)
                .map(|index| Expect::Status(200, format!("gate {index}")))
                .collect();
            check(what, &urls, &expected, &outputs);
            let peak = server.peak_requests();
            assert!(
                peak <= 4,
                "{what}: the server saw {peak} requests in flight at once; at most 4 may be"
            );
            assert!(
                server.gate_reached(),
                "{what}: the server held the first requests for 5 s waiting for 4 to be in flight \
                 at once, and saw at most {peak} (over {} connections): are the requests sent one \
                 after another?",
                server.peak_connections()
            );
        }
    });
}

pub fn rate_limits_requests() {
    runtime().block_on(async {
        let server = Server::start(usize::MAX).await;
        let urls: Vec<String> = (0..10)
            .map(|index| server.url(&format!("/page/{index}?ms=20")))
            .collect();
        // Each request's start, noted when the learner's code first polls it (the moment the
        // request goes out), on the client: closer to the rate limiter than arrivals at the server.
        let starts = Arc::new(Mutex::new(Vec::new()));
        let fetch = {
            let starts = Arc::clone(&starts);
            let http = http_fetch(Duration::from_secs(20));
            move |url: String| {
                let request = http(url);
                let starts = Arc::clone(&starts);
                async move {
                    starts
                        .lock()
                        .unwrap_or_else(|poisoned| poisoned.into_inner())
                        .push(Instant::now());
                    request.await
                }
            }
        };
        let what = "fetch_all_rate_limited(10 urls over HTTP, 10, 4, fetch)";
        let outputs = spawned(what, fetch_all_rate_limited(urls.clone(), 10, 4, fetch)).await;
        let expected: Vec<Expect> = (0..10)
            .map(|index| Expect::Status(200, format!("page {index}")))
            .collect();
        check(what, &urls, &expected, &outputs);
        // Real time: a spawned call may be first polled a little after the limiter let it go, so
        // the window checked here is 900 ms — code that keeps a one-second window can't put 5
        // starts in it, a full token bucket (4 at once, then one every 250 ms) can.
        let mut starts = starts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        starts.sort();
        let first = starts[0];
        let since_first: Vec<Duration> = starts.iter().map(|at| *at - first).collect();
        let (most, from) = max_in_window(&since_first, Duration::from_millis(900));
        assert!(
            most <= 4,
            "{what}: {most} requests started within 900 ms (from {} after the first one); at \
             most 4 may start in any one second",
            secs(from)
        );
    });
}
