// Passes: futures' join_all over the spawned JoinHandles (it keeps their order), instead of a loop of awaits.
use std::future::Future;

use futures::future::join_all;

pub fn spawn_all<T, F, Fut>(inputs: Vec<T>, f: F) -> Vec<Fut::Output>
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    runtime::run(async move {
        let handles = inputs.into_iter().map(|input| runtime::spawn(f(input)));
        join_all(handles)
            .await
            .into_iter()
            .map(|joined| joined.expect("the task panicked"))
            .collect()
    })
}
