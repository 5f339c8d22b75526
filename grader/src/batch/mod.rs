//! Grading a class: every student's submissions under one folder, N at a time, into a gradebook.
//!
//! ```text
//! DIR/<student>/<slug>/…      that student's editable files of exercise <slug>, laid out as
//!                             `grader run <slug> --submission` takes them (src/lib.rs, …)
//! ```
//!
//! The flow, for each (student, exercise):
//!
//! 1. `intake` copies the editable files into `OUT/.work/` (nothing else is taken; symlinks and
//!    compile-time file reads are refused) and digests them;
//! 2. if the journal already holds this (student, exercise) with the same digest (and the same
//!    hidden tests), it is done: a resumed batch skips it;
//! 3. otherwise `grading::grade` grades it like `grader run --submission` does — every batch
//!    worker shares one build directory, so dependencies are compiled once — with `isolation`
//!    on (the command turns it on), and the result is appended to the journal once every
//!    process of it is dead.
//!
//! Workers take submissions from one queue, `jobs` at a time. Timing tests still run alone
//! (`timing_gate`). Ctrl-C stops the running tests; what finished is kept, what was cut short is
//! not, and running the same command again goes on from there. At the end (or at the stop) the
//! gradebook, the students' reports and the page are written from the journal (`output`).
//!
//! `--shard K/N` grades one slice of the students (`shard`); the exercises and the report
//! names are still chosen over the whole class, so that `merge` can put the slices together
//! into what one batch of the whole class would have written.

pub mod gradebook;
pub mod journal;
pub mod merge;
pub mod output;
pub mod overview;
pub mod progress_bar;
pub mod shard;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use serde_json::json;

use crate::grading::{self, GradeOptions};
use crate::intake::{self, Taken};
use crate::progress::Progress;
use crate::repo::{Exercise, Repo};
use crate::results::{ExerciseResult, TestResult, TestStatus};
use crate::scratch::Source;
use journal::{Entry, Journal};
use output::Coverage;
use progress_bar::ProgressBar;
use shard::Shard;

/// How to grade a class.
#[derive(Clone, Debug)]
pub struct Options {
    /// DIR: one folder per student.
    pub submissions: PathBuf,
    /// OUT: gradebook, reports, journal.
    pub out: PathBuf,
    /// Submissions graded at once.
    pub jobs: usize,
    /// Exercises to grade (empty: every exercise some student has a folder for).
    pub exercises: Vec<String>,
    /// Forget the journal and grade everything again.
    pub fresh: bool,
    /// Grade only this slice of the students (`shard`); none: all of them.
    pub shard: Option<Shard>,
    pub grade: GradeOptions,
}

/// How the batch went.
#[derive(Debug)]
pub struct Summary {
    pub rows: Vec<gradebook::Row>,
    /// Submissions graded in this run.
    pub graded: usize,
    /// Submissions the journal already held.
    pub resumed: usize,
    /// Submissions the grader could not grade (not the student's fault; not journaled, so a
    /// re-run tries them again).
    pub errors: Vec<String>,
    /// Ctrl-C stopped the batch before the end.
    pub interrupted: bool,
    pub wall_s: f64,
}

/// One (student, exercise) to grade.
struct Item {
    student: String,
    exercise: usize,
    taken: Option<Taken>,
    digest: String,
}

/// Grades the class. `announce` receives lines for the instructor (warnings, what is skipped).
pub fn run(repo: &Repo, options: &Options, announce: &dyn Fn(&str)) -> Result<Summary> {
    let started = Instant::now();
    let class = Class::take_in(repo, options, announce)?;
    let pool = Pool::grade(repo, options, &class);
    let graded = pool.graded.len();
    let mut entries = class.journaled;
    for entry in pool.graded {
        entries.insert((entry.student.clone(), entry.exercise.clone()), entry);
    }
    // The gradebook covers this slice of the roster and these exercises only.
    let selected: Vec<&str> = class
        .selected
        .iter()
        .map(|&i| class.all[i].slug.as_str())
        .collect();
    let mut kept: Vec<Entry> = entries
        .into_values()
        .filter(|e| {
            class.students.contains_key(&e.student) && selected.contains(&e.exercise.as_str())
        })
        .collect();
    kept.extend(class.missing);
    let rows = output::write(&options.out, &class.coverage, &kept)?;

    let summary = Summary {
        rows,
        graded,
        resumed: class.resumed,
        errors: pool.errors,
        interrupted: crate::interrupt::requested(),
        wall_s: started.elapsed().as_secs_f64(),
    };
    write_about(
        options,
        &summary,
        class.students.len(),
        &selected,
        pool.jobs,
    )?;
    Ok(summary)
}

