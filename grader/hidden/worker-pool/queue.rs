//! The queue: `submit` returns at once while the queue has room, stays pending while it is full,
//! is woken when a worker takes a job out of it, and submits nothing if it is dropped before it
//! completes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures::future::join_all;
use probes::Gauge;
use worker_pool::{JobHandle, Pool};

use crate::support::{check, fail, let_others_run, run_on, wait_until, within, Gate, TURNS};

/// Polls of the blocked submit, with a turn for every other task between two of them.
const POLLS: usize = 100;

pub fn submit_waits_while_the_queue_is_full() {
    // One thread: between two polls of the blocked submit, every other task gets a turn (see
    // `support`), and no job can end, because every running job waits at its own closed gate.
    run_on(1, async {
        const N: usize = 2;
        const CAPACITY: usize = 3;
        const JOBS: usize = N + CAPACITY + 1;
        let pool = Pool::new(N, CAPACITY);
        let running = Gauge::new();
        let gates: Vec<Gate> = (0..JOBS).map(|_| Gate::new()).collect();
        let job = |i: usize| {
            let (running, gate) = (running.clone(), gates[i].clone());
            async move {
                let _running = running.enter();
                gate.pass().await;
                i
            }
        };
        let mut handles: Vec<JobHandle<usize>> = Vec::new();

        // N jobs, one per worker.
        for i in 0..N {
            let Some(handle) = within(pool.submit(job(i))).await else {
                fail(format!(
                    "Pool::new({N}, {CAPACITY}): the submit of job {i} never returned, with an \
                     empty queue and free workers."
                ))
            };
            handles.push(handle);
        }
        check!(
            wait_until(|| running.current() == N).await,
            "Pool::new({N}, {CAPACITY}) with {N} jobs submitted: only {} of them started. \
             {N} workers run {N} jobs at once.",
            running.current()
        );

        // Then CAPACITY jobs: the queue has room for each, so submit returns without waiting.
        for i in N..N + CAPACITY {
            let Some(handle) = within(pool.submit(job(i))).await else {
                fail(format!(
                    "Pool::new({N}, {CAPACITY}): with both workers busy and {} of the queue's \
                     {CAPACITY} places taken, submit of job {i} never returned. While the queue \
                     has room, submit puts the job in it and returns at once — it doesn't wait \
                     for a worker to take the job, start it or finish it.",
                    i - N
                ))
            };
            handles.push(handle);
        }

        // The queue is full and no job can end: one more submit must stay pending.
        let last = JOBS - 1;
        let mut blocked = Box::pin(pool.submit(job(last)));
        for poll in 1..=POLLS {
            if futures::poll!(&mut blocked).is_ready() {
                fail(format!(
                    "Pool::new({N}, {CAPACITY}): with {N} jobs running (each waiting at a gate \
                     the test keeps closed) and {CAPACITY} jobs in the queue, the submit of job \
                     {last} completed (at its poll number {poll}). The queue holds at most \
                     queue_capacity = {CAPACITY} jobs: submit must wait while it is full — \
                     that's the backpressure that keeps a fast producer from piling up jobs. An \
                     unbounded channel never waits; tokio's mpsc::channel(n) holds exactly n."
                ));
            }
            let_others_run(1).await;
        }
        check!(
            running.total() == N,
            "while the queue was full, {} jobs had started, but only {N} workers were free.",
            running.total()
        );

        // Job 0 ends; its worker takes job N from the queue, and a place frees.
        gates[0].open(1);
        let Some(handle) = within(blocked).await else {
            fail(format!(
                "Pool::new({N}, {CAPACITY}): job 0 ended, so its worker took job {N} out of the \
                 full queue — but the submit of job {last}, which was waiting for that place, \
                 never completed. It must be woken when a place frees: wait on something that \
                 wakes you (a bounded channel's send().await, a semaphore's acquire().await), \
                 not a flag you check once."
            ))
        };
        handles.push(handle);

        for gate in &gates {
            gate.open(1);
        }
        let Some(results) = within(join_all(handles)).await else {
            fail(format!(
                "once every gate was open, not every handle of the {JOBS} jobs resolved."
            ))
        };
        for (i, result) in results.into_iter().enumerate() {
            check!(
                result == Ok(i),
                "job {i} returns {i}; its handle gave {result:?}."
            );
        }
        check!(
            within(pool.shutdown()).await.is_some(),
            "shutdown() never returned after every job had ended."
        );
    });
}

pub fn a_submit_given_up_submits_nothing() {
    // One thread: the given-up submit is polled while the queue is full, and no job can end.
    run_on(1, async {
        let pool = Pool::new(1, 1);
        let started: Vec<Arc<AtomicBool>> = (0..3).map(|_| Arc::default()).collect();
        let gate = Gate::new();
        let job = |i: usize| {
            let (started, gate) = (Arc::clone(&started[i]), gate.clone());
            async move {
                started.store(true, Ordering::SeqCst);
                if i == 0 {
                    gate.pass().await;
                }
                i
            }
        };
        let Some(running) = within(pool.submit(job(0))).await else {
            fail("Pool::new(1, 1): the submit of job 0 never returned.".to_owned())
        };
        check!(
            wait_until(|| started[0].load(Ordering::SeqCst)).await,
            "Pool::new(1, 1): job 0 was submitted but never started."
        );
        let Some(queued) = within(pool.submit(job(1))).await else {
            fail(
                "Pool::new(1, 1): with job 0 running, the submit of job 1 never returned \
                 although the queue had room for it."
                    .to_owned(),
            )
        };

        // The queue is full: job 2's submit waits for room, and its caller gives up.
        let mut given_up = Box::pin(pool.submit(job(2)));
        for _ in 0..TURNS {
            check!(
                futures::poll!(&mut given_up).is_pending(),
                "Pool::new(1, 1): with job 0 running and job 1 in the queue, the submit of job 2 \
                 completed: the queue holds at most queue_capacity = 1 job."
            );
            let_others_run(1).await;
        }
        drop(given_up);

        gate.open(1);
        let results = within(futures::future::join(running, queued)).await;
        check!(
            results == Some((Ok(0), Ok(1))),
            "jobs 0 and 1 return 0 and 1; their handles gave {results:?}."
        );
        check!(
            within(pool.shutdown()).await.is_some(),
            "shutdown() never returned after every job had ended."
        );
        check!(
            !started[2].load(Ordering::SeqCst),
            "Pool::new(1, 1): the submit of job 2 waited for room (job 0 running, job 1 queued) \
             and was dropped before it completed — a caller that gives up waiting, as a timeout \
             does — yet job 2 ran. A submit that never completed must leave no job behind: \
             wait for room first and put the job in the queue only then (tokio's mpsc \
             send().await, or a semaphore permit acquired before pushing, do that). futures' \
             mpsc send() puts the job in the channel first and then waits — every Sender may \
             go one beyond the buffer — so the job is queued already when the caller gives up."
        );
    });
}
