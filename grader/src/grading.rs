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

use crate::cargo_build::{self, BuildOutcome};
use crate::manifest::Manifest;
use crate::maximum;
use crate::progress::Progress;
use crate::protocol::{self, HiddenBinary, ListedTest, PathMap};
use crate::repo::{Exercise, Repo};
use crate::results::{ExerciseResult, TestKind, TestResult, TestStatus};
use crate::sandbox::Sandbox;
use crate::scratch::{self, Scratch, ScratchError, Source};

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
    /// `--seed`: every test process gets `TASKLINGS_SEED` (every Tasklings runtime it builds is
    /// deterministic with this seed; an exploration runs only this seed).
    pub seed: Option<u64>,
}

/// Grades `exercise` with editable files from `source`.
pub fn grade(
    repo: &Repo,
    exercise: &Exercise,
    source: &Source,
    options: &GradeOptions,
    progress: &Progress,
) -> Result<ExerciseResult> {
    progress.start(&exercise.slug);
    let manifest = match &exercise.manifest {
        Ok(manifest) => manifest,
        Err(error) => {
            let message = format!(
                "{error}\n(`cargo grade verify {}` checks the manifest)",
                exercise.slug
            );
            return Ok(single_error(exercise, "manifest", message, 0.0, vec![]));
        }
    };
    let grading = Grading {
        repo,
        exercise,
        manifest,
        source,
        options,
        progress,
        hidden_dir: repo.hidden_dir(&exercise.slug, options.hidden.as_deref()),
    };
    grading.run()
}

/// One grading's inputs, shared by its steps.
struct Grading<'a> {
    repo: &'a Repo,
    exercise: &'a Exercise,
    manifest: &'a Manifest,
    source: &'a Source,
    options: &'a GradeOptions,
    progress: &'a Progress,
    hidden_dir: PathBuf,
}

