//! Files that can't be read: each gives its own error, with the kind the OS gave, and never
//! stops the others.

use std::fs::{self, File};
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};

use file_processor::{FileError, FileStats};
use probes::harness;

use crate::fixture::{self, Dir};
use crate::reference;

const PER_FILE: &str = "Turn each file's io::Error into that file's own FileError { path, kind: \
    error.kind(), message: error.to_string() } and go on with the next file: one bad path must \
    never stop, skip or panic the others (no `?` out of the whole call, no unwrap on a file's \
    result).";

/// Checks that `result` is an error of `kind` for exactly `path`.
fn error_problem(
    result: &Result<FileStats, FileError>,
    path: &Path,
    kind: ErrorKind,
    what: &str,
) -> Option<String> {
    match result {
        Ok(stats) => Some(format!(
            "{what} ({}): expected an error of kind {kind:?}, got Ok with {} lines, {} words, {} \
             bytes",
            path.display(),
            stats.lines,
            stats.words,
            stats.bytes
        )),
        Err(error) if error.kind != kind => Some(format!(
            "{what} ({}): expected an error of kind {kind:?}, got kind {:?} ({}): keep the kind \
             of the io::Error the OS gave you (error.kind()), don't make up your own",
            path.display(),
            error.kind,
            error.message
        )),
        Err(error) if error.path.as_os_str() != path.as_os_str() => Some(format!(
            "{what}: FileError::path must be the path exactly as given, {path:?}, not {:?}",
            error.path
        )),
        Err(error) if error.message.trim().is_empty() => Some(format!(
            "{what} ({}): FileError::message is empty; put the io::Error's text there \
             (error.to_string())",
            path.display()
        )),
        Err(_) => None,
    }
}

/// Good files mixed with one kind of bad path; every result is checked.
fn check_mixed(bad: &[PathBuf], kind: ErrorKind, what: &str, workers: usize) {
    let dir = Dir::new();
    let good: Vec<(PathBuf, &[u8])> = [
        b"first good file\n".as_slice(),
        b"second good file\nhas two lines\n",
        b"third",
    ]
    .iter()
    .enumerate()
    .map(|(i, content)| (dir.file(&format!("good-{i}.txt"), content), *content))
    .collect();
    // bad, good, bad, good, …: an error first, in the middle and last.
    let mut paths = Vec::new();
    let mut expected: Vec<Option<&[u8]>> = Vec::new();
    let mut bad_iter = bad.iter().cycle();
    for (path, content) in &good {
        paths.push(bad_iter.next().unwrap().clone());
        expected.push(None);
        paths.push(path.clone());
        expected.push(Some(content));
    }
    paths.push(bad_iter.next().unwrap().clone());
    expected.push(None);

    let results = fixture::run(&paths, workers);
    let problems = results
        .iter()
        .zip(&paths)
        .zip(&expected)
        .enumerate()
        .filter_map(|(i, ((result, path), expected))| match expected {
            None => error_problem(result, path, kind, &format!("path {i}, {what}")),
            Some(content) => fixture::problem(
                result,
                path,
                reference::counts(content),
                &format!("path {i}, a readable file listed next to {what},"),
            ),
        })
        .collect();
    fixture::assert_no_problems(problems, PER_FILE);
}

pub fn missing_file() {
    let dir = Dir::new();
    let missing = vec![
        dir.path().join("does-not-exist.txt"),
        dir.path().join("no-such-folder").join("file.txt"),
    ];
    check_mixed(
        &missing,
        ErrorKind::NotFound,
        "a file that doesn't exist",
        2,
    );
}

pub fn directory() {
    let dir = Dir::new();
    let folder = dir.path().join("a-folder");
    fs::create_dir(&folder).expect("test setup: can't make a folder");
    // The kind this OS gives for reading a directory (IsADirectory on Linux: `open` succeeds,
    // `read` fails).
    let kind = match File::open(&folder).and_then(|mut file| file.read(&mut [0; 16])) {
        Err(error) => error.kind(),
        Ok(_) => harness::skip("this OS lets a program read a directory like a file"),
    };
    check_mixed(&[folder], kind, "a directory", 2);
}

/// Windows: a file's permissions are ACLs, and `chmod`'s read bit only maps to the read-only
/// attribute, which never stops a read; so the check skips there.
#[cfg(not(unix))]
pub fn permission_denied() {
    harness::skip(
        "needs Linux or macOS: it takes the read permission away with chmod, which on Windows \
         only marks a file read-only (reading it still works)",
    )
}

