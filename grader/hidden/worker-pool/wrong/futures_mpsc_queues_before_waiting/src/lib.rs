// Must fail a_submit_given_up_submits_nothing: futures' mpsc Sender::send puts the job in the channel first and only then waits for room (a Sender may go one beyond the buffer), so a submit dropped while it waits has already queued its job, which runs.
use std::any::Any;
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::channel::oneshot;
use futures::FutureExt;
use futures::channel::mpsc;
use futures::{SinkExt, StreamExt};
use tokio::sync::Mutex;

type Job = Pin<Box<dyn Future<Output = ()> + Send>>;
type Queue = Arc<Mutex<mpsc::Receiver<Job>>>;

pub struct Pool {
    // futures' Sender::send needs `&mut`: one Sender, behind a lock.
    queue: Mutex<mpsc::Sender<Job>>,
    workers: Vec<runtime::JoinHandle<()>>,
}

impl Pool {
    pub fn new(workers: usize, queue_capacity: usize) -> Pool {
        let (queue, jobs) = mpsc::channel(queue_capacity.max(1));
        let jobs: Queue = Arc::new(Mutex::new(jobs));
        let workers = (0..workers.max(1))
            .map(|_| runtime::spawn(work(Arc::clone(&jobs))))
            .collect();
        Pool {
            queue: Mutex::new(queue),
            workers,
        }
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
        let _ = self.queue.lock().await.send(job).await;
        JobHandle { result }
    }

    pub async fn shutdown(self) {
        let Pool { queue, workers } = self;
        drop(queue);
        for worker in workers {
            let _ = worker.await;
        }
    }
}

async fn work(jobs: Queue) {
    loop {
        let job = jobs.lock().await.next().await;
        match job {
            Some(job) => job.await,
            None => break,
        }
    }
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