impl Grading<'_> {
    /// Scratch copy → build → list → run. A step that ends the grading early (the code doesn't
    /// compile, the tests can't be listed) returns the result it ends with.
    fn run(&self) -> Result<ExerciseResult> {
        let scratch = match self.prepare()? {
            Ok(scratch) => scratch,
            Err(result) => return Ok(result),
        };
        let paths = protocol::path_map(
            &scratch.member,
            &display_dir(self.repo, &self.source.dir(self.repo, &self.exercise.slug)),
            &display_dir(self.repo, &self.hidden_dir),
        );
        let hidden = match self.build(&scratch, paths)? {
            Ok(hidden) => hidden,
            Err(result) => return Ok(result),
        };
        self.progress.status("listing the hidden tests");
        let tests = match protocol::list(&hidden, &self.options.sandbox) {
            Ok(tests) => tests,
            Err(message) => {
                return Ok(single_error(
                    self.exercise,
                    "hidden tests",
                    message,
                    0.0,
                    Vec::new(),
                ));
            }
        };
        maximum::remember(self.repo, &self.exercise.slug, &self.hidden_dir, &tests);
        // An unknown name is a usage error (exit 2), not a failed grade.
        let tests = select_tests(tests, &self.options.only).map_err(anyhow::Error::msg)?;
        let run = TestRun {
            binary: &hidden,
            sandbox: &self.options.sandbox,
            gate: &self.repo.grader_dir(),
        };
        let skip_timing = self.options.skip_timing || !self.manifest.timing;
        let mut results = run_tests(&run, &tests, skip_timing, self.progress);
        if self.options.sandbox.level().is_none() {
            self.progress.status("drawing the failing schedules");
            let place = (self.repo.grader_dir(), self.exercise.slug.as_str());
            let place = (place.0.as_path(), place.1);
            crate::traces::draw_failures(&hidden, &tests, &mut results, self.options.seed, place);
        }
        Ok(self.result(results, Vec::new()))
    }

    fn result(&self, tests: Vec<TestResult>, notes: Vec<String>) -> ExerciseResult {
        ExerciseResult::from_tests(&self.exercise.slug, &self.manifest.title, tests, notes)
    }

    fn maximum(&self) -> f64 {
        maximum::of(
            self.repo,
            self.exercise,
            self.source,
            &self.hidden_dir,
            self.progress,
        )
    }

    /// The scratch workspace, or the result for a submission that lacks an editable file.
    fn prepare(&self) -> Result<Result<Scratch, ExerciseResult>> {
        self.progress.status("preparing a scratch copy");
        let prepared = scratch::prepare(
            self.repo,
            self.exercise,
            self.manifest,
            self.source,
            &self.hidden_dir,
        );
        match prepared {
            Ok(scratch) => Ok(Ok(scratch)),
            Err(
                error @ (ScratchError::MissingEditable { .. }
                | ScratchError::NotARegularFile { .. }),
            ) => {
                let message = error.to_string();
                let result =
                    single_error(self.exercise, "submission", message, self.maximum(), vec![]);
                Ok(Err(result))
            }
            Err(ScratchError::Other(error)) => Err(error),
        }
    }

    /// What every test process gets besides the cleared environment: the exercise's slug (a
    /// failure's replay command names it) and `--seed`'s seed.
    fn test_env(&self) -> Vec<(std::ffi::OsString, std::ffi::OsString)> {
        let mut env = vec![(
            "TASKLINGS_EXERCISE".into(),
            self.exercise.slug.clone().into(),
        )];
        if let Some(seed) = self.options.seed {
            env.push(("TASKLINGS_SEED".into(), seed.to_string().into()));
        }
        env
    }

    /// The hidden test binary, as the sandbox runs it, or the result for code that doesn't build.
    fn build(
        &self,
        scratch: &Scratch,
        paths: PathMap,
    ) -> Result<Result<HiddenBinary, ExerciseResult>> {
        self.progress.status("building");
        let built = {
            // Not while another submission's timing test runs (`grader batch`).
            let _turn = crate::timing_gate::shared(&self.repo.grader_dir());
            cargo_build::build(self.repo, scratch, self.progress)?
        };
        match built {
            BuildOutcome::Built(binary) => Ok(Ok(HiddenBinary {
                // Confined (`grader batch`, `grader gradescope run`): a binary the sandbox runs.
                path: self.options.sandbox.stage(&binary)?,
                cwd: scratch.crate_dir.clone(),
                paths,
                env: self.test_env(),
            })),
            BuildOutcome::CompileError {
                rendered,
                in_hidden_tests,
            } => {
                let rendered = paths.apply(&rendered);
                let fix_it = fix_it(self.repo, self.manifest);
                let message =
                    crate::diagnosis::explain(&rendered, in_hidden_tests, fix_it.as_ref());
                let test = TestResult::compile_failure(TestStatus::Fail, message, self.maximum());
                Ok(Err(self.result(vec![test], Vec::new())))
            }
            BuildOutcome::CargoFailed(stderr) => {
                let total = maximum::remembered(self.repo, &self.exercise.slug, &self.hidden_dir);
                let message = format!("cargo could not build the exercise:\n{stderr}");
                let result = single_error(
                    self.exercise,
                    "build",
                    message,
                    total.unwrap_or(0.0),
                    vec![],
                );
                Ok(Err(result))
            }
        }
    }
}

/// For a fix-it exercise: its error code and the section of its chapter that explains it.
fn fix_it(repo: &Repo, manifest: &Manifest) -> Option<crate::diagnosis::FixIt> {
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

/// What every test of one grading runs with: the binary, its confinement, and the folder of
/// the timing gate.
struct TestRun<'a> {
    binary: &'a HiddenBinary,
    sandbox: &'a Sandbox,
    gate: &'a Path,
}

/// Runs every listed test: correctness tests in parallel, then timing tests one by one.
/// Results come back in the order of `tests`.
fn run_tests(
    run: &TestRun<'_>,
    tests: &[ListedTest],
    skip_timing: bool,
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
                        let _turn = crate::timing_gate::shared(run.gate);
                        protocol::run_test(run.binary, &tests[index], run.sandbox)
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
            let _alone = crate::timing_gate::exclusive(run.gate);
            protocol::run_test(run.binary, test, run.sandbox)
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
