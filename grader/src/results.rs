//! The result model: one report of graded exercises, each with its tests. Every output format
//! (`report::human`, `json`, `junit`, `gradescope`, `prairielearn`, `exercism`, `ctrf`,
//! `markdown`, `classroom50`, `classroom`) is a writer over these types, and the progress state
//! records a summary of them.
//!
//! The serialised field names are the `--format json` shape (docs/report-json.md); fields marked
//! `#[serde(skip)]` are for the other writers (captured output, notes, hints).

use serde::{Deserialize, Serialize};

/// Everything one `grader run` graded.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// Points earned over all exercises.
    pub score: f64,
    /// Points possible over all exercises (skipped tests count for neither).
    pub max_score: f64,
    /// One entry per graded exercise, in learning-path order.
    pub exercises: Vec<ExerciseResult>,
    /// Wall time of the whole run, in seconds (Gradescope's `execution_time`, JUnit's `time`).
    #[serde(skip)]
    pub elapsed_s: f64,
}

impl Report {
    /// Sums the exercises' scores.
    pub fn new(exercises: Vec<ExerciseResult>, elapsed_s: f64) -> Report {
        Report {
            score: exercises.iter().map(|e| e.score).sum(),
            max_score: exercises.iter().map(|e| e.max_score).sum(),
            exercises,
            elapsed_s,
        }
    }

    /// True when every graded exercise passes (the grader's exit status 0).
    pub fn all_pass(&self) -> bool {
        self.exercises
            .iter()
            .all(|e| e.status == ExerciseStatus::Pass)
    }
}

/// The verdict on one exercise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExerciseStatus {
    /// No test failed, timed out or errored (skipped tests don't count).
    Pass,
    /// At least one test failed.
    Fail,
    /// The submission (or the hidden tests against it) did not compile.
    CompileError,
    /// No test failed, but at least one ran out of time.
    Timeout,
    /// The grader could not grade: a missing editable file, a hidden test binary that broke the
    /// protocol, a test that could not be started.
    Error,
}

impl ExerciseStatus {
    /// The word used in every output format.
    pub fn as_str(self) -> &'static str {
        match self {
            ExerciseStatus::Pass => "pass",
            ExerciseStatus::Fail => "fail",
            ExerciseStatus::CompileError => "compile_error",
            ExerciseStatus::Timeout => "timeout",
            ExerciseStatus::Error => "error",
        }
    }
}

/// One graded exercise.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ExerciseResult {
    /// The exercise's slug.
    pub exercise: String,
    pub status: ExerciseStatus,
    pub score: f64,
    pub max_score: f64,
    pub tests: Vec<TestResult>,
    /// The manifest's title, for human output.
    #[serde(skip)]
    pub title: String,
    /// Things the grader wants the reader to know that are not a test's verdict ("ignored 2
    /// files that are not editable: …").
    #[serde(skip)]
    pub notes: Vec<String>,
}

impl ExerciseResult {
    /// Builds the result from its tests: the score is the points of passed tests, the maximum the
    /// points of tests that were not skipped, and the status follows docs/report-json.md.
    pub fn from_tests(
        exercise: &str,
        title: &str,
        tests: Vec<TestResult>,
        notes: Vec<String>,
    ) -> ExerciseResult {
        let score = tests.iter().map(|t| t.score).sum();
        let max_score = tests.iter().map(|t| t.max_score).sum();
        let has = |status: TestStatus| tests.iter().any(|t| t.status == status);
        let status = if tests
            .iter()
            .any(|t| t.kind == TestKind::Compile && t.status != TestStatus::Pass)
        {
            if has(TestStatus::Error) {
                ExerciseStatus::Error
            } else {
                ExerciseStatus::CompileError
            }
        } else if has(TestStatus::Fail) {
            ExerciseStatus::Fail
        } else if has(TestStatus::Timeout) {
            ExerciseStatus::Timeout
        } else if has(TestStatus::Error) {
            ExerciseStatus::Error
        } else {
            ExerciseStatus::Pass
        };
        ExerciseResult {
            exercise: exercise.to_owned(),
            status,
            score,
            max_score,
            tests,
            title: title.to_owned(),
            notes,
        }
    }

    /// Tests that failed, timed out or errored.
    pub fn problems(&self) -> impl Iterator<Item = &TestResult> {
        self.tests.iter().filter(|t| t.status.is_problem())
    }
}

