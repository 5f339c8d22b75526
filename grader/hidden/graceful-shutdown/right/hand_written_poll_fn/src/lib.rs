// Passes: the wait for a job is a hand-written poll_fn that looks at the token before it polls next_job; the step loop is a while-let.
use std::future::Future;
use std::sync::Arc;

use runtime::{CancellationToken, JoinHandle};
use std::pin::pin;
use std::task::Poll;

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

/// The next job, or `None` when the token is cancelled (checked first) or the queue closed.
async fn next_unless_cancelled<W: Work>(
    work: &W,
    id: usize,
    token: &CancellationToken,
) -> Option<W::Job> {
    let mut cancelled = pin!(token.cancelled());
    let mut next = pin!(work.next_job(id));
    futures::future::poll_fn(|cx| {
        if cancelled.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        next.as_mut().poll(cx)
    })
    .await
}

async fn worker<W: Work>(work: Arc<W>, id: usize, token: CancellationToken) {
    while let Some(job) = next_unless_cancelled(&*work, id, &token).await {
        work.step(id, job).await;
    }
    work.cleanup(id);
}
