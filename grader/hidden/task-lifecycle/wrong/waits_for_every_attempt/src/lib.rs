// Must fail returns_as_soon_as_one_succeeds: awaits every attempt (join_all) and then returns the last success, so an attempt that never ends blocks it.
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
    let results = futures::future::join_all(handles).await;
    let mut failures = Vec::new();
    let mut last_success = None;
    for result in results {
        match result {
            Ok(Ok(value)) => last_success = Some(value),
            Ok(Err(error)) => failures.push(Failure::Err(error)),
            Err(join_error) => failures.push(Failure::Panicked(
                join_error.panic_message().map(String::from),
            )),
        }
    }
    last_success.ok_or(failures)
}
