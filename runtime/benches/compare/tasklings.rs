//! The Tasklings runtime as an [`AsyncRuntime`]: `Runtime::builder().workers(workers)`, spawns
//! inside tasks through `runtime::spawn`, parked tasks on one shared `WaitGroup` (count 1, opened
//! by `done`), the runtime's own counterpart of Go's gate.

use std::future::Future;

use crate::async_shapes::AsyncRuntime;

/// A Tasklings runtime.
pub struct Tasklings(runtime::Runtime);

impl AsyncRuntime for Tasklings {
    type JoinHandle<T: Send + 'static> = runtime::JoinHandle<T>;
    type JoinError = runtime::JoinError;
    type Gate = runtime::WaitGroup;

    fn build(workers: usize) -> Self {
        Tasklings(
            runtime::Runtime::builder()
                .workers(workers)
                .build()
                .expect("cannot start the Tasklings worker threads"),
        )
    }

    fn spawn_remote<F>(&self, future: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.0.spawn(future)
    }

    fn spawn<F>(future: F) -> Self::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        runtime::spawn(future)
    }

    fn join<T: Send + 'static>(&self, handle: Self::JoinHandle<T>) -> Result<T, Self::JoinError> {
        handle.join()
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        runtime::yield_now()
    }

    fn gate() -> Self::Gate {
        let gate = runtime::WaitGroup::new();
        gate.add(1);
        gate
    }

    fn wait_for(gate: &'static Self::Gate) -> impl Future<Output = ()> + Send + 'static {
        gate.wait()
    }

    fn open(gate: &Self::Gate) {
        gate.done();
    }

    fn counters(&self) -> Option<String> {
        let m = self.0.metrics();
        Some(format!(
            "spawned {} completed {} polls {} steals {} parks {}",
            m.spawned, m.completed, m.polls, m.steals, m.parks
        ))
    }
}
