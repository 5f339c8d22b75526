// Must fail never_runs_more_than_n_jobs_at_once: spawns a task per job in submit, so every submitted job runs at once — no workers, no queue, no bound.
use std::any::Any;
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};

use futures::channel::oneshot;
use futures::FutureExt;

type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

pub struct Pool {
    tasks: Mutex<Vec<runtime::JoinHandle<()>>>,
}

impl Pool {
    pub fn new(workers: usize, queue_capacity: usize) -> Pool {
        // Tasks are cheap: one per job, no need for workers or a queue.
        let _ = (workers, queue_capacity);
        Pool {
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
        let task = runtime::spawn(job);
        self.tasks.lock().expect("never poisoned").push(task);
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
