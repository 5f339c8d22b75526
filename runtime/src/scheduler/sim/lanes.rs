//! Which of the played workers runs a step — for the picture and the counters only.
//!
//! In deterministic mode one thread runs every poll, so "worker" is a role, not a thread: the
//! policy (`policy`) has already chosen *which task* runs; this module says *which worker it
//! runs as*, the way the real runtime would place it, so a trace has a track per worker and
//! `metrics()` per-worker counts that look like a work-stealing run. It never changes what the
//! program computes: only the task order does, and that is the policy's.
//!
//! The rules, after `worker`'s: a task queued by a task running as worker `w` is in `w`'s queue
//! (a spawn or a wake-up lands where it happened); a task queued from outside the workers
//! (`block_on`'s future, a timer, another thread) is in the injector. A task in `w`'s queue
//! runs on `w`, unless `w` has more queued and another worker has none and ran less recently
//! than `w` — that worker steals it (Go's idle P stealing half a busy P's queue). An injector
//! task goes to the worker that has been idle longest.

/// The played workers' queues, as counts, and when each last ran.
pub(crate) struct Lanes {
    queued: Vec<u32>,
    last_ran: Vec<u64>,
    parked: Vec<bool>,
}

/// Where a step runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Placement {
    pub(crate) worker: usize,
    /// The worker whose queue the task was taken from, when it wasn't the runner's own.
    pub(crate) stolen_from: Option<usize>,
    /// The runner was parked (it had nothing to do when the clock last jumped).
    pub(crate) unparked: bool,
}

impl Lanes {
    pub(crate) fn new(workers: usize) -> Lanes {
        Lanes {
            queued: vec![0; workers],
            last_ran: vec![0; workers],
            parked: vec![false; workers],
        }
    }

    /// A task was queued on `home` (None: the injector).
    pub(crate) fn queued(&mut self, home: Option<usize>) {
        if let Some(w) = home {
            self.queued[w] += 1;
        }
    }

    /// A task queued on `home` runs at `step`: who runs it.
    pub(crate) fn place(&mut self, home: Option<usize>, step: u64) -> Placement {
        let idle_longest = |lanes: &Lanes, except: Option<usize>| {
            (0..lanes.queued.len())
                .filter(|&v| Some(v) != except && lanes.queued[v] == 0)
                .min_by_key(|&v| lanes.last_ran[v])
        };
        let (worker, stolen_from) = match home {
            Some(h) => {
                self.queued[h] -= 1;
                match idle_longest(self, Some(h)) {
                    Some(v) if self.queued[h] > 0 && self.last_ran[v] < self.last_ran[h] => {
                        (v, Some(h))
                    }
                    _ => (h, None),
                }
            }
            None => {
                let any = (0..self.queued.len()).min_by_key(|&v| self.last_ran[v]);
                (idle_longest(self, None).or(any).unwrap_or(0), None)
            }
        };
        self.last_ran[worker] = step;
        let unparked = std::mem::replace(&mut self.parked[worker], false);
        Placement {
            worker,
            stolen_from,
            unparked,
        }
    }

    /// Every worker parks (nothing is runnable); returns the ones that weren't parked yet.
    pub(crate) fn park_all(&mut self) -> Vec<usize> {
        let newly: Vec<usize> = (0..self.parked.len())
            .filter(|&w| !self.parked[w])
            .collect();
        self.parked.iter_mut().for_each(|p| *p = true);
        newly
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_idle_worker_steals_from_a_busy_one_in_turns() {
        let mut lanes = Lanes::new(2);
        assert_eq!(lanes.place(None, 1).worker, 0, "the spawner");
        (0..4).for_each(|_| lanes.queued(Some(0)));
        let runners: Vec<_> = (2..6).map(|step| lanes.place(Some(0), step)).collect();
        assert_eq!(
            runners[0].stolen_from,
            Some(0),
            "worker 1 was idle: it steals"
        );
        assert_eq!(runners[1].worker, 0, "then worker 0 takes its own turn");
        assert_eq!(runners[3].worker, 0, "its last queued task is its own");
    }

    #[test]
    fn a_lone_task_stays_on_its_worker() {
        let mut lanes = Lanes::new(4);
        for step in 1..10 {
            lanes.queued(Some(2));
            let placed = lanes.place(Some(2), step);
            assert_eq!((placed.worker, placed.stolen_from), (2, None));
        }
    }
}
