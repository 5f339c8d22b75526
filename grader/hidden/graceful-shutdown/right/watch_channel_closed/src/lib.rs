// Passes: waits for the workers with a tokio watch channel (each worker holds a Receiver; shutdown awaits Sender::closed()), and checks is_cancelled() before each wait as well.
use std::future::Future;
use std::sync::Arc;

use runtime::CancellationToken;
use tokio::sync::watch;

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
    /// Every worker holds a receiver until its task's future is gone: `closed()` resolves when
    /// none is left (Go: a channel closed when the last worker is done).
    alive: watch::Sender<()>,
}

impl<W: Work> Service<W> {
    pub fn new(work: Arc<W>, token: CancellationToken) -> Self {
        let (alive, _) = watch::channel(());
        Service {
            work,
            token,
            next_id: 0,
            alive,
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
        self.alive.closed().await;
    }

    fn spawn_with(&mut self, n: usize, token: &CancellationToken) {
        for _ in 0..n {
            let id = self.next_id;
            self.next_id += 1;
            let receiver = self.alive.subscribe();
            let (work, token) = (Arc::clone(&self.work), token.clone());
            drop(runtime::spawn(async move {
                let _alive = receiver;
                worker(&*work, id, &token).await;
            }));
        }
    }
}

async fn worker<W: Work>(work: &W, id: usize, token: &CancellationToken) {
    while !token.is_cancelled() {
        let job = tokio::select! {
            biased;
            () = token.cancelled() => None,
            job = work.next_job(id) => job,
        };
        match job {
            Some(job) => work.step(id, job).await,
            None => break,
        }
    }
    work.cleanup(id);
}
