//! What `shutdown` does to work in flight (finishes it) and when it returns (once every worker
//! has ended).

use crate::probe::{Event, Probe};
use crate::scenario::{
    check_cleanups, check_ended, check_finished, check_returned_after_the_end, run, service,
    shut_down, until_in_step, Threads,
};

/// Four workers in the middle of a step when `shutdown` cancels; the test lets the steps through
/// only once the token is cancelled. Each step must reach its end.
pub fn finishes_in_flight_steps_on_shutdown() {
    run(Threads::One, || async {
        const SETTING: &str = "shutdown() called while 4 workers were in the middle of a step \
                               (4 more jobs queued)";
        let probe = Probe::new();
        probe.shut_gate();
        probe.push(8);
        let (mut service, token, before) = service(&probe);
        service.spawn_workers(4);
        until_in_step(&probe, 4, SETTING).await?;
        shut_down(service, &token, &probe, SETTING).await?;
        let at_return = runtime::num_tasks();
        let view = probe.view();
        check_finished(&view, SETTING)?;
        check_returned_after_the_end(&probe, &view, before, at_return, &(0..4), SETTING)?;
        let ended = view.ended().len();
        ensure!(
            ended >= 4,
            "{SETTING}: only {ended} steps reached their end; the 4 that were running when \
             shutdown was called must all finish."
        );
        check_ended(&probe, before, 0..4, SETTING)?;
        Ok(())
    });
}

/// Five workers (three plain, two in a group) in the middle of a step when `shutdown` cancels.
/// When it returns, every worker's task has ended, every cleanup has run, no step is running;
/// and nothing happens any more afterwards.
pub fn shutdown_returns_after_every_worker_ended() {
    run(Threads::One, || async {
        const SETTING: &str = "shutdown() called while 5 workers (3 from spawn_workers, 2 from \
                               spawn_group) were in the middle of a step";
        let probe = Probe::new();
        probe.shut_gate();
        probe.push(6);
        let (mut service, token, before) = service(&probe);
        service.spawn_workers(3);
        let _group = service.spawn_group(2);
        until_in_step(&probe, 5, SETTING).await?;
        shut_down(service, &token, &probe, SETTING).await?;
        let at_return = runtime::num_tasks();
        let view = probe.view();
        check_returned_after_the_end(&probe, &view, before, at_return, &(0..5), SETTING)?;
        check_cleanups(&view, &(0..5), SETTING)?;
        // Let anything left behind run: a worker that outlived shutdown shows up in the log.
        for _ in 0..32 {
            runtime::yield_now().await;
        }
        let later = probe.view();
        let new: Vec<&Event> = later.events[view.events.len()..].iter().collect();
        ensure!(
            new.is_empty(),
            "{SETTING}: after shutdown() had returned, the workers still did things: {new:?}. \
             shutdown returns only once every worker has ended."
        );
        check_ended(&probe, before, 0..5, SETTING)?;
        Ok(())
    });
}
