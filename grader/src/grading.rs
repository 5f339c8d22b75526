//! Grading one exercise, end to end: scratch workspace → build → list the hidden tests → run
//! them → an [`ExerciseResult`].
//!
//! Correctness tests run in parallel, two per CPU, longest timeout first (see [`run_tests`]);
//! timing tests run afterwards, one at a
//! time, with nothing else of ours running, so they measure the code and not the grader. Every
//! test is its own process (see `protocol` and `sandbox`).
//!
//! What the learner's code does is never an `Err` here: compile errors, crashes and hangs are
//! verdicts. `Err` means the grader itself could not work (no cargo, an unreadable repository)
//! and becomes exit status 2.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use anyhow::Result;
use serde::{Deserialize, Serialize};

use crate::cargo_build::{self, BuildOutcome};
use crate::progress::Progress;
use crate::protocol::{self, HiddenBinary, ListedTest};
use crate::repo::{Exercise, Repo};
use crate::results::{ExerciseResult, TestKind, TestResult, TestStatus};
use crate::sandbox::Sandbox;
use crate::scratch::{self, ScratchError, Source};

/// How to grade.
#[derive(Clone, Debug, Default)]
pub struct GradeOptions {
    /// How learner processes are confined: none for a learner's own code, a class's sandbox
    /// for other people's work.
    pub sandbox: Sandbox,
    /// A folder of hidden tests to use instead of `grader/hidden` (`<dir>/<slug>/main.rs`).
    pub hidden: Option<PathBuf>,
    /// Leave timing tests out (reported as skipped): correctness only, for fast feedback.
    pub skip_timing: bool,
    /// Run only the hidden tests with these exact names (all when empty). The report then holds
    /// only those tests, so its score is not the exercise's grade.
    pub only: Vec<String>,
}

/// Grades `exercise` with editable files from `source`.
pub fn grade(
    repo: &Repo,
    exercise: &Exercise,
    source: &Source,
    options: &GradeOptions,
    progress: &Progress,
) -> Result<ExerciseResult> {
    let slug = exercise.slug.as_str();
    progress.start(slug);
    let manifest = match &exercise.manifest {
        Ok(manifest) => manifest,
        Err(error) => {
            return Ok(single_error(
                exercise,
                "manifest",
                format!("{error}\n(`cargo grade verify {slug}` checks the manifest)"),
                0.0,
                vec![],
            ))
        }
    };
    let hidden_dir = repo.hidden_dir(slug, options.hidden.as_deref());
    progress.status("preparing a scratch copy");
    let scratch = match scratch::prepare(repo, exercise, manifest, source, &hidden_dir) {
        Ok(scratch) => scratch,
        Err(
            error @ (ScratchError::MissingEditable { .. } | ScratchError::NotARegularFile { .. }),
        ) => {
            let total = total_points(repo, exercise, manifest, source, &hidden_dir, progress);
            return Ok(single_error(
                exercise,
                "submission",
                error.to_string(),
                total,
                vec![],
            ));
        }
        Err(ScratchError::Other(error)) => return Err(error),
    };
    let paths = protocol::path_map(
        &scratch.member,
        &display_dir(repo, &source.dir(repo, slug)),
        &display_dir(repo, &hidden_dir),
    );

    progress.status("building");
    let built = {
        // Not while another submission's timing test runs (`grader batch`).
        let _turn = crate::timing_gate::shared();
        cargo_build::build(repo, &scratch, progress)?
    };
    let binary = match built {
        BuildOutcome::Built(binary) => binary,
        BuildOutcome::CompileError {
            rendered,
            in_hidden_tests,
        } => {
            let rendered = paths.apply(&rendered);
            let fix_it = fix_it(repo, manifest);
            let message = crate::diagnosis::explain(&rendered, in_hidden_tests, fix_it.as_ref());
            let mut scratch = scratch;
            let notes = std::mem::take(&mut scratch.notes);
            drop(scratch);
            let total = total_points(repo, exercise, manifest, source, &hidden_dir, progress);
            let test = TestResult::compile_failure(TestStatus::Fail, message, total);
            return Ok(ExerciseResult::from_tests(
                slug,
                &manifest.title,
                vec![test],
                notes,
            ));
        }
        BuildOutcome::CargoFailed(stderr) => {
            let total = cached_total(repo, slug, &hidden_dir).unwrap_or(0.0);
            return Ok(single_error(
                exercise,
                "build",
                format!("cargo could not build the exercise:\n{stderr}"),
                total,
                scratch.notes,
            ));
        }
    };

    let hidden = HiddenBinary {
        // Confined (`grader batch`, `grader gradescope run`): a binary the sandbox can run.
        path: options.sandbox.stage(&binary)?,
        cwd: scratch.crate_dir.clone(),
        paths,
    };
    progress.status("listing the hidden tests");
    let tests = match protocol::list(&hidden, &options.sandbox) {
        Ok(tests) => tests,
        Err(message) => {
            return Ok(single_error(
                exercise,
                "hidden tests",
                message,
                0.0,
                scratch.notes,
            ))
        }
    };
    remember_total(repo, slug, &hidden_dir, &tests);
    // An unknown name is a usage error (exit 2), not a failed grade.
    let tests = select_tests(tests, &options.only).map_err(anyhow::Error::msg)?;

    let skip_timing = options.skip_timing || !manifest.timing;
    let results = run_tests(&hidden, &tests, skip_timing, &options.sandbox, progress);
    Ok(ExerciseResult::from_tests(
        slug,
        &manifest.title,
        results,
        scratch.notes,
    ))
}

