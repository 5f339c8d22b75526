//! The shape the grader relies on, checked at compile time (nothing here runs the pool, so this
//! passes on the unsolved starter): the pool can be shared between tasks, and every future it
//! makes is `Send`, so a task can own it — `runtime::spawn` requires that.
//!
//! If this stops compiling with "implementation of `FnOnce` is not general enough" or "one type
//! is more general than the other", that is a known limitation of rustc, not a mistake in your
//! logic: a future made inside a closure (an `async move` block in `.then(…)`, `.map(…)`,
//! `for_each`) borrows a local of the enclosing function (a limiter, a client, `fetch`), and the
//! compiler can't prove that future `Send` for every lifetime the closure could be called with.
//! The way round it: clone an `Arc` of the shared thing before each `async move` block and move
//! the clone in, so each future owns what it uses; boxing the future alone often doesn't help.
//! `cargo grade run` explains the same error the same way.

use std::future::Future;
use std::sync::Arc;

use worker_pool::{run_all, JobError, JobHandle, Pool};

fn shareable<T: Send + Sync + 'static>() {}
fn spawnable<F: Future + Send + 'static>(_: &F) {}
fn sendable<F: Future + Send>(_: &F) {}
fn plain_error<E: std::error::Error + Clone + Eq + Send + Sync + 'static>() {}

#[test]
fn a_pool_can_be_shared_between_tasks() {
    shareable::<Pool>();
    shareable::<Arc<Pool>>();
}

#[test]
fn a_handle_is_a_future_that_a_task_can_own() {
    fn handle<T: Send + 'static>()
    where
        JobHandle<T>: Future<Output = Result<T, JobError>> + Send + 'static,
    {
    }
    handle::<u64>();
    handle::<String>();
    handle::<Vec<Box<dyn std::any::Any + Send>>>();
}

#[test]
fn a_job_error_is_a_plain_error_value() {
    plain_error::<JobError>();
    let error = JobError::Panicked("job 3 failed".to_owned());
    assert_eq!(error.to_string(), "the job panicked: job 3 failed");
}

/// Never called: it only has to compile. Creating these futures runs none of their code.
#[allow(dead_code)]
fn every_future_is_send(pool: Pool, shared: Arc<Pool>) {
    let submit = pool.submit(async { 7_u64 });
    sendable(&submit);
    drop(submit);
    // One job type for the whole batch: the jobs come from one `async` block, made per item.
    let jobs: Vec<_> = (0..3_u8).map(|i| async move { i * 2 }).collect();
    let all = run_all(&pool, jobs);
    sendable(&all);
    drop(all);
    // A task that owns a shared pool can submit and await.
    let task = async move {
        let handle = shared.submit(async { String::from("done") }).await;
        handle.await
    };
    spawnable(&task);
    spawnable(&pool.shutdown());
}
