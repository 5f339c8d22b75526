//! tokio's multi-thread runtime as an [`AsyncRuntime`]: `worker_threads(workers)`, spawns inside
//! tasks through `tokio::spawn` (the worker's local queue and LIFO slot), parked tasks on one
//! shared `Notify` (the gate of baselines.md's `idle_notify`, 439 B per task there).

use std::future::Future;

use crate::async_shapes::AsyncRuntime;

/// A tokio multi-thread runtime.
pub struct Tokio(tokio::runtime::Runtime);

impl AsyncRuntime for Tokio {
    type JoinHandle<T: Send + 'static> = tokio::task::JoinHandle<T>;
    type JoinError = tokio::task::JoinError;
    type Gate = tokio::sync::Notify;

    fn build(workers: usize) -> Self {
        Tokio(
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(workers)
                .enable_all()
                .build()
                .expect("cannot start tokio's worker threads"),
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
        tokio::spawn(future)
    }

    fn join<T: Send + 'static>(&self, handle: Self::JoinHandle<T>) -> Result<T, Self::JoinError> {
        // The calling thread only waits here; nothing is spawned from inside this block_on.
        self.0.block_on(handle)
    }

    fn yield_now() -> impl Future<Output = ()> + Send {
        tokio::task::yield_now()
    }

    fn gate() -> Self::Gate {
        tokio::sync::Notify::new()
    }

    fn wait_for(gate: &'static Self::Gate) -> impl Future<Output = ()> + Send + 'static {
        gate.notified()
    }

    fn open(gate: &Self::Gate) {
        gate.notify_waiters();
    }
}
