//! Shutdown: it waits for every running and queued job (and runs the queued ones), handles work
//! while it runs and after it returned, and when it returns the pool's tasks are gone.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures::future::join_all;
use probes::Gauge;
use worker_pool::{JobError, Pool};

use crate::support::{
    check, fail, let_others_run, pool_tasks, run_on, wait_until, within, Gate, TURNS,
};

/// Scheduler turns given to the workers after `shutdown` returned, for their last step (a
/// `WaitGroup::done()` as the very last thing a worker does, say).
const GRACE: usize = 3;

pub fn shutdown_runs_every_queued_job_then_returns() {
    // One thread: a shutdown that returns early has returned after a few turns (see `support`).
    run_on(1, async {
        const N: usize = 2;
        const QUEUED: usize = 6;
        let pool = Pool::new(N, QUEUED);
        let running = Gauge::new();
        let ran = Arc::new(AtomicUsize::new(0));
        let gates: Vec<Gate> = (0..N).map(|_| Gate::new()).collect();
        let mut handles = Vec::new();
        for i in 0..N + QUEUED {
            let (entered, ran) = (running.clone(), Arc::clone(&ran));
            let gate = gates.get(i).cloned();
            let job = async move {
                let _running = entered.enter();
                match gate {
                    Some(gate) => gate.pass().await,
                    None => runtime::yield_now().await,
                }
                ran.fetch_add(1, Ordering::SeqCst);
                i
            };
            let Some(handle) = within(pool.submit(job)).await else {
                fail(format!(
                    "Pool::new({N}, {QUEUED}): the submit of job {i} never returned, with {N} \
                     jobs running and {} queued.",
                    i.saturating_sub(N)
                ))
            };
            handles.push(handle);
            if i + 1 == N {
                check!(
                    wait_until(|| running.current() == N).await,
                    "Pool::new({N}, {QUEUED}) with {N} jobs submitted: only {} of them \
                     started.",
                    running.current()
                );
            }
        }

        let shutdown = runtime::spawn(pool.shutdown());
        let_others_run(TURNS).await;
        check!(
            !shutdown.is_finished(),
            "shutdown() returned while {N} jobs were still running and {QUEUED} were waiting in \
             the queue. It must wait: close the queue, let the workers run what is left in it, \
             and return once every worker has ended (await their JoinHandles, or a WaitGroup)."
        );

        // The handles work while shutdown is under way.
        gates[0].open(1);
        let mut handles = handles.into_iter();
        let first = handles.next().expect("the test submitted jobs");
        match within(first).await {
            Some(Ok(0)) => {}
            Some(other) => fail(format!(
                "after shutdown() began, job 0 (running at the time) was let go; its handle gave \
                 {other:?}, expected Ok(0). Jobs already running or queued when shutdown \
                 begins run to the end, and their handles give their results."
            )),
            None => fail(
                "after shutdown() began, job 0 (running at the time) was let go, but its handle \
                 never resolved: shutdown must leave the running jobs and their handles alone."
                    .to_owned(),
            ),
        }
        let_others_run(TURNS).await;
        check!(
            !shutdown.is_finished(),
            "shutdown() returned while job 1 was still running (waiting at a gate)."
        );

        gates[1].open(1);
        let Some(results) = within(join_all(handles)).await else {
            fail(format!(
                "after shutdown() began, jobs 1 to {} never all ended: the queued jobs must still \
                 run.",
                N + QUEUED - 1
            ))
        };
        for (i, result) in (1..).zip(results) {
            let advice = if result == Err(JobError::Dropped) {
                " The job was dropped without running: shutdown must let the workers empty the \
                 queue before they stop (a worker stops when the queue is closed *and* empty — \
                 not at a stop flag it checks before each job, nor by abort())."
            } else {
                ""
            };
            check!(
                result == Ok(i),
                "job {i} was in the queue when shutdown() began; its handle gave {result:?}, \
                 expected Ok({i}).{advice}"
            );
        }
        match within(shutdown).await {
            Some(Ok(())) => {}
            Some(Err(error)) => fail(format!(
                "shutdown() panicked: \"{}\".",
                error.panic_message().unwrap_or("a panic without a message")
            )),
            None => fail(format!(
                "every job had ended, but shutdown() never returned. A worker ends when the \
                 queue is closed and empty: with tokio's mpsc, recv() returns None only once \
                 every Sender is dropped — drop the pool's Sender *before* awaiting the workers \
                 (`let Pool {{ queue, workers }} = self; drop(queue);`), and keep no Sender where \
                 the workers can reach it. Tasks still alive:{}",
                pool_tasks()
            )),
        }
        let ran = ran.load(Ordering::SeqCst);
        check!(
            ran == N + QUEUED,
            "shutdown() returned after {ran} of the {} jobs ran; it must run every job \
             already queued.",
            N + QUEUED
        );
    });
}

