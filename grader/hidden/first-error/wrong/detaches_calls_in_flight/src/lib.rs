// Must fail cancels_the_calls_in_flight: runs each call as a task and returns at the first error, dropping the other JoinHandles — which detaches those tasks instead of stopping them.
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
    loop {
        while running.len() < limit {
            let Some((i, item)) = items.next() else {
                break;
            };
            let handle = runtime::spawn(f(item));
            running.push(async move { (i, handle.await) });
        }
        match running.next().await {
            Some((i, Ok(Ok(result)))) => results[i] = Some(result),
            // Returning drops `running`, and the JoinHandles in it: the tasks run on.
            Some((_, Ok(Err(e)))) => return Err(e),
            Some((_, Err(join_error))) => panic!("a call of f panicked: {join_error}"),
            None => break,
        }
    }
    Ok(results.into_iter().map(Option::unwrap).collect())
}
