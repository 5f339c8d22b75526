// Passes: a hand-written Future that polls the attempt, then its cut's Sleep (and owns both, so dropping it drops the attempt); futures::future::select for nothing else; a poller that computes the ticks with Duration arithmetic.
use std::future::Future;
use std::time::Duration;

use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::time::Instant;

use tokio::time::Sleep;

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
    let max_attempts = policy.max_attempts.max(1);
    let mut attempts = 0;
    loop {
        let start = Instant::now();
        if start >= deadline {
            return Err(RetryError::DeadlineExceeded { attempts });
        }
        attempts += 1;
        let own = start.checked_add(policy.attempt_timeout);
        let cut_by_deadline = own.is_none_or(|own| own >= deadline);
        let cut = if cut_by_deadline {
            deadline
        } else {
            own.unwrap_or(deadline)
        };
        let outcome = Cut {
            work: Box::pin(attempt(attempts)),
            sleep: Box::pin(tokio::time::sleep_until(cut)),
        }
        .await;
        let failure = match outcome {
            Some(Ok(value)) => return Ok(value),
            Some(Err(error)) => Failure::Error(error),
            None if cut_by_deadline => return Err(RetryError::DeadlineExceeded { attempts }),
            None => Failure::TimedOut,
        };
        if attempts == max_attempts {
            return Err(RetryError::Exhausted {
                attempts,
                last: failure,
            });
        }
        let wait = jitter(policy.backoff(attempts));
        let left = deadline - Instant::now();
        if wait >= left {
            return Err(RetryError::DeadlineExceeded { attempts });
        }
        // futures' select of the wait and a never-ready future: just the wait, written the
        // long way round to show Either.
        let never = futures::future::pending::<()>();
        let sleep = tokio::time::sleep(wait);
        futures::pin_mut!(never, sleep);
        match futures::future::select(sleep, never).await {
            futures::future::Either::Left(((), _)) => {}
            futures::future::Either::Right(((), _)) => unreachable!("pending never completes"),
        }
    }
}

/// `work`, unless `sleep` ends first: then `None`. Owning both, it drops the work when it is
/// dropped — the caller drops it as soon as it has its answer.
struct Cut<W> {
    work: Pin<Box<W>>,
    sleep: Pin<Box<Sleep>>,
}

impl<W: Future> Future for Cut<W> {
    type Output = Option<W::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Poll::Ready(output) = self.work.as_mut().poll(cx) {
            return Poll::Ready(Some(output));
        }
        match self.sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

pub async fn poll_every<P, Fut, T>(period: Duration, calls: usize, mut poll: P) -> Vec<T>
where
    P: FnMut(usize) -> Fut + Send,
    Fut: Future<Output = T> + Send,
    T: Send,
{
    assert!(period > Duration::ZERO, "period must be more than zero");
    let origin = Instant::now();
    let mut outputs = Vec::new();
    let mut tick = 0u32;
    for index in 0..calls {
        // The tick this call may start at: the first not yet used, or — when it has passed —
        // now, after which the next one is the first tick later than now.
        let due = origin + period * tick;
        let now = Instant::now();
        if due > now {
            tokio::time::sleep_until(due).await;
        }
        let started = Instant::now();
        tick = u32::try_from((started - origin).as_nanos() / period.as_nanos()).unwrap_or(u32::MAX)
            + 1;
        outputs.push(poll(index).await);
    }
    outputs
}
