// Must fail returns_the_error_that_came_first: after an error it starts nothing new but lets the calls in flight finish, and returns the last error seen.
use std::future::Future;

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
    let mut running = FuturesUnordered::new();
    let mut error = None;
    loop {
        while error.is_none() && running.len() < limit {
            let Some((i, item)) = items.next() else {
                break;
            };
            let call = f(item);
            running.push(async move { (i, call.await) });
        }
        match running.next().await {
            Some((i, Ok(result))) => results[i] = Some(result),
            // Each error replaces the one before: the last one wins.
            Some((_, Err(e))) => error = Some(e),
            None => break,
        }
    }
    match error {
        Some(e) => Err(e),
        None => Ok(results.into_iter().map(Option::unwrap).collect()),
    }
}
