// Must fail spawns_exactly_n_worker_tasks: each worker runs its job as a task of its own (runtime::spawn(job).await, to get a panic as a JoinError) — two tasks per running job, and a spawn per job.
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex as StdMutex};
use std::task::{Context, Poll};

use futures::channel::oneshot;
use tokio::sync::{mpsc, Mutex};

type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A job, and what to do if it panics.
struct Entry {
    job: Job,
    on_panic: Box<dyn FnOnce(String) + Send>,
}
type Queue = Arc<Mutex<mpsc::Receiver<Entry>>>;

pub struct Pool {
    queue: mpsc::Sender<Entry>,
    workers: Vec<runtime::JoinHandle<()>>,
}

impl Pool {
    pub fn new(workers: usize, queue_capacity: usize) -> Pool {
        let (queue, jobs) = mpsc::channel(queue_capacity.max(1));
        let jobs: Queue = Arc::new(Mutex::new(jobs));
        let workers = (0..workers.max(1))
            .map(|_| runtime::spawn(work(Arc::clone(&jobs))))
            .collect();
        Pool { queue, workers }
    }

    pub async fn submit<F, T>(&self, job: F) -> JobHandle<T>
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        let (answer, result) = oneshot::channel();
        let answer = Arc::new(StdMutex::new(Some(answer)));
        let on_panic = {
            let answer = Arc::clone(&answer);
            Box::new(move |message: String| {
                if let Some(answer) = answer.lock().expect("never poisoned").take() {
                    let _ = answer.send(Err(JobError::Panicked(message)));
                }
            })
        };
        let job: Job = Box::pin(async move {
            let output = job.await;
            if let Some(answer) = answer.lock().expect("never poisoned").take() {
                let _ = answer.send(Ok(output));
            }
        });
        let _ = self.queue.send(Entry { job, on_panic }).await;
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
        let job = jobs.lock().await.recv().await;
        match job {
            Some(Entry { job, on_panic }) => {
                // Its own task, so that a panic comes back as a JoinError.
                if let Err(error) = runtime::spawn(job).await {
                    on_panic(error.panic_message().unwrap_or("Box<dyn Any>").to_owned());
                }
            }
            None => break,
        }
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