pub fn shutdown_leaves_no_task_behind() {
    // One thread: a worker still alive when shutdown returns is alive when the test looks.
    run_on(1, async {
        let tasks_before = runtime::num_tasks();

        // An idle pool.
        let pool = Pool::new(3, 2);
        check!(
            within(pool.shutdown()).await.is_some(),
            "Pool::new(3, 2) with no job at all: shutdown() never returned. The workers are \
             waiting for a job: close the queue so that they stop waiting (drop the Sender), then \
             await them."
        );
        let_others_run(GRACE).await;
        let left = runtime::num_tasks() - tasks_before;
        check!(
            left == 0,
            "Pool::new(3, 2) with no job, then shutdown(): when it returned, {left} task(s) of \
             the pool were still alive. shutdown returns once every worker has ended; a worker \
             still waiting for a job waits on a queue that never closes (a Sender kept alive \
             where the workers can reach it, inside an Arc they share, say). Tasks left:{}",
            pool_tasks()
        );

        // A busy pool whose handles are awaited only after shutdown returned.
        const JOBS: usize = 12;
        let pool = Pool::new(3, 4);
        let ran = Arc::new(AtomicUsize::new(0));
        let mut handles = Vec::new();
        for i in 0..JOBS {
            let ran = Arc::clone(&ran);
            let job = async move {
                for _ in 0..i % 4 {
                    runtime::yield_now().await;
                }
                ran.fetch_add(1, Ordering::SeqCst);
                i * 10
            };
            let Some(handle) = within(pool.submit(job)).await else {
                fail(format!(
                    "Pool::new(3, 4): the submit of job {i} never returned; jobs only yield a \
                     few times and end."
                ))
            };
            handles.push(handle);
        }
        check!(
            within(pool.shutdown()).await.is_some(),
            "Pool::new(3, 4) with {JOBS} short jobs: shutdown() never returned. Tasks still \
             alive:{}",
            pool_tasks()
        );
        let_others_run(GRACE).await;
        let left = runtime::num_tasks() - tasks_before;
        check!(
            left == 0,
            "Pool::new(3, 4) with {JOBS} jobs, then shutdown(): when it returned (and after \
             {GRACE} more turns of the scheduler), {left} task(s) of the pool were still alive. \
             When shutdown returns, no worker is left — a worker still waiting for jobs is \
             usually waiting on a queue that never closes: a Sender kept alive (inside an Arc \
             the workers share, say) keeps recv() waiting for ever. Tasks left:{}",
            pool_tasks()
        );
        let ran = ran.load(Ordering::SeqCst);
        check!(
            ran == JOBS,
            "shutdown() returned after {ran} of the {JOBS} submitted jobs ran; it must run \
             every job already queued."
        );
        for (i, handle) in handles.into_iter().enumerate() {
            let result = within(handle).await;
            check!(
                result == Some(Ok(i * 10)),
                "job {i} returns {}; awaited after shutdown() returned, its handle gave {}. A \
                 handle keeps its job's result for whoever awaits it, however late.",
                i * 10,
                match result {
                    Some(result) => format!("{result:?}"),
                    None => "nothing (it never resolved)".to_owned(),
                }
            );
        }
    });
}
