// Passes: waits with futures::future::select_all over the JoinHandles themselves (a task's id maps select_all's position back to the attempt), then aborts the rest and join_all()s them.
use std::collections::HashMap;
use std::future::Future;

use futures::future::{join_all, select_all};
use runtime::TaskId;

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
    let mut handles: Vec<_> = attempts.into_iter().map(runtime::spawn).collect();
    let index_of: HashMap<TaskId, usize> = handles
        .iter()
        .enumerate()
        .map(|(i, handle)| (handle.id(), i))
        .collect();
    let mut failures: Vec<Option<Failure<E>>> = (0..index_of.len()).map(|_| None).collect();
    // select_all panics on an empty list: stop when none is left.
    while !handles.is_empty() {
        let ids: Vec<TaskId> = handles.iter().map(|handle| handle.id()).collect();
        let (joined, position, rest) = select_all(handles).await;
        handles = rest;
        let i = index_of[&ids[position]];
        match joined {
            Ok(Ok(value)) => {
                for loser in &handles {
                    loser.abort();
                }
                join_all(handles).await;
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
    Err(failures
        .into_iter()
        .map(|f| f.expect("every attempt ended"))
        .collect())
}
