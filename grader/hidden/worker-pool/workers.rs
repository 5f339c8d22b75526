//! The workers: N jobs at once and never more, exactly N worker tasks that outlive their jobs'
//! panics and their jobs' dropped handles.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures::future::join_all;
use probes::{Gauge, Rendezvous};
use worker_pool::Pool;

use crate::support::{
    check, fail, let_others_run, pool_tasks, run_on, wait_until, within, Gate, PATIENCE, TURNS,
};

pub fn runs_n_jobs_at_once() {
    run_on(2, async {
        const N: usize = 4;
        let pool = Pool::new(N, 16);
        // Each job waits until all N are running: a pool that runs fewer at once leaves the
        // first one waiting, and the rendezvous gives up after PATIENCE.
        let together = Rendezvous::new(N, PATIENCE);
        let mut handles = Vec::new();
        for _ in 0..N {
            let together = together.clone();
            let Some(handle) = within(pool.submit(async move { together.arrive_async().await }))
                .await
            else {
                fail(format!(
                    "Pool::new({N}, 16): a submit never returned although the queue had room."
                ))
            };
            handles.push(handle);
        }
        let results = within(join_all(handles)).await;
        check!(
            together.reached(),
            "Pool::new({N}, 16) with {N} jobs submitted, each waiting until all {N} are running: \
             at most {} ran at once, so the first one waited {} ms in vain. A pool of {N} \
             workers runs {N} jobs at once. The usual cause: a worker that keeps the queue's lock \
             while it runs its job (`let mut queue = jobs.lock().await; while let Some(job) = \
             queue.recv().await {{ job.await }}` — the guard lives as long as the loop), so the \
             other workers wait for the lock. Take the job under the lock, let the guard go, then \
             run it. Or: fewer than {N} workers.",
            together.max_together(),
            PATIENCE.as_millis()
        );
        check!(
            results.is_some(),
            "the {N} jobs all ran at once, but not every handle resolved."
        );
        check!(
            within(pool.shutdown()).await.is_some(),
            "shutdown() never returned after every job had ended."
        );
    });
}

pub fn never_runs_more_than_n_jobs_at_once() {
    // One thread: every job that can start has started after a few turns (see `support`).
    run_on(1, async {
        const N: usize = 3;
        const JOBS: usize = 40;
        let pool = Pool::new(N, 64);
        let running = Gauge::new();
        let gate = Gate::new();
        let mut handles = Vec::new();
        for i in 0..JOBS {
            let (running, gate) = (running.clone(), gate.clone());
            let job = async move {
                let _running = running.enter();
                gate.pass().await;
                i
            };
            let Some(handle) = within(pool.submit(job)).await else {
                fail(format!(
                    "Pool::new({N}, 64): the submit of job {i} never returned, with {i} jobs \
                     submitted and none finished: the queue has room for 64."
                ))
            };
            handles.push(handle);
        }
        wait_until(|| running.current() >= N).await;
        let_others_run(TURNS).await;
        let peak = running.peak();
        gate.open(JOBS);
        check!(
            within(join_all(handles)).await.is_some(),
            "once their gate opened, not every one of the {JOBS} jobs ended."
        );
        check!(
            peak <= N,
            "Pool::new({N}, 64) with {JOBS} jobs submitted (each one waits at a gate the test \
             opens later): {peak} of them were running at once. A pool of {N} workers runs at \
             most {N}: a job waits in the queue until a worker is free. A task per job \
             (runtime::spawn in submit) starts every job at once — that's no pool, and no bound."
        );
        check!(
            within(pool.shutdown()).await.is_some(),
            "shutdown() never returned after every job had ended."
        );
    });
}

pub fn spawns_exactly_n_worker_tasks() {
    // One thread: the task counts are read while nothing else runs.
    run_on(1, async {
        const N: usize = 3;
        let tasks_before = runtime::num_tasks();
        let spawned_before = runtime::metrics().spawned;
        let pool = Pool::new(N, 8);
        let spawned_by_new = runtime::metrics().spawned - spawned_before;
        check!(
            spawned_by_new == N as u64,
            "Pool::new({N}, 8) spawned {spawned_by_new} task(s) on the Tasklings runtime; it must \
             spawn exactly {N}, here and now: its {N} workers. {}",
            match spawned_by_new {
                0 => "None: workers started later (on the first submit), a semaphore with a task \
                      per job, OS threads or tokio tasks don't count. Spawn each worker with \
                      runtime::spawn inside new.",
                n if n < N as u64 => "One task per worker: a single task that runs every job \
                                      (a FuturesUnordered, say) is one worker, not N.",
                _ => "One per worker, and no helper task (a dispatcher between the queue and \
                      the workers is one task too many: let the workers take jobs from the \
                      queue themselves).",
            }
        );

        // Busy: N jobs running at their gates, 5 more queued.
        let running = Gauge::new();
        let gate = Gate::new();
        let mut handles = Vec::new();
        for i in 0..N + 5 {
            let (running, gate) = (running.clone(), gate.clone());
            let job = async move {
                let _running = running.enter();
                gate.pass().await;
                i
            };
            let Some(handle) = within(pool.submit(job)).await else {
                fail(format!(
                    "Pool::new({N}, 8): the submit of job {i} never returned, with {i} jobs \
                     submitted and none finished: {N} can run and 8 can wait."
                ))
            };
            handles.push(handle);
        }
        check!(
            wait_until(|| running.current() >= N).await,
            "Pool::new({N}, 8) with {} jobs submitted: only {} of them started, the rest \
             waiting; {N} workers run {N} jobs at once.",
            N + 5,
            running.current()
        );
        let live = runtime::num_tasks() - tasks_before;
        check!(
            live == N,
            "while {N} jobs were running and 5 waited in the queue, runtime::num_tasks() counted \
             {live} task(s) of the pool, expected {N}: its workers, each running one job inside \
             itself (awaiting it). {}Tasks of the pool then:{}",
            if live > N {
                "More tasks means jobs with tasks of their own (a worker that spawns its job \
                 and awaits the JoinHandle, to catch panics, is two tasks per running job — \
                 catch the panic inside the worker instead). "
            } else {
                ""
            },
            pool_tasks()
        );
        gate.open(N + 5);
        check!(
            within(join_all(handles)).await.is_some(),
            "once their gate opened, not every one of the {} jobs ended.",
            N + 5
        );

        // Then many short jobs, two of which panic.
        let mut handles = Vec::new();
        for i in 0..30_u32 {
            let job = async move {
                runtime::yield_now().await;
                if i % 15 == 7 {
                    panic!("job {i} failed");
                }
                i
            };
            let Some(handle) = within(pool.submit(job)).await else {
                fail(format!(
                    "the submit of short job {i} never returned (jobs 7 and 22 panic)."
                ))
            };
            handles.push(handle);
        }
        check!(
            within(join_all(handles)).await.is_some(),
            "not every handle of 30 short jobs resolved (jobs 7 and 22 panic)."
        );
        check!(
            within(pool.shutdown()).await.is_some(),
            "shutdown() never returned after every job had ended."
        );
        let spawned = runtime::metrics().spawned - spawned_before;
        check!(
            spawned == N as u64,
            "over its whole life (new, {} jobs of which 2 panicked, shutdown) the pool spawned \
             {spawned} tasks; it must spawn exactly {N}, all in new. {}",
            N + 5 + 30,
            if spawned == N as u64 + 2 {
                "Two more — one per panicked job: a worker must survive its job's panic (catch \
                 it in the worker), not be replaced by a new task."
            } else {
                "A task per job, or a task spawned by submit or shutdown, is more than a pool \
                 needs: the workers take the jobs from the queue and run them themselves."
            }
        );
    });
}

