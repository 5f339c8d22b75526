//! Each exercise's pristine starter: a copy of its editable files in `exercises/<slug>/.starter/`
//! (the same relative paths), which the learner has no reason to open.
//!
//! `cargo grade reset` restores an exercise from it, and `list --recheck` knows that an exercise
//! still equal to it is untouched. Git can't be the source: a learner's clone may have no `.git`
//! (a downloaded zip), or may have committed their work over the starter. The copy can't drift
//! from the starter either: `cargo grade verify` (run in CI on a fresh clone) checks that every
//! editable file equals its copy. The scratch workspace never copies dot-folders
//! (`scratch::files_under`), so the copy is not part of the graded crate.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::manifest::Manifest;
use crate::repo::Exercise;

/// The folder, inside an exercise, that holds the pristine copies of its editable files.
pub const STARTER_DIR: &str = ".starter";

/// Where one editable file stands against its pristine copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileState {
    /// The same bytes as the starter.
    Untouched,
    /// Changed by the learner.
    Edited,
    /// The learner's file is gone.
    Deleted,
    /// The pristine copy is missing: nothing to compare with or restore from.
    NoStarter,
}

/// One editable file of an exercise and its state.
#[derive(Clone, Debug)]
pub struct EditableFile {
    /// The path as `editable` in exercise.toml names it (`src/lib.rs`).
    pub relative: String,
    /// The learner's file.
    pub path: PathBuf,
    /// Its pristine copy.
    pub starter: PathBuf,
    pub state: FileState,
}

/// `exercises/<slug>/.starter/`.
pub fn dir(exercise: &Exercise) -> PathBuf {
    exercise.dir.join(STARTER_DIR)
}

/// Every editable file of `exercise`, compared with its pristine copy.
pub fn compare(exercise: &Exercise, manifest: &Manifest) -> Vec<EditableFile> {
    let starter_dir = dir(exercise);
    manifest
        .editable
        .iter()
        .map(|relative| {
            let path = exercise.dir.join(relative);
            let starter = starter_dir.join(relative);
            let state = match (std::fs::read(&starter), std::fs::read(&path)) {
                (Err(_), _) => FileState::NoStarter,
                (Ok(_), Err(_)) => FileState::Deleted,
                (Ok(pristine), Ok(current)) if pristine == current => FileState::Untouched,
                (Ok(_), Ok(_)) => FileState::Edited,
            };
            EditableFile {
                relative: relative.clone(),
                path,
                starter,
                state,
            }
        })
        .collect()
}

/// True when every editable file equals its pristine copy.
pub fn is_untouched(files: &[EditableFile]) -> bool {
    files.iter().all(|f| f.state == FileState::Untouched)
}

/// Copies the learner's edited files to `backup` (same relative paths), then writes the
/// starter over each edited or deleted file. Returns the files restored.
pub fn restore(files: &[EditableFile], backup: &Path) -> Result<Vec<String>> {
    let mut restored = Vec::new();
    for file in files {
        if file.state == FileState::Edited {
            let to = backup.join(&file.relative);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("can't create {}", parent.display()))?;
            }
            std::fs::copy(&file.path, &to).with_context(|| {
                format!(
                    "can't keep a backup of {} in {}",
                    file.path.display(),
                    to.display()
                )
            })?;
        }
    }
    for file in files {
        if matches!(file.state, FileState::Edited | FileState::Deleted) {
            let pristine = std::fs::read(&file.starter)
                .with_context(|| format!("can't read {}", file.starter.display()))?;
            if let Some(parent) = file.path.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("can't create {}", parent.display()))?;
            }
            crate::files::write_atomically(&file.path, &pristine)
                .with_context(|| format!("can't write {}", file.path.display()))?;
            restored.push(file.relative.clone());
        }
    }
    Ok(restored)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exercise(dir: &Path) -> (Exercise, Manifest) {
        let toml = "title = \"T\"\norder = 1\nchapter = \"c.md\"\neditable = [\"src/lib.rs\", \
                    \"src/more.rs\"]\nhints = [\"a\", \"b\", \"c\"]\n";
        std::fs::write(dir.join("exercise.toml"), toml).unwrap();
        let manifest = Manifest::load(&dir.join("exercise.toml")).unwrap();
        let exercise = Exercise {
            slug: "t".into(),
            dir: dir.to_path_buf(),
            manifest: Manifest::load(&dir.join("exercise.toml")),
        };
        (exercise, manifest)
    }

    #[test]
    fn edited_files_are_backed_up_and_restored_and_deleted_ones_come_back() {
        let dir = tempfile::tempdir().unwrap();
        for (file, text) in [
            (".starter/src/lib.rs", "starter lib"),
            (".starter/src/more.rs", "starter more"),
            ("src/lib.rs", "my work"),
        ] {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let (exercise, manifest) = exercise(dir.path());
        let files = compare(&exercise, &manifest);
        let states: Vec<FileState> = files.iter().map(|f| f.state).collect();
        assert_eq!(states, [FileState::Edited, FileState::Deleted]);

        let backup = dir.path().join("backup");
        let restored = restore(&files, &backup).unwrap();
        assert_eq!(restored, ["src/lib.rs", "src/more.rs"]);
        let read = |file: &str| std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert_eq!(read("backup/src/lib.rs"), "my work");
        assert!(!backup.join("src/more.rs").exists(), "nothing to back up");
        assert_eq!(read("src/lib.rs"), "starter lib");
        assert_eq!(read("src/more.rs"), "starter more");
        assert!(is_untouched(&compare(&exercise, &manifest)));
    }

    #[test]
    fn a_missing_pristine_copy_is_reported_not_guessed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::write(dir.path().join("src/lib.rs"), "x").unwrap();
        let (exercise, manifest) = exercise(dir.path());
        let files = compare(&exercise, &manifest);
        assert_eq!(files[0].state, FileState::NoStarter);
        assert!(!is_untouched(&files));
    }
}
