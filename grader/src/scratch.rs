//! The scratch workspace: a pristine, grader-owned copy of one exercise in which only the
//! manifest's editable files come from the code being graded (ARCHITECTURE.md, "How a submission
//! becomes a verdict").
//!
//! ```text
//! <target>/tasklings/scratch/<slot>/
//!   Cargo.toml           [workspace] members = [SLUG] + the repo's [workspace.*] tables and
//!                        [profile.*] (path dependencies made absolute), with the runtime
//!                        compiled optimised and no debug info (see `OPTIMISED_DEPENDENCIES`
//!                        and `DEBUG_INFO`)
//!   Cargo.lock           the repo's (same versions; builds run --offline)
//!   rust-toolchain.toml  the repo's, when the scratch lies outside the repo
//!   SLUG/                exercises/SLUG (no target/), editable files overwritten from the source
//!                        (the folder is SLUG-2/, SLUG-3/… in the second, third… slot: see below),
//!   SLUG/hidden/         the hidden tests, and in SLUG/Cargo.toml one more target:
//!                        [[test]] name = "hidden", path = "hidden/main.rs", harness = false
//! ```
//!
//! Nothing a submission holds besides its editable files is read: no Cargo.toml, build.rs,
//! `.cargo/config.toml` or toolchain file of its own can change how it is built or tested.
//!
//! A slot is reused from run to run (`<slug>`, or `<slug>-2`… when another grader holds it, found
//! by a lock file), and files are written only when their content changed, so Cargo's
//! fingerprints and incremental compilation stay warm: a one-line edit rebuilds one crate.
//!
//! Every slot's crate folder has its own name (`SLUG` in the first slot, `SLUG-2` in the second,
//! …), because Cargo derives a path package's artifact names from its path *relative to the
//! workspace root*: two slots with the same relative path would share artifacts in the shared
//! build directory, and a build in one could be taken as up to date for the other (its sources
//! older than the other slot's artifact) — grading one submission with another's code.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::manifest::Manifest;
use crate::repo::{Exercise, Repo};

/// Where the editable files come from.
#[derive(Clone, Debug)]
pub enum Source {
    /// The learner's own `exercises/<slug>/` (a learner's `grader run`).
    Learner,
    /// A submission folder holding the editable files at their relative paths.
    Submission(PathBuf),
    /// The reference solution, `solutions/<slug>/` (`grader verify`).
    Solution,
}

impl Source {
    /// The folder the editable files are read from.
    pub fn dir(&self, repo: &Repo, slug: &str) -> PathBuf {
        match self {
            Source::Learner => repo.exercise_dir(slug),
            Source::Submission(dir) => dir.clone(),
            Source::Solution => repo.solution_dir(slug),
        }
    }
}

/// A prepared scratch workspace, held (locked) until dropped.
#[derive(Debug)]
pub struct Scratch {
    /// The scratch workspace root.
    pub root: PathBuf,
    /// The exercise crate inside it.
    pub crate_dir: PathBuf,
    /// The crate folder's name (the slot's name): where the compiler's paths start.
    pub member: String,
    _lock: File,
}

