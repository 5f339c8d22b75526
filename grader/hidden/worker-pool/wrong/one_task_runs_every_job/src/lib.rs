// Must fail spawns_exactly_n_worker_tasks: one task takes jobs from the queue and runs up to N of them at once inside a FuturesUnordered — concurrent, but one task (so one thread at a time), not N workers.
use std::any::Any;
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::channel::oneshot;
use futures::stream::{FuturesUnordered, StreamExt};
use futures::FutureExt;
use tokio::sync::mpsc;

type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

pub struct Pool {
    queue: mpsc::Sender<Job>,
    runner: runtime::JoinHandle<()>,
}

impl Pool {
    pub fn new(workers: usize, queue_capacity: usize) -> Pool {
        let (queue, jobs) = mpsc::channel(queue_capacity.max(1));
        let runner = runtime::spawn(run_jobs(jobs, workers.max(1)));
        Pool { queue, runner }
    }

    pub async fn submit<F, T>(&self, job: F) -> JobHandle<T>
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        let (answer, result) = oneshot::channel();
        let job: Job = Box::pin(async move {
            let outcome = AssertUnwindSafe(job)
                .catch_unwind()
                .await
                .map_err(|payload| JobError::Panicked(panic_message(payload.as_ref())));
            let _ = answer.send(outcome);
        });
        let _ = self.queue.send(job).await;
        JobHandle { result }
    }

    pub async fn shutdown(self) {
        let Pool { queue, runner } = self;
        drop(queue);
        let _ = runner.await;
    }
}

/// Keeps up to `limit` jobs in flight, taking new ones from the queue as running ones end.
async fn run_jobs(mut jobs: mpsc::Receiver<Job>, limit: usize) {
    let mut running = FuturesUnordered::new();
    let mut open = true;
    std::future::poll_fn(|cx| loop {
        let mut progressed = false;
        while open && running.len() < limit {
            match jobs.poll_recv(cx) {
                Poll::Ready(Some(job)) => {
                    running.push(job);
                    progressed = true;
                }
                Poll::Ready(None) => open = false,
                Poll::Pending => break,
            }
        }
        if let Poll::Ready(Some(())) = running.poll_next_unpin(cx) {
            progressed = true;
        }
        if !open && running.is_empty() {
            return Poll::Ready(());
        }
        if !progressed {
            return Poll::Pending;
        }
    })
    .await
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "Box<dyn Any>".to_owned()
    }
}

pub struct JobHandle<T> {
    result: oneshot::Receiver<Result<T, JobError>>,
}

impl<T> Future for JobHandle<T> {
    type Output = Result<T, JobError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.result)
            .poll(cx)
            .map(|answer| answer.unwrap_or(Err(JobError::Dropped)))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobError {
    Panicked(String),
    Dropped,
}

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JobError::Panicked(message) => write!(f, "the job panicked: {message}"),
            JobError::Dropped => f.write_str("the job was dropped before it finished"),
        }
    }
}

impl Error for JobError {}

pub async fn run_all<F, T>(pool: &Pool, jobs: Vec<F>) -> Vec<Result<T, JobError>>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let mut handles = Vec::with_capacity(jobs.len());
    for job in jobs {
        handles.push(pool.submit(job).await);
    }
    let mut results = Vec::with_capacity(handles.len());
    for handle in handles {
        results.push(handle.await);
    }
    results
}
