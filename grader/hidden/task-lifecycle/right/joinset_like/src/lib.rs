// Passes: a small JoinSet — a FuturesUnordered of (index, JoinHandle) futures over named tasks; the losers are aborted through iter_mut() and the set is drained.
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::stream::{FuturesUnordered, StreamExt};
use runtime::{JoinError, JoinHandle};

/// A task's handle that remembers which attempt it runs.
struct Indexed<T> {
    index: usize,
    handle: JoinHandle<T>,
}

impl<T> Future for Indexed<T> {
    type Output = (usize, Result<T, JoinError>);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let index = self.index;
        Pin::new(&mut self.handle)
            .poll(cx)
            .map(|joined| (index, joined))
    }
}

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
    let mut set: FuturesUnordered<_> = attempts
        .into_iter()
        .enumerate()
        .map(|(index, attempt)| Indexed {
            index,
            handle: runtime::spawn_named(format!("attempt {index}"), attempt),
        })
        .collect();
    let mut failures: Vec<Option<Failure<E>>> = (0..set.len()).map(|_| None).collect();
    while let Some((i, joined)) = set.next().await {
        match joined {
            Ok(Ok(value)) => {
                for rest in set.iter_mut() {
                    rest.handle.abort();
                }
                while set.next().await.is_some() {}
                return Ok(value);
            }
            Ok(Err(error)) => failures[i] = Some(Failure::Err(error)),
            Err(join_error) => {
                failures[i] = Some(Failure::Panicked(
                    join_error.panic_message().map(String::from),
                ))
            }
        }
    }
    Err(failures.into_iter().flatten().collect())
}
