//! Who runs next: the policies of deterministic mode, and the replay of a recorded schedule.
//!
//! At every step with more than one runnable task, the simulator (`sim`) asks a `Chooser` for
//! an index into its runnable list. Three kinds answer:
//! * **uniform random** (`Policy::Random`): every runnable task equally likely, from a generator
//!   seeded by the seed — shuttle's random scheduler;
//! * **PCT** (`Policy::Pct { depth }`): Burckhardt et al.'s *probabilistic concurrency testing*
//!   (ASPLOS 2010), as shuttle implements it. Each task gets a random priority when it is first
//!   seen; the highest-priority runnable task always runs; at `depth - 1` change points, drawn
//!   among the first `PCT_STEPS` steps, the running task's priority drops below every other.
//!   A bug that needs `d` ordering constraints between `n` tasks shows with probability at
//!   least `1 / (n · k^(d-1))` per run, where uniform random can do exponentially worse;
//! * **replay**: the choices of a recorded schedule (`schedule`), one per step that had a
//!   choice, so the run repeats exactly. A schedule that runs out, or names a task that isn't
//!   there, means the program took another path: the chooser falls back to the first runnable
//!   task and says so (`Diverged`), and the simulator reports it as broken determinism.
//!
//! The choice is an index into the simulator's list, whose order is itself a function of the
//! earlier choices; so recording the indices is enough to replay. Steps with one runnable task
//! record nothing.

use crate::task::TaskId;
use std::collections::HashMap;

/// How deterministic mode picks the next task among the runnable ones (`Builder::policy`,
/// `TASKLINGS_SCHEDULE`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Policy {
    /// Every runnable task is equally likely at every step (`TASKLINGS_SCHEDULE=random`).
    #[default]
    Random,
    /// Probabilistic concurrency testing: random task priorities with `depth - 1` priority
    /// change points (`TASKLINGS_SCHEDULE=pct:DEPTH`). Finds an ordering bug that needs `depth`
    /// events in a particular order with a probability that doesn't shrink with the length of
    /// the run the way uniform random's does. Depth 1 is "random priorities, no changes".
    Pct {
        /// How many ordering constraints the bugs it hunts need (1 or more; 0 counts as 1).
        depth: u32,
    },
}

/// The steps among which PCT draws its change points: programs in the workbook take tens to a
/// few hundred steps; a change point beyond a run's last step simply never happens.
pub(crate) const PCT_STEPS: u64 = 256;

impl Policy {
    /// Parses `random`, `pct:DEPTH` (the values of `TASKLINGS_SCHEDULE`).
    pub(crate) fn parse(text: &str) -> Result<Policy, String> {
        let text = text.trim().to_ascii_lowercase();
        if text == "random" {
            return Ok(Policy::Random);
        }
        if let Some(depth) = text.strip_prefix("pct:") {
            if let Ok(depth) = depth.parse::<u32>() {
                if depth > 0 {
                    return Ok(Policy::Pct { depth });
                }
            }
        }
        Err(format!(
            "TASKLINGS_SCHEDULE must be `random` or `pct:DEPTH` with DEPTH a positive number \
             (like `pct:3`), not `{text}`"
        ))
    }
}

impl std::fmt::Display for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Policy::Random => f.write_str("random"),
            Policy::Pct { depth } => write!(f, "pct:{depth}"),
        }
    }
}

/// What the chooser is told about one runnable entry: which task (None: `block_on`'s future).
pub(crate) type Candidate = Option<TaskId>;

/// Picks the next step's task; one per deterministic runtime.
pub(crate) enum Chooser {
    Random(fastrand::Rng),
    Pct(Pct),
    Replay { choices: Vec<u32>, next: usize },
}

/// A choice that a replayed schedule could not make.
#[derive(Debug)]
pub(crate) struct Diverged {
    /// The step (counting only steps with a choice) where the schedule and the program parted.
    pub(crate) choice: usize,
}

impl Chooser {
    pub(crate) fn new(policy: Policy, seed: u64) -> Chooser {
        let rng = fastrand::Rng::with_seed(seed);
        match policy {
            Policy::Random => Chooser::Random(rng),
            Policy::Pct { depth } => Chooser::Pct(Pct::new(rng, depth.max(1))),
        }
    }

