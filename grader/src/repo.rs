//! The Tasklings repository the grader works on: where it is, where its exercises, solutions,
//! hidden tests, book and build directories are, and which exercises it holds.
//!
//! The root is found by walking up from the current directory to the first folder holding a
//! `Cargo.toml` with a `[workspace]` and an `exercises/` folder; `--root DIR` or the environment
//! variable `TASKLINGS_ROOT` name it directly (the grader's tests point it at a fixture pack).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::manifest::{Manifest, ManifestError};

/// The environment variable that names the repository root (same as `--root`).
pub const ROOT_ENV: &str = "TASKLINGS_ROOT";

/// A Tasklings repository.
#[derive(Clone, Debug)]
pub struct Repo {
    root: PathBuf,
    target_dir: PathBuf,
}

/// One exercise folder and its manifest (or why the manifest can't be used).
#[derive(Debug)]
pub struct Exercise {
    pub slug: String,
    pub dir: PathBuf,
    pub manifest: Result<Manifest, ManifestError>,
}

impl Exercise {
    /// The manifest, or an error that names the file and key at fault.
    pub fn manifest(&self) -> Result<&Manifest> {
        self.manifest
            .as_ref()
            .map_err(|error| anyhow::anyhow!("{error}"))
            .with_context(|| {
                format!(
                    "exercise `{}` has an unusable exercise.toml; fix it (`cargo grade verify {}` \
                     checks it)",
                    self.slug, self.slug
                )
            })
    }

    /// Position in the learning path; broken manifests sort last.
    pub fn order(&self) -> i64 {
        self.manifest.as_ref().map_or(i64::MAX, |m| m.order)
    }

    /// The title, or the slug while the manifest is broken.
    pub fn title(&self) -> &str {
        self.manifest
            .as_ref()
            .map_or(self.slug.as_str(), |m| m.title.as_str())
    }
}

impl Repo {
    /// Finds the repository: `explicit` (from `--root`), else `TASKLINGS_ROOT`, else the nearest
    /// enclosing Tasklings workspace of the current directory.
    pub fn discover(explicit: Option<&Path>) -> Result<Repo> {
        let from_env = std::env::var_os(ROOT_ENV).map(PathBuf::from);
        let root = match explicit.map(Path::to_path_buf).or(from_env) {
            Some(dir) => {
                let dir = std::fs::canonicalize(&dir).with_context(|| {
                    format!("the repository root {} doesn't exist", dir.display())
                })?;
                if !is_root(&dir) {
                    bail!(
                        "{} is not a Tasklings repository (no Cargo.toml with [workspace] and \
                         exercises/ folder there)",
                        dir.display()
                    );
                }
                dir
            }
            None => {
                let cwd = std::env::current_dir().context("can't read the current directory")?;
                cwd.ancestors()
                    .find(|dir| is_root(dir))
                    .map(Path::to_path_buf)
                    .with_context(|| {
                        format!(
                            "{} is not inside a Tasklings repository: run the grader from the \
                             cloned repository (or pass --root DIR)",
                            cwd.display()
                        )
                    })?
            }
        };
        let target_dir = match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) if !dir.is_empty() => {
                let dir = PathBuf::from(dir);
                if dir.is_absolute() {
                    dir
                } else {
                    std::env::current_dir()
                        .context("can't read the current directory")?
                        .join(dir)
                }
            }
            _ => root.join("target"),
        };
        Ok(Repo { root, target_dir })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `<target>/tasklings`: scratch workspaces, their build directory and caches.
    pub fn grader_dir(&self) -> PathBuf {
        self.target_dir.join("tasklings")
    }

    pub fn exercises_dir(&self) -> PathBuf {
        self.root.join("exercises")
    }

    pub fn exercise_dir(&self, slug: &str) -> PathBuf {
        self.exercises_dir().join(slug)
    }

    pub fn solution_dir(&self, slug: &str) -> PathBuf {
        self.root.join("solutions").join(slug)
    }

    /// The hidden tests of `slug`: `<hidden>/<slug>` when `--hidden` names a folder, else
    /// `grader/hidden/<slug>`.
    pub fn hidden_dir(&self, slug: &str, hidden_override: Option<&Path>) -> PathBuf {
        match hidden_override {
            Some(dir) => dir.join(slug),
            None => self.root.join("grader").join("hidden").join(slug),
        }
    }

    /// `.tasklings/` at the root: the learner's progress.
    pub fn state_dir(&self) -> PathBuf {
        self.root.join(".tasklings")
    }

    /// A repository-relative path, for messages.
    pub fn relative<'a>(&self, path: &'a Path) -> &'a Path {
        path.strip_prefix(&self.root).unwrap_or(path)
    }

    /// Every exercise folder (a folder under `exercises/` with a `Cargo.toml`), in learning-path
    /// order. A folder whose manifest is missing or broken is listed with the error.
    pub fn exercises(&self) -> Result<Vec<Exercise>> {
        let dir = self.exercises_dir();
        let entries = std::fs::read_dir(&dir)
            .with_context(|| format!("can't list the exercises in {}", dir.display()))?;
        let mut exercises = Vec::new();
        for entry in entries {
            let entry = entry.with_context(|| format!("can't list {}", dir.display()))?;
            let path = entry.path();
            if !path.join("Cargo.toml").is_file() {
                continue;
            }
            let Some(slug) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
                continue;
            };
            let manifest = Manifest::load(&path.join("exercise.toml"));
            exercises.push(Exercise {
                slug,
                dir: path,
                manifest,
            });
        }
        exercises.sort_by(|a, b| a.order().cmp(&b.order()).then(a.slug.cmp(&b.slug)));
        Ok(exercises)
    }

    /// The exercises named by `slugs` (all, when empty), in learning-path order; an unknown slug
    /// is an error that suggests the closest one.
    pub fn select(&self, slugs: &[String]) -> Result<Vec<Exercise>> {
        let all = self.exercises()?;
        if slugs.is_empty() {
            return Ok(all);
        }
        for slug in slugs {
            if !all.iter().any(|e| &e.slug == slug) {
                bail!("{}", unknown_slug(slug, &all));
            }
        }
        Ok(all
            .into_iter()
            .filter(|e| slugs.contains(&e.slug))
            .collect())
    }

    /// One exercise by slug.
    pub fn exercise(&self, slug: &str) -> Result<Exercise> {
        let mut found = self.select(&[slug.to_owned()])?;
        Ok(found.remove(0))
    }
}

/// "no exercise `x`; did you mean `y`?" plus the list of slugs.
fn unknown_slug(slug: &str, all: &[Exercise]) -> String {
    let slugs: Vec<&str> = all.iter().map(|e| e.slug.as_str()).collect();
    let mut message = format!("there is no exercise `{slug}`");
    match crate::suggest::closest(slug, slugs.iter().copied()) {
        Some(close) => message.push_str(&format!(": did you mean `{close}`?")),
        None => message.push('.'),
    }
    message.push_str(&format!(
        " The exercises are: {}. (`cargo grade list` shows them in order.)",
        slugs.join(", ")
    ));
    message
}

fn is_root(dir: &Path) -> bool {
    dir.join("exercises").is_dir()
        && std::fs::read_to_string(dir.join("Cargo.toml"))
            .map(|text| text.lines().any(|line| line.trim() == "[workspace]"))
            .unwrap_or(false)
}
