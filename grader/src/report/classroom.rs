//! GitHub Classroom's result shape, as its `autograding-grading-reporter` action reads it: one
//! object per grading step ("runner"), passed to the reporter base64-encoded as the step's
//! output `result`:
//!
//! ```json
//! {"version": 1, "status": "pass|fail|error", "max_score": 10,
//!  "tests": [{"name", "status": "pass|fail|error", "score": 3, "message", "test_code",
//!             "filename", "line_no", "duration"}]}
//! ```
//!
//! The reporter adds up `tests[].score` against `max_score` over all runners and tells Classroom
//! "Points x/y"; it fails the job when a runner's `status` is `fail` or `error`. Classroom's
//! points are integers, our tests' points need not be (0.5 is common): `max_score` is an integer
//! (`--max-score`, default the exercises' points rounded), each test's score its share of it,
//! and the shares of passed tests are rounded by largest remainder so that they add up to the
//! points earned, rounded down — a full pass scores exactly `max_score`.

use serde_json::{json, Value};

use crate::results::{ExerciseStatus, Report, TestStatus};

/// Message length kept per test (the reporter prints them in the job log).
const MESSAGE_MAX: usize = 4_000;

/// The runner result for `report`, out of `max_score` points (default: its points, rounded).
pub fn result(report: &Report, max_score: Option<u64>) -> Value {
    let max = max_score.unwrap_or_else(|| report.max_score.round().max(1.0) as u64);
    let tests: Vec<(&str, &crate::results::TestResult)> = report
        .exercises
        .iter()
        .flat_map(|e| e.tests.iter().map(move |t| (e.exercise.as_str(), t)))
        .collect();
    let scores = integer_scores(
        &tests
            .iter()
            .map(|(_, t)| (t.max_score, t.status == TestStatus::Pass))
            .collect::<Vec<_>>(),
        max,
    );
    let entries: Vec<Value> = tests
        .iter()
        .zip(scores)
        .map(|((exercise, test), score)| {
            let status = match test.status {
                TestStatus::Pass | TestStatus::Skipped => "pass",
                TestStatus::Fail => "fail",
                TestStatus::Timeout | TestStatus::Error => "error",
            };
            let message = match test.status {
                TestStatus::Pass => Value::Null,
                TestStatus::Skipped => Value::from(format!("skipped: {}", test.message)),
                _ => Value::from(crate::report::truncate_middle(
                    &crate::report::printable(&test.message),
                    MESSAGE_MAX,
                )),
            };
            json!({
                "name": format!("{exercise}: {}", test.name),
                "status": status,
                "score": score,
                "message": message,
                "test_code": format!("cargo grade run {exercise}"),
                "filename": "",
                "line_no": 0,
                "duration": test.duration_ms,
            })
        })
        .collect();
    let statuses: Vec<ExerciseStatus> = report.exercises.iter().map(|e| e.status).collect();
    let status = if statuses.iter().all(|s| *s == ExerciseStatus::Pass) {
        "pass"
    } else if statuses
        .iter()
        .all(|s| matches!(s, ExerciseStatus::Pass | ExerciseStatus::Error))
    {
        "error"
    } else {
        "fail"
    };
    json!({ "version": 1, "status": status, "max_score": max, "tests": entries })
}

/// Integer scores out of `max` for tests given as (points, passed): passed tests share the
/// earned points (rounded down) by largest remainder; failed ones score 0.
pub fn integer_scores(tests: &[(f64, bool)], max: u64) -> Vec<u64> {
    let total: f64 = tests.iter().map(|(points, _)| points).sum();
    if total <= 0.0 {
        return vec![0; tests.len()];
    }
    let exact: Vec<f64> = tests
        .iter()
        .map(|&(points, passed)| {
            if passed {
                points * max as f64 / total
            } else {
                0.0
            }
        })
        .collect();
    let earned = (exact.iter().sum::<f64>() + 1e-9).floor() as u64;
    let mut scores: Vec<u64> = exact.iter().map(|e| e.floor() as u64).collect();
    let mut left = earned.saturating_sub(scores.iter().sum());
    let mut by_remainder: Vec<usize> = (0..tests.len()).filter(|&i| exact[i] > 0.0).collect();
    by_remainder.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    for i in by_remainder {
        if left == 0 {
            break;
        }
        scores[i] += 1;
        left -= 1;
    }
    scores
}

