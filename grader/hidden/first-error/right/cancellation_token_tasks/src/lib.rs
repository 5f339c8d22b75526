// Passes: calls f in the caller and runs each call as a task that races it against a runtime::CancellationToken; at the first Err the caller cancels the token and waits until every task has dropped its call.
use std::future::Future;
use std::pin::pin;

use futures::future::{select, Either};
use futures::stream::{FuturesUnordered, StreamExt};
use runtime::CancellationToken;

pub async fn try_map_limited<T, R, E, F, Fut>(
    items: Vec<T>,
    limit: usize,
    f: F,
) -> Result<Vec<R>, E>
where
    T: Send + 'static,
    R: Send + 'static,
    E: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, E>> + Send + 'static,
{
    let limit = limit.max(1);
    let stop = CancellationToken::new();
    let mut results: Vec<Option<R>> = items.iter().map(|_| None).collect();
    let mut items = items.into_iter().enumerate();
    let mut running = FuturesUnordered::new();
    let mut first_error = None;
    loop {
        while first_error.is_none() && running.len() < limit {
            let Some((i, item)) = items.next() else {
                break;
            };
            let call = f(item);
            let stop = stop.clone();
            let task = runtime::spawn(async move {
                // `None`: cancelled; the call is dropped when this block ends.
                match select(pin!(stop.cancelled()), pin!(call)).await {
                    Either::Left(_) => None,
                    Either::Right((result, _)) => Some(result),
                }
            });
            running.push(async move { (i, task.await) });
        }
        match running.next().await {
            Some((i, Ok(Some(Ok(result))))) => results[i] = Some(result),
            Some((_, Ok(Some(Err(error))))) => {
                if first_error.is_none() {
                    first_error = Some(error);
                    stop.cancel();
                }
            }
            Some((_, Ok(None))) => {}
            Some((_, Err(join_error))) => {
                stop.cancel();
                panic!("a call of f panicked: {join_error}");
            }
            // Every task has ended: after an error, each has dropped its call.
            None => break,
        }
    }
    match first_error {
        Some(error) => Err(error),
        None => Ok(results.into_iter().map(Option::unwrap).collect()),
    }
}
