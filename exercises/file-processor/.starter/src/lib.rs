//! # Concurrent file processor
//!
//! Read the chapter first: `book/src/cpu-memory-io.md` (it ends at this exercise). Then grade
//! your work with `cargo grade run file-processor`; `cargo grade hint file-processor` gives the
//! next hint.
//!
//! Build `wc` for many files at once: [`process_files`] counts the lines, words and bytes of
//! every path it is given, reading up to `workers` files at the same time. This is the Go
//! tutorial's worker pool: a fixed number of workers, each taking the next file as soon as it
//! is done with one. Reading files is I/O-bound — a worker spends its time waiting for the disk —
//! so more workers than CPUs can pay off, while one thread per file costs memory and gains
//! nothing.
//!
//! What the grader checks, so you know what to build:
//! - the counts, exactly as POSIX `wc` defines them in the C locale, on any bytes (not only
//!   UTF-8);
//! - one result per path, in the order of `paths`, each with the path as given;
//! - a file that can't be read (missing, a directory, no permission) gives its own
//!   [`FileError`], with the [`std::io::ErrorKind`] the OS reported, and the others are still
//!   counted;
//! - never more than `workers` files open at once, and `workers` of them open at once while
//!   enough files are waiting (a worker that finishes takes the next file at once);
//! - `workers` threads, not one per file, and none left running once you return;
//! - memory that stays the same whatever the files' sizes: a file of a gigabyte is read
//!   through a small buffer, never held whole.
//!
//! ## On Windows and macOS
//!
//! On macOS every check runs. On Windows these don't (each reports "skipped: needs Linux or
//! macOS", which counts neither for nor against you):
//! - how many files are open at once (at most `workers`, `workers` when there are enough, the
//!   next file taken as one finishes, `workers = 0` as one at a time), results in order when
//!   files finish last to first, a pool rather than a thread per file, and files left open after
//!   return: the grader sees open files by handing out named pipes (FIFOs) as files, whose
//!   `open` waits until the grader lets it finish. Windows has no such pipes in the file
//!   system (its named pipes live under `\\.\pipe\`, and opening one never waits for a writer),
//!   and a regular file opens and reads as fast as the disk allows, with nothing to hold it
//!   open. (Windows' opportunistic locks can delay another open of a file and might one day
//!   stand in; not tried, as this repository tests its Windows build only under Wine.) Threads
//!   left running after return are still checked, with regular files.
//! - a file you may not read: the check takes the read permission away with `chmod`, which on
//!   Windows only sets the read-only attribute. Windows would need an access-control list that
//!   denies reading; not done, for the same reason.
//! - memory while counting a huge file, where the grader can't read the process's peak memory
//!   on your system (the test says so when it skips).
//!
//! Keep the two types and the signature of `process_files` exactly as they are; add any
//! private helpers you like. `std::thread::scope`, `std::sync::atomic`, `std::sync::mpsc`,
//! rayon, crossbeam and the Tasklings `runtime` are all available.

use std::path::PathBuf;

/// Line, word and byte counts of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStats {
    /// The path exactly as it was given to [`process_files`].
    pub path: PathBuf,
    /// Number of newline (`\n`) bytes.
    pub lines: u64,
    /// Number of maximal runs of bytes that are not whitespace (space, \t, \n, \v, \f, \r).
    pub words: u64,
    /// Length of the file in bytes.
    pub bytes: u64,
}

/// The path that failed and why (keeps the `std::io::ErrorKind`).
#[derive(Debug)]
pub struct FileError {
    /// The path exactly as it was given to [`process_files`].
    pub path: PathBuf,
    /// What kind of I/O error stopped this file.
    pub kind: std::io::ErrorKind,
    /// The error's message, for people.
    pub message: String,
}

/// Counts of each file as POSIX `wc` defines them in the C locale: lines = newline bytes,
/// words = maximal runs of bytes that are not whitespace (space, \t, \n, \v, \f, \r), bytes =
/// length. Any bytes, not only UTF-8. (GNU wc differs: a run of non-printable bytes is no word there.)
/// One result per path, in the order of `paths` (`FileStats::path` is the path as given; `workers`
/// 0 is treated as 1); a file that can't be read gives its own error
/// and never stops the others. At most `workers` files are open at once, and up to `workers` are
/// when there are enough paths. Memory stays bounded whatever the files' sizes (stream, don't slurp).
///
/// # What to write
///
/// 1. **Counting one file.** Open it and read it in a loop into a fixed buffer (8–64 KiB) until
///    `read` returns 0. For each chunk: `bytes` += its length; `lines` += its `\n` bytes; a word
///    starts at each non-whitespace byte that follows whitespace or the start of the file. Only
///    the six bytes space, `\t`, `\n`, `\v` (0x0B), `\f` (0x0C) and `\r` are whitespace; every
///    other byte value belongs to a word. Whether you are inside a word must carry over from one
///    chunk to the next. Don't read the file into a `String` or a `Vec` of its whole size.
/// 2. **Errors.** Any `std::io::Error` while opening or reading a file becomes that file's
///    `Err(FileError { path, kind: error.kind(), message: error.to_string() })`, and the other
///    files go on.
/// 3. **The pool.** Start `workers.max(1)` threads (no more than there are paths is fine). Each
///    takes the index of the next unprocessed path — from a shared atomic counter or a channel —
///    counts that file, keeps `(index, result)`, and takes another until none are left. Join
///    them all, then put every result in its index's slot and return the slots in order.
///
/// ```no_run
/// use std::path::PathBuf;
/// use file_processor::process_files;
///
/// let paths = vec![PathBuf::from("hello.txt"), PathBuf::from("missing.txt")];
/// let results = process_files(&paths, 4);
/// // hello.txt holds "hello world\n".
/// let stats = results[0].as_ref().unwrap();
/// assert_eq!((stats.lines, stats.words, stats.bytes), (1, 2, 12));
/// assert_eq!(results[1].as_ref().unwrap_err().kind, std::io::ErrorKind::NotFound);
/// ```
///
/// `cargo run -p file-processor --example wc -- FILE…` runs it on files of your choice.
pub fn process_files(paths: &[PathBuf], workers: usize) -> Vec<Result<FileStats, FileError>> {
    todo!(
        "count lines, words and bytes of {} files with {workers} workers",
        paths.len()
    )
}
