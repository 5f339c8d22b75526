// Must fail `counts_any_bytes_like_posix_wc`: reads through BufReader::lines(), which fails with InvalidData on bytes that are not UTF-8 (and drops \r\n line ends).

use std::fs::File;
use std::io::{BufRead, BufReader};
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
    let error = |e: std::io::Error| FileError {
        path: path.to_path_buf(),
        kind: e.kind(),
        message: e.to_string(),
    };
    let file = File::open(path).map_err(error)?;
    let bytes = file.metadata().map_err(error)?.len();
    let (mut lines, mut words) = (0, 0);
    // The mistake: text, not bytes.
    for line in BufReader::new(file).lines() {
        let line = line.map_err(error)?;
        lines += 1;
        words += line
            .split(|c| matches!(c, ' ' | '\t' | '\u{b}' | '\u{c}' | '\r'))
            .filter(|w| !w.is_empty())
            .count() as u64;
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
