// Passes: stops the losers with a CancellationToken each attempt's task selects on (no abort()), and learns which task ended from a channel that a drop guard in each task writes to, even when it panics.
use std::future::Future;
use std::pin::pin;

use futures::channel::mpsc::{unbounded, UnboundedSender};
use futures::future::{select, Either};
use futures::StreamExt;
use runtime::CancellationToken;

/// Sends its attempt's index when dropped: when the task ends, however it ends.
struct Report(usize, UnboundedSender<usize>);

impl Drop for Report {
    fn drop(&mut self) {
        let _ = self.1.unbounded_send(self.0);
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
    let stop = CancellationToken::new();
    let (ended, mut ends) = unbounded();
    let mut handles: Vec<_> = attempts
        .into_iter()
        .enumerate()
        .map(|(i, attempt)| {
            let stop = stop.clone();
            let report = Report(i, ended.clone());
            runtime::spawn(async move {
                let _report = report;
                match select(pin!(attempt), pin!(stop.cancelled())).await {
                    Either::Left((result, _)) => Some(result),
                    Either::Right(_) => None, // cancelled: the attempt is dropped right here
                }
            })
        })
        .collect();
    drop(ended);
    let n = handles.len();
    let mut awaited = vec![false; n];
    let mut failures: Vec<Option<Failure<E>>> = (0..n).map(|_| None).collect();
    let mut winner = None;
    while let Some(i) = ends.next().await {
        awaited[i] = true;
        match (&mut handles[i]).await {
            Ok(Some(Ok(value))) => {
                winner = Some(value);
                break;
            }
            Ok(Some(Err(error))) => failures[i] = Some(Failure::Err(error)),
            Ok(None) => unreachable!("nobody cancelled yet"),
            Err(join_error) => {
                failures[i] = Some(Failure::Panicked(
                    join_error.panic_message().map(String::from),
                ))
            }
        }
    }
    stop.cancel();
    for (handle, awaited) in handles.iter_mut().zip(awaited) {
        if !awaited {
            let _ = handle.await;
        }
    }
    match winner {
        Some(value) => Ok(value),
        None => Err(failures.into_iter().flatten().collect()),
    }
}
