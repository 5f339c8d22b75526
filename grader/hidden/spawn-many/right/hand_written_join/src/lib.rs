// Passes: a hand-written future (poll_fn, no async loop) that polls the JoinHandles in input order, moving past each one as it becomes ready.
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::Poll;

pub fn spawn_all<T, F, Fut>(inputs: Vec<T>, f: F) -> Vec<Fut::Output>
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    runtime::run(async move {
        let mut handles: Vec<_> = inputs
            .into_iter()
            .map(|input| runtime::spawn(f(input)))
            .collect();
        let mut outputs = Vec::with_capacity(handles.len());
        poll_fn(|cx| {
            // Only the first unfinished handle holds our waker; when it is ready, move on.
            while let Some(handle) = handles.get_mut(outputs.len()) {
                match Pin::new(handle).poll(cx) {
                    Poll::Ready(joined) => outputs.push(joined.expect("the task panicked")),
                    Poll::Pending => return Poll::Pending,
                }
            }
            Poll::Ready(())
        })
        .await;
        outputs
    })
}
