//! What the grader's integration tests share: a private copy of the fixture pack per test, and a
//! command builder that runs the real `grader` binary on it.
//!
//! Every test grades into the same build directory (`<target>/tasklings/`, beside the test
//! binaries), so the fixture exercises' dependencies (runtime, probes) are compiled once for the
//! whole suite; scratch slots and a build lock keep parallel tests apart.

#![allow(dead_code)] // each test file uses its own part of this module

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The workspace root (two levels above the grader crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the grader crate sits in the workspace")
        .to_path_buf()
}

/// `grader/tests/fixtures`.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
}

/// A submission folder from `fixtures/submissions`.
pub fn submission(name: &str) -> PathBuf {
    fixtures().join("submissions").join(name)
}

/// The target directory the tests' grader binary lives in; graders build scratch workspaces
/// under it.
pub fn target_dir() -> PathBuf {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_grader"));
    binary
        .parent()
        .and_then(Path::parent)
        .expect("the grader binary is in <target>/<profile>/")
        .to_path_buf()
}

/// A private copy of the fixture pack in a temporary folder: its relative dependency paths made
/// absolute, and the workspace's Cargo.lock beside it (so the scratch builds use the same,
/// already downloaded, versions).
pub struct Pack {
    dir: tempfile::TempDir,
}

impl Pack {
    pub fn new() -> Pack {
        let dir = tempfile::Builder::new()
            .prefix("tasklings-pack-")
            .tempdir()
            .expect("a temporary folder");
        copy_dir(&fixtures().join("pack"), dir.path());
        let manifest = dir.path().join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).unwrap();
        let root = workspace_root();
        let text = text
            .replace(
                "\"../../../../runtime\"",
                &format!("{:?}", root.join("runtime")),
            )
            .replace(
                "\"../../../probes\"",
                &format!("{:?}", root.join("grader").join("probes")),
            );
        std::fs::write(&manifest, text).unwrap();
        std::fs::copy(root.join("Cargo.lock"), dir.path().join("Cargo.lock")).unwrap();
        Pack { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root().join(relative)
    }

    pub fn write(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative)).unwrap()
    }

    /// The grader, run on this pack.
    pub fn grader(&self) -> Command {
        let mut command = grader();
        command.arg("--root").arg(self.root());
        command
    }
}

/// The grader binary with a clean environment for tests (assert_cmd, with a generous timeout).
pub fn grader() -> Command {
    let mut command = Command::from_std(grader_command());
    command.timeout(std::time::Duration::from_secs(900));
    command
}

/// The same as a plain `std::process::Command`, for tests that start the grader and stop it
/// (Ctrl-C, kill) or read its output as it comes: no colour, the shared build directory, and
/// nothing from the caller's environment that would change what it does (a repository root,
/// an autograder folder, a GitHub Actions output file).
pub fn grader_command() -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_grader"));
    command
        .env("CARGO_TARGET_DIR", target_dir())
        .env("NO_COLOR", "1")
        .env_remove("TASKLINGS_ROOT")
        .env_remove("TASKLINGS_AUTOGRADER_DIR")
        .env_remove("GITHUB_OUTPUT")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("RUST_BACKTRACE");
    command
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Parses `--format json` output.
pub fn json(output: &[u8]) -> serde_json::Value {
    serde_json::from_slice(output)
        .unwrap_or_else(|error| panic!("not JSON ({error}):\n{}", String::from_utf8_lossy(output)))
}

/// The test named `name` in a JSON report's only exercise.
pub fn test<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["exercises"][0]["tests"]
        .as_array()
        .expect("a tests array")
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no test `{name}` in {report:#}"))
}
