// Must fail returns_every_failure_in_input_order: pushes each failure as it arrives, so the list is in finishing order, not in the order of the attempts.
use std::future::Future;

use futures::stream::{FuturesUnordered, StreamExt};

/// Why one attempt produced no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure<E> {
    /// The attempt finished with `Err(e)`.
    Err(E),
    /// The attempt's task panicked, with its message.
    Panicked(Option<String>),
}

pub async fn first_success<F, T, E>(attempts: Vec<F>) -> Result<T, Vec<Failure<E>>>
where
    F: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: Send + 'static,
{
    let n = attempts.len();
    let mut handles: Vec<_> = attempts.into_iter().map(runtime::spawn).collect();
    let mut finished = vec![false; n];
    let mut failures: Vec<Option<Failure<E>>> = Vec::new();
    let mut winner = None;
    {
        let mut pending: FuturesUnordered<_> = handles
            .iter_mut()
            .enumerate()
            .map(|(i, handle)| async move { (i, handle.await) })
            .collect();
        while let Some((i, joined)) = pending.next().await {
            finished[i] = true;
            match joined {
                Ok(Ok(value)) => {
                    winner = Some(value);
                    break;
                }
                Ok(Err(error)) => {
                    failures.push(Some(Failure::Err(error)));
                    let _ = i;
                }
                Err(join_error) => {
                    failures.push(Some(Failure::Panicked(
                        join_error.panic_message().map(String::from),
                    )));
                }
            }
        }
    }
    for (handle, done) in handles.iter().zip(&finished) {
        if !*done {
            handle.abort();
        }
    }
    for (handle, done) in handles.iter_mut().zip(&finished) {
        if !*done {
            let _ = handle.await;
        }
    }
    match winner {
        Some(value) => Ok(value),
        None => Err(failures.into_iter().flatten().collect()),
    }
}
