//! The instructors' catalogues, graded through the real CLI: for every exercise,
//!
//! * every `grader/hidden/<slug>/wrong/<name>/` must fail the hidden test its first line names
//!   (`// Must fail TEST: why`; further tests it fails may follow the first name), or not
//!   compile (`// Must not compile: why`) — only the named test is run (`grader run … --test`);
//! * every `grader/hidden/<slug>/right/<name>/` — a correct submission that differs from the
//!   reference (`// Passes: what differs`) — must pass every test, timing included: the proof
//!   that the hidden tests check what the code achieves, not the shape of one solution.
//!
//! Every exercise must keep at least [`MIN_WRONG`] wrong and [`MIN_RIGHT`] right submissions.
//! The whole catalogue runs in one test, as a pool of graders (one more than CPUs) over every
//! submission, longest jobs first. Graders running at once share the build folder and its
//! timing gate, so a right submission's timing tests still run with nothing else of ours
//! running (see `grader/src/timing_gate.rs`). Only exercises named in `TASKLINGS_CATALOGUE`
//! (comma-separated), when it is set, are graded.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

const MIN_WRONG: usize = 6;
const MIN_RIGHT: usize = 5;

/// What a submission's first line promises.
#[derive(Debug, Clone, PartialEq)]
enum Expected {
    /// This hidden test fails (or times out, or errors).
    Fails(String),
    /// The code doesn't build against the hidden tests.
    DoesNotCompile,
    /// Every test passes (or is skipped on this machine).
    Passes,
}

/// One submission of a catalogue.
#[derive(Debug, Clone)]
struct Job {
    slug: String,
    name: String,
    dir: PathBuf,
    expected: Expected,
}

impl Job {
    fn label(&self) -> String {
        let shelf = if self.expected == Expected::Passes {
            "right"
        } else {
            "wrong"
        };
        format!("{}/{shelf}/{}", self.slug, self.name)
    }
}

fn expected(lib: &Path, right: bool) -> Result<Expected, String> {
    let text = std::fs::read_to_string(lib).map_err(|e| format!("{}: {e}", lib.display()))?;
    let first = text.lines().next().unwrap_or_default();
    if right {
        return if first.starts_with("// Passes") {
            Ok(Expected::Passes)
        } else {
            Err(format!(
                "{}: the first line must say `// Passes: what differs`, not {first:?}",
                lib.display()
            ))
        };
    }
    if let Some(rest) = first.strip_prefix("// Must fail ") {
        let name: String = rest
            .trim_start_matches('`')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() {
            return Err(format!("{}: the first line names no test", lib.display()));
        }
        Ok(Expected::Fails(name))
    } else if first.starts_with("// Must not compile") {
        Ok(Expected::DoesNotCompile)
    } else {
        Err(format!(
            "{}: the first line must say `// Must fail TEST: why` or `// Must not compile: why`, \
             not {first:?}",
            lib.display()
        ))
    }
}

