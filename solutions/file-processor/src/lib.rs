//! # Concurrent file processor — reference solution
//!
//! A fixed pool of `workers` scoped threads shares one atomic "next file" index. Each worker takes
//! the next index, streams that file through a fixed-size buffer while counting, records the
//! result under its index, and takes another — so a worker that gets a small file moves on at
//! once, at most `workers` files are open at any moment, and the results come back in input order
//! whatever order the files finish in. Chapter: `book/src/cpu-memory-io.md`.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

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
    // More threads than files would only sit idle.
    let workers = workers.max(1).min(paths.len());
    let next = AtomicUsize::new(0);

    // Scoped threads may borrow `paths` and `next`; the scope joins them all before it returns,
    // so nothing this call started is still running when it returns.
    let finished: Vec<Vec<(usize, Result<FileStats, FileError>)>> = thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        // Relaxed suffices: the counter only hands out distinct indices; the
                        // results travel back through `join`, which synchronises.
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = paths.get(index) else { break };
                        done.push((index, count_file(path)));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("a counting worker panicked"))
            .collect()
    });

    // Put every result back in its input slot.
    let mut slots: Vec<Option<Result<FileStats, FileError>>> =
        std::iter::repeat_with(|| None).take(paths.len()).collect();
    for (index, result) in finished.into_iter().flatten() {
        slots[index] = Some(result);
    }
    slots
        .into_iter()
        .map(|slot| slot.expect("every index was taken by exactly one worker"))
        .collect()
}

/// Opens and counts one file, turning any I/O error into this file's own [`FileError`].
fn count_file(path: &Path) -> Result<FileStats, FileError> {
    let counts = File::open(path)
        .and_then(count)
        .map_err(|error| FileError {
            path: path.to_path_buf(),
            kind: error.kind(),
            message: error.to_string(),
        })?;
    Ok(FileStats {
        path: path.to_path_buf(),
        lines: counts.lines,
        words: counts.words,
        bytes: counts.bytes,
    })
}

/// Size of the read buffer: the memory one open file costs, however big the file is.
const BUFFER_SIZE: usize = 64 * 1024;

/// Streams `reader` through one fixed buffer, counting as it goes. The file is closed when
/// `reader` is dropped at the end of this function.
fn count(mut reader: impl Read) -> io::Result<Counts> {
    let mut buffer = vec![0u8; BUFFER_SIZE];
    let mut counts = Counts::default();
    loop {
        match reader.read(&mut buffer) {
            Ok(0) => return Ok(counts),
            Ok(n) => counts.feed(&buffer[..n]),
            // A signal interrupted the read before any byte arrived: just try again.
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        }
    }
}

/// Running counts. `in_word` survives from one chunk to the next, so a word split across two
/// reads is still one word.
#[derive(Debug, Default)]
struct Counts {
    lines: u64,
    words: u64,
    bytes: u64,
    in_word: bool,
}

impl Counts {
    fn feed(&mut self, chunk: &[u8]) {
        self.bytes += chunk.len() as u64;
        for &byte in chunk {
            if byte == b'\n' {
                self.lines += 1;
            }
            if is_space(byte) {
                self.in_word = false;
            } else if !self.in_word {
                // The first byte of a new word.
                self.in_word = true;
                self.words += 1;
            }
        }
    }
}

/// Whitespace in the C locale (`isspace`). Note that `u8::is_ascii_whitespace` leaves out
/// the vertical tab `\v` (0x0B), which `wc` counts as a separator.
fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}
