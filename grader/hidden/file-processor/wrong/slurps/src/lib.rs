// Must fail `streams_a_huge_file_in_bounded_memory`: reads each file whole with fs::read.

use std::fs;
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
    pool(paths, workers, count_file)
}

fn count_file(path: &Path) -> Result<FileStats, FileError> {
    // The mistake: the whole file in memory.
    let content = fs::read(path).map_err(|e| FileError {
        path: path.to_path_buf(),
        kind: e.kind(),
        message: e.to_string(),
    })?;
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r');
    Ok(FileStats {
        path: path.to_path_buf(),
        lines: content.iter().filter(|&&b| b == b'\n').count() as u64,
        words: content.split(is_space).filter(|w| !w.is_empty()).count() as u64,
        bytes: content.len() as u64,
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