/// For a fix-it exercise: its error code and the section of its chapter that explains it.
fn fix_it(repo: &Repo, manifest: &crate::manifest::Manifest) -> Option<crate::diagnosis::FixIt> {
    let code = manifest.starter_error.clone()?;
    let section = crate::book::section_mentioning(&repo.root().join(&manifest.chapter), &code);
    let explained_at = match section {
        Some(anchor) => format!("{}#{anchor}", manifest.chapter),
        None => manifest.chapter.clone(),
    };
    Some(crate::diagnosis::FixIt { code, explained_at })
}

/// The listed tests that `only` names (every test when `only` is empty), or a message naming the
/// names that match no test, with the tests there are.
fn select_tests(tests: Vec<ListedTest>, only: &[String]) -> Result<Vec<ListedTest>, String> {
    if only.is_empty() {
        return Ok(tests);
    }
    let unknown: Vec<&str> = only
        .iter()
        .filter(|name| !tests.iter().any(|test| &test.name == *name))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        let names: Vec<&str> = tests.iter().map(|test| test.name.as_str()).collect();
        return Err(format!(
            "no hidden test is named {}; the tests are: {}",
            unknown.join(", "),
            names.join(", ")
        ));
    }
    Ok(tests
        .into_iter()
        .filter(|test| only.contains(&test.name))
        .collect())
}

/// The indices of the correctness tests, in the order they start: longest timeout first. A
/// test given a long timeout is one its author expects to run long (a 2 GiB file, pipes that
/// wait on purpose): started first, it overlaps the short ones instead of running alone at the
/// end. Stable, so equal timeouts keep the declared order.
fn correctness_order(tests: &[ListedTest]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..tests.len())
        .filter(|&i| tests[i].kind != TestKind::Timing)
        .collect();
    order.sort_by_key(|&i| std::cmp::Reverse(tests[i].timeout));
    order
}

/// Runs every listed test: correctness tests in parallel, then timing tests one by one.
/// Results come back in the order of `tests`.
fn run_tests(
    binary: &HiddenBinary,
    tests: &[ListedTest],
    skip_timing: bool,
    sandbox: &Sandbox,
    progress: &Progress,
) -> Vec<TestResult> {
    let slots: Vec<Mutex<Option<TestResult>>> = tests.iter().map(|_| Mutex::new(None)).collect();
    let done = AtomicUsize::new(0);
    let report_done = || {
        let finished = done.fetch_add(1, Ordering::SeqCst) + 1;
        progress.status(&format!(
            "running tests: {finished} of {} done",
            tests.len()
        ));
    };
    progress.status(&format!("running {} tests", tests.len()));

    let correctness = correctness_order(tests);
    // Two per CPU: many correctness tests spend their time waiting (on a named pipe nobody has
    // opened yet, on a thread that should have started), not computing. They are written to
    // give the same verdict on a busy machine, so overlapping them costs no fairness. Measured
    // on 2 CPUs (median of 5 edits): file-processor 2.24 s one per CPU, 1.63 s two per CPU.
    let workers = (2 * std::thread::available_parallelism().map_or(1, usize::from))
        .min(correctness.len())
        .max(1);
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(&index) = correctness.get(next.fetch_add(1, Ordering::SeqCst)) {
                    let result = {
                        let _turn = crate::timing_gate::shared();
                        protocol::run_test(binary, &tests[index], sandbox)
                    };
                    *slots[index].lock().unwrap_or_else(PoisonError::into_inner) = Some(result);
                    report_done();
                }
            });
        }
    });

    for (index, test) in tests.iter().enumerate() {
        if test.kind != TestKind::Timing {
            continue;
        }
        let result = if skip_timing {
            TestResult::new(
                &test.name,
                test.kind,
                test.points,
                TestStatus::Skipped,
                "not run: timing checks are off (--skip-timing); run without it for the full \
                 grade"
                    .to_owned(),
                0,
            )
        } else if crate::interrupt::requested() {
            TestResult::new(
                &test.name,
                test.kind,
                test.points,
                TestStatus::Error,
                "not run: the grader was interrupted".to_owned(),
                0,
            )
        } else {
            // Alone, also across submissions graded at once (`grader batch`).
            let _alone = crate::timing_gate::exclusive();
            protocol::run_test(binary, test, sandbox)
        };
        *slots[index].lock().unwrap_or_else(PoisonError::into_inner) = Some(result);
        report_done();
    }

    slots
        .into_iter()
        .zip(tests)
        .map(|(slot, test)| {
            slot.into_inner()
                .unwrap_or_else(PoisonError::into_inner)
                .unwrap_or_else(|| {
                    TestResult::new(
                        &test.name,
                        test.kind,
                        test.points,
                        TestStatus::Error,
                        "not run".to_owned(),
                        0,
                    )
                })
        })
        .collect()
}

