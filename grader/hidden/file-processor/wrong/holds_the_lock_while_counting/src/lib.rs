// Must fail `opens_workers_files_at_once_when_there_are_enough`: a pool sharing an mpsc Receiver behind a Mutex, whose guard lives through the whole job (`while let Ok(i) = rx.lock().unwrap().recv()`), so the workers take turns.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::mpsc;
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
    let (jobs, queue) = mpsc::channel();
    for index in 0..paths.len() {
        jobs.send(index).unwrap();
    }
    drop(jobs);
    let queue = Mutex::new(queue);
    let mut done: Vec<(usize, Result<FileStats, FileError>)> = thread::scope(|scope| {
        let handles: Vec<_> = (0..workers.max(1))
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    // The mistake: the temporary guard lives until the end of the loop body.
                    while let Ok(index) = queue.lock().unwrap().recv() {
                        mine.push((index, count_file(&paths[index])));
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
