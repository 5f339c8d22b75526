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
    // Equal work: only a candidate slowed 20-fold on every one of its 5 tries could fail this.
    let comparison = Compare::new(20.0).run(
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

#[test]
fn enforce_returns_the_numbers_fails_with_them_or_ends_the_test_skipped() {
    let passed = Compare::new(1_000.0).tries(1).run(|| (), || ());
    let m = passed.enforce("an empty closure");
    assert_eq!(m.tries, 1);

    let failed = Comparison::Failed(probes::compare::Measurement {
        baseline: Duration::from_millis(10),
        candidate: Duration::from_millis(50),
        ratio: 5.0,
        max_ratio: 2.0,
        tries: 5,
    });
    let panic = std::panic::catch_unwind(|| failed.enforce("your sort")).unwrap_err();
    let message = panic.downcast_ref::<String>().unwrap();
    assert!(
        message.starts_with("your sort is too slow: best of 5"),
        "{message}"
    );

    // A skip unwinds (the harness turns it into a `skipped` verdict) and is no panic message.
    let skipped = Comparison::Skipped {
        reason: "needs 2 CPUs, this machine has 1".into(),
    };
    let payload = std::panic::catch_unwind(|| skipped.enforce("x")).unwrap_err();
    assert!(payload.downcast_ref::<String>().is_none());
    assert!(payload.downcast_ref::<&str>().is_none());
}
