//! What the class-grading tests (`batch`, `hostile`, `gradescope`, `classroom`) share: a private
//! copy of the fixture pack (optionally with the hostile catalogue's exercise added), a folder of
//! student submissions to fill, and the real `grader` binary to run on them.
//!
//! Builds go to `<target>/tasklings/build` beside the test binaries, like the grader's other
//! tests, so the fixture exercises' dependencies are compiled once for every test.

#![allow(dead_code)] // each test file uses its own part of this module

use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "../common/mod.rs"]
mod common;

#[allow(unused_imports)] // each test file uses its own part, as with the items below
pub use common::{copy_dir, fixtures, target_dir, workspace_root};

/// A private copy of the fixture pack (exercises `adder` and `misbehave`; see `common::Pack`),
/// whose grader is a plain `std::process::Command` that class tests can start and stop.
pub struct Pack(common::Pack);

impl Pack {
    pub fn new() -> Pack {
        Pack(common::Pack::new())
    }

    /// The pack with the hostile catalogue's exercise `hostile` added (exercise, solution,
    /// hidden tests, chapter).
    pub fn with_hostile_exercise() -> Pack {
        let pack = Pack::new();
        let hostile = fixtures().join("hostile");
        copy_dir(&hostile.join("exercise"), &pack.path("exercises/hostile"));
        copy_dir(&hostile.join("solution"), &pack.path("solutions/hostile"));
        copy_dir(&hostile.join("hidden"), &pack.path("grader/hidden/hostile"));
        std::fs::copy(
            hostile.join("book/hostile.md"),
            pack.path("book/src/hostile.md"),
        )
        .unwrap();
        pack
    }

    pub fn root(&self) -> &Path {
        self.0.root()
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.0.path(relative)
    }

    /// The grader, run on this pack.
    pub fn grader(&self) -> Command {
        let mut command = grader();
        command.arg("--root").arg(self.root());
        command
    }
}

/// A folder of students' submissions, DIR/<student>/<slug>/.
pub struct Class {
    dir: tempfile::TempDir,
}

impl Class {
    pub fn new() -> Class {
        Class {
            dir: tempfile::Builder::new()
                .prefix("tasklings-submissions-")
                .tempdir()
                .expect("a temporary folder"),
        }
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `DIR/<student>/<slug>/<file>`.
    pub fn write(&self, student: &str, slug: &str, file: &str, text: &str) {
        let path = self.dir().join(student).join(slug).join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Copies a folder in as `DIR/<student>/<slug>/`.
    pub fn copy(&self, student: &str, slug: &str, from: &Path) {
        copy_dir(from, &self.dir().join(student).join(slug));
    }

    /// Creates `DIR/<student>/<folder>/` with nothing in it.
    pub fn folder(&self, student: &str, folder: &str) {
        std::fs::create_dir_all(self.dir().join(student).join(folder)).unwrap();
    }
}

/// The grader binary with a clean environment (see `common::grader_command`).
pub fn grader() -> Command {
    common::grader_command()
}

/// Runs `command` to its end; panics with its output if it can't start.
pub fn run(command: &mut Command) -> std::process::Output {
    command
        .output()
        .unwrap_or_else(|error| panic!("can't run {command:?}: {error}"))
}

/// stdout and stderr, for assertion messages.
pub fn shown(output: &std::process::Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A file parsed as JSON.
pub fn json_file(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("can't read {}: {error}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|error| panic!("{} is not JSON ({error}):\n{text}", path.display()))
}

/// Gradebook rows (gradebook.json) as (student, exercise) → row.
pub fn gradebook(out: &Path) -> std::collections::BTreeMap<(String, String), serde_json::Value> {
    let rows = json_file(&out.join("gradebook.json"));
    rows.as_array()
        .expect("gradebook.json is an array")
        .iter()
        .map(|row| {
            (
                (
                    row["student"].as_str().unwrap().to_owned(),
                    row["exercise"].as_str().unwrap().to_owned(),
                ),
                row.clone(),
            )
        })
        .collect()
}

/// The test `name` of exercise `slug` in a student's JSON report.
pub fn report_test<'a>(
    report: &'a serde_json::Value,
    slug: &str,
    name: &str,
) -> &'a serde_json::Value {
    report["exercises"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["exercise"] == slug)
        .unwrap_or_else(|| panic!("no exercise {slug} in {report:#}"))["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no test {name} in {slug}: {report:#}"))
}

/// The environment variable that moves a grader's pool of sandbox uids (see the grader's
/// `isolation::uids`): each test that checks for leftovers gives its batch a pool of its own.
pub const UID_BASE_ENV: &str = "TASKLINGS_SANDBOX_UID_BASE";

/// Processes running as one of the 512 sandbox uids from `base` (there should be none once the
/// grader using them is done).
pub fn sandbox_processes(base: u32) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        let uid: Option<u32> = status
            .lines()
            .find_map(|line| line.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().next())
            .and_then(|uid| uid.parse().ok());
        if uid.is_some_and(|uid| (base..base + 512).contains(&uid)) {
            let name = status.lines().next().unwrap_or("").to_owned();
            found.push(format!("{} {name}", entry.file_name().to_string_lossy()));
        }
    }
    found
}

/// Held while a test runs a heavy batch: across test binaries (a lock file beside the build
/// directory), so that two hostile classes don't share the CPUs and their tests' timeouts.
pub fn one_isolated_batch_at_a_time() -> std::fs::File {
    let path = target_dir().join("tasklings-class-tests.lock");
    let file = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .unwrap_or_else(|error| panic!("can't open {}: {error}", path.display()));
    file.lock()
        .unwrap_or_else(|error| panic!("can't lock {}: {error}", path.display()));
    file
}

/// True when this test runs as root (the strongest isolation needs it).
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("Uid:"))
                .map(|ids| ids.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}