/// The class as intake found it: who handed in what, what the journal already holds, and what
/// is left to grade.
struct Class {
    all: Vec<Exercise>,
    /// Indices into `all` of the exercises graded.
    selected: Vec<usize>,
    /// The students graded (the shard's slice) → the file name of their report (unique over
    /// the whole class even when two names sanitise alike).
    students: BTreeMap<String, String>,
    /// What the output covers (`class.json`).
    coverage: Coverage,
    journal: Journal,
    /// Journaled grades still valid (same files, same hidden tests).
    journaled: BTreeMap<(String, String), Entry>,
    queue: Vec<Item>,
    /// Entries of exercises a student handed nothing in for.
    missing: Vec<Entry>,
    resumed: usize,
}

impl Class {
    fn take_in(repo: &Repo, options: &Options, announce: &dyn Fn(&str)) -> Result<Class> {
        let all = repo.exercises()?;
        let whole = roster(&options.submissions)?;
        if whole.is_empty() {
            bail!(
                "{} holds no student folders: lay submissions out as \
                 DIR/<student>/<exercise>/src/lib.rs",
                options.submissions.display()
            );
        }
        // Chosen over the whole class, so that every shard grades the same exercises.
        let selected = select_exercises(repo, &all, &whole, &options.exercises, announce)?;
        let names = output::report_names(&whole.keys().cloned().collect::<Vec<_>>());
        let roster = slice(whole.clone(), options.shard, announce);
        std::fs::create_dir_all(&options.out)
            .with_context(|| format!("can't create {}", options.out.display()))?;
        let work = options.out.join(".work");
        // Copies of every student's files: readable by the grader only.
        crate::files::restrict_to_owner(&work)
            .with_context(|| format!("can't create {} for its owner only", work.display()))?;
        let (journal, journaled) =
            Journal::open(&options.out.join("journal.jsonl"), options.fresh)?;
        let hidden = hidden_digests(repo, options, &all);
        let coverage = Coverage::new(
            options.shard.map(|s| s.to_string()),
            whole.keys().cloned().collect(),
            roster.keys().cloned().collect(),
            selected.iter().map(|&i| all[i].slug.clone()).collect(),
            selected
                .iter()
                .map(|&i| (all[i].slug.clone(), hidden[i].clone()))
                .collect(),
        );
        let mut class = Class {
            students: names
                .into_iter()
                .filter(|(student, _)| roster.contains_key(student))
                .collect(),
            coverage,
            all,
            selected,
            journal,
            journaled,
            queue: Vec::new(),
            missing: Vec::new(),
            resumed: 0,
        };
        class.plan(repo, options, &roster, &hidden, &work)?;
        if class.resumed > 0 {
            announce(&format!(
                "resuming: {} submission(s) already graded (journal in {}); {} to grade",
                class.resumed,
                options.out.display(),
                class.queue.len()
            ));
        }
        Ok(class)
    }

    /// Takes every submission in and sorts it: missing, already journaled, or to grade.
    fn plan(
        &mut self,
        repo: &Repo,
        options: &Options,
        roster: &BTreeMap<String, Vec<String>>,
        hidden_digests: &[String],
        work: &Path,
    ) -> Result<()> {
        for (student, folders) in roster {
            for &index in &self.selected {
                let exercise = &self.all[index];
                let key = (student.clone(), exercise.slug.clone());
                if !folders.contains(&exercise.slug) {
                    let entry = missing_entry(repo, options, student, exercise);
                    self.missing.push(entry);
                    self.journaled.remove(&key);
                    continue;
                }
                let from = options.submissions.join(student).join(&exercise.slug);
                let taken = match exercise.manifest.as_ref() {
                    Ok(manifest) => {
                        let into = work.join(&self.students[student]).join(&exercise.slug);
                        Some(intake::take(manifest, &from, &into)?)
                    }
                    Err(_) => None,
                };
                let taken_digest = taken.as_ref().map_or("", |t| t.digest.as_str());
                let digest = format!("{taken_digest}-{}", hidden_digests[index]);
                if self.journaled.get(&key).is_some_and(|e| e.digest == digest) {
                    self.resumed += 1;
                    continue;
                }
                self.journaled.remove(&key);
                self.queue.push(Item {
                    student: student.clone(),
                    exercise: index,
                    taken,
                    digest,
                });
            }
        }
        Ok(())
    }
}

/// Each exercise's hidden tests as a digest, in the order of `all`.
fn hidden_digests(repo: &Repo, options: &Options, all: &[Exercise]) -> Vec<String> {
    all.iter()
        .map(|e| {
            let dir = repo.hidden_dir(&e.slug, options.grade.hidden.as_deref());
            crate::maximum::hidden_digest(&dir)
        })
        .collect()
}

