// Passes: a hand-written Future (no FuturesUnordered, no tasks) that keeps up to limit boxed calls in a Vec and polls each of them on every wake; at the first Err it drops the rest before returning.
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// The state of one `try_map_limited`: what is left, what runs, what came back.
struct TryMapLimited<T, R, F, Fut> {
    items: std::iter::Enumerate<std::vec::IntoIter<T>>,
    f: F,
    limit: usize,
    running: Vec<(usize, Pin<Box<Fut>>)>,
    results: Vec<Option<R>>,
}

// Nothing here is pinned structurally: the calls are boxed.
impl<T, R, F, Fut> Unpin for TryMapLimited<T, R, F, Fut> {}

impl<T, R, E, F, Fut> Future for TryMapLimited<T, R, F, Fut>
where
    F: Fn(T) -> Fut,
    Fut: Future<Output = Result<R, E>>,
{
    type Output = Result<Vec<R>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        loop {
            while this.running.len() < this.limit {
                let Some((i, item)) = this.items.next() else {
                    break;
                };
                this.running.push((i, Box::pin((this.f)(item))));
            }
            if this.running.is_empty() {
                let results = std::mem::take(&mut this.results);
                return Poll::Ready(Ok(results.into_iter().map(Option::unwrap).collect()));
            }
            let mut finished_one = false;
            let mut k = 0;
            while k < this.running.len() {
                match this.running[k].1.as_mut().poll(cx) {
                    Poll::Pending => k += 1,
                    Poll::Ready(Ok(result)) => {
                        let (i, _) = this.running.swap_remove(k);
                        this.results[i] = Some(result);
                        finished_one = true;
                    }
                    Poll::Ready(Err(error)) => {
                        // Cancel the others now, before the caller sees the error.
                        this.running.clear();
                        return Poll::Ready(Err(error));
                    }
                }
            }
            // A freed slot: fill it and poll the new calls; otherwise wait for a wake.
            if !finished_one {
                return Poll::Pending;
            }
        }
    }
}

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
    let results = items.iter().map(|_| None).collect();
    TryMapLimited {
        items: items.into_iter().enumerate(),
        f,
        limit: limit.max(1),
        running: Vec::new(),
        results,
    }
    .await
}
