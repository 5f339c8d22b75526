//! Taking in a submission made by someone else: only the exercise's editable files, copied into a
//! folder the grader owns, and a report of everything that was left out.
//!
//! `grader batch` and `grader gradescope run` grade what a student handed in. The scratch
//! workspace (`scratch`) already builds only the editable files in a grader-owned crate; this
//! module adds what a hostile submission calls for before that:
//!
//! * an editable file must be a **regular file** (a symlink to `solutions/…` or to another
//!   student's folder is refused, not followed) of at most [`MAX_FILE_BYTES`];
//! * every other file in the submission is **listed as ignored**, and the files that would
//!   change how the code is built or tested if they were taken — `Cargo.toml`, `build.rs`,
//!   `.cargo/config.toml`, `rust-toolchain.toml`, `.config/nextest.toml`… — are named as such,
//!   so the report says plainly that they had no effect;
//! * the editable sources are scanned for **reading files at compile time** and for
//!   **symbol-level tricks** (`compile_time`), which run before any sandbox could: such a
//!   submission is not built at all.
//!
//! The result is a [`Taken`] folder to grade with `scratch::Source::Submission`, its notes and a
//! digest of its content (`grader batch` regrades a journaled submission only when it changed).

pub mod compile_time;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::grading::{self, GradeOptions};
use crate::manifest::Manifest;
use crate::progress::Progress;
use crate::repo::{Exercise, Repo};
use crate::results::{ExerciseResult, TestResult, TestStatus};
use crate::scratch::Source;

/// The largest editable file taken (a source file bigger than this is not a solution).
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// Files that decide how a crate is built or tested: never taken from a submission.
const BUILD_FILES: &[&str] = &[
    "Cargo.toml",
    "Cargo.lock",
    "build.rs",
    ".cargo/config.toml",
    ".cargo/config",
    "rust-toolchain.toml",
    "rust-toolchain",
    ".config/nextest.toml",
    "clippy.toml",
    ".clippy.toml",
    "rustfmt.toml",
    "exercise.toml",
];

/// A submission taken in.
#[derive(Debug)]
pub struct Taken {
    /// The folder holding the editable files that were taken (same relative paths).
    pub dir: PathBuf,
    /// What the grader wants the student and instructor to know (ignored files, refused ones).
    pub notes: Vec<String>,
    /// Why the submission can't be built, if it can't (reads files at compile time…).
    pub refused: Option<String>,
    /// FNV-1a of the taken files' paths and bytes, as hex.
    pub digest: String,
}

/// Copies the editable files of `manifest` from `from` into `into` (emptied first).
pub fn take(manifest: &Manifest, from: &Path, into: &Path) -> Result<Taken> {
    if into.exists() {
        std::fs::remove_dir_all(into).with_context(|| format!("can't empty {}", into.display()))?;
    }
    std::fs::create_dir_all(into).with_context(|| format!("can't create {}", into.display()))?;
    let mut refusals = Vec::new();
    let mut code_findings = false;
    let mut digest = crate::files::Digest::new();
    for file in &manifest.editable {
        let source = from.join(file);
        let bytes = match readable(file, &source)? {
            Readable::Missing => continue,
            Readable::Refused(reason) => {
                refusals.push(reason);
                continue;
            }
            Readable::Bytes(bytes) => bytes,
        };
        digest.write_named(file, &bytes);
        if file.ends_with(".rs") {
            let findings = compile_time::scan(&String::from_utf8_lossy(&bytes));
            code_findings |= !findings.is_empty();
            refusals.extend(
                findings
                    .into_iter()
                    .map(|finding| format!("`{file}` line {}: {}", finding.line, finding.what)),
            );
        }
        let target = into.join(file);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("can't create {}", parent.display()))?;
        }
        std::fs::write(&target, &bytes)
            .with_context(|| format!("can't write {}", target.display()))?;
    }
    Ok(Taken {
        dir: into.to_path_buf(),
        notes: ignored_notes(manifest, from)?,
        refused: refusal(&refusals, code_findings),
        digest: digest.hex(),
    })
}

/// An editable file as intake finds it.
enum Readable {
    /// Not there: `scratch` reports it as the submission's error, with the expected paths.
    Missing,
    /// There, but not taken: why.
    Refused(String),
    Bytes(Vec<u8>),
}

