// Passes: each call runs as a task wrapped in futures::future::abortable; at the first Err the caller fires every AbortHandle and then awaits the remaining tasks, which end at once, having dropped their calls.
use std::future::Future;

use futures::future::{abortable, AbortHandle};
use futures::stream::{FuturesUnordered, StreamExt};

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
    let mut results: Vec<Option<R>> = items.iter().map(|_| None).collect();
    let mut items = items.into_iter().enumerate();
    let mut stops: Vec<AbortHandle> = Vec::new();
    let mut running = FuturesUnordered::new();
    let mut first_error = None;
    loop {
        while first_error.is_none() && running.len() < limit {
            let Some((i, item)) = items.next() else {
                break;
            };
            let (call, stop) = abortable(f(item));
            stops.push(stop);
            let task = runtime::spawn(call);
            running.push(async move { (i, task.await) });
        }
        match running.next().await {
            Some((i, Ok(Ok(Ok(result))))) => results[i] = Some(result),
            Some((_, Ok(Ok(Err(error))))) => {
                if first_error.is_none() {
                    first_error = Some(error);
                    stops.iter().for_each(AbortHandle::abort);
                }
            }
            // Stopped by its AbortHandle after the first error.
            Some((_, Ok(Err(_aborted)))) => {}
            Some((_, Err(join_error))) => {
                stops.iter().for_each(AbortHandle::abort);
                panic!("a call of f panicked: {join_error}");
            }
            None => break,
        }
    }
    match first_error {
        Some(error) => Err(error),
        None => Ok(results.into_iter().map(Option::unwrap).collect()),
    }
}
