// Passes: a hand-written future (poll_fn) polls every unfinished JoinHandle in turn, each poll registering the same waker; the losers are aborted and awaited the same way.
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use runtime::JoinHandle;

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
    let mut slots: Vec<Option<JoinHandle<Result<T, E>>>> = attempts
        .into_iter()
        .map(|a| Some(runtime::spawn(a)))
        .collect();
    let mut failures: Vec<Option<Failure<E>>> = slots.iter().map(|_| None).collect();
    let winner = std::future::poll_fn(|cx| {
        for (i, slot) in slots.iter_mut().enumerate() {
            let Some(handle) = slot else { continue };
            if let Poll::Ready(joined) = Pin::new(handle).poll(cx) {
                *slot = None; // finished: never poll it again
                match joined {
                    Ok(Ok(value)) => return Poll::Ready(Some(value)),
                    Ok(Err(error)) => failures[i] = Some(Failure::Err(error)),
                    Err(join_error) => {
                        let message = join_error.panic_message().map(String::from);
                        failures[i] = Some(Failure::Panicked(message))
                    }
                }
            }
        }
        if slots.iter().all(Option::is_none) {
            Poll::Ready(None)
        } else {
            Poll::Pending
        }
    })
    .await;
    for handle in slots.iter().flatten() {
        handle.abort();
    }
    // Wait until every aborted task has been dropped.
    std::future::poll_fn(|cx| {
        for slot in slots.iter_mut() {
            if let Some(handle) = slot {
                if Pin::new(handle).poll(cx).is_ready() {
                    *slot = None;
                }
            }
        }
        if slots.iter().all(Option::is_none) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    })
    .await;
    match winner {
        Some(value) => Ok(value),
        None => Err(failures.into_iter().flatten().collect()),
    }
}
