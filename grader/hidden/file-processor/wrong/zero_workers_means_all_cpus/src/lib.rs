// Must fail `treats_zero_workers_as_one`: treats workers = 0 as "one per CPU" instead of 1.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use std::path::PathBuf;

/// Line, word and byte counts of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStats {
    pub path: PathBuf,
    pub lines: u64,
    pub words: u64,
    pub bytes: u64,
}

/// The path that failed and why.
#[derive(Debug)]
pub struct FileError {
    pub path: PathBuf,
    pub kind: std::io::ErrorKind,
    pub message: String,
}

pub fn process_files(paths: &[PathBuf], workers: usize) -> Vec<Result<FileStats, FileError>> {
    // The mistake: the exercise's docs say 0 is treated as 1.
    let workers = if workers == 0 {
        thread::available_parallelism().map_or(1, |n| n.get()) * 4
    } else {
        workers
    };
    pool(paths, workers, count_file)
}

/// Streams one file through a 64 KiB buffer (correct: the mistake is elsewhere).
fn count_file(path: &Path) -> Result<FileStats, FileError> {
    let error = |e: io::Error| FileError {
        path: path.to_path_buf(),
        kind: e.kind(),
        message: e.to_string(),
    };
    let mut file = File::open(path).map_err(error)?;
    let mut buffer = vec![0u8; 64 * 1024];
    let (mut lines, mut words, mut bytes, mut in_word) = (0, 0, 0, false);
    loop {
        let n = match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(error(e)),
        };
        bytes += n as u64;
        for &byte in &buffer[..n] {
            lines += u64::from(byte == b'\n');
            let space = matches!(byte, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r');
            if !space && !in_word {
                words += 1;
            }
            in_word = !space;
        }
    }
    Ok(FileStats {
        path: path.to_path_buf(),
        lines,
        words,
        bytes,
    })
}

/// A correct pool: `workers` scoped threads pulling indices from an atomic counter.
fn pool<T: Send>(paths: &[PathBuf], workers: usize, work: impl Fn(&Path) -> T + Sync) -> Vec<T> {
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, T)> = thread::scope(|scope| {
        let handles: Vec<_> = (0..workers.max(1))
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = paths.get(index) else { break };
                        mine.push((index, work(path)));
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    done.sort_by_key(|(index, _)| *index);
    done.into_iter().map(|(_, result)| result).collect()
}