/// Why a scratch workspace could not be prepared for grading.
#[derive(Debug, thiserror::Error)]
pub enum ScratchError {
    /// The code being graded lacks an editable file: graded as an error, not a grader failure.
    #[error("{dir} has no `{file}`: a submission of `{slug}` holds its editable files ({files}) at these paths")]
    MissingEditable {
        slug: String,
        dir: String,
        file: String,
        files: String,
    },
    /// An editable file is a symbolic link (or under one), or not a regular file: refused, so a
    /// submission can't make the grader read — and the compiler quote — a file outside it.
    #[error("{dir}: `{file}` is a symbolic link or not a regular file; submit the file itself")]
    NotARegularFile { dir: String, file: String },
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Builds (or refreshes) the scratch workspace for `exercise` with editable files from `source`
/// and hidden tests from `hidden_dir`.
pub fn prepare(
    repo: &Repo,
    exercise: &Exercise,
    manifest: &Manifest,
    source: &Source,
    hidden_dir: &Path,
) -> Result<Scratch, ScratchError> {
    let slug = &exercise.slug;
    if !hidden_dir.join("main.rs").is_file() {
        return Err(anyhow::anyhow!(
            "no hidden tests for `{slug}`: expected {}/main.rs (instructors: `--hidden DIR` \
             takes DIR/{slug}/main.rs)",
            hidden_dir.display()
        )
        .into());
    }
    let wanted = wanted_files(repo, exercise, manifest, source, hidden_dir)?;
    let scratch_dir = repo.grader_dir().join("scratch");
    std::fs::create_dir_all(&scratch_dir)
        .with_context(|| format!("can't create {}", scratch_dir.display()))?;
    let (root, lock) = lock_slot(&scratch_dir, slug)?;
    let member = root
        .file_name()
        .map_or_else(|| slug.clone(), |name| name.to_string_lossy().into_owned());
    let crate_dir = root.join(&member);
    sync_crate(&crate_dir, &wanted)?;
    write_workspace_files(repo, &root, (slug, exercise_level(manifest)), &member)?;
    Ok(Scratch {
        root,
        crate_dir,
        member,
        _lock: lock,
    })
}

/// What the crate should hold: relative path → the file to copy there. The exercise's files
/// (without build output or hidden tests), the editable ones from `source`, and the hidden tests
/// (without the catalogues of wrong and right submissions, which are not part of them).
fn wanted_files(
    repo: &Repo,
    exercise: &Exercise,
    manifest: &Manifest,
    source: &Source,
    hidden_dir: &Path,
) -> Result<BTreeMap<PathBuf, PathBuf>, ScratchError> {
    let source_dir = source.dir(repo, &exercise.slug);
    let mut wanted: BTreeMap<PathBuf, PathBuf> = BTreeMap::new();
    for file in files_under(&exercise.dir, &["target", "hidden"])? {
        wanted.insert(file.clone(), exercise.dir.join(&file));
    }
    for file in &manifest.editable {
        let from = source_dir.join(file);
        if std::fs::symlink_metadata(&from).is_ok() && !is_plain_file(&source_dir, file) {
            return Err(ScratchError::NotARegularFile {
                dir: repo.relative(&source_dir).display().to_string(),
                file: file.clone(),
            });
        }
        if !from.is_file() {
            return Err(ScratchError::MissingEditable {
                slug: exercise.slug.clone(),
                dir: repo.relative(&source_dir).display().to_string(),
                file: file.clone(),
                files: manifest.editable.join(", "),
            });
        }
        wanted.insert(PathBuf::from(file), from);
    }
    for file in files_under(hidden_dir, &["target", "wrong", "right"])? {
        wanted.insert(Path::new("hidden").join(&file), hidden_dir.join(&file));
    }
    Ok(wanted)
}

/// Makes `crate_dir` hold exactly `wanted`: writes what changed (so Cargo's fingerprints stay
/// warm), removes what is no longer wanted, and adds the hidden test target to Cargo.toml.
fn sync_crate(crate_dir: &Path, wanted: &BTreeMap<PathBuf, PathBuf>) -> Result<()> {
    let present: BTreeSet<PathBuf> = if crate_dir.is_dir() {
        files_under(crate_dir, &["target"])?.into_iter().collect()
    } else {
        BTreeSet::new()
    };
    for stale in present.iter().filter(|file| !wanted.contains_key(*file)) {
        let path = crate_dir.join(stale);
        std::fs::remove_file(&path).with_context(|| format!("can't remove {}", path.display()))?;
    }
    for (file, from) in wanted {
        let mut bytes =
            std::fs::read(from).with_context(|| format!("can't read {}", from.display()))?;
        if file == Path::new("Cargo.toml") {
            bytes.extend_from_slice(HIDDEN_TARGET.as_bytes());
        }
        write_if_changed(&crate_dir.join(file), &bytes)?;
    }
    Ok(())
}

/// The workspace's Cargo.toml, and the repository's Cargo.lock and toolchain file. `exercise`
/// is the slug and the opt-level of its package ([`exercise_level`]).
fn write_workspace_files(
    repo: &Repo,
    root: &Path,
    exercise: (&str, i64),
    member: &str,
) -> Result<()> {
    write_if_changed(
        &root.join("Cargo.toml"),
        workspace_manifest(repo, exercise, member)?.as_bytes(),
    )?;
    for name in ["Cargo.lock", "rust-toolchain.toml"] {
        let file = repo.root().join(name);
        if file.is_file() {
            let bytes =
                std::fs::read(&file).with_context(|| format!("can't read {}", file.display()))?;
            write_if_changed(&root.join(name), &bytes)?;
        }
    }
    Ok(())
}

/// Appended to the exercise's Cargo.toml in the scratch copy.
const HIDDEN_TARGET: &str = "
# Added by the grader: the hidden tests, one binary driven by probes::harness.
[[test]]
name = \"hidden\"
path = \"hidden/main.rs\"
harness = false
";

/// Dependencies compiled optimised in the scratch build (when the repository's own profile
/// doesn't say otherwise), so the code a learner's concurrency runs on performs as it really
/// does, while the learner's crate (incremental, opt-level 0: see below) still rebuilds in a
/// second.
///
/// Only the Tasklings runtime, measured on the 2-core reference machine (busy, best of 5):
/// spawning and joining 100 000 tasks takes 190 ms at opt-level 0 and 36 ms at 2, and
/// optimising it costs ~18 s once. Optimising every dependency (`"*"`) made the first build
/// 2.9× longer (191 s → 550 s, tokio and hyper dominate) and changed no hidden test's verdict
/// or duration measurably: the timing checks count what overlaps rather than how fast it runs.
const OPTIMISED_DEPENDENCIES: &[&str] = &["runtime"];
const OPTIMISED_LEVEL: i64 = 2;

/// The opt-level of the exercise's own package (the learner's crate and the hidden tests): 0,
/// or [`EXERCISE_OPTIMISED_LEVEL`] for an exercise whose manifest says `optimised = true`.
///
/// Measured on worker-pool's wrong/ catalogue (warm build folder, quiet 2-core machine): a new
/// submission rebuilds in 1.7–1.9 s wall / 1.7–1.9 s CPU at opt-level 0 against 4.5–5.5 s wall
/// / 7.2–8.6 s CPU at opt-level 1, the hidden test crate's code generation being most of it.
/// Only file-processor opts in: its bounded-memory test runs a learner's byte-counting loop over
/// a 2 GiB file (measured when it was 1 GiB: 6.3 s at opt-level 0, 3.2 s at 1).
const EXERCISE_LEVEL: i64 = 0;
const EXERCISE_OPTIMISED_LEVEL: i64 = 1;

/// The opt-level the exercise's own package is built at (see [`EXERCISE_LEVEL`]).
fn exercise_level(manifest: &Manifest) -> i64 {
    if manifest.optimised {
        EXERCISE_OPTIMISED_LEVEL
    } else {
        EXERCISE_LEVEL
    }
}

/// Scratch builds carry no debug info (unless the repository's `[profile.dev]` sets `debug`):
/// verdicts and panic locations don't need it (locations are compiled in), and without it the
/// hidden test binary is 2 MB instead of 22 MB. Measured on parallel-sum, busy 2-core machine:
/// a one-line edit rebuilds in ~1.1 s instead of ~1.5 s, and the first build takes 122 s
/// instead of 191 s.
const DEBUG_INFO: i64 = 0;

/// The repository's `[profile.*]` tables, with the scratch build's own settings where the
/// repository sets none: no debug info, the exercise (`slug`) at `level`, the runtime
/// optimised.
fn scratch_profiles(
    source: &toml::Table,
    source_workspace: &toml::Table,
    (slug, level): (&str, i64),
) -> toml::Table {
    let mut profile = source
        .get("profile")
        .and_then(toml::Value::as_table)
        .cloned()
        .unwrap_or_default();
    let dev = profile
        .entry("dev")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    let toml::Value::Table(dev) = dev else {
        return profile;
    };
    dev.entry("debug").or_insert_with(|| DEBUG_INFO.into());
    let packages = dev
        .entry("package")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    let toml::Value::Table(packages) = packages else {
        return profile;
    };
    let opt_level = |level: i64| {
        let mut optimised = toml::Table::new();
        optimised.insert("opt-level".into(), level.into());
        toml::Value::Table(optimised)
    };
    packages.entry(slug).or_insert_with(|| opt_level(level));
    let dependencies = source_workspace
        .get("dependencies")
        .and_then(toml::Value::as_table);
    for name in OPTIMISED_DEPENDENCIES {
        if dependencies.is_some_and(|deps| deps.contains_key(*name)) {
            packages
                .entry(*name)
                .or_insert_with(|| opt_level(OPTIMISED_LEVEL));
        }
    }
    profile
}

/// The scratch workspace's root manifest: the repo's shared tables, with paths made absolute,
/// and the profiles of [`scratch_profiles`] for `exercise` (slug, opt-level).
fn workspace_manifest(repo: &Repo, exercise: (&str, i64), member: &str) -> Result<String> {
    let (slug, _) = exercise;
    let path = repo.root().join("Cargo.toml");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("can't read {}", path.display()))?;
    let source: toml::Table =
        toml::from_str(&text).with_context(|| format!("{} is not valid TOML", path.display()))?;
    let source_workspace = source
        .get("workspace")
        .and_then(toml::Value::as_table)
        .cloned()
        .unwrap_or_default();

