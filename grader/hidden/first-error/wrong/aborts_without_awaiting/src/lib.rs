// Must fail cancels_the_calls_in_flight: abort()s the other tasks at the first error but returns without awaiting them, before the runtime has dropped them (on one worker, always).
use std::future::Future;

use futures::channel::mpsc;
use futures::StreamExt;

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
    let n = items.len();
    let mut results: Vec<Option<R>> = items.iter().map(|_| None).collect();
    let mut items = items.into_iter().enumerate();
    let (done, mut finished) = mpsc::unbounded();
    let mut handles = Vec::new();
    let mut running = 0;
    for _ in 0..n {
        while running < limit {
            let Some((i, item)) = items.next() else {
                break;
            };
            let call = f(item);
            let done = done.clone();
            handles.push(runtime::spawn(async move {
                let _ = done.unbounded_send((i, call.await));
            }));
            running += 1;
        }
        let Some((i, result)) = finished.next().await else {
            panic!("a call of f panicked");
        };
        running -= 1;
        match result {
            Ok(result) => results[i] = Some(result),
            Err(e) => {
                for handle in &handles {
                    handle.abort();
                }
                // Returns at once: abort() has only asked.
                return Err(e);
            }
        }
    }
    Ok(results.into_iter().map(Option::unwrap).collect())
}