#[cfg(unix)]
pub fn permission_denied() {
    let dir = Dir::new();
    let secret = dir.file("secret.txt", b"you can't read this\n");
    // Readable by everyone, so that only the secret file is denied, whoever we run as.
    set_mode(dir.path(), 0o755);
    set_mode(&secret, 0o000);
    let _unprivileged = match Unprivileged::enter(&secret) {
        Ok(guard) => guard,
        Err(reason) => harness::skip(reason),
    };
    check_mixed(
        std::slice::from_ref(&secret),
        ErrorKind::PermissionDenied,
        "a file without read permission",
        2,
    );
}

pub fn keeps_going_after_errors() {
    let dir = Dir::new();
    let folder = dir.path().join("folder");
    fs::create_dir(&folder).expect("test setup: can't make a folder");
    let mut paths = Vec::new();
    let mut expected: Vec<Result<Vec<u8>, ()>> = Vec::new();
    for i in 0..12 {
        if i % 3 == 1 {
            let content = format!("good file {i}\n").repeat(i + 1).into_bytes();
            paths.push(dir.file(&format!("good-{i}.txt"), &content));
            expected.push(Ok(content));
        } else if i % 2 == 0 {
            paths.push(dir.path().join(format!("missing-{i}.txt")));
            expected.push(Err(()));
        } else {
            paths.push(folder.clone());
            expected.push(Err(()));
        }
    }
    for workers in [1, 3] {
        let results = fixture::run(&paths, workers);
        let problems: Vec<String> = results
            .iter()
            .zip(&paths)
            .zip(&expected)
            .enumerate()
            .filter_map(|(i, ((result, path), expected))| match (expected, result) {
                (Ok(content), _) => fixture::problem(
                    result,
                    path,
                    reference::counts(content),
                    &format!("workers = {workers}, path {i} (readable, after earlier errors)"),
                ),
                (Err(()), Ok(_)) => Some(format!(
                    "workers = {workers}, path {i} ({}) can't be read, yet its result is Ok",
                    path.display()
                )),
                (Err(()), Err(_)) => None,
            })
            .collect();
        fixture::assert_no_problems(
            problems,
            &format!(
                "Of these 12 paths only 4 are readable, and every other one fails. {PER_FILE}"
            ),
        );
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .unwrap_or_else(|error| panic!("test setup: can't chmod {}: {error}", path.display()));
}

/// While alive, this process (every thread of it) runs with an unprivileged effective user id,
/// so that file permissions apply to it. Root ignores them: tests may run as root.
#[cfg(unix)]
struct Unprivileged {
    /// The effective uid to go back to, if we changed it.
    restore: Option<libc::uid_t>,
}

/// The conventional "nobody" user.
#[cfg(unix)]
const NOBODY: libc::uid_t = 65534;

#[cfg(unix)]
impl Unprivileged {
    /// Makes sure `denied` can't be read, or says why that isn't possible here.
    fn enter(denied: &Path) -> Result<Unprivileged, String> {
        // SAFETY: geteuid has no preconditions and can't fail.
        let euid = unsafe { libc::geteuid() };
        let mut guard = Unprivileged { restore: None };
        if euid == 0 {
            // glibc's seteuid changes the effective uid of every thread in the process, so
            // threads the code under test starts (or pools it started earlier) are covered.
            // SAFETY: seteuid has no memory-safety preconditions; failure is reported below.
            if unsafe { libc::seteuid(NOBODY) } != 0 {
                return Err(format!(
                    "running as root, and can't switch to an unprivileged user to test \
                     permission errors ({})",
                    std::io::Error::last_os_error()
                ));
            }
            guard.restore = Some(euid);
        }
        match File::open(denied) {
            Err(error) if error.kind() == ErrorKind::PermissionDenied => Ok(guard),
            Err(error) => Err(format!(
                "can't make a file unreadable here (opening it fails with {:?}, not \
                 PermissionDenied)",
                error.kind()
            )),
            Ok(_) => Err(
                "this process can read a file with mode 000 (it has the privilege to \
                          bypass file permissions), so permission errors can't be tested here"
                    .to_string(),
            ),
        }
    }
}

#[cfg(unix)]
impl Drop for Unprivileged {
    fn drop(&mut self) {
        if let Some(euid) = self.restore {
            // SAFETY: as in `enter`. The saved set-user-id is still root, so this succeeds.
            // (No panic here: this may run while a failed test unwinds.)
            if unsafe { libc::seteuid(euid) } != 0 {
                eprintln!(
                    "test setup: can't switch back to uid {euid}: {}",
                    std::io::Error::last_os_error()
                );
            }
        }
    }
}