/// The students of `shard` (see `shard`: the name-sorted roster dealt round-robin); the whole
/// roster without one.
fn slice(
    whole: BTreeMap<String, Vec<String>>,
    shard: Option<Shard>,
    announce: &dyn Fn(&str),
) -> BTreeMap<String, Vec<String>> {
    let Some(shard) = shard else {
        return whole;
    };
    let total = whole.len();
    let mine: BTreeMap<String, Vec<String>> = whole
        .into_iter()
        .enumerate()
        .filter(|(position, _)| shard.owns(*position))
        .map(|(_, student)| student)
        .collect();
    let (first, step) = (shard.index(), shard.count());
    announce(&format!(
        "shard {shard}: {} of the class's {total} students (numbers {first}, {}, {}, … in name \
         order)",
        mine.len(),
        first + step,
        first + 2 * step
    ));
    mine
}

/// What the workers graded this run, and what they could not.
struct Pool {
    graded: Vec<Entry>,
    errors: Vec<String>,
    jobs: usize,
}

impl Pool {
    /// Grades the class's queue, `jobs` at a time, journaling each grade as it comes.
    fn grade(repo: &Repo, options: &Options, class: &Class) -> Pool {
        let progress = ProgressBar::new(class.queue.len() + class.resumed, class.resumed);
        let next = AtomicUsize::new(0);
        let graded = Mutex::new(Vec::new());
        let errors = Mutex::new(Vec::new());
        let jobs = options.jobs.max(1).min(class.queue.len().max(1));
        std::thread::scope(|scope| {
            for _ in 0..jobs {
                scope.spawn(|| {
                    while !crate::interrupt::requested() {
                        let Some(item) = class.queue.get(next.fetch_add(1, Ordering::SeqCst))
                        else {
                            break;
                        };
                        match work_on(repo, options, class, item, &progress) {
                            Some(Ok(entry)) => {
                                if let Err(error) = class.journal.append(&entry) {
                                    lock(&errors).push(format!("{error:#}"));
                                }
                                lock(&graded).push(entry);
                            }
                            Some(Err(line)) => lock(&errors).push(line),
                            None => break,
                        }
                    }
                });
            }
        });
        progress.clear();
        Pool {
            graded: graded.into_inner().unwrap_or_else(PoisonError::into_inner),
            errors: errors.into_inner().unwrap_or_else(PoisonError::into_inner),
            jobs,
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Grades one item and says so on the progress bar: its entry, a line saying why it could not
/// be graded, or `None` when Ctrl-C cut it short.
fn work_on(
    repo: &Repo,
    options: &Options,
    class: &Class,
    item: &Item,
    progress: &ProgressBar,
) -> Option<Result<Entry, String>> {
    progress.started();
    let exercise = &class.all[item.exercise];
    let clock = Instant::now();
    let outcome = grade_one(repo, exercise, item, &options.grade);
    let duration_ms = clock.elapsed().as_millis() as u64;
    if crate::interrupt::requested() {
        let line = format!("{} {}: interrupted", item.student, exercise.slug);
        progress.finished(&line, false);
        return None;
    }
    match outcome {
        Ok(result) => {
            let line = format!(
                "{} {}: {} {}/{} ({:.1} s)",
                item.student,
                exercise.slug,
                result.status.as_str(),
                result.score,
                result.max_score,
                duration_ms as f64 / 1000.0
            );
            progress.finished(&line, true);
            Some(Ok(Entry {
                student: item.student.clone(),
                exercise: exercise.slug.clone(),
                digest: item.digest.clone(),
                duration_ms,
                result,
            }))
        }
        Err(error) => {
            let line = format!(
                "{} {}: could not be graded: {error:#}",
                item.student, exercise.slug
            );
            progress.finished(&line, false);
            Some(Err(line))
        }
    }
}

/// `OUT/batch.json`: how the batch ran (what was graded, resumed, left; the isolation in force).
fn write_about(
    options: &Options,
    summary: &Summary,
    students: usize,
    exercises: &[&str],
    jobs: usize,
) -> Result<()> {
    let about = json!({
        "submissions": options.submissions,
        "students": students,
        "exercises": exercises,
        "rows": summary.rows.len(),
        "graded_this_run": summary.graded,
        "resumed_from_journal": summary.resumed,
        "not_graded": summary.errors,
        "interrupted": summary.interrupted,
        "jobs": jobs,
        "wall_seconds": (summary.wall_s * 10.0).round() / 10.0,
        "isolation": options.grade.sandbox.level().map(|l| l.as_str()),
        "limits": options.grade.sandbox.policy().map(|p| p.describe()),
    });
    let path = options.out.join("batch.json");
    let text = format!(
        "{}\n",
        serde_json::to_string_pretty(&about).unwrap_or_default()
    );
    crate::files::write_atomically(&path, text.as_bytes())
        .with_context(|| format!("can't write {}", path.display()))
}

/// Grades one submission: refused ones without building, the others through `grading`.
fn grade_one(
    repo: &Repo,
    exercise: &Exercise,
    item: &Item,
    options: &GradeOptions,
) -> Result<ExerciseResult> {
    let Some(taken) = &item.taken else {
        // A broken manifest: `grade` reports it as the exercise's error.
        let source = Source::Submission(PathBuf::from("/nonexistent"));
        return grading::grade(repo, exercise, &source, options, &Progress::hidden());
    };
    intake::grade(repo, exercise, taken, None, options, &Progress::hidden())
}

/// The entry of a student who handed nothing in for `exercise`: 0 of its maximum.
fn missing_entry(repo: &Repo, options: &Options, student: &str, exercise: &Exercise) -> Entry {
    let submissions = &options.submissions;
    let editable = exercise
        .manifest
        .as_ref()
        .map(|m| m.editable.join(", "))
        .unwrap_or_default();
    let message = format!(
        "no submission: {} has no folder `{}` (expected {}/{}/{}/{editable})",
        student,
        exercise.slug,
        submissions.display(),
        student,
        exercise.slug
    );
    let hidden_dir = repo.hidden_dir(&exercise.slug, options.grade.hidden.as_deref());
    let source = Source::Submission(submissions.join(student).join(&exercise.slug));
    let maximum = crate::maximum::of(repo, exercise, &source, &hidden_dir, &Progress::hidden());
    let mut test = TestResult::compile_failure(TestStatus::Error, message, maximum);
    test.name = "submission".to_owned();
    let result = ExerciseResult::from_tests(&exercise.slug, exercise.title(), vec![test], vec![]);
    Entry {
        student: student.to_owned(),
        exercise: exercise.slug.clone(),
        digest: journal::MISSING.to_owned(),
        duration_ms: 0,
        result,
    }
}

/// Student folder name → the exercise folders it holds.
fn roster(dir: &Path) -> Result<BTreeMap<String, Vec<String>>> {
    let entries = std::fs::read_dir(dir).with_context(|| {
        format!(
            "can't read the submissions folder {} (it should hold one folder per student)",
            dir.display()
        )
    })?;
    let mut roster = BTreeMap::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("can't list {}", dir.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let mut folders: Vec<String> = std::fs::read_dir(entry.path())
            .with_context(|| format!("can't list {}", entry.path().display()))?
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        folders.sort();
        roster.insert(name, folders);
    }
    Ok(roster)
}

/// Indexes into `all` of the exercises to grade, in learning-path order.
fn select_exercises(
    repo: &Repo,
    all: &[Exercise],
    roster: &BTreeMap<String, Vec<String>>,
    named: &[String],
    announce: &dyn Fn(&str),
) -> Result<Vec<usize>> {
    let mut unknown: BTreeMap<&str, usize> = BTreeMap::new();
    for folders in roster.values() {
        for folder in folders {
            if !all.iter().any(|e| &e.slug == folder) {
                *unknown.entry(folder).or_default() += 1;
            }
        }
    }
    for (folder, count) in unknown {
        announce(&format!(
            "warning: ignored `{folder}` in {count} student folder(s): no exercise has that slug"
        ));
    }
    if !named.is_empty() {
        repo.select(named)?; // an unknown slug is an error that suggests the closest
        return Ok((0..all.len())
            .filter(|&i| named.contains(&all[i].slug))
            .collect());
    }
    let selected: Vec<usize> = (0..all.len())
        .filter(|&i| {
            roster
                .values()
                .any(|folders| folders.contains(&all[i].slug))
        })
        .collect();
    if selected.is_empty() {
        bail!(
            "no student folder holds an exercise folder (DIR/<student>/<slug>/); the exercises \
             are: {}",
            all.iter()
                .map(|e| e.slug.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(selected)
}

/// Fetches the exercises' dependencies once (the instructor's step: no learner code runs), so
/// that every build of the batch can run offline.
pub fn prefetch_dependencies(repo: &Repo) -> Result<()> {
    let cargo = crate::cargo_build::cargo_program();
    let fetched = |offline: bool| {
        std::process::Command::new(&cargo)
            .arg("fetch")
            .args(offline.then_some("--offline"))
            .current_dir(repo.root())
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .output()
    };
    let offline = fetched(true).context("can't run `cargo fetch`")?;
    if offline.status.success() {
        return Ok(());
    }
    let online = fetched(false).context("can't run `cargo fetch`")?;
    if online.status.success() {
        return Ok(());
    }
    bail!(
        "the exercises' dependencies can't be fetched (`cargo fetch` in {} failed: {}); batch \
         builds run offline, so fetch them once with network access",
        repo.root().display(),
        String::from_utf8_lossy(&online.stderr).trim()
    )
}
