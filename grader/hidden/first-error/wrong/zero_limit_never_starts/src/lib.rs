// Must fail treats_a_limit_of_zero_as_one: passes limit straight to buffer_unordered, which with 0 never starts a call and never finishes.
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
    let mut pairs: Vec<(usize, R)> = stream::iter(items.into_iter().enumerate())
        .map(|(i, item)| {
            let call = f(item);
            async move { call.await.map(|result| (i, result)) }
        })
        .buffer_unordered(limit)
        .try_collect()
        .await?;
    pairs.sort_by_key(|(i, _)| *i);
    Ok(pairs.into_iter().map(|(_, result)| result).collect())
}
