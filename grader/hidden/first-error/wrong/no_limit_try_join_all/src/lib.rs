// Must fail never_runs_more_than_limit_at_once: ignores the limit and runs every call at once with try_join_all (results in order, stops at the first error).
use std::future::Future;

use futures::future::try_join_all;

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
    let _ = limit;
    try_join_all(items.into_iter().map(f)).await
}