/// What a test checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestKind {
    /// Results and bounds; run in parallel.
    Correctness,
    /// Speed against a baseline; run one at a time; left out by `--skip-timing`.
    Timing,
    /// Building the submission (the pseudo-test a compile error is reported as).
    Compile,
}

impl TestKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TestKind::Correctness => "correctness",
            TestKind::Timing => "timing",
            TestKind::Compile => "compile",
        }
    }
}

/// The verdict on one test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestStatus {
    Pass,
    Fail,
    /// Killed at its timeout.
    Timeout,
    /// Could not be run or broke the protocol (not the learner's fault as far as we know).
    Error,
    /// Not run or not applicable (too few CPUs, `--skip-timing`): counts neither way.
    Skipped,
}

impl TestStatus {
    /// Fail, timeout or error: what makes an exercise not pass.
    pub fn is_problem(self) -> bool {
        matches!(
            self,
            TestStatus::Fail | TestStatus::Timeout | TestStatus::Error
        )
    }
}

/// One graded test.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TestResult {
    pub name: String,
    pub kind: TestKind,
    pub status: TestStatus,
    /// `max_score` when passed, else 0.
    pub score: f64,
    /// The test's points, or 0 when skipped.
    pub max_score: f64,
    /// What the learner should read: the panic message, why it was skipped, what killed it (and
    /// on a timeout, what was still running).
    pub message: String,
    pub duration_ms: u64,
    /// What the test process printed (capped), shown for failures; never parsed for a verdict.
    #[serde(skip)]
    pub output: String,
    /// The schedule a failure happened under, when a seed chose it (the grader replays it to
    /// draw its timeline; the message already names the seed).
    #[serde(skip)]
    pub seeded: Option<wire::Seeded>,
}

impl TestResult {
    /// A verdict on a test worth `points`: scored when passed, counted for nothing when skipped.
    pub fn new(
        name: &str,
        kind: TestKind,
        points: f64,
        status: TestStatus,
        message: String,
        duration_ms: u64,
    ) -> TestResult {
        let max_score = if status == TestStatus::Skipped {
            0.0
        } else {
            points
        };
        let score = if status == TestStatus::Pass {
            points
        } else {
            0.0
        };
        TestResult {
            name: name.to_owned(),
            kind,
            status,
            score,
            max_score,
            message,
            duration_ms,
            output: String::new(),
            seeded: None,
        }
    }

    /// The pseudo-test that stands for the whole build when it fails: worth every point the
    /// exercise's tests are worth (`max_score`), so a compile error scores 0 of the full total.
    pub fn compile_failure(status: TestStatus, message: String, max_score: f64) -> TestResult {
        TestResult {
            name: "compile".to_owned(),
            kind: TestKind::Compile,
            status,
            score: 0.0,
            max_score,
            message,
            duration_ms: 0,
            output: String::new(),
            seeded: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test(status: TestStatus, points: f64) -> TestResult {
        TestResult::new("t", TestKind::Correctness, points, status, String::new(), 1)
    }

    #[test]
    fn skipped_tests_count_for_nothing_and_pass_counts_points() {
        let result = ExerciseResult::from_tests(
            "x",
            "X",
            vec![test(TestStatus::Pass, 2.0), test(TestStatus::Skipped, 3.0)],
            vec![],
        );
        assert_eq!(result.status, ExerciseStatus::Pass);
        assert_eq!((result.score, result.max_score), (2.0, 2.0));
    }

    #[test]
    fn a_failure_outranks_a_timeout_which_outranks_an_error() {
        let status = |tests| ExerciseResult::from_tests("x", "X", tests, vec![]).status;
        assert_eq!(
            status(vec![
                test(TestStatus::Timeout, 1.0),
                test(TestStatus::Fail, 1.0)
            ]),
            ExerciseStatus::Fail
        );
        assert_eq!(
            status(vec![
                test(TestStatus::Error, 1.0),
                test(TestStatus::Timeout, 1.0)
            ]),
            ExerciseStatus::Timeout
        );
        assert_eq!(
            status(vec![test(TestStatus::Error, 1.0)]),
            ExerciseStatus::Error
        );
    }

    #[test]
    fn a_compile_failure_scores_zero_of_the_full_total() {
        let result = ExerciseResult::from_tests(
            "x",
            "X",
            vec![TestResult::compile_failure(
                TestStatus::Fail,
                "e".into(),
                7.0,
            )],
            vec![],
        );
        assert_eq!(result.status, ExerciseStatus::CompileError);
        assert_eq!((result.score, result.max_score), (0.0, 7.0));
    }
}
