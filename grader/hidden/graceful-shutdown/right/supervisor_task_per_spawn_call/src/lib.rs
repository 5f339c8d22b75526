// Passes: each spawn call starts one supervisor task that spawns the workers and awaits them; shutdown awaits the supervisors. The wait is futures::future::select(cancelled, next_job), which polls its first argument first.
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;

use futures::future::{select, Either};
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
    supervisors: Vec<JoinHandle<()>>,
}

impl<W: Work> Service<W> {
    pub fn new(work: Arc<W>, token: CancellationToken) -> Self {
        Service {
            work,
            token,
            next_id: 0,
            supervisors: Vec::new(),
        }
    }

    pub fn spawn_workers(&mut self, n: usize) {
        let token = self.token.clone();
        self.supervise(n, token);
    }

    pub fn spawn_group(&mut self, n: usize) -> CancellationToken {
        let group = self.token.child();
        self.supervise(n, group.clone());
        group
    }

    pub async fn shutdown(self) {
        self.token.cancel();
        for supervisor in self.supervisors {
            supervisor.await.expect("a supervisor panicked");
        }
    }

    /// One task that starts the `n` workers and ends once they all have.
    fn supervise(&mut self, n: usize, token: CancellationToken) {
        let first = self.next_id;
        self.next_id += n;
        let work = Arc::clone(&self.work);
        self.supervisors.push(runtime::spawn(async move {
            let workers: Vec<_> = (first..first + n)
                .map(|id| runtime::spawn(worker(Arc::clone(&work), id, token.clone())))
                .collect();
            for worker in workers {
                worker.await.expect("a worker panicked");
            }
        }));
    }
}

async fn worker<W: Work>(work: Arc<W>, id: usize, token: CancellationToken) {
    loop {
        // The cancel is the first argument: polled first, it wins a tie.
        let job = match select(pin!(token.cancelled()), pin!(work.next_job(id))).await {
            Either::Left(((), _)) => break,
            Either::Right((job, _)) => job,
        };
        let Some(job) = job else { break };
        work.step(id, job).await;
    }
    work.cleanup(id);
}