/// An exercise result that is one error, standing for everything that could not run.
fn single_error(
    exercise: &Exercise,
    what: &str,
    message: String,
    max_score: f64,
    notes: Vec<String>,
) -> ExerciseResult {
    let mut test = TestResult::compile_failure(TestStatus::Error, message, max_score);
    test.name = what.to_owned();
    ExerciseResult::from_tests(&exercise.slug, exercise.title(), vec![test], notes)
}

/// `dir` as the reader knows it: repository-relative when inside the repository.
fn display_dir(repo: &Repo, dir: &Path) -> PathBuf {
    let canonical = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    repo.relative(&canonical).to_path_buf()
}

// ---------------------------------------------------------------------------------------------
// The total points of an exercise, remembered from its last successful listing, so that code that
// doesn't compile scores 0 of the full total (Gradescope and the JSON report show a real maximum).

#[derive(Serialize, Deserialize)]
struct RememberedTotal {
    hidden_digest: String,
    total: f64,
}

fn total_file(repo: &Repo, slug: &str) -> PathBuf {
    repo.grader_dir()
        .join("totals")
        .join(format!("{slug}.json"))
}

/// A digest of the hidden tests' sources: a remembered total is valid only for the same tests.
/// The catalogues of wrong and right submissions are not part of the tests.
pub fn hidden_digest(hidden_dir: &Path) -> String {
    crate::files::digest_dir(hidden_dir, &["wrong", "right", "target"])
}

fn remember_total(repo: &Repo, slug: &str, hidden_dir: &Path, tests: &[ListedTest]) {
    let remembered = RememberedTotal {
        hidden_digest: hidden_digest(hidden_dir),
        total: tests.iter().map(|t| t.points).sum(),
    };
    let path = total_file(repo, slug);
    if let (Some(parent), Ok(text)) = (path.parent(), serde_json::to_string(&remembered)) {
        // A cache: failing to write it only costs a less informative maximum later.
        let _ = std::fs::create_dir_all(parent);
        let _ = crate::files::write_atomically(&path, text.as_bytes());
    }
}

fn cached_total(repo: &Repo, slug: &str, hidden_dir: &Path) -> Option<f64> {
    std::fs::read_to_string(total_file(repo, slug))
        .ok()
        .and_then(|text| serde_json::from_str::<RememberedTotal>(&text).ok())
        .filter(|remembered| remembered.hidden_digest == hidden_digest(hidden_dir))
        .map(|remembered| remembered.total)
}

/// The exercise's total points when the code being graded can't say (it doesn't compile, or a
/// file is missing): remembered from the last listing of these hidden tests, else found by
/// building code that does compile — the reference solution, or the exercise's own folder when
/// that is not what just failed — and listing its tests. 0 when nothing compiles.
fn total_points(
    repo: &Repo,
    exercise: &Exercise,
    manifest: &crate::manifest::Manifest,
    failed: &Source,
    hidden_dir: &Path,
    progress: &Progress,
) -> f64 {
    if let Some(total) = cached_total(repo, &exercise.slug, hidden_dir) {
        return total;
    }
    let mut candidates = Vec::new();
    if !matches!(failed, Source::Solution) && repo.solution_dir(&exercise.slug).is_dir() {
        candidates.push(Source::Solution);
    }
    if !matches!(failed, Source::Learner) {
        candidates.push(Source::Learner);
    }
    for source in candidates {
        progress.status("finding the exercise's total points");
        let Ok(scratch) = scratch::prepare(repo, exercise, manifest, &source, hidden_dir) else {
            continue;
        };
        let built = {
            let _turn = crate::timing_gate::shared();
            cargo_build::build(repo, &scratch, progress)
        };
        let Ok(BuildOutcome::Built(binary)) = built else {
            continue;
        };
        let hidden = HiddenBinary {
            path: binary,
            cwd: scratch.crate_dir.clone(),
            paths: protocol::PathMap::default(),
        };
        // The reference solution or the learner's own folder: trusted, and listing runs no test.
        if let Ok(tests) = protocol::list(&hidden, &Sandbox::none()) {
            remember_total(repo, &exercise.slug, hidden_dir, &tests);
            return tests.iter().map(|t| t.points).sum();
        }
    }
    0.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn listed(name: &str, kind: TestKind, timeout_s: u64) -> ListedTest {
        ListedTest {
            name: name.to_owned(),
            kind,
            points: 1.0,
            timeout: Duration::from_secs(timeout_s),
        }
    }

    #[test]
    fn long_correctness_tests_start_first_and_timing_tests_wait() {
        let tests = [
            listed("quick", TestKind::Correctness, 10),
            listed("timed", TestKind::Timing, 300),
            listed("pipes", TestKind::Correctness, 30),
            listed("huge_file", TestKind::Correctness, 300),
            listed("also_quick", TestKind::Correctness, 10),
        ];
        // The timing test is left for later; equal timeouts keep their declared order.
        assert_eq!(correctness_order(&tests), vec![3, 2, 0, 4]);
    }
}
