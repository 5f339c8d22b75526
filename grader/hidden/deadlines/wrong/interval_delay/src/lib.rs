// Must fail poll_every_neither_bursts_nor_drifts_after_a_stall: MissedTickBehavior::Delay restarts the ticks from the late call, so every tick after a stall is shifted (the docs ask for Skip's schedule).
use std::future::Future;
use std::time::Duration;

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
        let doublings = failures.max(1) - 1;
        2u32.checked_pow(doublings)
            .and_then(|factor| self.base_backoff.checked_mul(factor))
            .map_or(self.max_backoff, |backoff| backoff.min(self.max_backoff))
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
    let max_attempts = policy.max_attempts.max(1);
    let mut attempts = 0;
    loop {
        let start = Instant::now();
        if start >= deadline {
            return Err(RetryError::DeadlineExceeded { attempts });
        }
        attempts += 1;
        let cut = start
            .checked_add(policy.attempt_timeout)
            .map_or(deadline, |limit| limit.min(deadline));
        let failure = match tokio::time::timeout_at(cut, attempt(attempts)).await {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(error)) => Failure::Error(error),
            Err(_elapsed) if cut == deadline => {
                return Err(RetryError::DeadlineExceeded { attempts });
            }
            Err(_elapsed) => Failure::TimedOut,
        };
        if attempts == max_attempts {
            return Err(RetryError::Exhausted {
                attempts,
                last: failure,
            });
        }
        let wait = jitter(policy.backoff(attempts));
        match Instant::now().checked_add(wait) {
            Some(next) if next < deadline => tokio::time::sleep_until(next).await,
            _ => return Err(RetryError::DeadlineExceeded { attempts }),
        }
    }
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
    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    for index in 0..calls {
        ticker.tick().await;
        outputs.push(poll(index).await);
    }
    outputs
}