    let mut workspace = toml::Table::new();
    workspace.insert("resolver".into(), "2".into());
    workspace.insert(
        "members".into(),
        toml::Value::Array(vec![toml::Value::String(member.to_owned())]),
    );
    for key in ["package", "lints"] {
        if let Some(value) = source_workspace.get(key) {
            workspace.insert(key.into(), value.clone());
        }
    }
    if let Some(toml::Value::Table(deps)) = source_workspace.get("dependencies") {
        workspace.insert(
            "dependencies".into(),
            toml::Value::Table(absolute_paths(deps, repo.root())),
        );
    }

    let mut manifest = toml::Table::new();
    manifest.insert("workspace".into(), toml::Value::Table(workspace));
    let profile = scratch_profiles(&source, &source_workspace, exercise);
    manifest.insert("profile".into(), toml::Value::Table(profile));
    if let Some(toml::Value::Table(patch)) = source.get("patch") {
        let patch = patch
            .iter()
            .map(|(registry, deps)| {
                let deps = match deps {
                    toml::Value::Table(deps) => {
                        toml::Value::Table(absolute_paths(deps, repo.root()))
                    }
                    other => other.clone(),
                };
                (registry.clone(), deps)
            })
            .collect();
        manifest.insert("patch".into(), toml::Value::Table(patch));
    }
    Ok(format!(
        "# Written by the Tasklings grader: a scratch workspace for grading `{slug}`. Not yours to \
         edit: it is rewritten on every run.\n{}",
        toml::to_string(&manifest).context("can't write the scratch Cargo.toml")?
    ))
}

