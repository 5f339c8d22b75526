//! The learner's progress, `.tasklings/state.json` at the repository root: which exercises pass,
//! their last score, and how many hints were shown.
//!
//! Written atomically — a temporary file in the same folder, flushed to disk, then renamed over
//! the old one — so a crash or Ctrl-C mid-write leaves the old state or the new, never half of
//! one. Read-modify-write happens under a lock file, so two graders at once (a `watch` and a
//! `run`) don't lose each other's updates. A state file that can't be read (edited by hand, say)
//! is set aside as `state.json.unreadable` and progress starts afresh, with a warning.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::repo::{Exercise, Repo};
use crate::results::{ExerciseResult, ExerciseStatus};

/// Everything remembered between runs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct State {
    /// Format version, for future migrations.
    #[serde(default = "version")]
    pub version: u32,
    /// Per exercise slug.
    #[serde(default)]
    pub exercises: BTreeMap<String, Progress>,
}

fn version() -> u32 {
    1
}

impl Default for State {
    fn default() -> State {
        State {
            version: version(),
            exercises: BTreeMap::new(),
        }
    }
}

/// What is remembered of one exercise.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Progress {
    /// The verdict of the last run, if it was ever graded.
    #[serde(default)]
    pub status: Option<ExerciseStatus>,
    #[serde(default)]
    pub score: f64,
    #[serde(default)]
    pub max_score: f64,
    /// Hints revealed so far (`grader hint`, `h` in watch mode).
    #[serde(default)]
    pub hints_shown: usize,
    /// When it was last graded, in seconds since the Unix epoch.
    #[serde(default)]
    pub graded_at: u64,
}

impl State {
    /// The exercise to work on: the first in learning-path order whose last run didn't pass.
    pub fn current<'a>(&self, exercises: &'a [Exercise]) -> Option<&'a Exercise> {
        exercises
            .iter()
            .find(|e| e.manifest.is_ok() && !self.passes(&e.slug))
    }

    /// The progress of `slug` (empty when never graded).
    pub fn of(&self, slug: &str) -> Progress {
        self.exercises.get(slug).cloned().unwrap_or_default()
    }

    /// True when the last run of `slug` passed.
    pub fn passes(&self, slug: &str) -> bool {
        self.of(slug).status == Some(ExerciseStatus::Pass)
    }

    /// Forgets the last verdict on `slug` (its code was put back to the starter, or is
    /// untouched): it shows as not graded yet. The hints shown stay shown.
    pub fn forget_verdict(&mut self, slug: &str) {
        if let Some(progress) = self.exercises.get_mut(slug) {
            let hints_shown = progress.hints_shown;
            *progress = Progress {
                hints_shown,
                ..Progress::default()
            };
        }
    }

    /// Records a graded result.
    pub fn record(&mut self, result: &ExerciseResult) {
        let progress = self.exercises.entry(result.exercise.clone()).or_default();
        progress.status = Some(result.status);
        progress.score = result.score;
        progress.max_score = result.max_score;
        progress.graded_at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
    }
}

/// Reads the state (empty when there is none yet).
pub fn load(repo: &Repo) -> State {
    read(&repo.state_dir().join("state.json"))
}

/// Reads, changes and writes the state under the lock; returns the new state.
pub fn update(repo: &Repo, change: impl FnOnce(&mut State)) -> Result<State> {
    let dir = repo.state_dir();
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("can't create {} for your progress", dir.display()))?;
    let lock_path = dir.join("state.lock");
    let lock = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .with_context(|| format!("can't open {}", lock_path.display()))?;
    crate::files::lock(&lock, true).context("can't lock the learner's progress file")?;
    let path = dir.join("state.json");
    let mut state = read(&path);
    change(&mut state);
    let text = serde_json::to_string_pretty(&state).context("can't serialise the progress")?;
    crate::files::write_atomically(&path, format!("{text}\n").as_bytes())
        .with_context(|| format!("can't save your progress to {}", path.display()))?;
    Ok(state)
}

fn read(path: &Path) -> State {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(_) => return State::default(),
    };
    match serde_json::from_str(&text) {
        Ok(state) => state,
        Err(error) => {
            let aside = path.with_extension("json.unreadable");
            let _ = std::fs::rename(path, &aside);
            eprintln!(
                "warning: {} could not be read ({error}); it was moved to {} and your progress \
                 starts afresh (re-run `cargo grade run` to re-check your exercises)",
                path.display(),
                aside.display()
            );
            State::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreadable_state_is_set_aside_and_progress_starts_afresh() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        std::fs::write(&path, "{ half a file").unwrap();
        let state = read(&path);
        assert!(state.exercises.is_empty());
        assert!(dir.path().join("state.json.unreadable").is_file());
    }
}
