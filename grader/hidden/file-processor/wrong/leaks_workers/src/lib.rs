// Must fail `leaves_no_threads_or_open_files_behind`: a pool of detached threads fed by a channel whose Sender is kept (leaked), so the workers wait forever after the call returns.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
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
    let (jobs, queue) = mpsc::channel::<(usize, PathBuf)>();
    let queue = Arc::new(Mutex::new(queue));
    let (results, finished) = mpsc::channel();
    for _ in 0..workers.max(1) {
        let queue = Arc::clone(&queue);
        let results = results.clone();
        thread::spawn(move || loop {
            let job = queue.lock().unwrap().recv();
            let Ok((index, path)) = job else { break };
            results.send((index, count_file(&path))).unwrap();
        });
    }
    for (index, path) in paths.iter().enumerate() {
        jobs.send((index, path.clone())).unwrap();
    }
    // The mistake: the Sender never drops, so no worker ever sees the channel close.
    std::mem::forget(jobs);
    let mut done: Vec<_> = finished.iter().take(paths.len()).collect();
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
