//! Groups: `spawn_group`'s token stops its own workers and no others; the service's token stops
//! the groups too.

use crate::probe::Probe;
use crate::scenario::{
    alive, check_ended, list, run, service, shut_down, until_cleaned_up, until_waiting, within,
    Threads, PATIENCE,
};

pub fn a_group_token_stops_only_its_group() {
    run(Threads::One, || async {
        const SETTING: &str = "spawn_workers(2) (workers 0 and 1), then spawn_group(2) \
                               (workers 2 and 3), all waiting for a job; then the group's \
                               token cancelled";
        let probe = Probe::new();
        let (mut service, token, before) = service(&probe);
        service.spawn_workers(2);
        let group = service.spawn_group(2);
        until_waiting(&probe, 0..4, SETTING).await?;
        group.cancel();
        ensure!(
            !token.is_cancelled(),
            "{SETTING}: cancelling the group's token cancelled the service's token too, which \
             stops every worker. spawn_group must give its workers `token.child()` — a token \
             cancelled with its parent but not the other way round — not `token.clone()`, \
             which is the service's token itself."
        );
        if !until_cleaned_up(&probe, 2..4).await {
            let view = probe.view();
            let left: Vec<usize> = (2..4).filter(|&w| view.cleanups(w) == 0).collect();
            fail!(
                "{SETTING}: {PATIENCE:?} after the group's token was cancelled, group workers {} \
                 had not stopped (no cleanup). The group's workers must watch the token \
                 spawn_group returns: that token, cancelled alone, stops them.{}",
                list(&left),
                alive()
            );
        }
        // Workers 0 and 1 must still be at work: jobs queued now are theirs.
        probe.push(4);
        let done = within(probe.until(|view| view.ended().len() >= 4)).await;
        let view = probe.view();
        let stopped: Vec<usize> = (0..2).filter(|&w| view.cleanups(w) > 0).collect();
        ensure!(
            stopped.is_empty(),
            "{SETTING}: cancelling the group's token also stopped workers {}, which are not in \
             the group. Only the group's workers watch the group's token; the others watch the \
             service's token.",
            list(&stopped)
        );
        ensure!(
            done.is_some(),
            "{SETTING}: then 4 jobs were queued, and workers 0 and 1 (still running) did only {} \
             of them in {PATIENCE:?}.{}",
            view.ended().len(),
            alive()
        );
        let by_group: Vec<usize> = view
            .ended()
            .iter()
            .map(|&(worker, _)| worker)
            .filter(|&w| w >= 2)
            .collect();
        ensure!(
            by_group.is_empty(),
            "{SETTING}: jobs queued after the group was stopped were done by workers {} of the \
             stopped group.",
            list(&by_group)
        );

        // A second group, then the service's token cancelled: every worker stops.
        let second = service.spawn_group(2);
        until_waiting(
            &probe,
            [0, 1, 4, 5],
            "then spawn_group(2) again, which gives workers 4 and 5",
        )
        .await?;
        token.cancel();
        probe.mark("the test cancelled the service's token");
        let all_stopped =
            until_cleaned_up(&probe, 0..2).await && until_cleaned_up(&probe, 4..6).await;
        ensure!(
            second.is_cancelled(),
            "{SETTING}; then a second spawn_group(2) and the service's token cancelled: the \
             second group's token was not cancelled with it. A group's token is a child of the \
             service's token (`token.child()`), so that cancelling the service stops the groups \
             too."
        );
        if !all_stopped {
            let view = probe.view();
            let left: Vec<usize> = [0, 1, 4, 5]
                .into_iter()
                .filter(|&w| view.cleanups(w) == 0)
                .collect();
            fail!(
                "{SETTING}; then a second spawn_group(2) (workers 4 and 5) and the service's \
                 token cancelled: {PATIENCE:?} later, workers {} had not stopped. Cancelling the \
                 service's token stops every worker, groups included.{}",
                list(&left),
                alive()
            );
        }
        shut_down(service, &token, &probe, SETTING).await?;
        check_ended(&probe, before, 0..6, SETTING)?;
        Ok(())
    });
}
