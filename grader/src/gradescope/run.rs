//! `grader gradescope run`: what `run_autograder` does in Gradescope's container — grade
//! `/autograder/submission` and write `/autograder/results/results.json`.
//!
//! Promises, in the order Gradescope's own best practices list them:
//!
//! * a `results.json` is **always** written, and valid: if grading fails inside the grader (a
//!   broken package, a panic), the file says so with score 0 and the reason, and the exit status
//!   is 2; when grading worked the exit status is 0, whatever the verdicts;
//! * it is written **once, atomically**, after every learner process is dead (learner code
//!   can't write to it: it runs as another user and, where possible, doesn't see it at all);
//! * **timing checks become informational** when the container has fewer than 2 CPUs
//!   (Gradescope's default is half a CPU): they keep their status and message, lose their
//!   score, and the summary tells the instructor how to give the autograder more CPUs.
//!
//! Where the submission's files are looked for, per packaged exercise (first match wins):
//! `<slug>/<file>`, `exercises/<slug>/<file>` (a whole repository, from GitHub), `<file>` and,
//! when one exercise is packaged, the file's name alone (`lib.rs`, a drag-and-drop upload).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use serde_json::json;

use crate::grading::GradeOptions;
use crate::intake;
use crate::repo::{Exercise, Repo};
use crate::results::{ExerciseResult, Report, TestResult, TestStatus};

/// Where things are.
#[derive(Clone, Debug)]
pub struct Paths {
    pub submission: PathBuf,
    pub results: PathBuf,
    /// Scratch space for taken-in files (grader-only).
    pub work: PathBuf,
}

impl Paths {
    /// The layout under an autograder folder (`/autograder` on Gradescope).
    pub fn under(autograder: &Path) -> Paths {
        Paths {
            submission: autograder.join("submission"),
            results: autograder.join("results").join("results.json"),
            work: autograder.join("tasklings-work"),
        }
    }
}

/// Grades the submission and writes results.json. `Ok(true)` when grading worked (whatever the
/// verdicts); `Ok(false)` when it failed and an error results.json was written instead. `Err`
/// only when not even that file could be written.
pub fn run(repo: &Repo, paths: &Paths, options: &GradeOptions) -> Result<bool> {
    let started = Instant::now();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        grade(repo, paths, options, started)
    }));
    let (text, worked) = match outcome {
        Ok(Ok(text)) => (text, true),
        Ok(Err(error)) => (failure_results(&format!("{error:#}"), started), false),
        Err(panic) => {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "a panic".to_owned());
            (
                failure_results(&format!("the grader crashed: {message}"), started),
                false,
            )
        }
    };
    if let Some(parent) = paths.results.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("can't create {}", parent.display()))?;
    }
    crate::files::write_atomically(&paths.results, text.as_bytes())
        .with_context(|| format!("can't write {}", paths.results.display()))?;
    Ok(worked)
}

fn grade(repo: &Repo, paths: &Paths, options: &GradeOptions, started: Instant) -> Result<String> {
    if !paths.submission.is_dir() {
        anyhow::bail!(
            "there is no submission folder at {}",
            paths.submission.display()
        );
    }
    let exercises = repo.exercises()?;
    if exercises.is_empty() {
        anyhow::bail!("the autograder package holds no exercises");
    }
    crate::files::restrict_to_owner(&paths.work)
        .with_context(|| format!("can't create {} for its owner only", paths.work.display()))?;
    let single = exercises.len() == 1;
    let mut results = Vec::new();
    for exercise in &exercises {
        results.push(grade_exercise(repo, exercise, paths, options, single)?);
    }
    let report = Report::new(results, started.elapsed().as_secs_f64());
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    Ok(render(&report, cpus))
}

fn grade_exercise(
    repo: &Repo,
    exercise: &Exercise,
    paths: &Paths,
    options: &GradeOptions,
    single: bool,
) -> Result<ExerciseResult> {
    let manifest = exercise.manifest()?;
    let Some(found) = locate(
        &paths.submission,
        &exercise.slug,
        &manifest.editable,
        single,
    )?
    else {
        let wanted = manifest
            .editable
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let message = format!(
            "no submission found for `{}`: upload {wanted} (or a folder `{}/` holding it)",
            exercise.slug, exercise.slug
        );
        let hidden_dir = repo.hidden_dir(&exercise.slug, options.hidden.as_deref());
        let source = crate::scratch::Source::Submission(paths.submission.clone());
        let progress = crate::progress::Progress::hidden();
        let maximum = crate::maximum::of(repo, exercise, &source, &hidden_dir, &progress);
        let mut test = TestResult::compile_failure(TestStatus::Error, message, maximum);
        test.name = "submission".to_owned();
        return Ok(ExerciseResult::from_tests(
            &exercise.slug,
            exercise.title(),
            vec![test],
            vec![],
        ));
    };
    let taken = intake::take(manifest, &found, &paths.work.join(&exercise.slug))?;
    intake::grade(
        repo,
        exercise,
        &taken,
        None,
        options,
        &crate::progress::Progress::hidden(),
    )
}

