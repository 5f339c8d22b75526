// Must fail runs_limit_calls_at_once: awaits each call before starting the next, so never more than one call is under way.
use std::future::Future;

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
    let mut results = Vec::with_capacity(items.len());
    for item in items {
        results.push(f(item).await?);
    }
    Ok(results)
}
