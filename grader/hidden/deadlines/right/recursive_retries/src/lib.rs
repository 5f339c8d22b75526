// Passes: the retries as a recursive async function (boxed, so it can call itself) over the attempt number, backoff by doubling in a loop, and a poller on interval_at with MissedTickBehavior::Skip.
use std::future::Future;
use std::time::Duration;

use std::pin::Pin;
use tokio::time::{Instant, MissedTickBehavior};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub attempt_timeout: Duration,
    pub base_backoff: Duration,
    pub max_backoff: Duration,
    pub max_attempts: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure<E> {
    Error(E),
    TimedOut,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryError<E> {
    Exhausted { attempts: u32, last: Failure<E> },
    DeadlineExceeded { attempts: u32 },
}

impl RetryPolicy {
    pub fn backoff(&self, failures: u32) -> Duration {
        // Double until the cap is reached: at most ~64 steps before saturating, whatever `failures`.
        let mut backoff = self.base_backoff;
        for _ in 1..failures.max(1) {
            if backoff >= self.max_backoff {
                break;
            }
            backoff = backoff.saturating_mul(2);
        }
        backoff.min(self.max_backoff)
    }
}

pub async fn call_with_retries<A, Fut, T, E, J>(
    deadline: Instant,
    policy: RetryPolicy,
    mut jitter: J,
    mut attempt: A,
) -> Result<T, RetryError<E>>
where
    A: FnMut(u32) -> Fut + Send,
    Fut: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: Send + 'static,
    J: FnMut(Duration) -> Duration + Send,
{
    let policy = RetryPolicy {
        max_attempts: policy.max_attempts.max(1),
        ..policy
    };
    retry_from(1, deadline, &policy, &mut jitter, &mut attempt).await
}

type Retry<'a, T, E> = Pin<Box<dyn Future<Output = Result<T, RetryError<E>>> + Send + 'a>>;

/// Makes attempt `number` and, if it fails, retries from `number + 1`.
fn retry_from<'a, A, Fut, T, E, J>(
    number: u32,
    deadline: Instant,
    policy: &'a RetryPolicy,
    jitter: &'a mut J,
    attempt: &'a mut A,
) -> Retry<'a, T, E>
where
    A: FnMut(u32) -> Fut + Send,
    Fut: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: Send + 'static,
    J: FnMut(Duration) -> Duration + Send,
{
    Box::pin(async move {
        let started = Instant::now();
        if started >= deadline {
            return Err(RetryError::DeadlineExceeded {
                attempts: number - 1,
            });
        }
        let own_limit = started.checked_add(policy.attempt_timeout);
        let (cut, by_deadline) = match own_limit {
            Some(limit) if limit < deadline => (limit, false),
            _ => (deadline, true),
        };
        let last = match tokio::time::timeout_at(cut, attempt(number)).await {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(error)) => Failure::Error(error),
            Err(_) if by_deadline => return Err(RetryError::DeadlineExceeded { attempts: number }),
            Err(_) => Failure::TimedOut,
        };
        if number == policy.max_attempts {
            return Err(RetryError::Exhausted {
                attempts: number,
                last,
            });
        }
        let resume = Instant::now().checked_add(jitter(policy.backoff(number)));
        match resume {
            Some(at) if at < deadline => tokio::time::sleep_until(at).await,
            _ => return Err(RetryError::DeadlineExceeded { attempts: number }),
        }
        retry_from(number + 1, deadline, policy, jitter, attempt).await
    })
}

pub async fn poll_every<P, Fut, T>(period: Duration, calls: usize, mut poll: P) -> Vec<T>
where
    P: FnMut(usize) -> Fut + Send,
    Fut: Future<Output = T> + Send,
    T: Send,
{
    let mut outputs = Vec::with_capacity(calls);
    if calls == 0 {
        return outputs;
    }
    let mut ticker = tokio::time::interval_at(Instant::now(), period);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);
    for index in 0..calls {
        ticker.tick().await;
        outputs.push(poll(index).await);
    }
    outputs
}