/// The folder holding `editable` at their relative paths for this exercise, if any: one of the
/// layouts in the module docs. A drag-and-drop upload is copied into `<submission>/.tasklings-
/// <slug>/` with its paths restored. Symbolic links are never followed (intake refuses them).
fn locate(
    submission: &Path,
    slug: &str,
    editable: &[String],
    single: bool,
) -> Result<Option<PathBuf>> {
    let holds_all = |dir: &Path| {
        editable
            .iter()
            .all(|file| std::fs::symlink_metadata(dir.join(file)).is_ok())
    };
    for dir in [
        submission.join(slug),
        submission.join("exercises").join(slug),
        submission.to_path_buf(),
    ] {
        if holds_all(&dir) {
            return Ok(Some(dir));
        }
    }
    if !single {
        return Ok(None);
    }
    // Flat upload: every editable file by its name alone, names unambiguous.
    let names: Vec<&str> = editable
        .iter()
        .filter_map(|f| Path::new(f).file_name().and_then(|n| n.to_str()))
        .collect();
    let unique = names.len() == editable.len()
        && names
            .iter()
            .enumerate()
            .all(|(i, n)| !names[..i].contains(n));
    if !unique || !names.iter().all(|n| submission.join(n).is_file()) {
        return Ok(None);
    }
    let restored =
        std::env::temp_dir().join(format!("tasklings-upload-{}-{slug}", std::process::id()));
    if restored.exists() {
        std::fs::remove_dir_all(&restored)
            .with_context(|| format!("can't empty {}", restored.display()))?;
    }
    for (file, name) in editable.iter().zip(&names) {
        let from = submission.join(name);
        if std::fs::symlink_metadata(&from).is_ok_and(|m| m.file_type().is_symlink()) {
            return Ok(None);
        }
        let to = restored.join(file);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("can't create {}", parent.display()))?;
        }
        std::fs::copy(&from, &to)
            .with_context(|| format!("can't copy {} to {}", from.display(), to.display()))?;
    }
    Ok(Some(restored))
}

/// results.json for `report` on a machine with `cpus` CPUs: timing checks informational when
/// there are too few CPUs for them to count.
pub fn render(report: &Report, cpus: usize) -> String {
    crate::report::gradescope::render(report, &crate::report::gradescope::Options::for_cpus(cpus))
}

/// A valid results.json saying the submission could not be graded, and why.
pub fn failure_results(reason: &str, started: Instant) -> String {
    let results = json!({
        "score": 0.0,
        "execution_time": (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
        "output": crate::report::printable(&format!(
            "The autograder could not grade this submission: {reason}\n\nThis is not a verdict \
             on your code; please tell your instructor."
        )),
        "output_format": "text",
        "tests": [],
        "extra_data": { "autograder_error": reason },
    });
    let mut text = serde_json::to_string_pretty(&results).unwrap_or_else(|_| {
        "{\"score\": 0, \"output\": \"The autograder could not grade this submission.\"}".into()
    });
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::TestKind;
    use serde_json::Value;

    fn report() -> Report {
        let tests = vec![
            TestResult::new(
                "sums",
                TestKind::Correctness,
                2.0,
                TestStatus::Pass,
                String::new(),
                5,
            ),
            TestResult::new(
                "faster",
                TestKind::Timing,
                3.0,
                TestStatus::Fail,
                "slow".into(),
                9,
            ),
        ];
        Report::new(
            vec![ExerciseResult::from_tests("adder", "Adder", tests, vec![])],
            1.0,
        )
    }

    #[test]
    fn with_two_cpus_timing_checks_count() {
        let results: Value = serde_json::from_str(&render(&report(), 2)).unwrap();
        assert_eq!(results["score"], 2.0);
        assert_eq!(results["tests"][1]["max_score"], 3.0);
    }

    #[test]
    fn with_one_cpu_timing_checks_are_informational_and_the_instructor_is_told() {
        let results: Value = serde_json::from_str(&render(&report(), 1)).unwrap();
        let timing = &results["tests"][1];
        assert!(timing.get("score").is_none() && timing.get("max_score").is_none());
        assert_eq!(timing["status"], "failed");
        assert!(timing["output"]
            .as_str()
            .unwrap()
            .starts_with("Informational"));
        assert_eq!(results["score"], 2.0);
        let output = results["output"].as_str().unwrap();
        assert!(output.contains("adder: pass (2 of 2 points)"), "{output}");
        assert!(output.contains("Autograder Settings"), "{output}");
    }

    #[test]
    fn a_failure_is_still_valid_results() {
        let text = failure_results("no exercises", Instant::now());
        let results: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(results["score"], 0.0);
        assert!(results["output"].as_str().unwrap().contains("no exercises"));
    }
}
