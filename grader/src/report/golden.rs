//! Golden files: every writer's output for two fixed reports, kept under `grader/tests/golden/`
//! and compared byte for byte (as Exercism's test runners keep an `expected_results.json` per
//! example). `mixed` has two exercises and every test status (pass, fail, timeout, error,
//! skipped), notes, fractional points, captured output with an ANSI escape, a `|`, backticks and
//! markup; `compile-error` is one exercise whose build failed; `starter` is a starter's many
//! failures, for the learner's one-screen human report.
//!
//! A writer whose output changes on purpose: re-bless with
//! `TASKLINGS_BLESS=1 cargo test -p grader --bin grader golden`, and read the diff.
//!
//! The reports are fixed, and so are the times and identities the writers are given; what still
//! varies from run to run is normalised in [`normalise`], with the reason next to each rule.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use crate::report::{self, human};
use crate::results::{ExerciseResult, Report, TestKind, TestResult, TestStatus};
use crate::style::Style;

/// 2024-01-09T07:50:12.664Z: the fixed start of the run.
fn started() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(1_704_786_612_664)
}

fn test(name: &str, kind: TestKind, points: f64, status: TestStatus, message: &str) -> TestResult {
    TestResult::new(name, kind, points, status, message.to_owned(), 12)
}

fn mixed() -> Report {
    let mut failed = test(
        "sums_wrapping",
        TestKind::Correctness,
        2.0,
        TestStatus::Fail,
        "sum_all(&[u64::MAX, 2]) should wrap around to 1\n  left: 1\n right: overflow",
    );
    failed.output = "\x1b[31mdebug\x1b[0m: a | b ```code``` <b>bold</b>\nsecond line\n".into();
    let sums = ExerciseResult::from_tests(
        "adder",
        "Adder",
        vec![
            test("adds", TestKind::Correctness, 1.0, TestStatus::Pass, ""),
            test(
                "adds_halves",
                TestKind::Correctness,
                0.5,
                TestStatus::Pass,
                "",
            ),
            failed,
            test(
                "never_returns",
                TestKind::Correctness,
                1.0,
                TestStatus::Timeout,
                "killed after 10 s; still running: task 3 (parked)",
            ),
            test(
                "reports_its_result",
                TestKind::Correctness,
                0.5,
                TestStatus::Error,
                "the test process ended without a verdict (exit status 0)",
            ),
            test(
                "as_fast_as_a_loop",
                TestKind::Timing,
                1.0,
                TestStatus::Skipped,
                "--skip-timing",
            ),
        ],
        vec!["ignored 1 file that is not editable: notes.txt".into()],
    );
    let counter = ExerciseResult::from_tests(
        "counter-races",
        "Counter races",
        vec![test(
            "counts_every_increment",
            TestKind::Correctness,
            3.0,
            TestStatus::Pass,
            "",
        )],
        vec![],
    );
    Report::new(vec![sums, counter], 2.5)
}

fn compile_error() -> Report {
    let compile = TestResult::compile_failure(
        TestStatus::Fail,
        "error[E0277]: cannot add `&str` to `u64`\n --> src/lib.rs:4:7\n  |\n4 |     a + \"b\"\n  |       ^ no implementation for `u64 + &str`".into(),
        5.0,
    );
    Report::new(
        vec![ExerciseResult::from_tests(
            "adder",
            "Adder",
            vec![compile],
            vec![],
        )],
        0.8,
    )
}

/// Every writer, as (file name suffix, output).
fn outputs(report: &Report) -> Vec<(&'static str, String)> {
    let guidance = human::Guidance {
        hints: [(
            "adder".to_owned(),
            human::Hint {
                index: 1,
                count: 3,
                text: "Add with `wrapping_add`.".into(),
            },
        )]
        .into_iter()
        .collect(),
        next: "fix adder, then run `cargo grade run adder` again.".into(),
    };
    let classroom50 = report::classroom50::Options {
        classroom: "rust-concurrency".into(),
        assignment: "adder".into(),
        submission: "submit/2024-01-09T07-50-00Z-a1b2c3d".into(),
        commit: "https://github.com/o/r/commit/a1b2c3d".into(),
        release: "https://github.com/o/r/releases/tag/submit%2F2024".into(),
        review: "https://github.com/o/r/compare/base...a1b2c3d".into(),
        datetime: "2024-01-09T07:50:00Z".into(),
        graded_at: "2024-01-09T07:50:15Z".into(),
    };
    let ctrf = report::ctrf::Options {
        started: started(),
        report_id: "00000000-0000-4000-8000-000000000000".into(),
    };
    vec![
        (
            "human.txt",
            human::render(report, Style::plain(), &guidance),
        ),
        ("json", report::json::render(report)),
        ("junit.xml", report::junit::render(report, started())),
        (
            "gradescope.json",
            report::gradescope::render(report, &report::gradescope::Options::for_cpus(4)),
        ),
        ("prairielearn.json", report::prairielearn::render(report)),
        ("exercism.json", report::exercism::render(report)),
        ("ctrf.json", report::ctrf::render(report, &ctrf)),
        ("github-summary.md", report::markdown::render(report)),
        (
            "classroom50.json",
            report::classroom50::render(report, &classroom50),
        ),
        (
            "classroom.json",
            serde_json::to_string_pretty(&report::classroom::result(report, None)).unwrap() + "\n",
        ),
    ]
}

