//! `run_all`: fan-out, fan-in through the pool — results in the order of the jobs, the jobs
//! side by side.

use probes::Rendezvous;
use worker_pool::{run_all, JobError, Pool};

use crate::support::{check, fail, run_on, within, Gate, PATIENCE};

pub fn run_all_returns_results_in_job_order() {
    run_on(1, async {
        // Job i waits until job i + 1 has ended, so they end in reverse order: 3, 2, 1, 0. Job 1
        // lets job 0 go, then panics.
        const JOBS: usize = 4;
        let pool = Pool::new(JOBS, 4);
        let ended: Vec<Gate> = (0..JOBS).map(|_| Gate::new()).collect();
        let jobs: Vec<_> = (0..JOBS)
            .map(|i| {
                let after = ended.get(i + 1).cloned();
                let mine = ended[i].clone();
                async move {
                    if let Some(after) = after {
                        after.pass().await;
                    }
                    mine.open(1);
                    if i == 1 {
                        panic!("job {i} failed");
                    }
                    i
                }
            })
            .collect();
        let Some(results) = within(run_all(&pool, jobs)).await else {
            fail(format!(
                "run_all on Pool::new({JOBS}, 4) with {JOBS} jobs, where job i waits until job \
                 i + 1 has ended, never returned. They need to run side by side: submit every \
                 job first, then await the handles."
            ))
        };
        let expected = vec![
            Ok(0),
            Err(JobError::Panicked("job 1 failed".to_owned())),
            Ok(2),
            Ok(3),
        ];
        check!(
            results == expected,
            "run_all with 4 jobs that end in reverse order (job 1 by panicking) returned \
             {results:?}, expected {expected:?}: one result per job, in the order of the jobs \
             (not the order they finish in), a panic as its Err in its place. Keep the handles \
             in a Vec in submit order and await them in that order."
        );

        // More jobs than the pool's workers and queue hold together.
        const MANY: usize = 20;
        let small = Pool::new(2, 3);
        let jobs: Vec<_> = (0..MANY)
            .map(|i| async move {
                for _ in 0..i % 4 {
                    runtime::yield_now().await;
                }
                i
            })
            .collect();
        let Some(results) = within(run_all(&small, jobs)).await else {
            fail(format!(
                "run_all on Pool::new(2, 3) with {MANY} jobs (more than 2 running and 3 queued) \
                 never returned. submit waits for room while the workers go on; only await the \
                 handles once every job is submitted."
            ))
        };
        let expected: Vec<_> = (0..MANY).map(Ok).collect();
        check!(
            results == expected,
            "run_all on Pool::new(2, 3) with {MANY} jobs, job i returning i, returned \
             {results:?}, expected Ok(0) to Ok({}) in order.",
            MANY - 1
        );
        for pool in [pool, small] {
            check!(
                within(pool.shutdown()).await.is_some(),
                "shutdown() never returned after run_all had returned."
            );
        }
    });
}

pub fn run_all_runs_the_jobs_side_by_side() {
    run_on(2, async {
        const N: usize = 3;
        let pool = Pool::new(N, 8);
        let together = Rendezvous::new(N, PATIENCE);
        let jobs: Vec<_> = (0..N)
            .map(|_| {
                let together = together.clone();
                async move { together.arrive_async().await }
            })
            .collect();
        let results = within(run_all(&pool, jobs)).await;
        check!(
            together.reached(),
            "run_all on Pool::new({N}, 8) with {N} jobs, each waiting until all {N} run: at most \
             {} ran at once, so the first waited {} ms in vain. Submit every job before awaiting \
             any handle — awaiting each handle right after its submit runs the jobs one after \
             another, whatever the pool's size.",
            together.max_together(),
            PATIENCE.as_millis()
        );
        check!(results.is_some(), "run_all never returned.");
        check!(
            within(pool.shutdown()).await.is_some(),
            "shutdown() never returned after run_all had returned."
        );
    });
}
