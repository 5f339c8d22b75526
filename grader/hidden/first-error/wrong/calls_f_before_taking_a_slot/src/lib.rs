// Must fail never_runs_more_than_limit_at_once: calls f on every item up front and only polls limit of the futures at a time — but a call starts when f is called.
use std::future::Future;

use futures::stream::{self, StreamExt, TryStreamExt};

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
    // Every call of f happens here, before any slot is free.
    let calls: Vec<Fut> = items.into_iter().map(f).collect();
    let mut pairs: Vec<(usize, R)> = stream::iter(calls.into_iter().enumerate())
        .map(|(i, call)| async move { call.await.map(|result| (i, result)) })
        .buffer_unordered(limit.max(1))
        .try_collect()
        .await?;
    pairs.sort_by_key(|(i, _)| *i);
    Ok(pairs.into_iter().map(|(_, result)| result).collect())
}
