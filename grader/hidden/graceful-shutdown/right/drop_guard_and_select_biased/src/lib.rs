// Passes: cleanup in a guard's Drop, made before the task is spawned and moved into it (so it runs however the task ends), and futures::select_biased! instead of tokio's.
use std::future::Future;
use std::sync::Arc;

use runtime::{CancellationToken, JoinHandle};

use futures::FutureExt;

pub trait Work: Send + Sync + 'static {
    type Job: Send + 'static;
    fn next_job(&self, worker: usize) -> impl Future<Output = Option<Self::Job>> + Send;
    fn step(&self, worker: usize, job: Self::Job) -> impl Future<Output = ()> + Send;
    fn cleanup(&self, worker: usize);
}

pub struct Service<W: Work> {
    work: Arc<W>,
    token: CancellationToken,
    next_id: usize,
    workers: Vec<JoinHandle<()>>,
}

impl<W: Work> Service<W> {
    pub fn new(work: Arc<W>, token: CancellationToken) -> Self {
        Service {
            work,
            token,
            next_id: 0,
            workers: Vec::new(),
        }
    }

    pub fn spawn_workers(&mut self, n: usize) {
        let token = self.token.clone();
        self.spawn_with(n, &token);
    }

    pub fn spawn_group(&mut self, n: usize) -> CancellationToken {
        let group = self.token.child();
        self.spawn_with(n, &group);
        group
    }

    pub async fn shutdown(self) {
        self.token.cancel();
        for worker in self.workers {
            worker.await.expect("a worker panicked");
        }
    }

    fn spawn_with(&mut self, n: usize, token: &CancellationToken) {
        for _ in 0..n {
            let id = self.next_id;
            self.next_id += 1;
            let task = worker(Arc::clone(&self.work), id, token.clone());
            self.workers.push(runtime::spawn(task));
        }
    }
}

/// Calls `cleanup` when dropped: however the worker's future ends — its loop breaking, or the
/// future dropped unpolled — cleanup runs exactly once.
struct Cleanup<W: Work> {
    work: Arc<W>,
    id: usize,
}

impl<W: Work> Drop for Cleanup<W> {
    fn drop(&mut self) {
        self.work.cleanup(self.id);
    }
}

fn worker<W: Work>(
    work: Arc<W>,
    id: usize,
    token: CancellationToken,
) -> impl Future<Output = ()> + Send + 'static {
    let guard = Cleanup { work, id };
    async move {
        let work = &guard.work;
        loop {
            let mut cancelled = std::pin::pin!(token.cancelled().fuse());
            let mut next = std::pin::pin!(work.next_job(id).fuse());
            let job = futures::select_biased! {
                () = cancelled => None,
                job = next => job,
            };
            match job {
                Some(job) => work.step(id, job).await,
                None => break,
            }
        }
        drop(guard);
    }
}
