// Must fail starts_no_step_after_the_cancel: futures::future::select(next_job, cancelled) polls the job first, so a job that is ready wins over a cancel that is ready too.
use std::future::Future;
use std::sync::Arc;

use runtime::{CancellationToken, JoinHandle};

use futures::future::{select, Either};
use std::pin::pin;

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

async fn worker<W: Work>(work: Arc<W>, id: usize, token: CancellationToken) {
    loop {
        let next = pin!(work.next_job(id));
        let cancelled = pin!(token.cancelled());
        let job = match select(next, cancelled).await {
            Either::Left((job, _)) => job,
            Either::Right(((), _)) => break,
        };
        let Some(job) = job else { break };
        work.step(id, job).await;
    }
    work.cleanup(id);
}
