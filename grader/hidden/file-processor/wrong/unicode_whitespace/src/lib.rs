// Must fail `counts_whitespace_edge_cases`: decodes UTF-8 and splits at char::is_whitespace, which counts Unicode spaces (U+0085, U+00A0, …) as separators; correct in every other way (streams, keeps a partial character across reads).

use std::fs::File;
use std::io::{self, Read};
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
    let error = |e: io::Error| FileError {
        path: path.to_path_buf(),
        kind: e.kind(),
        message: e.to_string(),
    };
    let mut file = File::open(path).map_err(error)?;
    let mut buffer = vec![0u8; 64 * 1024];
    let (mut lines, mut words, mut bytes, mut in_word) = (0, 0, 0, false);
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let n = file.read(&mut buffer).map_err(error)?;
        bytes += n as u64;
        carry.extend_from_slice(&buffer[..n]);
        // Decode what is complete; keep an unfinished character for the next read.
        let keep = if n == 0 { 0 } else { incomplete_tail(&carry) };
        let ready = carry.len() - keep;
        for chunk in carry[..ready].utf8_chunks() {
            for c in chunk.valid().chars() {
                lines += u64::from(c == '\n');
                // The mistake: Unicode whitespace, not the C locale's six bytes.
                let space = c.is_whitespace();
                if !space && !in_word {
                    words += 1;
                }
                in_word = !space;
            }
            if !chunk.invalid().is_empty() {
                if !in_word {
                    words += 1;
                }
                in_word = true;
            }
        }
        carry.drain(..ready);
        if n == 0 {
            break;
        }
    }
    Ok(FileStats {
        path: path.to_path_buf(),
        lines,
        words,
        bytes,
    })
}

/// Bytes at the end that may be the start of a character split by the read.
fn incomplete_tail(bytes: &[u8]) -> usize {
    for back in 1..=3.min(bytes.len()) {
        let byte = bytes[bytes.len() - back];
        if byte & 0xC0 != 0x80 {
            let needed = match byte {
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                0xF0..=0xF7 => 4,
                _ => 1,
            };
            return if needed > back { back } else { 0 };
        }
    }
    0
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