/// What differs between two runs on the same report, replaced by a placeholder.
fn normalise(text: &str) -> String {
    let mut text = text.to_owned();
    // JUnit's `uuid` is drawn at random for every run (as nextest does).
    text = replace_between(&text, "uuid=\"", "\"", "<uuid>");
    // The grader's version is in CTRF's `tool.version` and `generatedBy`: it changes with each
    // release, not with the report.
    text = text.replace(env!("CARGO_PKG_VERSION"), "<version>");
    text
}

/// `text` with whatever stands between each `start` and the next `end` replaced by `with`.
fn replace_between(text: &str, start: &str, end: &str, with: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(start) {
        out.push_str(&rest[..at + start.len()]);
        rest = &rest[at + start.len()..];
        match rest.find(end) {
            Some(stop) => {
                out.push_str(with);
                rest = &rest[stop..];
            }
            None => break,
        }
    }
    out.push_str(rest);
    out
}

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("golden")
}

fn check(name: &str, report: &Report) {
    let bless = std::env::var_os("TASKLINGS_BLESS").is_some();
    let mut stale = Vec::new();
    for (suffix, output) in outputs(report) {
        let path = golden_dir().join(format!("{name}.{suffix}"));
        let actual = normalise(&output);
        if bless {
            std::fs::create_dir_all(golden_dir()).unwrap();
            std::fs::write(&path, &actual).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_else(|error| {
            panic!("{}: {error} (bless with TASKLINGS_BLESS=1)", path.display())
        });
        if expected != actual {
            stale.push(format!(
                "--- {} (expected)\n{expected}\n--- actual\n{actual}",
                path.display()
            ));
        }
    }
    assert!(
        stale.is_empty(),
        "golden files differ (TASKLINGS_BLESS=1 rewrites them):\n{}",
        stale.join("\n")
    );
}

#[test]
fn every_writer_matches_its_golden_file_for_a_mixed_report() {
    check("mixed", &mixed());
}

#[test]
fn every_writer_matches_its_golden_file_for_a_compile_error() {
    check("compile-error", &compile_error());
}

/// A starter as parallel-sum's fails (its messages as the grader printed them): seven tests
/// panic at one `todo!`, four at another, one of those with other threads' panics, and one
/// fails an assertion of the hidden tests.
fn starter() -> Report {
    let todo =
        |name: &str, call: &str, line: u32| {
            let message =
                format!(
            "{call}: not yet implemented: {}\n  at exercises/parallel-sum/src/lib.rs:{line}:5",
            if line == 28 { "split the numbers" } else { "call f on each item" }
        );
            test(name, TestKind::Correctness, 1.0, TestStatus::Fail, &message)
        };
    let mut tests = vec![
        todo(
            "sums_an_empty_slice_to_zero",
            "parallel_sum([], 0) panicked",
            28,
        ),
        todo("sums_a_single_item", "parallel_sum([42], 1) panicked", 28),
        todo(
            "handles_fewer_items_than_workers",
            "parallel_sum([1, 2, 3], 8) panicked",
            28,
        ),
        todo(
            "sum_by_adds_up_f_of_every_item",
            "parallel_sum_by panicked",
            47,
        ),
        todo("calls_f_once_per_item", "parallel_sum_by panicked", 47),
    ];
    let mut threads = test(
        "never_runs_more_than_workers_calls_at_once",
        TestKind::Correctness,
        1.0,
        TestStatus::Fail,
        "not yet implemented: call f on each item\nOther threads panicked before this:\n  thread \
         '<unnamed>' panicked at exercises/parallel-sum/src/lib.rs:47:5: not yet implemented",
    );
    threads.output = "a line the test printed\n".into();
    tests.push(threads);
    tests.push(test(
        "counts_every_item_once",
        TestKind::Correctness,
        2.0,
        TestStatus::Fail,
        "the sum was 4950, expected 5050: an item was left out\n  left: 4950\n right: 5050",
    ));
    tests.push(test(
        "never_blocks_forever",
        TestKind::Correctness,
        1.0,
        TestStatus::Timeout,
        "timed out: still running after 10 s",
    ));
    tests.push(test(
        "compiles_on_stable",
        TestKind::Correctness,
        1.0,
        TestStatus::Pass,
        "",
    ));
    Report::new(
        vec![ExerciseResult::from_tests(
            "parallel-sum",
            "Parallel sum",
            tests,
            vec![],
        )],
        1.0,
    )
}

/// The learner's one-screen report: the first failure of each kind in full (at most three),
/// the rest a line each, and how many were shortened.
#[test]
fn the_one_screen_human_report_matches_its_golden_file() {
    let one_screen = human::Detail::OneScreen {
        everything: "`cargo grade run parallel-sum --verbose` shows them in full".into(),
    };
    let text = human::render_with(
        &starter(),
        Style::plain(),
        &human::Guidance::default(),
        &one_screen,
    );
    let path = golden_dir().join("starter.human-one-screen.txt");
    if std::env::var_os("TASKLINGS_BLESS").is_some() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|error| {
        panic!("{}: {error} (bless with TASKLINGS_BLESS=1)", path.display())
    });
    assert_eq!(expected, text, "TASKLINGS_BLESS=1 rewrites the golden file");
}

#[test]
fn normalising_replaces_only_what_varies() {
    assert_eq!(
        replace_between("a uuid=\"123\" b uuid=\"456\"", "uuid=\"", "\"", "<u>"),
        "a uuid=\"<u>\" b uuid=\"<u>\""
    );
}
