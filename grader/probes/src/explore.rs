//! Exploring schedules: a scenario run under many seeds of the deterministic runtime, stopping
//! at the first schedule that makes it fail — so a bug that shows once in a hundred ordinary runs
//! fails every grading, and the failure names the seed that replays it.
//!
//! The idea is shuttle's (a randomised scheduler, PCT among its policies, a failing schedule
//! printed for replay) on the Tasklings runtime's deterministic mode (`runtime::Builder::
//! deterministic`, `docs/runtime-env.md`): each run gets a fresh deterministic runtime whose
//! every choice of "which task next" comes from the seed, so the seeds a test explores give the
//! same verdicts on every machine and every run.
//!
//! Seeds are 1, 2, …, [`Explore::seeds`]; seed `s` runs under policy `policies[(s - 1) % len]`,
//! so one number names a schedule completely and `cargo grade run SLUG --test NAME --seed S`
//! replays it. When `TASKLINGS_SEED` is set (that is what `--seed` does), only that seed runs.
//!
//! Two ways in:
//! * [`Explore::run`] for code that builds its own runtime (`runtime::run` inside the learner's
//!   function): every runtime built while the scenario runs is deterministic, through the
//!   variables `TASKLINGS_SEED` and `TASKLINGS_SCHEDULE` the runtime reads when it is built;
//! * [`Explore::run_on`] for a scenario the test drives itself: it gets the fresh runtime, and a
//!   failure names the recorded schedule too (`Runtime::schedule`).
//!
//! A scenario fails by panicking, as a test does. A run that something outside the runtime
//! made nondeterministic (a std thread waking a task while others could run) still counts; the
//! message says so, since its replay may differ.

use std::panic::{self, AssertUnwindSafe};
use std::sync::{Mutex, PoisonError};

use runtime::{Policy, Runtime};
use wire::Seeded;

/// Seeds a test explores unless it says otherwise: enough to find the catalogue's interleaving
/// bugs with a wide margin (their median is a few schedules, `book/src/seeing-the-schedule.md`),
/// few enough to take well under a second for a small scenario.
pub const DEFAULT_SEEDS: u64 = 200;

/// The policies seeds cycle through unless a test says otherwise: uniform random, and PCT for
/// bugs of depth 2 and 3 (two or three events in one particular order).
pub const DEFAULT_POLICIES: [Policy; 3] = [
    Policy::Random,
    Policy::Pct { depth: 2 },
    Policy::Pct { depth: 3 },
];

/// The environment variables that make every runtime built deterministic.
const SEED_VAR: &str = "TASKLINGS_SEED";
const SCHEDULE_VAR: &str = "TASKLINGS_SCHEDULE";
/// Where the grader says which exercise this is (for the replay command); `cargo test` sets
/// the package's name.
const EXERCISE_VARS: [&str; 2] = ["TASKLINGS_EXERCISE", "CARGO_PKG_NAME"];

/// The schedule the last failed exploration stopped at, for the harness's verdict record.
static FAILURE: Mutex<Option<Seeded>> = Mutex::new(None);

/// An exploration: how many seeds, under which policies. See the module docs.
#[derive(Clone, Debug)]
pub struct Explore {
    seeds: u64,
    policies: Vec<Policy>,
}

impl Default for Explore {
    fn default() -> Self {
        Explore::new()
    }
}

impl Explore {
    /// [`DEFAULT_SEEDS`] seeds cycling through [`DEFAULT_POLICIES`].
    pub fn new() -> Explore {
        Explore {
            seeds: DEFAULT_SEEDS,
            policies: DEFAULT_POLICIES.to_vec(),
        }
    }

    /// Explores seeds `1..=seeds`.
    #[must_use]
    pub fn seeds(mut self, seeds: u64) -> Explore {
        self.seeds = seeds.max(1);
        self
    }

    /// The policies seeds cycle through (at least one; an empty list means uniform random).
    #[must_use]
    pub fn policies(mut self, policies: &[Policy]) -> Explore {
        self.policies = if policies.is_empty() {
            vec![Policy::Random]
        } else {
            policies.to_vec()
        };
        self
    }

    /// The policy seed `seed` runs under.
    pub fn policy_of(&self, seed: u64) -> Policy {
        let index = (seed.saturating_sub(1) % self.policies.len() as u64) as usize;
        self.policies[index]
    }

    /// The seeds this exploration runs: the one in `TASKLINGS_SEED` when it is set, else all.
    fn plan(&self) -> Vec<u64> {
        match std::env::var(SEED_VAR)
            .ok()
            .and_then(|s| s.trim().parse().ok())
        {
            Some(seed) => vec![seed],
            None => (1..=self.seeds).collect(),
        }
    }

