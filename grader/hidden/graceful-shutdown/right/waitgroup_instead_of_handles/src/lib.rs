// Passes: waits for the workers with a runtime::WaitGroup (done() as the worker's very last act, after its cleanup) instead of a Vec of JoinHandles.
use std::future::Future;
use std::sync::Arc;

use runtime::{CancellationToken, WaitGroup};

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
    running: WaitGroup,
}

impl<W: Work> Service<W> {
    pub fn new(work: Arc<W>, token: CancellationToken) -> Self {
        Service {
            work,
            token,
            next_id: 0,
            running: WaitGroup::new(),
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
        self.running.wait().await;
    }

    fn spawn_with(&mut self, n: usize, token: &CancellationToken) {
        // Added before the spawns, never inside the tasks: wait() can't miss a worker.
        self.running.add(n);
        for _ in 0..n {
            let id = self.next_id;
            self.next_id += 1;
            let (work, token, running) =
                (Arc::clone(&self.work), token.clone(), self.running.clone());
            // Detached: the WaitGroup is how shutdown knows they ended.
            drop(runtime::spawn(async move {
                worker(&*work, id, &token).await;
                running.done();
            }));
        }
    }
}

async fn worker<W: Work>(work: &W, id: usize, token: &CancellationToken) {
    loop {
        let job = tokio::select! {
            biased;
            () = token.cancelled() => break,
            job = work.next_job(id) => job,
        };
        let Some(job) = job else { break };
        work.step(id, job).await;
    }
    work.cleanup(id);
}
