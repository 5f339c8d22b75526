//! The service at work, on a runtime with a worker thread per CPU: its workers run at the same
//! time, and every job is taken once and stepped once, by the worker that took it.

use std::collections::BTreeMap;

use crate::probe::{Event, Probe};
use crate::scenario::{
    alive, check_cleanups, check_finished, list, run, shut_down, until_cleaned_up, Threads,
    PATIENCE,
};

pub fn runs_every_job_once_with_all_workers() {
    run(Threads::Default, || async {
        const WORKERS: usize = 4;
        const JOBS: u64 = 200;
        const SETTING: &str = "spawn_workers(4) with 200 jobs queued and the queue closed";
        // The steps of the first 4 jobs wait until 4 steps run at once.
        let probe = Probe::with_rendezvous(WORKERS as u64, PATIENCE);
        probe.push(JOBS);
        probe.close();
        let token = runtime::CancellationToken::new();
        let mut service = graceful_shutdown::Service::new(probe.clone(), token.clone());
        service.spawn_workers(WORKERS);
        let stopped = until_cleaned_up(&probe, 0..WORKERS).await;
        let together = probe
            .rendezvous()
            .map_or(0, probes::Rendezvous::max_together);
        ensure!(
            probe.rendezvous().is_some_and(probes::Rendezvous::reached),
            "{SETTING}: the steps of the first 4 jobs each wait until 4 steps run at once, but \
             at most {together} did. spawn_workers(4) must start 4 workers that run at the same \
             time: each one a task of its own (runtime::spawn), none awaited before the others \
             are spawned."
        );
        if !stopped {
            let view = probe.view();
            let left: Vec<usize> = (0..WORKERS).filter(|&w| view.cleanups(w) == 0).collect();
            fail!(
                "{SETTING}: {PATIENCE:?} after the 4 workers started, workers {} had not \
                 stopped although the queue was empty and closed ({} of 200 steps had ended). A \
                 worker stops when next_job gives None.{}",
                list(&left),
                view.ended().len(),
                alive()
            );
        }
        shut_down(service, &token, &probe, SETTING).await?;
        let view = probe.view();
        check_finished(&view, SETTING)?;
        check_cleanups(&view, &(0..WORKERS), SETTING)?;

        // Each job: taken once, started once by the worker that took it, ended once.
        let mut taker: BTreeMap<u64, usize> = BTreeMap::new();
        let mut problems = Vec::new();
        let (mut started, mut ended) = (BTreeMap::new(), BTreeMap::new());
        for event in &view.events {
            match *event {
                Event::Took { worker, job } => {
                    let earlier = taker.insert(job, worker);
                    if let Some(first) = earlier {
                        problems.push(format!(
                            "job {job} was taken twice (by workers {first} and {worker})"
                        ));
                    }
                }
                Event::Started { worker, job } => {
                    *started.entry(job).or_insert(0) += 1;
                    if taker.get(&job) != Some(&worker) {
                        problems.push(format!(
                            "job {job} was taken by worker {:?} but stepped as worker {worker}",
                            taker.get(&job)
                        ));
                    }
                }
                Event::Ended { job, .. } => *ended.entry(job).or_insert(0) += 1,
                _ => {}
            }
        }
        for job in 0..JOBS {
            match (started.get(&job), ended.get(&job)) {
                (Some(1), Some(1)) => {}
                (None, _) => problems.push(format!("job {job} was never stepped")),
                (Some(n), _) if *n > 1 => problems.push(format!("job {job} was stepped {n} times")),
                _ => problems.push(format!("job {job}'s step never ended")),
            }
        }
        problems.truncate(5);
        ensure!(
            problems.is_empty(),
            "{SETTING}: {}. Each job next_job gives is stepped exactly once, by the worker that \
             took it (step(id, job) with that worker's id).",
            problems.join("; ")
        );
        Ok(())
    });
}