fn readable(file: &str, source: &Path) -> Result<Readable> {
    let Ok(meta) = std::fs::symlink_metadata(source) else {
        return Ok(Readable::Missing);
    };
    let refused = if meta.file_type().is_symlink() {
        format!("`{file}` is a symbolic link: a submission's files must be regular files")
    } else if !meta.is_file() {
        format!("`{file}` is not a regular file")
    } else if meta.len() > MAX_FILE_BYTES {
        format!(
            "`{file}` is {} KiB, more than the {} KiB a source file may have",
            meta.len() / 1024,
            MAX_FILE_BYTES / 1024
        )
    } else {
        let bytes =
            std::fs::read(source).with_context(|| format!("can't read {}", source.display()))?;
        return Ok(Readable::Bytes(bytes));
    };
    Ok(Readable::Refused(refused))
}

/// Notes on the files handed in that are not editable: build files, and everything else.
fn ignored_notes(manifest: &Manifest, from: &Path) -> Result<Vec<String>> {
    let ignored = ignored_files(from, &manifest.editable)?;
    let (build, other): (Vec<&String>, Vec<&String>) =
        ignored.iter().partition(|file| is_build_file(file));
    let mut notes = Vec::new();
    if !build.is_empty() {
        notes.push(format!(
            "ignored {}: files that change how code is built or tested are never taken from a \
             submission (the exercise's own are used)",
            join_shown(&build)
        ));
    }
    if !other.is_empty() {
        notes.push(format!(
            "ignored {} file(s) that are not editable in this exercise: {} (only {} is graded)",
            other.len(),
            join_shown(&other),
            manifest.editable.join(", ")
        ));
    }
    Ok(notes)
}

/// Why the submission is not built, if anything was refused.
fn refusal(refusals: &[String], code_findings: bool) -> Option<String> {
    if refusals.is_empty() {
        return None;
    }
    let rule = if code_findings {
        " Graded submissions may only contain ordinary Rust code: no reading files at compile \
         time (include!, include_str!, include_bytes!, #[path]) and no symbol-level attributes \
         (#[no_mangle], #[export_name], #[link_section], #[global_allocator])."
    } else {
        ""
    };
    Some(format!(
        "the submission was not built: {}.{rule}",
        refusals.join("; ")
    ))
}

/// Grades what [`take`] took: a refused submission scores 0 of the full total without being
/// built; the others go through `grading::grade`, with intake's notes (ignored files, refusals)
/// ahead of the grader's, and paths in messages shown under `shown_as` (the student's own
/// folder), or relative (`src/lib.rs:15:12`) when it is `None`.
pub fn grade(
    repo: &Repo,
    exercise: &Exercise,
    taken: &Taken,
    shown_as: Option<&Path>,
    options: &GradeOptions,
    progress: &Progress,
) -> Result<ExerciseResult> {
    let source = Source::Submission(taken.dir.clone());
    if let Some(reason) = &taken.refused {
        let hidden_dir = repo.hidden_dir(&exercise.slug, options.hidden.as_deref());
        let maximum = crate::maximum::of(repo, exercise, &source, &hidden_dir, progress);
        let test = TestResult::compile_failure(TestStatus::Fail, reason.clone(), maximum);
        return Ok(ExerciseResult::from_tests(
            &exercise.slug,
            exercise.title(),
            vec![test],
            taken.notes.clone(),
        ));
    }
    let mut result = grading::grade(repo, exercise, &source, options, progress)?;
    let shown_as = shown_as.map(|dir| format!("{}/", repo.relative(dir).display()));
    show_paths_as(repo, &mut result, taken, shown_as.as_deref().unwrap_or(""));
    let mut notes = taken.notes.clone();
    notes.append(&mut result.notes);
    result.notes = notes;
    Ok(result)
}

/// Rewrites the taken folder's path in `result`'s messages and outputs to `shown_as`, so that
/// a student reads their own paths, not the grader's copy.
fn show_paths_as(repo: &Repo, result: &mut ExerciseResult, taken: &Taken, shown_as: &str) {
    let mut prefixes = Vec::new();
    if let Ok(canonical) = std::fs::canonicalize(&taken.dir) {
        prefixes.push(format!("{}/", canonical.display()));
        // As grading shows paths inside the repository.
        prefixes.push(format!("{}/", repo.relative(&canonical).display()));
    }
    prefixes.push(format!("{}/", taken.dir.display()));
    for test in &mut result.tests {
        for prefix in &prefixes {
            test.message = test.message.replace(prefix.as_str(), shown_as);
            test.output = test.output.replace(prefix.as_str(), shown_as);
        }
    }
}

