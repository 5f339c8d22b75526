//! Real files in a temporary folder, the call under test, and the checks every test shares.

use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use file_processor::{process_files, FileError, FileStats};

use crate::reference::{self, Counts};

/// One call's results.
pub type Results = Vec<Result<FileStats, FileError>>;

/// A temporary folder, removed (with everything in it) when dropped.
pub struct Dir {
    dir: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Dir {
        let dir = tempfile::Builder::new()
            .prefix("tasklings-file-processor-")
            .tempdir()
            .unwrap_or_else(|error| panic!("test setup: can't make a temporary folder: {error}"));
        Dir { dir }
    }

    /// A temporary folder on a tmpfs where there is one (`/tmp` when the grader isolates the
    /// test, else `/dev/shm`), else where [`Dir::new`] puts it. A hole in a sparse file on a
    /// tmpfs reads at memory speed, where a disk filesystem first fills the page cache with
    /// zeros (30 GB/s against 0.4 on this machine): a multi-GiB file then costs the test only
    /// the counting.
    pub fn in_memory() -> Dir {
        let tmpfs = [std::env::temp_dir(), PathBuf::from("/dev/shm")]
            .into_iter()
            .find(|dir| is_tmpfs(dir));
        match tmpfs {
            Some(parent) => tempfile::Builder::new()
                .prefix("tasklings-file-processor-")
                .tempdir_in(&parent)
                .map(|dir| Dir { dir })
                .unwrap_or_else(|_| Dir::new()),
            None => Dir::new(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `content` to a new file `name` in this folder and returns its path.
    pub fn file(&self, name: &str, content: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        fs::write(&path, content)
            .unwrap_or_else(|error| panic!("test setup: can't write {}: {error}", path.display()));
        path
    }
}

/// Whether `dir` is on a tmpfs (statfs's magic number). Linux only: elsewhere the file goes
/// where [`Dir::new`] puts it.
#[cfg(not(target_os = "linux"))]
fn is_tmpfs(_dir: &Path) -> bool {
    false
}

/// Whether `dir` is on a tmpfs (statfs's magic number).
#[cfg(target_os = "linux")]
fn is_tmpfs(dir: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(path) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: statfs fills the struct we pass (zeroed plain data) and reads the NUL-terminated
    // path, both alive for the call.
    let mut fs: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    let ok = unsafe { libc::statfs(path.as_ptr(), &mut fs) } == 0;
    #[allow(clippy::unnecessary_cast)] // f_type's type differs between libcs
    let tmpfs = fs.f_type as i64 == libc::TMPFS_MAGIC as i64;
    ok && tmpfs
}

/// Calls `process_files(paths, workers)`; a panic in it becomes a message saying which call
/// panicked, and a result of the wrong length fails at once.
pub fn run(paths: &[PathBuf], workers: usize) -> Results {
    let results = panic::catch_unwind(AssertUnwindSafe(|| process_files(paths, workers)))
        .unwrap_or_else(|payload| {
            panic!(
                "process_files({} paths, workers = {workers}) panicked: {}",
                paths.len(),
                panic_message(payload.as_ref())
            )
        });
    assert_one_result_per_path(&results, paths, workers);
    assert_in_order(&results, paths, workers);
    results
}

/// How to keep results in order, for every message about it.
pub const IN_ORDER: &str = "Results must come back in the order of `paths`, whatever order the \
    files finish in: remember each file's index and put its result in that slot (a Vec of \
    Option filled by index, or sort (index, result) pairs), rather than pushing results as they \
    arrive.";

/// Fails when a result carries the path of another position (results out of order).
pub fn assert_in_order(results: &Results, paths: &[PathBuf], workers: usize) {
    let misplaced: Vec<String> = results
        .iter()
        .enumerate()
        .filter_map(|(i, result)| {
            let got = match result {
                Ok(stats) => &stats.path,
                Err(error) => &error.path,
            };
            if got.as_os_str() == paths[i].as_os_str() {
                return None;
            }
            let belongs = paths
                .iter()
                .position(|path| path.as_os_str() == got.as_os_str())?;
            Some(format!(
                "result {i} is for path {belongs} ({})",
                got.display()
            ))
        })
        .collect();
    if !misplaced.is_empty() {
        let shown = misplaced.iter().take(4).cloned().collect::<Vec<_>>();
        panic!(
            "process_files({} paths, workers = {workers}) returned its results out of order: {}{}. \
             {IN_ORDER}",
            paths.len(),
            shown.join(", "),
            if misplaced.len() > shown.len() { " and more" } else { "" },
        );
    }
}

pub fn assert_one_result_per_path(results: &Results, paths: &[PathBuf], workers: usize) {
    assert_eq!(
        results.len(),
        paths.len(),
        "process_files({} paths, workers = {workers}) returned {} results: it must return exactly \
         one result per path, in the order of `paths` (an error is a result too)",
        paths.len(),
        results.len(),
    );
}

/// The text of a panic payload (what `panic!` was given).
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(a panic without a message)".to_string()
    }
}

/// What is wrong with `result` for the file at `path` (given exactly so) whose content has
/// `expected` counts, or `None` when it is right. `what` says what the file is, for the learner.
pub fn problem(
    result: &Result<FileStats, FileError>,
    path: &Path,
    expected: Counts,
    what: &str,
) -> Option<String> {
    match result {
        Err(error) => Some(format!(
            "{what} ({}): expected Ok({expected}), got an error of kind {:?}: {}",
            path.display(),
            error.kind,
            error.message
        )),
        Ok(stats) if stats.path.as_os_str() != path.as_os_str() => Some(format!(
            "{what}: FileStats::path must be the path exactly as it was given, {:?}, not {:?} \
             (clone the PathBuf you were given; don't rebuild or canonicalize it)",
            path, stats.path
        )),
        Ok(stats) => {
            let got = Counts {
                lines: stats.lines,
                words: stats.words,
                bytes: stats.bytes,
            };
            (got != expected).then(|| {
                format!(
                    "{what} ({}): expected {expected}, got {got}",
                    path.display()
                )
            })
        }
    }
}

/// Panics with every problem found (at most a few shown), followed by `hint`.
pub fn assert_no_problems(problems: Vec<String>, hint: &str) {
    if problems.is_empty() {
        return;
    }
    const SHOWN: usize = 5;
    let mut message = problems
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    if problems.len() > SHOWN {
        message.push_str(&format!(
            "\n… and {} more like these",
            problems.len() - SHOWN
        ));
    }
    if !hint.is_empty() {
        message.push('\n');
        message.push_str(hint);
    }
    panic!("{message}")
}

/// Writes each content to a file, runs `process_files` with `workers`, and checks every result
/// against the reference counter. `describe(i)` says what file `i` is.
pub fn check_contents(
    contents: &[Vec<u8>],
    workers: usize,
    describe: impl Fn(usize) -> String,
    hint: &str,
) {
    let dir = Dir::new();
    let paths: Vec<PathBuf> = contents
        .iter()
        .enumerate()
        .map(|(i, content)| dir.file(&format!("file-{i}.txt"), content))
        .collect();
    let results = run(&paths, workers);
    let problems = results
        .iter()
        .zip(&paths)
        .zip(contents)
        .enumerate()
        .filter_map(|(i, ((result, path), content))| {
            problem(result, path, reference::counts(content), &describe(i))
        })
        .collect();
    assert_no_problems(problems, hint);
}
