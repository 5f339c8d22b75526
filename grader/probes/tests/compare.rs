//! The comparison decides on ratios of best times. Sides that *sleep* give lower bounds the
//! scheduler can't undercut, so the verdicts below don't depend on the machine being quiet.

use std::thread::sleep;
use std::time::Duration;

use probes::compare::{cpus, Compare, Comparison};

#[test]
fn too_many_cpus_needed_is_skipped_with_the_reason() {
    let needed = cpus() + 1;
    let comparison = Compare::new(2.0)
        .needs_cpus(needed)
        .run(|| panic!("a skipped comparison runs nothing"), || ());
    match comparison {
        Comparison::Skipped { reason } => assert_eq!(
            reason,
            format!("needs {needed} CPUs, this machine has {}", cpus())
        ),
        other => panic!("expected a skip, got {other}"),
    }
}

#[test]
fn a_candidate_far_slower_than_allowed_fails_with_both_numbers() {
    // The candidate can't take less than 60 ms; for it to pass, the 2 ms baseline would have to be
    // delayed past 30 ms on every one of its tries.
    let comparison = Compare::new(2.0).tries(3).run(
        || sleep(Duration::from_millis(2)),
        || sleep(Duration::from_millis(60)),
    );
    let Comparison::Failed(m) = comparison else {
        panic!("expected a failure, got {comparison}");
    };
    assert!(m.candidate >= Duration::from_millis(60));
    assert!(m.ratio > 2.0 && m.max_ratio == 2.0 && m.tries == 3);
    let message = Comparison::Failed(m).to_string();
    assert!(message.starts_with("too slow: best of 3"), "{message}");
}

#[test]
fn an_equal_candidate_passes_with_room() {
    let comparison = Compare::new(4.0).run(
        || sleep(Duration::from_millis(3)),
        || sleep(Duration::from_millis(3)),
    );
    assert!(comparison.passed(), "{comparison}");
    assert!(comparison.measurement().is_some());
}

#[test]
fn cpus_is_at_least_one() {
    assert!(cpus() >= 1);
}
