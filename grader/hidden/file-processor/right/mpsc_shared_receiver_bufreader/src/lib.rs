// Passes: a pool whose workers share an mpsc Receiver of indices behind a Mutex (locked only for recv, never while counting), send (index, result) back on a second channel, and count through a BufReader's fill_buf/consume instead of a read buffer of their own.
use std::fs::File;
use std::io::{BufRead, BufReader, ErrorKind};
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Mutex};
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
    let (index_tx, index_rx) = mpsc::channel();
    for index in 0..paths.len() {
        index_tx.send(index).expect("the receiver is here");
    }
    drop(index_tx);
    let index_rx = Mutex::new(index_rx);
    let (result_tx, result_rx) = mpsc::channel();
    thread::scope(|scope| {
        for _ in 0..workers.max(1) {
            let result_tx = result_tx.clone();
            let index_rx = &index_rx;
            scope.spawn(move || loop {
                // The guard is a temporary of this statement: dropped before counting starts.
                let next = index_rx.lock().unwrap().recv();
                let Ok(index) = next else { break };
                let _ = result_tx.send((index, count_file(&paths[index])));
            });
        }
    });
    drop(result_tx);
    let mut slots: Vec<Option<Result<FileStats, FileError>>> =
        (0..paths.len()).map(|_| None).collect();
    for (index, result) in result_rx {
        slots[index] = Some(result);
    }
    slots
        .into_iter()
        .map(|slot| slot.expect("every file counted"))
        .collect()
}

fn count_file(path: &Path) -> Result<FileStats, FileError> {
    let file = File::open(path).map_err(|e| to_error(path, e))?;
    let mut reader = BufReader::with_capacity(32 * 1024, file);
    let (mut lines, mut words, mut bytes, mut in_word) = (0u64, 0u64, 0u64, false);
    loop {
        let chunk = match reader.fill_buf() {
            Ok(chunk) => chunk,
            Err(error) if error.kind() == ErrorKind::Interrupted => continue,
            Err(error) => return Err(to_error(path, error)),
        };
        if chunk.is_empty() {
            break;
        }
        for &byte in chunk {
            lines += u64::from(byte == b'\n');
            if is_space(byte) {
                in_word = false;
            } else if !in_word {
                in_word = true;
                words += 1;
            }
        }
        let len = chunk.len();
        bytes += len as u64;
        reader.consume(len);
    }
    Ok(FileStats {
        path: path.to_path_buf(),
        lines,
        words,
        bytes,
    })
}
