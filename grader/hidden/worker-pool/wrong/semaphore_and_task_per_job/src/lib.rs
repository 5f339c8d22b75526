// Must fail spawns_exactly_n_worker_tasks: bounds the jobs with two semaphores (workers running, workers + capacity admitted) but runs every job as a task of its own, spawned in submit — no long-lived workers.
use std::any::Any;
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures::channel::oneshot;
use futures::FutureExt;
use tokio::sync::Semaphore;

type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

pub struct Pool {
    /// One permit per job allowed to run.
    running: Arc<Semaphore>,
    /// One permit per job allowed in the pool, running or waiting.
    admitted: Arc<Semaphore>,
    tasks: Mutex<Vec<runtime::JoinHandle<()>>>,
}

impl Pool {
    pub fn new(workers: usize, queue_capacity: usize) -> Pool {
        let workers = workers.max(1);
        Pool {
            running: Arc::new(Semaphore::new(workers)),
            admitted: Arc::new(Semaphore::new(workers + queue_capacity.max(1))),
            tasks: Mutex::new(Vec::new()),
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
        let admitted = Arc::clone(&self.admitted)
            .acquire_owned()
            .await
            .expect("never closed");
        let running = Arc::clone(&self.running);
        let task = runtime::spawn(async move {
            let _turn = running.acquire_owned().await.expect("never closed");
            job.await;
            drop(admitted);
        });
        let mut tasks = self.tasks.lock().expect("never poisoned");
        tasks.retain(|task| !task.is_finished());
        tasks.push(task);
        JobHandle { result }
    }

    pub async fn shutdown(self) {
        let tasks = self.tasks.into_inner().expect("never poisoned");
        for task in tasks {
            let _ = task.await;
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
