// Must fail uses_no_thread_per_input: every task is spawned, but each JoinHandle is given a std::thread of its own to block in join() — a thread per input, which is what tasks replace.
use std::future::Future;
use std::thread;

use runtime::Runtime;

pub fn spawn_all<T, F, Fut>(inputs: Vec<T>, f: F) -> Vec<Fut::Output>
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    let rt = Runtime::new();
    let waiters: Vec<_> = inputs
        .into_iter()
        .map(|input| {
            let handle = rt.spawn(f(input));
            thread::spawn(move || handle.join().expect("the task panicked"))
        })
        .collect();
    waiters
        .into_iter()
        .map(|waiter| waiter.join().expect("the waiting thread panicked"))
        .collect()
}
