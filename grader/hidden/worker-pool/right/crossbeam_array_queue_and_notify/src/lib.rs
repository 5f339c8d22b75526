// Passes: the queue is crossbeam's lock-free ArrayQueue (bounded MPMC), with tokio Notify for "a job is there" and "a place is free", a closed flag for shutdown, no lock anywhere on the queue; run_all gathers through a FuturesOrdered.
use std::any::Any;
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use crossbeam::queue::ArrayQueue;
use futures::stream::{FuturesOrdered, StreamExt};
use futures::FutureExt;
use tokio::sync::{oneshot, Notify};

type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

struct Shared {
    jobs: ArrayQueue<Job>,
    /// Set by shutdown: workers end once the queue is also empty.
    closed: AtomicBool,
    /// A job was pushed (notify_one), or the queue closed (notify_waiters).
    job_ready: Notify,
    /// A job was taken out of the queue.
    place_free: Notify,
}

pub struct Pool {
    shared: Arc<Shared>,
    workers: Vec<runtime::JoinHandle<()>>,
}

impl Pool {
    pub fn new(workers: usize, queue_capacity: usize) -> Pool {
        let shared = Arc::new(Shared {
            jobs: ArrayQueue::new(queue_capacity.max(1)),
            closed: AtomicBool::new(false),
            job_ready: Notify::new(),
            place_free: Notify::new(),
        });
        let workers = (0..workers.max(1))
            .map(|_| runtime::spawn(work(Arc::clone(&shared))))
            .collect();
        Pool { shared, workers }
    }

    pub async fn submit<F, T>(&self, job: F) -> JobHandle<T>
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        let (answer, result) = oneshot::channel();
        let mut job: Job = Box::pin(async move {
            let outcome = AssertUnwindSafe(job)
                .catch_unwind()
                .await
                .map_err(|payload| JobError::Panicked(panic_message(payload.as_ref())));
            let _ = answer.send(outcome);
        });
        loop {
            // Registered before the attempt, so a place freed in between still wakes us.
            let mut place = pin!(self.shared.place_free.notified());
            place.as_mut().enable();
            match self.shared.jobs.push(job) {
                Ok(()) => {
                    self.shared.job_ready.notify_one();
                    return JobHandle { result };
                }
                Err(full) => {
                    // Still ours: if this future is dropped now, the job goes with it.
                    job = full;
                    place.await;
                }
            }
        }
    }

    pub async fn shutdown(self) {
        self.shared.closed.store(true, Ordering::SeqCst);
        self.shared.job_ready.notify_waiters();
        for worker in self.workers {
            let _ = worker.await;
        }
    }
}

async fn work(shared: Arc<Shared>) {
    loop {
        // Registered before looking, so a push or the close in between still wakes us.
        let mut ready = pin!(shared.job_ready.notified());
        ready.as_mut().enable();
        if let Some(job) = shared.jobs.pop() {
            shared.place_free.notify_one();
            job.await;
            continue;
        }
        if shared.closed.load(Ordering::SeqCst) {
            // No push can follow the close (shutdown owns the pool): empty now is empty for good.
            if shared.jobs.is_empty() {
                return;
            }
            continue;
        }
        ready.await;
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
    let mut handles = FuturesOrdered::new();
    for job in jobs {
        handles.push_back(pool.submit(job).await);
    }
    handles.collect().await
}
