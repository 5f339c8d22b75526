// Must fail runs_each_attempt_as_its_own_task: races the attempts inside the caller's own future (FuturesUnordered + catch_unwind), spawning no task at all.
use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures::future::FutureExt;
use futures::stream::{FuturesUnordered, StreamExt};

/// Why one attempt produced no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure<E> {
    /// The attempt finished with `Err(e)`.
    Err(E),
    /// The attempt's task panicked, with its message.
    Panicked(Option<String>),
}

fn message(payload: Box<dyn Any + Send>) -> Option<String> {
    match payload.downcast::<String>() {
        Ok(text) => Some(*text),
        Err(payload) => payload.downcast_ref::<&str>().map(|text| text.to_string()),
    }
}

pub async fn first_success<F, T, E>(attempts: Vec<F>) -> Result<T, Vec<Failure<E>>>
where
    F: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: Send + 'static,
{
    let n = attempts.len();
    let mut failures: Vec<Option<Failure<E>>> = (0..n).map(|_| None).collect();
    let mut pending: FuturesUnordered<_> = attempts
        .into_iter()
        .enumerate()
        .map(|(i, attempt)| {
            AssertUnwindSafe(attempt)
                .catch_unwind()
                .map(move |out| (i, out))
        })
        .collect();
    while let Some((i, out)) = pending.next().await {
        match out {
            Ok(Ok(value)) => return Ok(value), // dropping `pending` drops the losers
            Ok(Err(error)) => failures[i] = Some(Failure::Err(error)),
            Err(payload) => failures[i] = Some(Failure::Panicked(message(payload))),
        }
    }
    Err(failures.into_iter().flatten().collect())
}