/// Every file under `dir` that is not editable, relative, with `/` separators; symbolic links
/// are listed, never followed.
fn ignored_files(dir: &Path, editable: &[String]) -> Result<Vec<String>> {
    let found = crate::files::walk(dir, |_, name| name != ".git" && name != "target")
        .with_context(|| format!("can't list {}", dir.display()))?;
    Ok(found
        .iter()
        .map(crate::files::Found::slashed)
        .filter(|file| !editable.contains(file))
        .collect())
}

fn is_build_file(file: &str) -> bool {
    BUILD_FILES
        .iter()
        .any(|build| file == *build || file.ends_with(&format!("/{build}")))
}

fn join_shown(files: &[&String]) -> String {
    const SHOWN: usize = 8;
    let mut text = files
        .iter()
        .take(SHOWN)
        .map(|f| format!("`{f}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if files.len() > SHOWN {
        text.push_str(&format!(" and {} more", files.len() - SHOWN));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest::parse(
            "title = \"T\"\norder = 1\nchapter = \"book/src/t.md\"\neditable = [\"src/lib.rs\"]\n\
             hints = [\"a\", \"b\", \"c\"]\n",
            Path::new("exercise.toml"),
        )
        .unwrap()
    }

    #[test]
    fn only_editable_files_are_taken_and_build_files_are_named() {
        let from = tempfile::tempdir().unwrap();
        let into = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(from.path().join("src")).unwrap();
        std::fs::create_dir_all(from.path().join(".cargo")).unwrap();
        std::fs::write(from.path().join("src/lib.rs"), "pub fn f() {}\n").unwrap();
        std::fs::write(from.path().join("build.rs"), "fn main() {}\n").unwrap();
        std::fs::write(from.path().join(".cargo/config.toml"), "[build]\n").unwrap();
        std::fs::write(from.path().join("notes.txt"), "hi\n").unwrap();
        let taken = take(&manifest(), from.path(), &into.path().join("t")).unwrap();
        assert!(taken.refused.is_none());
        assert!(taken.dir.join("src/lib.rs").is_file());
        assert!(!taken.dir.join("build.rs").exists());
        let notes = taken.notes.join("\n");
        assert!(
            notes.contains("`.cargo/config.toml`, `build.rs`"),
            "{notes}"
        );
        assert!(notes.contains("`notes.txt`"), "{notes}");
    }

    #[test]
    fn a_symlinked_editable_file_is_refused_not_followed() {
        let from = tempfile::tempdir().unwrap();
        let into = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(from.path().join("src")).unwrap();
        std::fs::write(from.path().join("secret.rs"), "pub fn f() {}\n").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(
            from.path().join("secret.rs"),
            from.path().join("src/lib.rs"),
        )
        .unwrap();
        // Windows lets only administrators (or developer mode) make symbolic links, and Wine
        // may make a link that reads as a plain file: nothing to test then.
        #[cfg(windows)]
        {
            let link = from.path().join("src/lib.rs");
            let made = std::os::windows::fs::symlink_file(from.path().join("secret.rs"), &link);
            let is_link =
                std::fs::symlink_metadata(&link).is_ok_and(|m| m.file_type().is_symlink());
            if made.is_err() || !is_link {
                return;
            }
        }
        let taken = take(&manifest(), from.path(), &into.path().join("t")).unwrap();
        assert!(taken.refused.unwrap().contains("symbolic link"));
        assert!(!taken.dir.join("src/lib.rs").exists());
    }

    #[test]
    fn the_digest_changes_with_the_content() {
        let from = tempfile::tempdir().unwrap();
        let into = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(from.path().join("src")).unwrap();
        std::fs::write(from.path().join("src/lib.rs"), "pub fn f() {}\n").unwrap();
        let first = take(&manifest(), from.path(), &into.path().join("t")).unwrap();
        std::fs::write(from.path().join("src/lib.rs"), "pub fn f() { }\n").unwrap();
        let second = take(&manifest(), from.path(), &into.path().join("t")).unwrap();
        assert_ne!(first.digest, second.digest);
    }
}
