//! The shape the grader relies on, checked at compile time (nothing here polls the futures, so
//! this passes on the unsolved starter): the futures `call_with_retries` and `poll_every` return
//! can be handed to `tokio::spawn` — they are `Send` and own everything they use.

use std::future::Future;
use std::time::Duration;

use deadlines::{call_with_retries, poll_every, RetryPolicy};

fn spawnable<F: Future + Send + 'static>(_future: &F) {}

const POLICY: RetryPolicy = RetryPolicy {
    attempt_timeout: Duration::from_secs(1),
    base_backoff: Duration::from_millis(100),
    max_backoff: Duration::from_secs(2),
    max_attempts: 5,
};

#[test]
fn call_with_retries_returns_a_future_tokio_can_spawn() {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let call = call_with_retries(
        deadline,
        POLICY,
        |backoff| backoff / 2,
        |attempt| async move {
            if attempt < 3 {
                Err(format!("attempt {attempt} failed"))
            } else {
                Ok(attempt)
            }
        },
    );
    spawnable(&call);
}

#[test]
fn poll_every_returns_a_future_tokio_can_spawn() {
    let mut polled = Vec::new();
    let poller = poll_every(Duration::from_millis(250), 4, move |index| {
        polled.push(index);
        let seen = polled.len();
        async move { (index, seen) }
    });
    spawnable(&poller);
}