/// The step id (and reporter runner name) of an exercise: its slug without the hyphens (the
/// reporter reads `<ID>_RESULTS` from the environment, and documents ids as alphanumeric).
pub fn runner_id(slug: &str) -> String {
    slug.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// The GitHub Actions workflow that grades `slugs` in a student's repository: one step per
/// exercise running `cargo grade classroom SLUG` (its exit status is the verdict; the job goes on
/// to the next exercise), then Classroom's reporter, which adds the points up and fails the job
/// when an exercise fails. `grader classroom --workflow` prints it; the repository's copy is
/// `.github/classroom/classroom.yml`.
pub fn workflow(slugs: &[String]) -> String {
    let mut yaml = String::from(WORKFLOW_HEAD);
    for slug in slugs {
        yaml.push_str(&format!(
            "      - name: {slug}\n        id: {id}\n        continue-on-error: true\n        \
             timeout-minutes: 10\n        run: cargo grade classroom {slug}\n",
            id = runner_id(slug)
        ));
    }
    let ids: Vec<String> = slugs.iter().map(|s| runner_id(s)).collect();
    yaml.push_str(
        "      - name: Autograding Reporter\n        if: always()\n        \
         uses: classroom-resources/autograding-grading-reporter@v1\n        env:\n",
    );
    for id in &ids {
        yaml.push_str(&format!(
            "          {upper}_RESULTS: \"${{{{ steps.{id}.outputs.result }}}}\"\n",
            upper = id.to_uppercase()
        ));
    }
    yaml.push_str(&format!(
        "        with:\n          runners: {}\n",
        ids.join(",")
    ));
    yaml
}

const WORKFLOW_HEAD: &str = "\
# GitHub Classroom autograding for Tasklings. Written by `cargo grade classroom --workflow`:
# regenerate it when exercises are added. To use it, copy it to .github/workflows/classroom.yml
# in the assignment's template repository (see .github/classroom/README.md).
#
# Each exercise is one step: `cargo grade classroom SLUG` grades it, prints the report to the log,
# hands its result to the reporter (step output `result`), and exits 0 when it passes, 1 when
# not. The reporter adds the points up for Classroom and fails the job when an exercise fails.
name: Autograding Tests
on: [push, workflow_dispatch, repository_dispatch]
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    timeout-minutes: 60
    steps:
      - name: Checkout code
        uses: actions/checkout@v4
      - name: Cache dependencies and builds
        uses: actions/cache@v4
        with:
          path: |
            ~/.cargo/registry
            ~/.cargo/git
            target
          key: tasklings-${{ runner.os }}-${{ hashFiles('Cargo.lock', 'rust-toolchain.toml') }}
      - name: Install the pinned toolchain and fetch dependencies
        run: rustup show active-toolchain || rustup toolchain install; cargo fetch --locked
      - name: Build the grader
        run: cargo build --locked --offline -p grader
";

/// Standard base64 with padding (RFC 4648), as `Buffer.from(…, "base64")` reads it.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_examples() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn the_workflow_has_a_step_per_exercise_and_reports_them_all() {
        let yaml = workflow(&["parallel-sum".into(), "file-processor".into()]);
        assert!(yaml.contains("        id: parallelsum\n"));
        assert!(yaml.contains("        run: cargo grade classroom file-processor\n"));
        assert!(yaml.contains(
            "          PARALLELSUM_RESULTS: \"${{ steps.parallelsum.outputs.result }}\"\n"
        ));
        assert!(yaml.ends_with("          runners: parallelsum,fileprocessor\n"));
    }

    #[test]
    fn a_full_pass_scores_exactly_the_maximum() {
        let tests = [(1.0, true), (0.5, true), (1.0, true), (0.5, true)];
        let scores = integer_scores(&tests, 10);
        assert_eq!(scores.iter().sum::<u64>(), 10);
    }

    #[test]
    fn partial_credit_is_rounded_down_and_goes_to_passed_tests() {
        // 1.5 of 3 points, out of 5: 2.5 → 2, and nothing for the failed test.
        let scores = integer_scores(&[(1.0, true), (0.5, true), (1.5, false)], 5);
        assert_eq!(scores.iter().sum::<u64>(), 2);
        assert_eq!(scores[2], 0);
    }
}
