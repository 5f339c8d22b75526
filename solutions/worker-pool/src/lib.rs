//! # A worker pool — reference solution
//!
//! Go's shape, with Rust's types. One bounded `tokio::sync::mpsc` channel is the queue: its
//! `send().await` waits while the channel is full, which is the backpressure `submit` promises.
//! A `Receiver` can't be cloned, so the `workers` tasks share it behind an async `Mutex` and
//! hold the lock only to *take* a job — never while running one, which would let one worker run
//! at a time.
//!
//! Jobs of every output type travel in one channel, so `submit` erases the type: it wraps the
//! job in an `async` block that runs it under `catch_unwind` and sends the outcome on a oneshot
//! channel of its own, and boxes that block (`Pin<Box<dyn Future<Output = ()> + Send>>`). The
//! job's [`JobHandle`] is the oneshot's receiver. The panic is caught inside the job's own
//! future, so it never reaches the worker's loop: the worker goes on with its next job. A handle
//! dropped early only makes the oneshot's `send` fail, which the job ignores.
//!
//! `shutdown` drops the pool's `Sender`: the channel closes, each worker's `recv()` drains what
//! is left and then returns `None`, and the worker's loop ends. Awaiting the workers'
//! `JoinHandle`s then means every queued job has run and no worker task is left.

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
use tokio::sync::{mpsc, Mutex};

/// A job with its output type erased: what the queue holds. Running it runs the submitted job
/// and delivers its outcome to its handle.
type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// The queue's receiving side, shared by the workers.
type Queue = Arc<Mutex<mpsc::Receiver<Job>>>;

/// A pool of worker tasks on the Tasklings runtime, fed by a bounded queue of jobs.
///
/// Share it by reference (`&Pool`) or in an `Arc` to submit from several tasks at once; it is
/// `Send + Sync`. End it with [`shutdown`](Pool::shutdown).
pub struct Pool {
    queue: mpsc::Sender<Job>,
    workers: Vec<runtime::JoinHandle<()>>,
}

impl Pool {
    /// Starts a pool of `workers` workers (0 counts as 1) whose queue holds up to
    /// `queue_capacity` jobs waiting for a worker (0 counts as 1).
    ///
    /// Spawns exactly `workers` tasks on the current Tasklings runtime, here and now: the
    /// workers. The pool spawns no other task, ever — not one per job, not a helper, not a
    /// replacement for a worker. Each worker takes a job from the queue, runs it to the end
    /// (awaits it), and takes the next one.
    ///
    /// # Panics
    ///
    /// Outside the Tasklings runtime (call it inside `runtime::run`, `Runtime::block_on` or a
    /// task), as `runtime::spawn` does.
    pub fn new(workers: usize, queue_capacity: usize) -> Pool {
        let (queue, jobs) = mpsc::channel(queue_capacity.max(1));
        let jobs: Queue = Arc::new(Mutex::new(jobs));
        let workers = (0..workers.max(1))
            .map(|_| runtime::spawn(work(Arc::clone(&jobs))))
            .collect();
        Pool { queue, workers }
    }

