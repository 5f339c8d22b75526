// Must fail returns_results_in_input_order: buffer_unordered() + try_collect() gives the results in the order the calls finish, not in the order of the items.
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
        .buffer_unordered(limit.max(1))
        .try_collect()
        .await
}
