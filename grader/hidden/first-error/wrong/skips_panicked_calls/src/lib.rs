// Must fail a_panic_in_f_propagates: runs calls as abortable tasks, but leaves out a call whose task panicked and returns Ok with the other results.
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
    let mut error = None;
    loop {
        while error.is_none() && running.len() < limit {
            let Some((i, item)) = items.next() else {
                break;
            };
            let (call, stop) = abortable(f(item));
            stops.push(stop);
            let handle = runtime::spawn(call);
            running.push(async move { (i, handle.await) });
        }
        match running.next().await {
            Some((i, Ok(Ok(Ok(result))))) => results[i] = Some(result),
            Some((_, Ok(Ok(Err(e))))) => {
                if error.is_none() {
                    error = Some(e);
                    stops.iter().for_each(AbortHandle::abort);
                }
            }
            // Aborted after the first error: nothing to keep.
            Some((_, Ok(Err(_aborted)))) => {}
            // A panicked call is skipped, as if it had never been made.
            Some((_, Err(_join_error))) => {}
            None => break,
        }
    }
    match error {
        Some(e) => Err(e),
        None => Ok(results.into_iter().flatten().collect()),
    }
}
