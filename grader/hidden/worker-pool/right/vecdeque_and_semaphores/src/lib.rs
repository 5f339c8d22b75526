// Passes: the queue is a std Mutex<VecDeque> with two semaphores (free places, queued entries), shutdown queues one stop entry per worker behind the jobs, and a handle is a hand-written future over a shared slot (result + waker) instead of a oneshot channel.
use std::any::Any;
use std::collections::VecDeque;
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use futures::FutureExt;
use tokio::sync::Semaphore;

type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

enum Entry {
    Job(Job),
    /// Queued by shutdown behind every job: the worker that takes it ends.
    Stop,
}

struct Queue {
    entries: Mutex<VecDeque<Entry>>,
    /// Free places for jobs: queue_capacity permits.
    free: Semaphore,
    /// One permit per entry in `entries`.
    queued: Semaphore,
}

impl Queue {
    fn push(&self, entry: Entry) {
        self.entries
            .lock()
            .expect("never poisoned")
            .push_back(entry);
        self.queued.add_permits(1);
    }

    async fn take(&self) -> Entry {
        self.queued
            .acquire()
            .await
            .expect("never closed")
            .forget();
        let entry = self
            .entries
            .lock()
            .expect("never poisoned")
            .pop_front()
            .expect("a permit per entry");
        if let Entry::Job(_) = entry {
            // Its place in the queue is free again.
            self.free.add_permits(1);
        }
        entry
    }
}

pub struct Pool {
    queue: Arc<Queue>,
    workers: Vec<runtime::JoinHandle<()>>,
}

impl Pool {
    pub fn new(workers: usize, queue_capacity: usize) -> Pool {
        let queue = Arc::new(Queue {
            entries: Mutex::new(VecDeque::new()),
            free: Semaphore::new(queue_capacity.max(1)),
            queued: Semaphore::new(0),
        });
        let workers = (0..workers.max(1))
            .map(|_| runtime::spawn(work(Arc::clone(&queue))))
            .collect();
        Pool { queue, workers }
    }

    pub async fn submit<F, T>(&self, job: F) -> JobHandle<T>
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        // A place first: dropped while waiting here, the submit has queued nothing.
        self.queue
            .free
            .acquire()
            .await
            .expect("never closed")
            .forget();
        let slot = Arc::new(Mutex::new(Slot {
            result: None,
            answered: false,
            waker: None,
        }));
        let answer = Answer {
            slot: Arc::clone(&slot),
        };
        let job: Job = Box::pin(async move {
            let outcome = AssertUnwindSafe(job)
                .catch_unwind()
                .await
                .map_err(|payload| JobError::Panicked(panic_message(payload.as_ref())));
            answer.send(outcome);
        });
        self.queue.push(Entry::Job(job));
        JobHandle { slot }
    }

    pub async fn shutdown(self) {
        for _ in &self.workers {
            self.queue.push(Entry::Stop);
        }
        for worker in self.workers {
            let _ = worker.await;
        }
    }
}

async fn work(queue: Arc<Queue>) {
    while let Entry::Job(job) = queue.take().await {
        job.await;
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

struct Slot<T> {
    result: Option<Result<T, JobError>>,
    /// The job's Answer is gone (after setting `result`, or without: the job was dropped).
    answered: bool,
    waker: Option<Waker>,
}

/// The job's side of its slot. Dropped — after answering, or unfinished — it marks the slot
/// answered and wakes the handle, which then finds the result, or none: the job was dropped.
struct Answer<T> {
    slot: Arc<Mutex<Slot<T>>>,
}

impl<T> Answer<T> {
    fn send(self, outcome: Result<T, JobError>) {
        self.slot.lock().expect("never poisoned").result = Some(outcome);
    }
}

impl<T> Drop for Answer<T> {
    fn drop(&mut self) {
        let waker = {
            let mut slot = self.slot.lock().expect("never poisoned");
            slot.answered = true;
            slot.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

pub struct JobHandle<T> {
    slot: Arc<Mutex<Slot<T>>>,
}

impl<T> Future for JobHandle<T> {
    type Output = Result<T, JobError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut slot = self.slot.lock().expect("never poisoned");
        if let Some(result) = slot.result.take() {
            return Poll::Ready(result);
        }
        // Answered with no result: the job was dropped unfinished. (Both sides look under the
        // lock: either the Answer finds this waker, or this finds the slot answered.)
        if slot.answered {
            return Poll::Ready(Err(JobError::Dropped));
        }
        slot.waker = Some(cx.waker().clone());
        Poll::Pending
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
