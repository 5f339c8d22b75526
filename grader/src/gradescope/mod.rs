//! Gradescope: one container per submission, built from a zip the instructor uploads.
//!
//! * `package` — `grader gradescope package [SLUG…] -o autograder.zip`: the zip (repository
//!   parts, hidden tests, `setup.sh`, `run_autograder`), never the solutions;
//! * `run` — `grader gradescope run`: grade `/autograder/submission` into
//!   `/autograder/results/results.json`, always writing a valid file.
//!
//! `grader gradescope prepare` (called by `setup.sh`) builds each exercise's hidden tests once
//! against its starter code at image-build time; it lives in `commands::gradescope`.

pub mod package;
pub mod run;