    /// Runs `scenario` once per seed with every Tasklings runtime it builds deterministic, and
    /// panics at the first seed under which it panics, naming the seed and how to replay it.
    /// Returns how many schedules ran.
    pub fn run(&self, scenario: impl Fn()) -> u64 {
        let saved = [SEED_VAR, SCHEDULE_VAR].map(|key| (key, std::env::var_os(key)));
        let mut ran = 0;
        for seed in self.plan() {
            // The runtime reads these when it is built. Setting them with other threads alive
            // is safe in Rust 2021 (std guards its own reads); nothing here reads them from C.
            std::env::set_var(SEED_VAR, seed.to_string());
            std::env::set_var(SCHEDULE_VAR, self.policy_of(seed).to_string());
            let outcome = panic::catch_unwind(AssertUnwindSafe(&scenario));
            ran += 1;
            if let Err(payload) = outcome {
                restore(&saved);
                self.fail(seed, None, false, payload.as_ref());
            }
        }
        restore(&saved);
        ran
    }

    /// Runs `scenario` once per seed on a fresh deterministic runtime built here (two workers
    /// played unless `TASKLINGS_WORKERS` says otherwise), and panics at the first seed under
    /// which it panics, naming the seed, the recorded schedule and how to replay it. Returns how
    /// many schedules ran.
    pub fn run_on(&self, scenario: impl Fn(&Runtime)) -> u64 {
        let mut ran = 0;
        for seed in self.plan() {
            let runtime = Runtime::builder()
                .deterministic(seed)
                .policy(self.policy_of(seed))
                .build()
                .unwrap_or_else(|error| panic!("the deterministic runtime can't start: {error}"));
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| scenario(&runtime)));
            ran += 1;
            if let Err(payload) = outcome {
                let schedule = runtime.schedule();
                let broken = runtime.determinism_broken();
                drop(runtime);
                self.fail(seed, schedule, broken, payload.as_ref());
            }
        }
        ran
    }

    fn fail(
        &self,
        seed: u64,
        schedule: Option<String>,
        broken: bool,
        payload: &(dyn std::any::Any + Send),
    ) -> ! {
        let policy = self.policy_of(seed);
        let seeded = Seeded {
            seed,
            policy: policy.to_string(),
            schedule,
        };
        let message = failure_message(&seeded, self.seeds, broken, &payload_text(payload));
        *FAILURE.lock().unwrap_or_else(PoisonError::into_inner) = Some(seeded);
        // The scenario's own panic was printed as it happened; this is the verdict's message.
        panic::resume_unwind(Box::new(message))
    }
}

/// The verdict's message: what failed, under which schedule, and the command that replays it.
fn failure_message(seeded: &Seeded, explored: u64, broken: bool, what: &str) -> String {
    let test = std::thread::current()
        .name()
        .filter(|name| *name != "main")
        .unwrap_or("TEST")
        .to_owned();
    let exercise = EXERCISE_VARS
        .iter()
        .find_map(|key| std::env::var(key).ok())
        .unwrap_or_else(|| "SLUG".to_owned());
    let how = match seeded.policy.strip_prefix("pct:") {
        Some(depth) => format!("PCT scheduling, depth {depth}"),
        None => "uniform random scheduling".to_owned(),
    };
    let schedule = seeded
        .schedule
        .as_ref()
        .map(|s| format!(" Its recorded schedule: {s}."))
        .unwrap_or_default();
    let broken = if broken {
        " (Something outside the runtime — a std thread, a blocking closure — also decided the \
         order in that run, so a replay may differ.)"
    } else {
        ""
    };
    format!(
        "{what}\n\nThis happened under schedule seed {seed} ({how}), one of {explored} schedules \
         this test tries, in the same order on every run: the verdict doesn't depend on luck.\
         {schedule}{broken} Replay exactly this schedule, and get its timeline: cargo grade run \
         {exercise} --test {test} --seed {seed}",
        seed = seeded.seed,
    )
}

fn restore(saved: &[(&str, Option<std::ffi::OsString>)]) {
    for (key, value) in saved {
        match value {
            Some(value) => std::env::set_var(key, value),
            None => std::env::remove_var(key),
        }
    }
}

/// The schedule the last failed exploration stopped at (taken: a second call says `None`).
pub fn take_failure() -> Option<Seeded> {
    FAILURE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
}

fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "the scenario panicked with a value that is not a string".to_owned()
    }
}
