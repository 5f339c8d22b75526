//! # Graceful shutdown
//!
//! Read the chapter first: `book/src/leaks-cancellation.md` (its last section is this exercise).
//! Then grade your work with `cargo grade run graceful-shutdown`; `cargo grade hint
//! graceful-shutdown` gives the next hint.
//!
//! A [`Service`] runs **workers**: tasks on the Tasklings runtime, each a loop that takes a job
//! from a queue and does it, one *step* per job. What the jobs are, where they come from and how
//! a worker releases what it holds is the [`Work`] the service is given (the grader brings its
//! own, which logs every call). A `CancellationToken` — Go's `context` — stops the service:
//! stopping **gracefully** means that nothing is cut off half-way and nothing is left behind.
//!
//! ## What a worker does
//!
//! Worker `id` repeats, until it stops:
//!
//! 1. if its token is cancelled, it stops;
//! 2. otherwise it waits for [`Work::next_job`]`(id)` **and for the cancel at the same time**
//!    (a worker waiting for a job must notice a cancel, even when no job ever comes). If the
//!    cancel comes first — or both are ready at once — it stops without taking a job; if
//!    `next_job` gives `None` (the queue is closed), it stops;
//! 3. with `Some(job)` it runs [`Work::step`]`(id, job)` **to its end** — a step that has started
//!    is finished, even when the cancel comes in the middle of it (the step is never raced
//!    against the token) — and goes back to 1.
//!
//! When it stops, for whatever reason, it calls [`Work::cleanup`]`(id)` — **exactly once**, after
//! its last step has ended — and its task ends. That includes a worker whose token was
//! cancelled before it ever ran, or even before it was spawned: it takes no job, and still
//! cleans up once.
//!
//! Workers are numbered `0, 1, 2, …` in the order they are spawned, across every call of
//! [`Service::spawn_workers`] and [`Service::spawn_group`] on the same service.
//!
//! ## The rules the grader checks
//!
//! - **No step starts after the cancel**: from the moment `cancel()` returns, no worker of that
//!   token takes a job from `next_job` or starts a step. (The grader cancels only while every
//!   worker waits at an `.await` — for a job, in the middle of a step, or not yet started — so
//!   there is no race to lose.) When a step ends and the next job is already waiting, the token
//!   must win.
//! - **In-flight steps are finished**, not dropped.
//! - **Cleanup exactly once per worker**: not zero times (a worker cancelled before its first
//!   job, or whose queue closed), not twice.
//! - **Groups**: [`Service::spawn_group`] starts workers with a token of their own, a child of the
//!   service's token. Cancelling it stops that group only; cancelling the service's token stops
//!   every worker, groups included.
//! - **[`Service::shutdown`] returns only once every worker has ended**: every step finished,
//!   every cleanup done, and every task the service spawned ended — `runtime::num_tasks()` is
//!   back where it was before the service spawned anything.
//!
//! ## How the grader can tell, on every run
//!
//! The grader's [`Work`] keeps a log of every job taken, every step's start and end, every
//! cleanup, and of the moment it cancels a token; each job carries a token that counts it as in
//! flight until it is dropped. Its steps wait at gates the grader opens, so it decides what every
//! worker is doing when the cancel comes: waiting for a job, in the middle of a step, or not even
//! started yet. It runs the service on a runtime with **one worker thread** and
//! `TASKLINGS_LAZY_SPAWN=1` (a task you spawn starts only once the spawning task waits at an
//! `.await`), so the order in which tasks run is the same on every run and every machine. A
//! worker that doesn't notice a cancel, or a `shutdown` that never returns, is given two seconds
//! and then reported with the tasks still alive (`runtime::dump()`). When a step ends with the
//! next job ready and the token cancelled, a worker that picks between the two at random (an
//! unbiased `select!`) is caught too: thirty-two workers make that choice at once, and all of
//! them picking the cancel by luck is a one-in-four-billion chance.
//!
//! Keep the names and signatures of the public items exactly as they are; add any fields and
//! private helpers you like. The grader spawns and awaits [`Service::shutdown`], so its future
//! must be `Send` (`tests/send.rs` checks that). `runtime` (`spawn`, `JoinHandle`, `WaitGroup`,
//! `CancellationToken`), tokio (`tokio::select!` runs on any runtime, and so does its `sync`
//! module), futures, rayon and crossbeam are available.

use std::future::Future;
use std::sync::Arc;

use runtime::CancellationToken;

/// What the workers do: where jobs come from, what a step is, what a worker releases when it
/// stops. The grader implements it; you only call it.
pub trait Work: Send + Sync + 'static {
    /// One unit of work.
    type Job: Send + 'static;

    /// Waits for the next job for worker `worker`: `Some(job)`, or `None` once the queue is
    /// closed and empty. While the queue is open and empty it stays pending, possibly forever.
    ///
    /// **Cancel-safe**: dropping this future before it completes loses no job — a job is taken
    /// only when the future completes with it.
    fn next_job(&self, worker: usize) -> impl Future<Output = Option<Self::Job>> + Send;

    /// Does one job (one *step* of worker `worker`).
    ///
    /// **Not cancel-safe**: once started, await it to its end. Dropping it half-way loses the job.
    fn step(&self, worker: usize, job: Self::Job) -> impl Future<Output = ()> + Send;

    /// Releases what worker `worker` holds (its connection, its buffers). Call it exactly once
    /// per worker, when the worker stops, after its last step has ended.
    fn cleanup(&self, worker: usize);
}

/// A set of workers running [`Work`] until a [`CancellationToken`] stops them.
pub struct Service<W: Work> {
    /// What the workers do, shared by all of them.
    work: Arc<W>,
    /// The service's token: cancelling it (or [`Service::shutdown`]) stops every worker.
    token: CancellationToken,
    /// The number the next worker spawned gets.
    next_id: usize,
    // Add what you need to know when every worker has ended (their `JoinHandle`s, say).
}

impl<W: Work> Service<W> {
    /// A service with no workers yet, stopped when `token` is cancelled (by anyone: the caller
    /// may keep a clone of it and cancel it, like a Go `context`) or by [`Service::shutdown`].
    pub fn new(work: Arc<W>, token: CancellationToken) -> Self {
        Service {
            work,
            token,
            next_id: 0,
        }
    }

    /// Spawns `n` workers as tasks on the current Tasklings runtime (call it inside the runtime),
    /// numbered on from the last worker spawned (the first call of a new service: `0..n`). They
    /// stop when the service's token is cancelled, or when `next_job` gives `None`.
    pub fn spawn_workers(&mut self, n: usize) {
        let _ = (&self.work, &self.token, self.next_id);
        todo!("spawn {n} worker tasks, each looping: cancel or next job, then the step")
    }

    /// Spawns `n` workers, numbered on like [`Service::spawn_workers`]'s, that stop when the
    /// returned token is cancelled — a **child** of the service's token, so cancelling the
    /// service's token (or `shutdown`) stops them too, but cancelling the returned token stops
    /// these `n` workers only (they clean up as usual). [`Service::shutdown`] waits for them as
    /// for every other worker.
    pub fn spawn_group(&mut self, n: usize) -> CancellationToken {
        todo!("spawn {n} workers that watch a child of the service's token, and return it")
    }

    /// Cancels the service's token, which stops every worker (groups included), and returns
    /// once every worker the service spawned has ended: its last step finished, its cleanup
    /// done, its task over. Call it inside the runtime; its future is `Send`.
    pub async fn shutdown(self) {
        todo!("cancel the token, then wait for every worker's task to end")
    }
}