/// Every exercise's catalogue entries, and the problems with the catalogues themselves.
fn jobs() -> (Vec<Job>, Vec<String>) {
    let root = common::workspace_root();
    let only: Option<Vec<String>> = std::env::var("TASKLINGS_CATALOGUE")
        .ok()
        .map(|list| list.split(',').map(|s| s.trim().to_owned()).collect());
    let mut jobs = Vec::new();
    let mut problems = Vec::new();
    let mut slugs: Vec<String> = std::fs::read_dir(root.join("exercises"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().join("exercise.toml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    slugs.sort();
    for slug in slugs {
        if only.as_ref().is_some_and(|only| !only.contains(&slug)) {
            continue;
        }
        for (shelf, least) in [("wrong", MIN_WRONG), ("right", MIN_RIGHT)] {
            let dir = root.join("grader/hidden").join(&slug).join(shelf);
            let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
                .into_iter()
                .flatten()
                .flatten()
                .map(|entry| entry.path())
                .filter(|path| path.join("src/lib.rs").is_file())
                .collect();
            found.sort();
            if found.len() < least {
                problems.push(format!(
                    "{slug}: {} {shelf} submission(s) in {}, at least {least} expected",
                    found.len(),
                    dir.display()
                ));
            }
            for dir in found {
                match expected(&dir.join("src/lib.rs"), shelf == "right") {
                    Ok(expected) => jobs.push(Job {
                        slug: slug.clone(),
                        name: dir.file_name().unwrap().to_string_lossy().into_owned(),
                        dir,
                        expected,
                    }),
                    Err(problem) => problems.push(problem),
                }
            }
        }
    }
    (jobs, problems)
}

/// Grades one submission; `Err` says how it broke its promise.
fn grade(job: &Job) -> Result<(), String> {
    let mut grader = common::grader();
    grader
        .arg("--root")
        .arg(common::workspace_root())
        .args(["run", &job.slug, "--format", "json", "--submission"])
        .arg(&job.dir);
    if let Expected::Fails(test) = &job.expected {
        grader.args(["--test", test]);
    }
    let output = grader
        .output()
        .map_err(|e| format!("can't run the grader: {e}"))?;
    let report: Value = serde_json::from_slice(&output.stdout).map_err(|error| {
        format!(
            "no JSON report ({error}); stderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    })?;
    let exercise = &report["exercises"][0];
    let tests = exercise["tests"].as_array().cloned().unwrap_or_default();
    match &job.expected {
        Expected::Passes => {
            let failed: Vec<String> = tests
                .iter()
                .filter(|t| !matches!(t["status"].as_str(), Some("pass" | "skipped")))
                .map(|t| format!("{} ({}): {}", t["name"], t["status"], t["message"]))
                .collect();
            if output.status.code() != Some(0) || !failed.is_empty() {
                return Err(format!(
                    "exit status {:?}, failing tests:\n  {}",
                    output.status.code(),
                    failed.join("\n  ")
                ));
            }
        }
        Expected::DoesNotCompile if exercise["status"] != "compile_error" => {
            return Err(format!(
                "expected compile_error, got {}",
                exercise["status"]
            ));
        }
        Expected::DoesNotCompile => {}
        Expected::Fails(test) => {
            let Some(result) = tests.iter().find(|t| t["name"] == test.as_str()) else {
                return Err(format!(
                    "{test} was not run (exercise status {})",
                    exercise["status"]
                ));
            };
            let status = result["status"].as_str().unwrap_or_default();
            if !matches!(status, "fail" | "timeout" | "error") {
                return Err(format!("{test} ended {status}, expected fail"));
            }
            if result["message"].as_str().unwrap_or_default().is_empty() {
                return Err(format!("{test} failed without a message for the learner"));
            }
        }
    }
    if job.expected != Expected::Passes && output.status.code() != Some(1) {
        return Err(format!(
            "exit status {:?}, expected 1 (a failing grade)",
            output.status.code()
        ));
    }
    Ok(())
}

#[test]
fn every_wrong_submission_fails_its_named_test_and_every_right_one_passes() {
    let (mut jobs, mut broken) = jobs();
    // Right submissions run every test: start them first so the pool ends evenly. Within a
    // shelf, one exercise's submissions follow one another, which keeps its build folder warm.
    jobs.sort_by_key(|job| (job.expected != Expected::Passes, job.slug.clone()));
    // One grader more than CPUs: a wrong submission's grader spends seconds waiting out a
    // rendezvous that never completes, by design, and the extra grader's build fills that time
    // (measured on 2 CPUs: 2 graders kept them 60% busy).
    let workers = std::thread::available_parallelism().map_or(1, usize::from) + 1;
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::new());
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some(job) = jobs.get(next.fetch_add(1, Ordering::SeqCst)) {
                    let began = Instant::now();
                    let verdict = grade(job);
                    results
                        .lock()
                        .unwrap()
                        .push((job.clone(), verdict, began.elapsed()));
                }
            });
        }
    });
    let results = results.into_inner().unwrap();
    print_summary(&results, started.elapsed(), workers);
    for (job, verdict, _) in &results {
        if let Err(problem) = verdict {
            broken.push(format!("{}: {problem}", job.label()));
        }
    }
    assert!(
        broken.is_empty(),
        "{} of {} catalogue submissions broke their promise:\n{}",
        broken.len(),
        results.len(),
        broken.join("\n")
    );
}

/// Per exercise: wrong and right submissions graded, and the time they took.
fn print_summary(results: &[(Job, Result<(), String>, Duration)], wall: Duration, workers: usize) {
    let mut slugs: Vec<&str> = results.iter().map(|(job, ..)| job.slug.as_str()).collect();
    slugs.sort_unstable();
    slugs.dedup();
    println!(
        "catalogues: {} submissions, {workers} graders at once, {:.0} s",
        results.len(),
        wall.as_secs_f64()
    );
    for slug in slugs {
        let of = |passes: bool| {
            results
                .iter()
                .filter(|(job, ..)| {
                    job.slug == slug && (job.expected == Expected::Passes) == passes
                })
                .collect::<Vec<_>>()
        };
        let (wrong, right) = (of(false), of(true));
        let seconds: f64 = wrong
            .iter()
            .chain(&right)
            .map(|(.., d)| d.as_secs_f64())
            .sum();
        let kept = |list: &[&(Job, Result<(), String>, Duration)]| {
            list.iter()
                .filter(|(_, verdict, _)| verdict.is_ok())
                .count()
        };
        println!(
            "  {slug:22} wrong {}/{} fail as named, right {}/{} pass, {seconds:.0} s of grading",
            kept(&wrong),
            wrong.len(),
            kept(&right),
            right.len()
        );
    }
}
