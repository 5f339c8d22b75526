// Must fail returns_results_in_input_order: starts limit calls, waits for the whole batch, then starts the next batch — a call that waits for one in the next batch never finishes.
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
    let limit = limit.max(1);
    let mut results = Vec::with_capacity(items.len());
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        let batch: Vec<Fut> = items.by_ref().take(limit).map(&f).collect();
        results.extend(try_join_all(batch).await?);
    }
    Ok(results)
}
