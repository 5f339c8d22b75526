// Must fail returns_as_soon_as_one_succeeds: spawns every attempt but awaits the handles in list order, so an attempt that never ends blocks the call even after a later one succeeded.
use std::future::Future;

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
    let handles: Vec<_> = attempts.into_iter().map(runtime::spawn).collect();
    let mut failures = Vec::new();
    let mut handles = handles.into_iter();
    while let Some(handle) = handles.next() {
        match handle.await {
            Ok(Ok(value)) => {
                let rest: Vec<_> = handles.collect();
                for loser in &rest {
                    loser.abort();
                }
                for loser in rest {
                    let _ = loser.await;
                }
                return Ok(value);
            }
            Ok(Err(error)) => failures.push(Failure::Err(error)),
            Err(join_error) => failures.push(Failure::Panicked(
                join_error.panic_message().map(String::from),
            )),
        }
    }
    Err(failures)
}
