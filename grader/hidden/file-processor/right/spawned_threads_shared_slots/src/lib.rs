// Passes: 'static threads from thread::spawn (an Arc of the paths, an Arc<AtomicUsize> for the next index) joined by handle, each writing its result straight into its slot of an Arc<Mutex<Vec<Option<…>>>>; counting a 16 KiB heap buffer with a match on the byte class.
use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
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

type Slots = Vec<Option<Result<FileStats, FileError>>>;

pub fn process_files(paths: &[PathBuf], workers: usize) -> Vec<Result<FileStats, FileError>> {
    let shared: Arc<Vec<PathBuf>> = Arc::new(paths.to_vec());
    let next = Arc::new(AtomicUsize::new(0));
    let slots: Arc<Mutex<Slots>> = Arc::new(Mutex::new((0..paths.len()).map(|_| None).collect()));
    let handles: Vec<thread::JoinHandle<()>> = (0..workers.max(1).min(paths.len()))
        .map(|_| {
            let (shared, next, slots) =
                (Arc::clone(&shared), Arc::clone(&next), Arc::clone(&slots));
            thread::spawn(move || loop {
                let index = next.fetch_add(1, Ordering::SeqCst);
                let Some(path) = shared.get(index) else { break };
                let result = count_file(path);
                slots.lock().unwrap()[index] = Some(result);
            })
        })
        .collect();
    for handle in handles {
        handle.join().expect("a worker panicked");
    }
    let slots = std::mem::take(&mut *slots.lock().unwrap());
    slots
        .into_iter()
        .map(|slot| slot.expect("every file counted"))
        .collect()
}

fn count_file(path: &Path) -> Result<FileStats, FileError> {
    let mut file = File::open(path).map_err(|e| to_error(path, e))?;
    let mut buffer = vec![0u8; 16 * 1024];
    let mut stats = FileStats {
        path: path.to_path_buf(),
        lines: 0,
        words: 0,
        bytes: 0,
    };
    let mut in_word = false;
    loop {
        let n = match file.read(&mut buffer) {
            Ok(0) => return Ok(stats),
            Ok(n) => n,
            Err(error) if error.kind() == ErrorKind::Interrupted => continue,
            Err(error) => return Err(to_error(path, error)),
        };
        stats.bytes += n as u64;
        for &byte in &buffer[..n] {
            match (byte, is_space(byte)) {
                (b'\n', _) => {
                    stats.lines += 1;
                    in_word = false;
                }
                (_, true) => in_word = false,
                (_, false) if !in_word => {
                    in_word = true;
                    stats.words += 1;
                }
                _ => {}
            }
        }
    }
}
