//! Building a scratch workspace with Cargo: `cargo test --no-run --offline --message-format=json`,
//! read as JSON (never scraped from the terminal), into either the hidden test binary or the
//! compiler's rendered errors.
//!
//! Builds go to their own target directory, `<target>/tasklings/build` (the `cargo grade` that
//! runs us holds the lock on `<target>/debug`), shared by every exercise and every scratch slot so
//! dependencies are compiled once.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::progress::Progress;
use crate::repo::Repo;
use crate::scratch::Scratch;

/// What a build produced.
#[derive(Debug)]
pub enum BuildOutcome {
    /// The hidden test binary (in the build directory; it belongs to the scratch slot).
    Built(PathBuf),
    /// The compiler rejected the code.
    CompileError {
        /// The compiler's messages, as it renders them for a terminal (without colour).
        rendered: String,
        /// True when the exercise's own code compiled but the hidden tests don't compile against
        /// it (a changed signature, say).
        in_hidden_tests: bool,
    },
    /// Cargo itself failed (a broken manifest, a dependency it can't find offline).
    CargoFailed(String),
}

/// Compiler errors kept for the report (a macro gone wrong can produce thousands).
const ERRORS_SHOWN: usize = 20;

/// The cargo to run: `$CARGO` (set when we run under `cargo grade`), else `cargo` on PATH.
pub fn cargo_program() -> PathBuf {
    std::env::var_os("CARGO")
        .filter(|cargo| !cargo.is_empty())
        .map_or_else(|| PathBuf::from("cargo"), PathBuf::from)
}

/// Builds the hidden tests of the scratch workspace.
///
/// Cargo's own lock on the build directory serialises concurrent builds; the artifacts of each
/// scratch slot have names of their own (see `scratch`), so the binary we get is ours until the
/// slot is released.
pub fn build(repo: &Repo, scratch: &Scratch, progress: &Progress) -> Result<BuildOutcome> {
    let build_dir = repo.grader_dir().join("build");
    let outcome = cargo_test_no_run(scratch, &build_dir, true, progress)?;
    if let BuildOutcome::CargoFailed(stderr) = &outcome {
        if stderr.contains("offline") {
            // Dependencies not downloaded yet (a fresh clone): fetch them once, then build.
            progress.status("downloading the exercises' dependencies (once)");
            return cargo_test_no_run(scratch, &build_dir, false, progress);
        }
    }
    Ok(outcome)
}

#[derive(Deserialize)]
struct CargoMessage {
    reason: String,
    #[serde(default)]
    target: Option<Target>,
    #[serde(default)]
    profile: Option<Profile>,
    #[serde(default)]
    executable: Option<PathBuf>,
    #[serde(default)]
    message: Option<CompilerMessage>,
    #[serde(default)]
    success: Option<bool>,
}

#[derive(Deserialize)]
struct Target {
    name: String,
    kind: Vec<String>,
}

#[derive(Deserialize)]
struct Profile {
    test: bool,
}

#[derive(Deserialize)]
struct CompilerMessage {
    level: String,
    rendered: Option<String>,
}

fn cargo_test_no_run(
    scratch: &Scratch,
    build_dir: &Path,
    offline: bool,
    progress: &Progress,
) -> Result<BuildOutcome> {
    let cargo = cargo_program();
    let mut command = Command::new(&cargo);
    command
        .args([
            "test",
            "--no-run",
            "--message-format=json",
            "--test",
            "hidden",
        ])
        .args(offline.then_some("--offline"))
        .current_dir(&scratch.root)
        .env("CARGO_TARGET_DIR", build_dir)
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().map_err(|error| {
        if error.kind() == std::io::ErrorKind::NotFound {
            anyhow::anyhow!(
                "could not run `{}`: it is not on PATH. Install Rust with rustup \
                 (https://rustup.rs), open a new terminal, and try again.",
                cargo.display()
            )
        } else {
            anyhow::anyhow!("could not run `{}`: {error}", cargo.display())
        }
    })?;
    let mut stderr_pipe = child.stderr.take().context("cargo's stderr")?;
    let stderr_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr_pipe.read_to_string(&mut text);
        text
    });
    let stdout = child.stdout.take().context("cargo's stdout")?;
    let mut seen = Messages::default();
    for line in BufReader::new(stdout).lines() {
        let line = line.context("can't read cargo's output")?;
        if let Ok(message) = serde_json::from_str::<CargoMessage>(&line) {
            seen.take(message, progress);
        }
    }
    let status = child.wait().context("cargo did not finish")?;
    let stderr = stderr_reader.join().unwrap_or_default();
    if crate::interrupt::requested() {
        anyhow::bail!("interrupted");
    }
    Ok(seen.outcome(status.success(), &stderr))
}

/// What cargo's JSON messages said about the build.
#[derive(Default)]
struct Messages {
    binary: Option<PathBuf>,
    errors: Vec<String>,
    errors_not_shown: usize,
    in_hidden_tests: bool,
    compiled: usize,
    success: bool,
}

impl Messages {
    fn take(&mut self, message: CargoMessage, progress: &Progress) {
        match message.reason.as_str() {
            "compiler-artifact" => {
                self.compiled += 1;
                if let Some(target) = &message.target {
                    let compiled = self.compiled;
                    progress.status(&format!("building: {} ({compiled} crates)", target.name));
                    let is_test = message.profile.as_ref().is_some_and(|p| p.test);
                    if target.name == "hidden" && target.kind.iter().any(|k| k == "test") && is_test
                    {
                        self.binary = message.executable.clone();
                    }
                }
            }
            "compiler-message" => {
                let Some(compiler) = &message.message else {
                    return;
                };
                if compiler.level != "error" {
                    return;
                }
                if let Some(rendered) = &compiler.rendered {
                    if self.errors.len() < ERRORS_SHOWN {
                        self.errors.push(rendered.trim_end().to_owned());
                    } else {
                        self.errors_not_shown += 1;
                    }
                }
                self.in_hidden_tests |= message.target.as_ref().is_some_and(|t| t.name == "hidden");
            }
            "build-finished" => self.success = message.success.unwrap_or(false),
            _ => {}
        }
    }

    fn outcome(self, exited_well: bool, stderr: &str) -> BuildOutcome {
        if exited_well && self.success {
            return match self.binary {
                Some(binary) => BuildOutcome::Built(binary),
                None => BuildOutcome::CargoFailed("cargo built no hidden test binary".to_owned()),
            };
        }
        if self.errors.is_empty() {
            return BuildOutcome::CargoFailed(stderr.trim().to_owned());
        }
        let mut rendered = self.errors.join("\n\n");
        if self.errors_not_shown > 0 {
            rendered.push_str(&format!(
                "\n\n… and {} more error(s): fix the first ones first, they often cause the rest",
                self.errors_not_shown
            ));
        }
        // Only the hidden tests failed when every error came from them.
        BuildOutcome::CompileError {
            rendered,
            in_hidden_tests: self.in_hidden_tests,
        }
    }
}