    /// Puts `job` in the queue and returns its handle.
    ///
    /// Returns as soon as the job is in the queue: it doesn't wait for a worker to start it, let
    /// alone finish it. While the queue already holds `queue_capacity` jobs, it waits, and is
    /// woken when a worker takes a job out of the queue (when the job that worker was running has
    /// ended).
    ///
    /// The job runs on one of the workers. Its output, or its panic, comes back through the
    /// handle. Dropping the handle doesn't cancel the job: it runs anyway, and its result is
    /// thrown away.
    ///
    /// Giving up is allowed: if the future of `submit` is dropped before it completes (a caller
    /// that stops waiting for room — a timeout, a `select!`), the job was not submitted and
    /// never runs.
    pub async fn submit<F, T>(&self, job: F) -> JobHandle<T>
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        let (answer, result) = oneshot::channel();
        let job: Job = Box::pin(async move {
            // `AssertUnwindSafe`: after a panic the job's future is dropped, never polled again,
            // so nobody can observe the state it left behind.
            let outcome = AssertUnwindSafe(job)
                .catch_unwind()
                .await
                .map_err(|payload| JobError::Panicked(panic_message(payload.as_ref())));
            // An error here only means the handle was dropped: nobody wants the result.
            let _ = answer.send(outcome);
        });
        // It fails only if every worker is gone while the pool is still in use — their runtime
        // was dropped. The job is dropped with the error, its `answer` with it, and the handle
        // gives `Err(JobError::Dropped)`.
        let _ = self.queue.send(job).await;
        JobHandle { result }
    }

    /// Closes the queue, lets the workers run every job already in it, and returns once every
    /// job has finished and every worker has ended (at most its last step away from ending: a
    /// worker may, say, leave a `WaitGroup` as the last thing it does).
    ///
    /// While jobs are running or queued, it stays pending. Handles keep working while it runs
    /// and after it returned.
    pub async fn shutdown(self) {
        let Pool { queue, workers } = self;
        // Closing first: a worker ends only when `recv()` says the queue is closed *and* empty.
        drop(queue);
        for worker in workers {
            // A worker never panics (jobs' panics are caught inside the jobs); an error would
            // mean its runtime is dropping its tasks, and then there is nothing left to wait for.
            let _ = worker.await;
        }
    }
}

/// One worker: take a job, run it to the end, repeat until the queue is closed and empty.
async fn work(jobs: Queue) {
    loop {
        // The guard is a temporary of this statement: the lock is held while waiting for a job
        // (so that one worker at a time waits at `recv`), and released before the job runs.
        let job = jobs.lock().await.recv().await;
        match job {
            Some(job) => job.await,
            None => break,
        }
    }
}

/// The text of a panic: `panic!("literal")` carries a `&'static str`, `panic!("{x}")` a
/// `String`.
fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "Box<dyn Any>".to_owned()
    }
}

/// The result of one submitted job: a future that resolves to its output, or to the reason it
/// has none. Await it from any task, before, during or after [`Pool::shutdown`].
///
/// Dropping it doesn't cancel the job.
#[must_use = "a job's handle is how you get its result (dropping it doesn't cancel the job)"]
pub struct JobHandle<T> {
    result: oneshot::Receiver<Result<T, JobError>>,
}

impl<T> Future for JobHandle<T> {
    type Output = Result<T, JobError>;

    /// `Ready(Ok(output))` once the job has returned, `Ready(Err(JobError::Panicked(message)))`
    /// once it has panicked; `Pending` (and woken later) while it is queued or running.
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // `Receiver` is `Unpin`, so the handle is too, and `Pin::new` is all it takes.
        Pin::new(&mut self.result).poll(cx).map(|answer| {
            // Canceled: the job's future was dropped unfinished (its runtime dropped its tasks).
            answer.unwrap_or(Err(JobError::Dropped))
        })
    }
}

/// Why a job gave no output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobError {
    /// The job panicked. The text is the panic's message — `panic!("job {i} failed")` carries a
    /// `String`, `panic!("literal")` a `&'static str`; both must come back as written. (A panic
    /// with any other payload, `std::panic::panic_any(42)`, may give any text you choose.)
    Panicked(String),
    /// The job was dropped before it finished, so it never will: its runtime was shut down (or
    /// the pool was dropped by a runtime that then dropped its tasks). A pool that is shut down
    /// with [`Pool::shutdown`] never gives this.
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

/// Fan-out, fan-in through `pool`: submits every job of `jobs`, then gathers their results, in
/// the order of `jobs` (not the order they finish in), a panicked job as its `Err` in its place.
///
/// Every job is submitted before any result is awaited, so the jobs run side by side (up to the
/// pool's `workers` at once). More jobs than the queue holds is fine: `submit` waits for room
/// while the workers go on.
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
