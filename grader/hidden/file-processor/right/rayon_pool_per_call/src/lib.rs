// Passes: rayon: a ThreadPool of `workers` threads built for the call, paths.par_iter().with_max_len(1) (every file its own piece, so an idle thread steals the next one) collected in order; counting through io::copy into a Write sink that counts.
use std::fs::File;
use std::io::{self, Write};

use rayon::prelude::*;
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
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers.max(1))
        .build()
        .expect("a thread pool starts");
    pool.install(|| {
        paths
            .par_iter()
            .with_max_len(1)
            .map(|path| count_file(path))
            .collect()
    })
}

/// Counts what is written to it; io::copy streams a file into it through its own small buffer.
#[derive(Default)]
struct Counter {
    lines: u64,
    words: u64,
    bytes: u64,
    in_word: bool,
}

impl Write for Counter {
    fn write(&mut self, chunk: &[u8]) -> io::Result<usize> {
        self.bytes += chunk.len() as u64;
        for &byte in chunk {
            if byte == b'\n' {
                self.lines += 1;
            }
            let space = is_space(byte);
            if !space && !self.in_word {
                self.words += 1;
            }
            self.in_word = !space;
        }
        Ok(chunk.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn count_file(path: &Path) -> Result<FileStats, FileError> {
    let mut counter = Counter::default();
    File::open(path)
        .and_then(|mut file| io::copy(&mut file, &mut counter))
        .map_err(|e| to_error(path, e))?;
    Ok(FileStats {
        path: path.to_path_buf(),
        lines: counter.lines,
        words: counter.words,
        bytes: counter.bytes,
    })
}
