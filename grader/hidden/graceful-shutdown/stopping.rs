//! Stopping: a cancel reaches a worker that waits for a job, and no job is taken after it — not
//! when a step ends with the next job queued, not when a job and the cancel arrive together, not
//! by a worker that had not even started.

use crate::probe::Probe;
use crate::scenario::{
    alive, check_ended, check_nothing_after_cancel, list, run, service, shut_down_cancelled,
    until_cleaned_up, until_in_step, until_waiting, Threads, PATIENCE,
};

/// Four workers wait on an empty queue; the test cancels the service's token itself (not through
/// `shutdown`): every worker must stop and clean up, then `shutdown` returns.
pub fn stops_idle_workers_when_the_token_is_cancelled() {
    run(Threads::One, || async {
        const SETTING: &str = "4 workers waiting for a job on an empty queue, then the \
                               service's token cancelled by the test";
        let probe = Probe::new();
        let (mut service, token, before) = service(&probe);
        service.spawn_workers(4);
        until_waiting(&probe, 0..4, SETTING).await?;
        token.cancel();
        probe.mark("the test cancelled the service's token");
        if !until_cleaned_up(&probe, 0..4).await {
            let view = probe.view();
            let left: Vec<usize> = (0..4).filter(|&w| view.cleanups(w) == 0).collect();
            fail!(
                "{SETTING}: {PATIENCE:?} after the cancel, workers {} had still not stopped \
                 (no cleanup), {}. A worker that waits for a job must wait for the cancel at \
                 the same time — a select over `token.cancelled()` and `next_job(id)`, \
                 whichever comes first: checking `is_cancelled()` only between jobs never \
                 notices a cancel while next_job has nothing to give. (The token may be \
                 cancelled by anyone holding a clone: don't wait for shutdown to stop the \
                 workers.){}",
                list(&left),
                if view.waiting.is_empty() {
                    "although none of them waited in next_job any more".to_owned()
                } else {
                    format!(
                        "and workers {} still waited in next_job",
                        list(&view.waiting)
                    )
                },
                alive()
            );
        }
        shut_down_cancelled(service, &probe, SETTING).await?;
        check_ended(&probe, before, 0..4, SETTING)?;
        Ok(())
    });
}

/// Three ways a job could be taken after the cancel, each on one worker thread so that the
/// schedule is the same on every run:
///
/// 1. 32 workers in the middle of a step, 64 more jobs queued; the test cancels, then opens the
///    gate: every step ends with the cancel *and* a job ready. A worker choosing at random
///    (an unbiased `select!`) picks the job with probability 1/2; all 32 picking the cancel by
///    luck has probability 2^-32, so such code fails on every run.
/// 2. 16 workers waiting on an empty queue; the test queues 16 jobs and cancels in the same turn:
///    each worker wakes with both ready (16 more coin flips).
/// 3. 8 workers spawned with 8 jobs queued, and the token cancelled before any of them ran.
pub fn starts_no_step_after_the_cancel() {
    run(Threads::One, || async {
        const SETTING: &str = "32 workers in the middle of a step, 64 more jobs queued, then \
                               the token cancelled and the steps let through";
        let probe = Probe::new();
        probe.shut_gate();
        probe.push(96);
        let (mut service, token, before) = service(&probe);
        service.spawn_workers(32);
        until_in_step(&probe, 32, SETTING).await?;
        token.cancel();
        probe.mark("the test cancelled the token");
        probe.open_gate();
        shut_down_cancelled(service, &probe, SETTING).await?;
        check_nothing_after_cancel(&probe.view(), SETTING)?;
        check_ended(&probe, before, 0..32, SETTING)?;
        Ok(())
    });
    run(Threads::One, || async {
        const SETTING: &str = "16 workers waiting on an empty queue, then 16 jobs queued and \
                               the token cancelled at once";
        let probe = Probe::new();
        let (mut service, token, before) = service(&probe);
        service.spawn_workers(16);
        until_waiting(&probe, 0..16, SETTING).await?;
        probe.push(16);
        token.cancel();
        probe.mark("the test cancelled the token");
        shut_down_cancelled(service, &probe, SETTING).await?;
        check_nothing_after_cancel(&probe.view(), SETTING)?;
        check_ended(&probe, before, 0..16, SETTING)?;
        Ok(())
    });
    run(Threads::One, || async {
        const SETTING: &str = "8 workers spawned with 8 jobs queued, and the token cancelled \
                               before any of them ran";
        let probe = Probe::new();
        probe.push(8);
        let (mut service, token, before) = service(&probe);
        service.spawn_workers(8);
        token.cancel();
        probe.mark("the test cancelled the token");
        shut_down_cancelled(service, &probe, SETTING).await?;
        check_nothing_after_cancel(&probe.view(), SETTING)?;
        check_ended(&probe, before, 0..8, SETTING)?;
        Ok(())
    });
}
