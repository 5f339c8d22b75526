//! `grader gradescope package [SLUG…] -o autograder.zip`: the zip an instructor uploads as a
//! Gradescope programming assignment's autograder.
//!
//! ```text
//! setup.sh, run_autograder        from grader/templates/gradescope/ (see their comments)
//! Cargo.toml Cargo.lock rust-toolchain.toml .cargo/config.toml README.md
//! runtime/                        the Tasklings runtime (exercises may use it)
//! grader/Cargo.toml src/ templates/ probes/   the grader, built by setup.sh
//! grader/hidden/<slug>/           the hidden tests of each packaged exercise (from --hidden DIR
//!                                 when given), without the instructor's `wrong/` submissions
//! exercises/<slug>/               the packaged exercises (starter code, manifest)
//! ```
//!
//! Never packaged: `solutions/`, `book/`, `target/` folders, `.git`, the learner's progress,
//! the grader's tests.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use crate::repo::Repo;

const SETUP_SH: &str = include_str!("../../templates/gradescope/setup.sh");
const RUN_AUTOGRADER: &str = include_str!("../../templates/gradescope/run_autograder");

/// Files at the repository root that go into the package when they exist.
const ROOT_FILES: &[&str] = &[
    "Cargo.toml",
    "Cargo.lock",
    "rust-toolchain.toml",
    ".cargo/config.toml",
    "README.md",
];
/// Folders packaged whole (but for build output).
const FOLDERS: &[&str] = &["runtime", "grader/src", "grader/templates", "grader/probes"];
/// Folder names never packaged, at any depth.
const SKIPPED: &[&str] = &["target", ".git", ".tasklings"];

/// What went into a package.
#[derive(Debug)]
pub struct Package {
    pub zip: Vec<u8>,
    pub exercises: Vec<String>,
    pub files: usize,
}

/// Builds the package of the exercises `slugs` (all when empty).
pub fn build(repo: &Repo, slugs: &[String], hidden_override: Option<&Path>) -> Result<Package> {
    let exercises = repo.select(slugs)?;
    if exercises.is_empty() {
        bail!("there are no exercises to package");
    }
    let root = repo.root();
    // (path in the zip, file on disk, mode)
    let mut entries: Vec<(String, PathBuf, u32)> = Vec::new();
    for file in ROOT_FILES {
        let path = root.join(file);
        if path.is_file() {
            entries.push((file.to_string(), path, 0o644));
        }
    }
    let grader_manifest = root.join("grader/Cargo.toml");
    if grader_manifest.is_file() {
        entries.push(("grader/Cargo.toml".into(), grader_manifest, 0o644));
    }
    for folder in FOLDERS {
        add_folder(&mut entries, &root.join(folder), folder, &[])?;
    }
    let mut packaged = Vec::new();
    for exercise in &exercises {
        exercise.manifest()?; // a broken manifest is the instructor's to fix before uploading
        let slug = &exercise.slug;
        add_folder(
            &mut entries,
            &exercise.dir,
            &format!("exercises/{slug}"),
            &[],
        )?;
        let hidden = repo.hidden_dir(slug, hidden_override);
        if !hidden.join("main.rs").is_file() {
            bail!(
                "no hidden tests for `{slug}`: expected {}/main.rs",
                hidden.display()
            );
        }
        add_folder(
            &mut entries,
            &hidden,
            &format!("grader/hidden/{slug}"),
            &["wrong"],
        )?;
        packaged.push(slug.clone());
    }

    // Stored entries, Unix permissions and the format's epoch as every timestamp: the same
    // sources always give the same bytes, and `unzip`, Python's zipfile and Gradescope read it.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut add = |name: &str, data: &[u8], mode: u32| -> Result<()> {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .last_modified_time(zip::DateTime::default())
            .unix_permissions(mode);
        zip.start_file(name, options)
            .with_context(|| format!("can't add {name} to the zip"))?;
        zip.write_all(data)
            .with_context(|| format!("can't add {name} to the zip"))
    };
    add("setup.sh", SETUP_SH.as_bytes(), 0o755)?;
    add("run_autograder", RUN_AUTOGRADER.as_bytes(), 0o755)?;
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries.dedup_by(|a, b| a.0 == b.0);
    for (name, path, mode) in &entries {
        let bytes =
            std::fs::read(path).with_context(|| format!("can't read {}", path.display()))?;
        add(name, &bytes, *mode)?;
    }
    let zip = zip.finish().context("can't finish the zip")?.into_inner();
    Ok(Package {
        zip,
        exercises: packaged,
        files: entries.len() + 2,
    })
}

/// Adds every file under `dir` as `<prefix>/<relative path>`, skipping build output and the
/// folder names in `skip` (at the top level of `dir`).
fn add_folder(
    entries: &mut Vec<(String, PathBuf, u32)>,
    dir: &Path,
    prefix: &str,
    skip: &[&str],
) -> Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    let found = crate::files::walk(dir, |relative, name| {
        let top_level_skip = relative.as_os_str().is_empty() && skip.contains(&name);
        !SKIPPED.contains(&name) && !top_level_skip
    })
    .with_context(|| format!("can't list {}", dir.display()))?;
    for file in found.into_iter().filter(|file| file.is_file) {
        let mode = if is_executable(&file.path)? {
            0o755
        } else {
            0o644
        };
        entries.push((format!("{prefix}/{}", file.slashed()), file.path, mode));
    }
    Ok(())
}

/// Whether the file's mode lets anyone run it (kept in the zip, for scripts).
#[cfg(unix)]
fn is_executable(path: &Path) -> Result<bool> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path).with_context(|| format!("can't read {}", path.display()))?;
    Ok(meta.permissions().mode() & 0o111 != 0)
}

/// Windows has no executable bit: shell scripts are what Gradescope runs.
#[cfg(not(unix))]
fn is_executable(path: &Path) -> Result<bool> {
    Ok(path.extension().is_some_and(|ext| ext == "sh"))
}
