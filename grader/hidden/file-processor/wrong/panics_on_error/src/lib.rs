// Must fail `reports_a_missing_file_as_not_found`: unwraps every io::Result, so a missing file panics the whole call.

use std::fs::File;
use std::io::Read;
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
    pool(paths, workers, |path| Ok(count_file(path)))
}

fn count_file(path: &Path) -> FileStats {
    // The mistake: unwrap instead of an error for this file.
    let mut file = File::open(path).unwrap();
    let mut buffer = vec![0u8; 64 * 1024];
    let (mut lines, mut words, mut bytes, mut in_word) = (0, 0, 0, false);
    loop {
        let n = file.read(&mut buffer).unwrap();
        if n == 0 {
            break;
        }
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
    FileStats {
        path: path.to_path_buf(),
        lines,
        words,
        bytes,
    }
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
