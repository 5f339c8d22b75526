//! An exercise's maximum score, known one way everywhere: the sum of its hidden tests' points.
//!
//! A grading that lists the hidden tests knows it and [`remember`]s it, keyed by a digest of the
//! hidden tests' sources. When the code being graded can't say — it doesn't compile, a file is
//! missing, intake refused it — [`of`] answers from that memory, or finds it by building code
//! that does compile (the reference solution, or the exercise's own folder when that is not what
//! just failed) and listing its tests. So a submission that doesn't compile scores "0 of 18",
//! never "0 of 0", in every report and gradebook.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::cargo_build::{self, BuildOutcome};
use crate::progress::Progress;
use crate::protocol::{self, HiddenBinary, ListedTest};
use crate::repo::{Exercise, Repo};
use crate::sandbox::Sandbox;
use crate::scratch::{self, Source};

#[derive(Serialize, Deserialize)]
struct Remembered {
    hidden_digest: String,
    total: f64,
}

fn file(repo: &Repo, slug: &str) -> PathBuf {
    repo.grader_dir()
        .join("totals")
        .join(format!("{slug}.json"))
}

/// A digest of the hidden tests' sources: a remembered total is valid only for the same tests
/// (and `grader batch`'s journal keeps a grade only for them). The catalogues of wrong and right
/// submissions are not part of the tests.
pub fn hidden_digest(hidden_dir: &Path) -> String {
    crate::files::digest_dir(hidden_dir, &["wrong", "right", "target"])
}

/// Remembers the total of `tests`, the hidden tests found in `hidden_dir`.
pub fn remember(repo: &Repo, slug: &str, hidden_dir: &Path, tests: &[ListedTest]) {
    let remembered = Remembered {
        hidden_digest: hidden_digest(hidden_dir),
        total: tests.iter().map(|t| t.points).sum(),
    };
    let path = file(repo, slug);
    if let (Some(parent), Ok(text)) = (path.parent(), serde_json::to_string(&remembered)) {
        // A cache: failing to write it only costs a rebuild of the reference later.
        let _ = std::fs::create_dir_all(parent);
        let _ = crate::files::write_atomically(&path, text.as_bytes());
    }
}

/// The remembered total of the hidden tests in `hidden_dir`, if they haven't changed since.
pub fn remembered(repo: &Repo, slug: &str, hidden_dir: &Path) -> Option<f64> {
    std::fs::read_to_string(file(repo, slug))
        .ok()
        .and_then(|text| serde_json::from_str::<Remembered>(&text).ok())
        .filter(|remembered| remembered.hidden_digest == hidden_digest(hidden_dir))
        .map(|remembered| remembered.total)
}

/// The exercise's maximum score when the code from `failed` can't say: remembered, else found by
/// building and listing code that compiles. 0 when nothing compiles.
pub fn of(
    repo: &Repo,
    exercise: &Exercise,
    failed: &Source,
    hidden_dir: &Path,
    progress: &Progress,
) -> f64 {
    if let Some(total) = remembered(repo, &exercise.slug, hidden_dir) {
        return total;
    }
    let mut candidates = Vec::new();
    if !matches!(failed, Source::Solution) && repo.solution_dir(&exercise.slug).is_dir() {
        candidates.push(Source::Solution);
    }
    if !matches!(failed, Source::Learner) {
        candidates.push(Source::Learner);
    }
    candidates
        .into_iter()
        .find_map(|source| listed_total(repo, exercise, &source, hidden_dir, progress))
        .unwrap_or(0.0)
}

/// Builds the code of `source` and lists its hidden tests; their total, remembered.
fn listed_total(
    repo: &Repo,
    exercise: &Exercise,
    source: &Source,
    hidden_dir: &Path,
    progress: &Progress,
) -> Option<f64> {
    let manifest = exercise.manifest.as_ref().ok()?;
    progress.status("finding the exercise's total points");
    let scratch = scratch::prepare(repo, exercise, manifest, source, hidden_dir).ok()?;
    let built = {
        let _turn = crate::timing_gate::shared(&repo.grader_dir());
        cargo_build::build(repo, &scratch, progress)
    };
    let Ok(BuildOutcome::Built(binary)) = built else {
        return None;
    };
    let hidden = HiddenBinary {
        path: binary,
        cwd: scratch.crate_dir.clone(),
        paths: protocol::PathMap::default(),
        env: Vec::new(),
    };
    // The reference solution or the learner's own folder: trusted, and listing runs no test.
    let tests = protocol::list(&hidden, &Sandbox::none()).ok()?;
    remember(repo, &exercise.slug, hidden_dir, &tests);
    Some(tests.iter().map(|t| t.points).sum())
}
