// Passes: no runtime::run — a Runtime built by hand, every task spawned onto it from this (non-runtime) thread, and the handles joined with JoinHandle::join, which blocks this thread only.
use std::future::Future;

use runtime::Runtime;

pub fn spawn_all<T, F, Fut>(inputs: Vec<T>, f: F) -> Vec<Fut::Output>
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    let rt = Runtime::builder()
        .thread_name("spawn-all")
        .build()
        .expect("the runtime's worker threads start");
    let handles: Vec<_> = inputs.into_iter().map(|input| rt.spawn(f(input))).collect();
    handles
        .into_iter()
        .map(|handle| handle.join().expect("the task panicked"))
        .collect()
}
