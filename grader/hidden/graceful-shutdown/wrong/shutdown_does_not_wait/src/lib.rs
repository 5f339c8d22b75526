// Must fail shutdown_returns_after_every_worker_ended: shutdown cancels the token and returns, dropping the JoinHandles (which detaches the workers instead of waiting for them).
use std::future::Future;
use std::sync::Arc;

use runtime::{CancellationToken, JoinHandle};

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
        // The workers see the cancel and stop by themselves.
        drop(self.workers);
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

async fn worker<W: Work>(work: Arc<W>, id: usize, token: CancellationToken) {
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