pub fn a_panic_leaves_n_workers_running() {
    run_on(1, async {
        const N: usize = 3;
        let pool = Pool::new(N, 8);
        for i in 0..2 {
            let job = async move {
                runtime::yield_now().await;
                panic!("job {i} failed");
            };
            let Some(handle) = within(pool.submit(job)).await else {
                fail(format!("the submit of job {i} (which panics) never returned."))
            };
            // Not awaited: this test is about the workers, not about what the handle gives.
            drop(handle);
        }
        let together = Rendezvous::new(N, PATIENCE);
        let mut handles = Vec::new();
        for _ in 0..N {
            let together = together.clone();
            let Some(handle) = within(pool.submit(async move { together.arrive_async().await }))
                .await
            else {
                fail(format!(
                    "Pool::new({N}, 8): after 2 jobs that panicked, a submit never returned \
                     although the queue had room."
                ))
            };
            handles.push(handle);
        }
        let ended = within(join_all(handles)).await;
        check!(
            together.reached(),
            "Pool::new({N}, 8): 2 jobs panicked, then {N} jobs were submitted that each wait until \
             all {N} run — at most {} ran at once{}. A panic inside a job must not end its \
             worker: the pool keeps its {N} workers whatever its jobs do. Catch the panic where \
             the worker runs the job (AssertUnwindSafe(job).catch_unwind().await) — an uncaught \
             one unwinds through the worker's loop and ends its task.",
            together.max_together(),
            if ended.is_none() {
                " and some never started"
            } else {
                ""
            }
        );
        check!(
            within(pool.shutdown()).await.is_some(),
            "shutdown() never returned after every job had ended."
        );
    });
}

pub fn dropping_a_handle_does_not_cancel_its_job() {
    run_on(1, async {
        const N: usize = 2;
        const DROPPED: usize = 10;
        let pool = Pool::new(N, 16);
        let ran = Arc::new(AtomicUsize::new(0));
        for i in 0..DROPPED {
            let ran = Arc::clone(&ran);
            let job = async move {
                runtime::yield_now().await;
                ran.fetch_add(1, Ordering::SeqCst);
                i
            };
            let Some(handle) = within(pool.submit(job)).await else {
                fail(format!(
                    "the submit of job {i} never returned, with {i} jobs submitted and a queue \
                     of 16."
                ))
            };
            drop(handle);
        }
        let together = Rendezvous::new(N, PATIENCE);
        let mut handles = Vec::new();
        for _ in 0..N {
            let together = together.clone();
            let Some(handle) = within(pool.submit(async move { together.arrive_async().await }))
                .await
            else {
                fail(format!(
                    "after {DROPPED} jobs whose handles were dropped at once, a submit never \
                     returned although the queue had room."
                ))
            };
            handles.push(handle);
        }
        let ended = within(join_all(handles)).await;
        check!(
            together.reached(),
            "Pool::new({N}, 16): {DROPPED} jobs were submitted and their handles dropped at once, \
             then {N} jobs that each wait until all {N} run — at most {} ran at once{}: the pool \
             lost workers. When a job ends, its handle may be gone; sending the result then \
             fails, and that error means nobody wants the result — ignore it (`let _ = \
             answer.send(result);`), don't unwrap it: a panic there ends the worker.",
            together.max_together(),
            if ended.is_none() {
                " and some never started"
            } else {
                ""
            }
        );
        check!(
            within(pool.shutdown()).await.is_some(),
            "shutdown() never returned after every job had ended."
        );
        let ran = ran.load(Ordering::SeqCst);
        check!(
            ran == DROPPED,
            "{DROPPED} jobs were submitted and their handles dropped at once; by the end of \
             shutdown, {ran} of them had run. Dropping a handle doesn't cancel its job: it runs \
             anyway, and its result is thrown away."
        );
    });
}