/// Dependency tables with every `path = "…"` made absolute against `base`.
fn absolute_paths(deps: &toml::Table, base: &Path) -> toml::Table {
    deps.iter()
        .map(|(name, spec)| {
            let mut spec = spec.clone();
            if let toml::Value::Table(table) = &mut spec {
                if let Some(toml::Value::String(path)) = table.get("path") {
                    let absolute = base.join(path).display().to_string();
                    table.insert("path".into(), absolute.into());
                }
            }
            (name.clone(), spec)
        })
        .collect()
}

/// Takes the first free slot (`<slug>`, `<slug>-2`, …) by an exclusive lock on its lock file;
/// when all are busy, waits for the first.
fn lock_slot(scratch_dir: &Path, slug: &str) -> Result<(PathBuf, File)> {
    const SLOTS: usize = 8;
    for attempt in 1..=SLOTS + 1 {
        let n = if attempt > SLOTS { 1 } else { attempt };
        let name = if n == 1 {
            slug.to_owned()
        } else {
            format!("{slug}-{n}")
        };
        let lock_path = scratch_dir.join(format!("{name}.lock"));
        let lock = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .with_context(|| format!("can't open {}", lock_path.display()))?;
        let blocking = attempt > SLOTS;
        if crate::files::lock(&lock, blocking)
            .with_context(|| format!("can't lock {}", lock_path.display()))?
        {
            return Ok((scratch_dir.join(name), lock));
        }
    }
    bail!("no scratch slot for `{slug}` could be locked")
}

/// Every regular file under `dir`, relative to it, skipping folders named in `skip` at any depth
/// and hidden folders (dot-folders are never part of a crate).
fn files_under(dir: &Path, skip: &[&str]) -> Result<Vec<PathBuf>> {
    let found = crate::files::walk(dir, |_, name| {
        !skip.contains(&name) && !name.starts_with('.')
    })
    .with_context(|| format!("can't list {}", dir.display()))?;
    Ok(found
        .into_iter()
        .filter(|file| file.is_file)
        .map(|file| file.relative)
        .collect())
}

/// True when `base/relative` is a regular file reached without following a symbolic link.
fn is_plain_file(base: &Path, relative: &str) -> bool {
    let mut path = base.to_path_buf();
    let components: Vec<_> = Path::new(relative).components().collect();
    for (index, component) in components.iter().enumerate() {
        path.push(component);
        let Ok(metadata) = std::fs::symlink_metadata(&path) else {
            return false;
        };
        let last = index + 1 == components.len();
        if metadata.file_type().is_symlink() || (last && !metadata.is_file()) {
            return false;
        }
    }
    true
}

/// Writes `bytes` to `path` unless it already holds exactly them (keeping its mtime, so Cargo
/// sees no change).
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<()> {
    if std::fs::read(path).is_ok_and(|existing| existing == bytes) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("can't create {}", parent.display()))?;
    }
    std::fs::write(path, bytes).with_context(|| format!("can't write {}", path.display()))
}
