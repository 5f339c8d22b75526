// Passes: each task catches its own attempt's panic (catch_unwind, message read from the payload, not from a JoinError) and sends (index, outcome) down a tokio channel; then abort every handle and await them all.
use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures::FutureExt;

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
    let (sender, mut outcomes) = tokio::sync::mpsc::unbounded_channel();
    let handles: Vec<_> = attempts
        .into_iter()
        .enumerate()
        .map(|(i, attempt)| {
            let sender = sender.clone();
            runtime::spawn(async move {
                let outcome = AssertUnwindSafe(attempt).catch_unwind().await;
                let _ = sender.send((i, outcome));
            })
        })
        .collect();
    drop(sender);
    let mut failures: Vec<Option<Failure<E>>> = (0..n).map(|_| None).collect();
    let mut winner = None;
    while let Some((i, outcome)) = outcomes.recv().await {
        match outcome {
            Ok(Ok(value)) => {
                winner = Some(value);
                break;
            }
            Ok(Err(error)) => failures[i] = Some(Failure::Err(error)),
            Err(payload) => failures[i] = Some(Failure::Panicked(message(payload))),
        }
    }
    // Aborting a finished task does nothing; awaiting every handle waits for the rest to go.
    for handle in &handles {
        handle.abort();
    }
    for handle in handles {
        let _ = handle.await;
    }
    match winner {
        Some(value) => Ok(value),
        None => Err(failures.into_iter().flatten().collect()),
    }
}
