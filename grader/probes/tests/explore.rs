//! `probes::explore` on small programs with interleaving bugs (`scenarios`): a bug is found
//! under the same seed on every exploration, its message names the seed and the replay
//! command, `TASKLINGS_SEED` runs that seed alone and fails the same way, and correct code
//! passes every schedule.
//!
//! One test function: an exploration sets process-wide environment variables, so the checks
//! run one after another rather than as parallel tests.

mod scenarios;

use std::panic::{self, AssertUnwindSafe};

use probes::explore::{self, Explore};

/// The message an exploration panicked with, or `None` when every schedule passed.
fn explore_on(
    explore: &Explore,
    scenario: fn(&runtime::Runtime) -> Result<(), String>,
) -> Option<String> {
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        explore.run_on(|rt| {
            if let Err(problem) = scenario(rt) {
                panic!("{problem}");
            }
        })
    }));
    match outcome {
        Ok(_) => None,
        Err(payload) => Some(
            payload
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_else(|| "a panic that is not a String".to_owned()),
        ),
    }
}

#[test]
fn a_bug_is_found_under_the_same_seed_every_time_and_replays() {
    let explore = Explore::new().seeds(300);
    for (name, scenario) in scenarios::BUGGY {
        let first = explore_on(&explore, scenario).unwrap_or_else(|| panic!("{name}: not found"));
        let seeded = explore::take_failure().expect("the failure is recorded for the verdict");
        assert!(
            first.contains(&format!("schedule seed {} ", seeded.seed)),
            "{first}"
        );
        assert!(
            first.contains(&format!("--seed {}", seeded.seed)),
            "{first}"
        );
        let schedule = seeded
            .schedule
            .clone()
            .expect("run_on records the schedule");
        assert!(first.contains(&schedule), "{first}");
        // The same exploration stops at the same seed, with the same schedule.
        let again = explore_on(&explore, scenario).expect("found again");
        assert_eq!(first, again, "{name}: two explorations disagree");
        let _ = explore::take_failure();

        // TASKLINGS_SEED runs that seed alone, and it fails the same way.
        std::env::set_var("TASKLINGS_SEED", seeded.seed.to_string());
        let replayed = explore_on(&explore, scenario);
        std::env::remove_var("TASKLINGS_SEED");
        assert_eq!(
            replayed.as_deref(),
            Some(first.as_str()),
            "{name}: the replay differs"
        );
        let replayed = explore::take_failure().expect("recorded");
        assert_eq!(replayed, seeded);
    }
    // Correct code passes every schedule explored.
    assert_eq!(explore_on(&explore, scenarios::add_before_spawning), None);
    assert_eq!(explore::take_failure(), None);
}
