//! # Concurrent file processor
//!
//! Read the chapter first. Then grade your work with `cargo grade run file-processor`.

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
pub fn process_files(paths: &[PathBuf], workers: usize) -> Vec<Result<FileStats, FileError>> {
    todo!(
        "count lines, words and bytes of {} files with {workers} workers",
        paths.len()
    )
}
