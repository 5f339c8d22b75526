// Must fail a_task_costs_hundreds_of_bytes_not_kilobytes: Go's `go` taken as a thread — each input's future runs on a std::thread of its own (futures' block_on), kilobytes of stack each (and no Tasklings task at all).
use std::future::Future;
use std::thread;

pub fn spawn_all<T, F, Fut>(inputs: Vec<T>, f: F) -> Vec<Fut::Output>
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    let threads: Vec<_> = inputs
        .into_iter()
        .map(|input| {
            let call = f(input);
            thread::spawn(move || futures::executor::block_on(call))
        })
        .collect();
    threads
        .into_iter()
        .map(|thread| thread.join().expect("an input's thread panicked"))
        .collect()
}
