//! # Stop at the first error: an errgroup with a limit — reference solution
//!
//! No tasks: the calls run inside our own future, in a `FuturesUnordered` that never holds more
//! than `limit` of them. A loop fills the free slots (calling `f` only there, so a call starts
//! only when a slot is free), then waits for whichever call finishes next:
//!
//! - `Ok(r)`: the result goes in its item's slot, so the results come out in the order of
//!   `items`, whatever order the calls finished in; the loop then fills the freed slot.
//! - `Err(e)`: return it. That is the whole of "stop": `f` is called nowhere else, so no new
//!   call starts; and returning drops `running`, which drops every call still in flight — their
//!   drop code has run before the caller sees the error. Nobody to abort, nothing to await.
//!
//! A panic in a call's future unwinds out of `running.next()`, through us, to the caller (and
//! drops the other calls on its way). The price of no tasks: the calls share the caller's worker
//! (concurrent, not parallel), which is what I/O-bound calls need.

use std::future::Future;

use futures::stream::{FuturesUnordered, StreamExt};

/// Calls `f` on every item of `items`, with at most `limit` calls at once (0 is treated as 1),
/// and returns their results in the order of `items` — or stops at the first error.
///
/// - `Ok(results)`: every call succeeded; `results[i]` is what `f(items[i])` gave. No items:
///   `Ok(vec![])`.
/// - `Err(e)`: `e` is the error of the call that finished first with `Err`. No call starts after
///   that failure; the calls still in flight have been cancelled (their futures dropped) when
///   this returns, and it returns without waiting for them.
///
/// A call lasts from `f(item)` until its future finishes or is dropped; at most `limit` are
/// under way at once, and up to `limit` are while items remain. A panic in `f` propagates. Call
/// it inside the Tasklings runtime (in `runtime::run`, or a task); the future it returns is
/// `Send`, so it can itself be spawned.
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
        // Fill the free slots. `f` is called here and nowhere else.
        while running.len() < limit {
            let Some((i, item)) = items.next() else {
                break;
            };
            let call = f(item);
            running.push(async move { (i, call.await) });
        }
        // Wait for whichever call finishes first; `None`: nothing running and nothing left.
        match running.next().await {
            Some((i, Ok(result))) => results[i] = Some(result),
            // Returning drops `running`, and with it every call still in flight.
            Some((_, Err(error))) => return Err(error),
            None => break,
        }
    }
    Ok(results
        .into_iter()
        .map(|result| result.expect("every item's call finished with Ok"))
        .collect())
}
