// Must fail returns_as_soon_as_a_call_fails: buffered() hands out results in item order, so an error waits behind the calls on earlier items (here forever).
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
    stream::iter(items)
        .map(f)
        .buffered(limit.max(1))
        .try_collect()
        .await
}
