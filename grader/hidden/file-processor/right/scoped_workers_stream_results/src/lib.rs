// Passes: scoped workers taking indices from an AtomicUsize and sending (index, result) over an mpsc channel as each file finishes, the caller placing each in its slot while they work; words counted as the non-empty pieces of slice::split on whitespace, joined across reads.
use std::fs::File;
use std::io::{ErrorKind, Read};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStats {
    pub path: PathBuf,
    pub lines: u64,
    pub words: u64,
    pub bytes: u64,
}

#[derive(Debug)]
pub struct FileError {
    pub path: PathBuf,
    pub kind: std::io::ErrorKind,
    pub message: String,
}

fn to_error(path: &Path, error: std::io::Error) -> FileError {
    FileError {
        path: path.to_path_buf(),
        kind: error.kind(),
        message: error.to_string(),
    }
}

fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

pub fn process_files(paths: &[PathBuf], workers: usize) -> Vec<Result<FileStats, FileError>> {
    let next = AtomicUsize::new(0);
    let mut slots: Vec<Option<Result<FileStats, FileError>>> =
        (0..paths.len()).map(|_| None).collect();
    thread::scope(|scope| {
        let (sender, receiver) = mpsc::channel();
        for _ in 0..workers.max(1) {
            let sender = sender.clone();
            let next = &next;
            scope.spawn(move || loop {
                let index = next.fetch_add(1, Ordering::SeqCst);
                let Some(path) = paths.get(index) else { break };
                let _ = sender.send((index, count_file(path)));
            });
        }
        drop(sender);
        for (index, result) in receiver {
            slots[index] = Some(result);
        }
    });
    slots
        .into_iter()
        .map(|slot| slot.expect("every file counted"))
        .collect()
}

fn count_file(path: &Path) -> Result<FileStats, FileError> {
    let mut file = File::open(path).map_err(|e| to_error(path, e))?;
    let mut buffer = vec![0u8; 32 * 1024];
    let (mut lines, mut words, mut bytes) = (0u64, 0u64, 0u64);
    // Whether the previous read ended inside a word, which this read's first piece then continues.
    let mut open_word = false;
    loop {
        let n = match file.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(error) if error.kind() == ErrorKind::Interrupted => continue,
            Err(error) => return Err(to_error(path, error)),
        };
        let chunk = &buffer[..n];
        bytes += n as u64;
        lines += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
        let pieces = chunk
            .split(|&b| is_space(b))
            .filter(|piece| !piece.is_empty())
            .count() as u64;
        let continues = open_word && !is_space(chunk[0]);
        words += pieces - u64::from(continues);
        open_word = !is_space(chunk[n - 1]);
    }
    Ok(FileStats {
        path: path.to_path_buf(),
        lines,
        words,
        bytes,
    })
}
