// Passes: no tasks and no loop — stream::iter(..).map(call f).buffer_unordered(limit).try_collect() on (index, result) pairs, then sorted back into item order; try_collect returns at the first Err and drops the stream with the calls in it.
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
        // `map` is lazy: f is called only when buffer_unordered has a free slot.
        .map(|(i, item)| {
            let call = f(item);
            async move { call.await.map(|result| (i, result)) }
        })
        .buffer_unordered(limit.max(1))
        .try_collect()
        .await?;
    pairs.sort_unstable_by_key(|(i, _)| *i);
    Ok(pairs.into_iter().map(|(_, result)| result).collect())
}