    pub(crate) fn replay(choices: Vec<u32>) -> Chooser {
        Chooser::Replay { choices, next: 0 }
    }

    /// An index into the runnable list (`len` entries, two or more; `candidate(i)` says which
    /// task entry `i` is).
    pub(crate) fn choose(
        &mut self,
        len: usize,
        candidate: impl Fn(usize) -> Candidate,
    ) -> Result<usize, Diverged> {
        match self {
            Chooser::Random(rng) => Ok(rng.usize(..len)),
            Chooser::Pct(pct) => Ok(pct.choose(len, candidate)),
            Chooser::Replay { choices, next } => {
                let at = *next;
                *next += 1;
                match choices.get(at) {
                    Some(&c) if (c as usize) < len => Ok(c as usize),
                    _ => Err(Diverged { choice: at }),
                }
            }
        }
    }

    /// Tells the chooser which task ran at `step` (counting every step, with or without a
    /// choice): PCT's change points are steps.
    pub(crate) fn ran(&mut self, task: Candidate, step: u64) {
        if let Chooser::Pct(pct) = self {
            pct.ran(task, step);
        }
    }
}

/// PCT's state: priorities by task, the change points still ahead.
pub(crate) struct Pct {
    rng: fastrand::Rng,
    priorities: HashMap<Candidate, u64>,
    /// Steps at which the running task's priority drops, soonest last (popped from the end).
    change_points: Vec<u64>,
    /// The priority the next change point hands out: below every initial one, decreasing.
    next_low: u64,
}

/// Initial priorities are at least this, so every lowered priority is below every initial one.
const HIGH: u64 = 1 << 32;

impl Pct {
    fn new(mut rng: fastrand::Rng, depth: u32) -> Pct {
        let mut change_points: Vec<u64> = (1..depth).map(|_| rng.u64(1..=PCT_STEPS)).collect();
        change_points.sort_unstable_by(|a, b| b.cmp(a));
        Pct {
            rng,
            priorities: HashMap::new(),
            change_points,
            next_low: HIGH - 1,
        }
    }

    fn priority(&mut self, task: Candidate) -> u64 {
        let rng = &mut self.rng;
        *self
            .priorities
            .entry(task)
            .or_insert_with(|| HIGH + rng.u64(..u64::MAX - HIGH))
    }

    fn choose(&mut self, len: usize, candidate: impl Fn(usize) -> Candidate) -> usize {
        let mut best = (0, 0);
        for index in 0..len {
            let priority = self.priority(candidate(index));
            if priority > best.1 {
                best = (index, priority);
            }
        }
        best.0
    }

    fn ran(&mut self, task: Candidate, step: u64) {
        while self.change_points.last().is_some_and(|&at| at <= step) {
            self.change_points.pop();
            self.priorities.insert(task, self.next_low);
            self.next_low -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_parse_and_print() {
        assert_eq!(Policy::parse("random").unwrap(), Policy::Random);
        assert_eq!(Policy::parse(" PCT:3 ").unwrap(), Policy::Pct { depth: 3 });
        assert!(Policy::parse("pct:0").is_err());
        assert!(Policy::parse("fifo")
            .unwrap_err()
            .contains("TASKLINGS_SCHEDULE"));
        assert_eq!(Policy::Pct { depth: 2 }.to_string(), "pct:2");
    }

    #[test]
    fn pct_runs_the_highest_priority_until_a_change_point() {
        let tasks: Vec<Candidate> = (1..=4).map(|i| Some(TaskId::from_raw(i))).collect();
        let mut chooser = Chooser::new(Policy::Pct { depth: 1 }, 7);
        let first = chooser.choose(tasks.len(), |i| tasks[i]).unwrap();
        for step in 1..50 {
            let chosen = chooser.choose(tasks.len(), |i| tasks[i]).unwrap();
            assert_eq!(chosen, first, "no change points");
            chooser.ran(tasks[first], step);
        }
    }

    #[test]
    fn a_replay_that_runs_out_diverges() {
        let mut chooser = Chooser::replay(vec![1]);
        assert_eq!(chooser.choose(2, |_| None).unwrap(), 1);
        assert_eq!(chooser.choose(2, |_| None).unwrap_err().choice, 1);
    }
}
