//! A starter's report fits one screen: the first failure of each kind in full, the others a line
//! each, a closing line saying how many were shortened; `--verbose` shows every one in full.
//! On real output: the fixture pack's adder and this repository's parallel-sum starter.

mod common;

use common::Pack;

fn stdout(command: &mut assert_cmd::Command) -> String {
    let output = command.output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "a starter fails:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The failing tests' lines (`  ✗ name …`).
fn failures(report: &str) -> Vec<&str> {
    report.lines().filter(|l| l.starts_with("  ✗ ")).collect()
}

#[test]
fn a_learners_starter_shows_each_kind_of_failure_once_in_full() {
    let pack = Pack::new();
    let short = stdout(pack.grader().args(["run", "adder"]));
    // add's `todo!` fails two tests and sum_all's two more: one of each in full.
    assert_eq!(
        short.matches("at exercises/adder/src/lib.rs:").count(),
        2,
        "{short}"
    );
    assert!(
        short.contains("  ✗ adds_zero failed: not yet implemented: add 7 and 0\n"),
        "{short}"
    );
    assert!(
        short.contains(
            "(2 failures were shortened to a line; `cargo grade run adder --verbose` shows them \
             in full)"
        ),
        "{short}"
    );

    let full = stdout(pack.grader().args(["run", "adder", "--verbose"]));
    assert_eq!(
        full.matches("at exercises/adder/src/lib.rs:").count(),
        4,
        "{full}"
    );
    assert!(!full.contains("shortened"), "{full}");
    assert_eq!(failures(&short).len(), failures(&full).len());
}

#[test]
fn parallel_sums_starter_fits_a_screen() {
    let root = common::workspace_root();
    let starter = root.join("exercises/parallel-sum/.starter");
    let run = |verbose: bool| {
        let mut command = common::grader();
        command
            .arg("--root")
            .arg(&root)
            .args(["run", "parallel-sum", "--skip-timing", "--submission"])
            .arg(&starter);
        if verbose {
            command.arg("--verbose");
        }
        stdout(&mut command)
    };
    let (short, full) = (run(false), run(true));
    let failing = failures(&full).len();
    assert!(failing >= 10, "the starter fails many tests:\n{full}");
    assert_eq!(
        failures(&short).len(),
        failing,
        "every failure keeps a line"
    );
    // Its two `todo!`s are two kinds: one failure of each in full, the rest shortened.
    let shortened = format!(
        "({} failures were shortened to a line; --verbose shows them in full)",
        failing - 2
    );
    assert!(short.contains(&shortened), "{short}");
    assert!(
        short.lines().count() <= 30,
        "{} lines is more than a screen:\n{short}",
        short.lines().count()
    );
    assert!(full.lines().count() > short.lines().count());
}
