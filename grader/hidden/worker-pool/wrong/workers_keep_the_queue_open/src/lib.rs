// Must fail shutdown_leaves_no_task_behind: the workers share one Arc that holds the queue's Sender too, so the queue never closes; shutdown waits until every job is done and returns, leaving every worker waiting for a job for ever.
use std::any::Any;
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::channel::oneshot;
use futures::FutureExt;
use tokio::sync::{mpsc, Mutex, Notify};

type Job = Pin<Box<dyn Future<Output = ()> + Send>>;
/// Everything the pool and its workers share.
struct Shared {
    queue: mpsc::Sender<Job>,
    jobs: Mutex<mpsc::Receiver<Job>>,
    /// Jobs submitted and not yet finished.
    unfinished: AtomicUsize,
    /// Notified when `unfinished` drops to zero.
    all_done: Notify,
}

pub struct Pool {
    shared: Arc<Shared>,
}

impl Pool {
    pub fn new(workers: usize, queue_capacity: usize) -> Pool {
        let (queue, jobs) = mpsc::channel(queue_capacity.max(1));
        let shared = Arc::new(Shared {
            queue,
            jobs: Mutex::new(jobs),
            unfinished: AtomicUsize::new(0),
            all_done: Notify::new(),
        });
        for _ in 0..workers.max(1) {
            drop(runtime::spawn(work(Arc::clone(&shared))));
        }
        Pool { shared }
    }

    pub async fn submit<F, T>(&self, job: F) -> JobHandle<T>
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        let (answer, result) = oneshot::channel();
        let shared = Arc::clone(&self.shared);
        shared.unfinished.fetch_add(1, Ordering::SeqCst);
        let job: Job = Box::pin(async move {
            let outcome = AssertUnwindSafe(job)
                .catch_unwind()
                .await
                .map_err(|payload| JobError::Panicked(panic_message(payload.as_ref())));
            let _ = answer.send(outcome);
            if shared.unfinished.fetch_sub(1, Ordering::SeqCst) == 1 {
                shared.all_done.notify_waiters();
            }
        });
        let _ = self.shared.queue.send(job).await;
        JobHandle { result }
    }

    pub async fn shutdown(self) {
        loop {
            // Created before the check: notify_waiters() reaches it from then on.
            let all_done = self.shared.all_done.notified();
            if self.shared.unfinished.load(Ordering::SeqCst) == 0 {
                return;
            }
            all_done.await;
        }
    }
}

async fn work(shared: Arc<Shared>) {
    loop {
        let job = shared.jobs.lock().await.recv().await;
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
