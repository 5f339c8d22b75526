// Must fail `opens_at_most_workers_files_at_once`: opens every file up front, then counts them with a pool.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
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
    // The mistake: every file is open before the first is read.
    let opened: Vec<Mutex<Option<io::Result<File>>>> = paths
        .iter()
        .map(|p| Mutex::new(Some(File::open(p))))
        .collect();
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, Result<FileStats, FileError>)> = thread::scope(|scope| {
        let handles: Vec<_> = (0..workers.max(1))
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = paths.get(index) else { break };
                        let file = opened[index].lock().unwrap().take().unwrap();
                        mine.push((index, count_open(path, file)));
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

fn count_open(path: &Path, file: io::Result<File>) -> Result<FileStats, FileError> {
    let error = |e: io::Error| FileError {
        path: path.to_path_buf(),
        kind: e.kind(),
        message: e.to_string(),
    };
    let mut file = file.map_err(error)?;
    let mut buffer = vec![0u8; 64 * 1024];
    let (mut lines, mut words, mut bytes, mut in_word) = (0, 0, 0, false);
    loop {
        let n = file.read(&mut buffer).map_err(error)?;
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
    Ok(FileStats {
        path: path.to_path_buf(),
        lines,
        words,
        bytes,
    })
}
