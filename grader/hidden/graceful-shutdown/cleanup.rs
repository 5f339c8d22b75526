//! Cleanup: exactly once per worker, however the worker stopped — a cancel while it waited for a
//! job, a cancel in the middle of a step, the queue closing, or a cancel that came before the
//! worker ever ran (or before it was even spawned).

use crate::probe::Probe;
use crate::scenario::{
    check_cleanups, check_ended, list, run, service, shut_down, shut_down_cancelled,
    until_cleaned_up, until_in_step, until_waiting, Threads, PATIENCE,
};

pub fn cleans_up_each_worker_exactly_once() {
    run(Threads::One, || async {
        const SETTING: &str = "3 workers waiting for a job, then shutdown()";
        let probe = Probe::new();
        let (mut service, token, before) = service(&probe);
        service.spawn_workers(3);
        until_waiting(&probe, 0..3, SETTING).await?;
        shut_down(service, &token, &probe, SETTING).await?;
        check_cleanups(&probe.view(), &(0..3), SETTING)?;
        check_ended(&probe, before, 0..3, SETTING)?;
        Ok(())
    });
    run(Threads::One, || async {
        const SETTING: &str = "3 workers in the middle of a step, then shutdown()";
        let probe = Probe::new();
        probe.shut_gate();
        probe.push(3);
        let (mut service, token, before) = service(&probe);
        service.spawn_workers(3);
        until_in_step(&probe, 3, SETTING).await?;
        shut_down(service, &token, &probe, SETTING).await?;
        check_cleanups(&probe.view(), &(0..3), SETTING)?;
        check_ended(&probe, before, 0..3, SETTING)?;
        Ok(())
    });
    run(Threads::One, || async {
        const SETTING: &str = "3 workers, 5 jobs, and the queue closed (next_job gives None \
                               once the 5 jobs are taken)";
        let probe = Probe::new();
        probe.push(5);
        probe.close();
        let (mut service, token, before) = service(&probe);
        service.spawn_workers(3);
        if !until_cleaned_up(&probe, 0..3).await {
            let view = probe.view();
            let left: Vec<usize> = (0..3).filter(|&w| view.cleanups(w) == 0).collect();
            fail!(
                "{SETTING}: {PATIENCE:?} after the last job, workers {} had not cleaned up \
                 (the token was never cancelled). A worker also stops when next_job gives \
                 None — the queue is closed — and cleans up then, like after a cancel.",
                list(&left)
            );
        }
        let ended = probe.view().ended().len();
        ensure!(
            ended == 5,
            "{SETTING}: {ended} steps ended, expected one per job (5)."
        );
        shut_down(service, &token, &probe, SETTING).await?;
        check_ended(&probe, before, 0..3, SETTING)?;
        Ok(())
    });
}

pub fn cleans_up_workers_cancelled_before_they_started() {
    run(Threads::One, || async {
        const SETTING: &str = "3 workers spawned with 3 jobs queued, and the token cancelled \
                               before any of them ran";
        let probe = Probe::new();
        probe.push(3);
        let (mut service, token, before) = service(&probe);
        service.spawn_workers(3);
        // Lazy spawning: the workers start only once this task waits, below.
        token.cancel();
        probe.mark("the test cancelled the token");
        shut_down_cancelled(service, &probe, SETTING).await?;
        check_cleanups(&probe.view(), &(0..3), SETTING)?;
        check_ended(&probe, before, 0..3, SETTING)?;
        Ok(())
    });
    run(Threads::One, || async {
        const SETTING: &str = "a service whose token was cancelled before spawn_workers(2) and \
                               spawn_group(1) were called";
        let probe = Probe::new();
        probe.push(3);
        let (mut service, token, before) = service(&probe);
        token.cancel();
        probe.mark("the test cancelled the token");
        service.spawn_workers(2);
        let group = service.spawn_group(1);
        ensure!(
            group.is_cancelled(),
            "{SETTING}: the token spawn_group returned was not cancelled, although the \
             service's token was: the group's token must be a child of the service's token \
             (`token.child()`), which starts cancelled when its parent is."
        );
        shut_down_cancelled(service, &probe, SETTING).await?;
        check_cleanups(&probe.view(), &(0..3), SETTING)?;
        check_ended(&probe, before, 0..3, SETTING)?;
        Ok(())
    });
}
