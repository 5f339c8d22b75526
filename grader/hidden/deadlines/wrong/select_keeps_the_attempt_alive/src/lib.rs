// Must fail drops_an_attempt_at_its_timeout: tokio::select! against sleep_until(cut) is right, but the attempt is pinned on the stack with tokio::pin!, and `drop(running)` drops only the Pin<&mut _> — the attempt itself lives on until the end of the loop iteration, through the whole backoff.
use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

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
    let mut made = 0;
    loop {
        let now = Instant::now();
        if now >= deadline {
            return Err(RetryError::DeadlineExceeded { attempts: made });
        }
        made += 1;
        let cut = now
            .checked_add(policy.attempt_timeout)
            .map_or(deadline, |limit| limit.min(deadline));
        let running = attempt(made);
        tokio::pin!(running);
        let outcome = tokio::select! {
            biased;
            result = &mut running => Some(result),
            () = tokio::time::sleep_until(cut) => None,
        };
        // On a timeout, drop the attempt right now, at the cut. (It doesn't: this drops the pin.)
        let failure = match outcome {
            Some(Ok(value)) => return Ok(value),
            Some(Err(error)) => Failure::Error(error),
            None => {
                drop(running);
                if cut == deadline {
                    return Err(RetryError::DeadlineExceeded { attempts: made });
                }
                Failure::TimedOut
            }
        };
        if made >= max_attempts {
            return Err(RetryError::Exhausted {
                attempts: made,
                last: failure,
            });
        }
        let wait = jitter(policy.backoff(made));
        let remaining = deadline.saturating_duration_since(Instant::now());
        if wait >= remaining {
            return Err(RetryError::DeadlineExceeded { attempts: made });
        }
        tokio::time::sleep(wait).await;
    }
}

pub async fn poll_every<P, Fut, T>(period: Duration, calls: usize, mut poll: P) -> Vec<T>
where
    P: FnMut(usize) -> Fut + Send,
    Fut: Future<Output = T> + Send,
    T: Send,
{
    // Ticks computed by hand: tick k is at start + k·period. After each call, the next call
    // waits for the first tick later than the previous call's start — if that has passed already,
    // it starts at once (one call, not one per missed tick).
    let mut outputs = Vec::with_capacity(calls);
    assert!(!period.is_zero(), "period must be more than zero");
    let start = Instant::now();
    let mut previous_start = start;
    for index in 0..calls {
        if index > 0 {
            let ticks = (previous_start - start).as_nanos() / period.as_nanos() + 1;
            let next_tick = start + period * u32::try_from(ticks).expect("fewer than 2^32 ticks");
            tokio::time::sleep_until(next_tick).await;
        }
        previous_start = Instant::now();
        outputs.push(poll(index).await);
    }
    outputs
}
