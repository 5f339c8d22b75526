// Passes: a crossbeam MPMC channel filled with every index up front (sender dropped), workers iterating it; results gathered from the joined handles and sorted by index; counting with a stack buffer, iterator counts and the last byte of the previous read.
use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};
use std::thread;

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
    let (sender, receiver) = crossbeam::channel::unbounded::<usize>();
    for index in 0..paths.len() {
        sender.send(index).expect("the receiver is here");
    }
    drop(sender);
    let mut done: Vec<(usize, Result<FileStats, FileError>)> = thread::scope(|scope| {
        let handles: Vec<_> = (0..workers.max(1))
            .map(|_| {
                let receiver = receiver.clone();
                scope.spawn(move || {
                    receiver
                        .iter()
                        .map(|index| (index, count_file(&paths[index])))
                        .collect::<Vec<_>>()
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

fn count_file(path: &Path) -> Result<FileStats, FileError> {
    let mut file = File::open(path).map_err(|e| to_error(path, e))?;
    let mut buffer = [0u8; 8192];
    let (mut lines, mut words, mut bytes) = (0u64, 0u64, 0u64);
    // Whether the byte before this read's first one was whitespace (the start counts as such).
    let mut after_space = true;
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
        let mut previous_space = after_space;
        for &byte in chunk {
            let space = is_space(byte);
            if previous_space && !space {
                words += 1;
            }
            previous_space = space;
        }
        after_space = previous_space;
    }
    Ok(FileStats {
        path: path.to_path_buf(),
        lines,
        words,
        bytes,
    })
}
