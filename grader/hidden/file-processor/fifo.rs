//! Named pipes as files: the instrument that sees exactly how many files are open at once.
//!
//! `process_files` gets paths to FIFOs instead of regular files. Opening a FIFO for reading blocks
//! until someone opens it for writing, and reading it blocks until that writer writes or closes.
//! So this module, playing the writer for every FIFO, decides when each file "finishes", and sees
//! exactly which files the code under test has open:
//!
//! * a reader waiting in `open` shows up as a successful non-blocking open of the write side
//!   (`O_WRONLY | O_NONBLOCK` fails with `ENXIO` while there is no reader). That open also lets the
//!   reader's `open` return; the file is then *served*: held open, with nothing to read yet;
//! * a file the code still has open after it was released shows up among this process's
//!   descriptors (the test runs in the same process as the code under test) as a descriptor of
//!   a FIFO that isn't one of this module's own write ends (`descriptors.rs`: Linux and macOS).
//!
//! Windows has no named pipes in the file system that `File::open` would block on, so these
//! checks are Unix-only; on Windows the tests that use them skip (`without_fifos.rs`).
//!
//! [`serve`] runs `process_files` on a thread of its own and loops: look for new readers, count
//! the files open right now (served + still held), and release one served file (write its content,
//! close the write end) once as many are open as there should be: `min(workers, files left)`.
//! If that many never open, it waits [`PATIENCE`] — a correct solution gets there in
//! microseconds on any machine, only one that runs too few files at once pays the wait — records
//! the shortfall, and from then on releases whatever is open, so the call still finishes. No
//! wall-clock duration is ever asserted.
//!
//! Counting "open" as "served, or still held after release" can only undercount a correct
//! solution: the scan for new readers runs before the descriptor scan, and a worker closes its
//! previous file before it opens the next, so no worker is ever counted twice.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::ffi::CString;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::OpenOptionsExt;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use file_processor::process_files;

use crate::descriptors::{self, FileId};
use crate::fixture::{self, Dir, Results};
use crate::process;

/// How long to wait for files to open before calling it a shortfall. Only code that opens too
/// few files at once ever waits this long.
pub const PATIENCE: Duration = Duration::from_secs(10);
/// How long `min(workers, left)` files stay held open before one is released, so that code
/// that opens more than it should has time to show it.
const GRACE: Duration = Duration::from_millis(20);
/// Between two looks.
const POLL: Duration = Duration::from_micros(500);
/// With no file open and nothing changing for this long, the call is stuck.
const STUCK: Duration = Duration::from_secs(30);

/// FIFOs in a temporary folder, each with the content it will deliver when released.
pub struct Fifos {
    _dir: Dir,
    pub paths: Vec<PathBuf>,
    pub contents: Vec<Vec<u8>>,
}

impl Fifos {
    pub fn new(count: usize) -> Fifos {
        let dir = Dir::new();
        let paths: Vec<PathBuf> = (0..count)
            .map(|i| {
                let path = dir.path().join(format!("pipe-{i}"));
                make_fifo(&path);
                path
            })
            .collect();
        let contents = (0..count).map(content_of).collect();
        Fifos {
            _dir: dir,
            paths,
            contents,
        }
    }
}

/// What FIFO `i` delivers: short (well under a pipe's atomic write size), different for each.
fn content_of(i: usize) -> Vec<u8> {
    let mut content = format!("pipe {i} says").into_bytes();
    for _ in 0..i % 7 {
        content.extend_from_slice(b" hello\tworld");
    }
    if i.is_multiple_of(2) {
        content.extend_from_slice("\nnon-ASCII caf\u{e9} \x00\u{7f}".as_bytes());
        content.push(0xFF);
    }
    content.push(b'\n');
    content
}

fn make_fifo(path: &Path) {
    let c_path = CString::new(path.as_os_str().as_bytes())
        .unwrap_or_else(|_| panic!("test setup: {} has a NUL byte", path.display()));
    // SAFETY: `c_path` is a valid NUL-terminated string that outlives the call.
    let status = unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) };
    if status != 0 {
        panic!(
            "test setup: can't make a named pipe at {}: {}",
            path.display(),
            io::Error::last_os_error()
        );
    }
}

/// Which served file to release next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Release {
    /// The one with the lowest index: the first files finish first, and a worker that got a
    /// run of files up front (static chunks, rayon's splits) goes through them while the others
    /// stay busy, so it runs out while files wait in the others' runs.
    Lowest,
    /// The one with the highest index, and only once every released file has been closed:
    /// files finish in reverse order, so results collected as they finish come out reversed.
    Reversed,
}

/// Not enough files open at once, once.
#[derive(Clone, Debug)]
pub struct Shortfall {
    /// Files that were open.
    pub open: usize,
    /// Files that should have been: `min(workers, files left)`.
    pub expected: usize,
    /// Files released before it happened.
    pub finished: usize,
    /// Files neither finished nor open yet.
    pub waiting: usize,
}

/// What [`serve`] saw.
pub struct Served {
    pub workers: usize,
    pub results: Results,
    /// Most files open at once, and which they were.
    pub peak_open: usize,
    pub peak_open_files: Vec<usize>,
    /// Fewer than `min(workers, files)` ever opened before the first file finished.
    pub first_fill: Option<Shortfall>,
    /// After a file finished, the open files didn't climb back to `min(workers, files left)`.
    pub refill: Option<Shortfall>,
    /// Most threads alive at once beyond those alive before the call (the thread `serve` runs
    /// the call on not counted); `None` where threads can't be counted.
    pub peak_new_threads: Option<usize>,
    /// Files still open by the code under test after `process_files` returned.
    pub open_after_return: Vec<usize>,
}

impl Served {
    /// Problems with the results themselves: one per path, right counts, path as given.
    pub fn result_problems(&self, fifos: &Fifos) -> Vec<String> {
        self.results
            .iter()
            .zip(&fifos.paths)
            .zip(&fifos.contents)
            .enumerate()
            .filter_map(|(i, ((result, path), content))| {
                fixture::problem(
                    result,
                    path,
                    crate::reference::counts(content),
                    &format!("named pipe {i}"),
                )
            })
            .collect()
    }

    pub fn assert_nothing_open_after_return(&self) {
        assert!(
            self.open_after_return.is_empty(),
            "after process_files returned, {} of its files were still open (pipe {}): every file \
             must be closed — and every thread that reads one joined — before it returns",
            self.open_after_return.len(),
            list(&self.open_after_return),
        );
    }
}

/// A served FIFO: our write end, held until release.
struct Writer {
    file: File,
}

enum State {
    Waiting,
    Served(Writer),
    Finished,
}

/// Runs `process_files(&fifos.paths, workers)` on a thread of its own while playing the writer
/// of every FIFO, and reports what it saw. Panics if `process_files` panics or gets stuck.
pub fn serve(fifos: &Fifos, workers: usize, release: Release) -> Served {
    let count = fifos.paths.len();
    let bound = workers.max(1);
    let index_of: HashMap<FileId, usize> = fifos
        .paths
        .iter()
        .enumerate()
        .map(|(i, path)| {
            let id = descriptors::id_of_path(path).unwrap_or_else(|| {
                panic!("test setup: can't stat the named pipe {}", path.display())
            });
            (id, i)
        })
        .collect();

    let threads_before = process::threads();
    let paths = fifos.paths.clone();
    let call = thread::Builder::new()
        .name("process_files".into())
        .spawn(move || {
            panic::catch_unwind(AssertUnwindSafe(|| process_files(&paths, workers)))
                .map_err(|payload| fixture::panic_message(payload.as_ref()))
        })
        .unwrap_or_else(|error| panic!("test setup: can't start a thread: {error}"));

    let mut states: Vec<State> = (0..count).map(|_| State::Waiting).collect();
    let mut served_order: VecDeque<usize> = VecDeque::new();
    let mut peak_open = 0;
    let mut peak_open_files = Vec::new();
    let mut peak_threads = threads_before;
    let mut first_fill = None;
    let mut refill = None;
    let mut finished = 0;
    let mut hurry = false;
    let mut last_change = Instant::now();
    let mut ready_since: Option<Instant> = None;

    loop {
        // 1. New readers. A reader back on a finished FIFO (it opened the file twice) gets EOF.
        for (i, state) in states.iter_mut().enumerate() {
            match state {
                State::Waiting => {
                    if let Some(writer) = open_writer(&fifos.paths[i]) {
                        *state = State::Served(writer);
                        served_order.push_back(i);
                        last_change = Instant::now();
                    }
                }
                State::Finished => drop(open_writer(&fifos.paths[i])),
                State::Served(_) => {}
            }
        }
        // 2. What is open right now.
        let ours: BTreeSet<i32> = states
            .iter()
            .filter_map(|state| match state {
                State::Served(writer) => Some(writer.file.as_raw_fd()),
                _ => None,
            })
            .collect();
        let held = held_by_code(&index_of, &ours);
        let open: BTreeSet<usize> = served_order.iter().copied().chain(held.clone()).collect();
        if open.len() > peak_open {
            peak_open = open.len();
            peak_open_files = open.iter().copied().collect();
        }
        peak_threads = peak_threads.max(process::threads());

        if call.is_finished() {
            break;
        }

        // 3. Release one, or wait.
        let left = states
            .iter()
            .filter(|state| !matches!(state, State::Finished))
            .count();
        let expected = bound.min(left);
        let settled = match release {
            Release::Lowest => true,
            Release::Reversed => held.iter().all(|i| served_order.contains(i)),
        };
        let now = Instant::now();
        let pick = |order: &VecDeque<usize>| match release {
            Release::Lowest => order.iter().copied().min(),
            Release::Reversed => order.iter().copied().max(),
        };
        if !served_order.is_empty() && served_order.len() >= expected && settled {
            let since = *ready_since.get_or_insert(now);
            if hurry || now.duration_since(since) >= GRACE {
                if let Some(i) = pick(&served_order) {
                    finish(&mut states, &mut served_order, i, &fifos.contents[i]);
                    finished += 1;
                }
                last_change = Instant::now();
                ready_since = None;
            }
        } else {
            ready_since = None;
            let waited = now.duration_since(last_change);
            if !served_order.is_empty() && (hurry || waited >= PATIENCE) {
                if !hurry {
                    let shortfall = Shortfall {
                        open: open.len(),
                        expected,
                        finished,
                        waiting: left - served_order.len(),
                    };
                    if finished == 0 {
                        first_fill = Some(shortfall);
                    } else {
                        refill = Some(shortfall);
                    }
                    hurry = true;
                }
                if let Some(i) = pick(&served_order) {
                    finish(&mut states, &mut served_order, i, &fifos.contents[i]);
                    finished += 1;
                }
                last_change = Instant::now();
            } else if waited >= STUCK {
                let waiting: Vec<usize> = states
                    .iter()
                    .enumerate()
                    .filter(|(_, state)| matches!(state, State::Waiting))
                    .map(|(i, _)| i)
                    .collect();
                panic!(
                    "process_files({count} paths, workers = {workers}) has opened no new file \
                     for {} s and hasn't returned; {finished} files were read to the end, pipes \
                     {} were never opened. Is a worker waiting for something that never comes \
                     (a channel whose senders are never dropped, a join on a thread that waits)?",
                    STUCK.as_secs(),
                    list(&waiting),
                );
            }
        }
        thread::sleep(POLL);
    }

    let results = match call.join() {
        Ok(Ok(results)) => results,
        Ok(Err(message)) => {
            panic!("process_files({count} paths, workers = {workers}) panicked: {message}")
        }
        Err(_) => panic!("the thread running process_files panicked"),
    };
    // Files still open now were left open by the code under test. Then let any stray reader
    // finish: every served pipe gets its content, every waiting one EOF.
    let ours: BTreeSet<i32> = states
        .iter()
        .filter_map(|state| match state {
            State::Served(writer) => Some(writer.file.as_raw_fd()),
            _ => None,
        })
        .collect();
    let open_after_return: Vec<usize> = held_by_code(&index_of, &ours)
        .into_iter()
        .chain(served_order.iter().copied())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    while let Some(&i) = served_order.front() {
        finish(&mut states, &mut served_order, i, &fifos.contents[i]);
    }
    for path in &fifos.paths {
        drop(open_writer(path));
    }

    fixture::assert_one_result_per_path(&results, &fifos.paths, workers);
    fixture::assert_in_order(&results, &fifos.paths, workers);
    Served {
        workers,
        results,
        peak_open,
        peak_open_files,
        first_fill,
        refill,
        // The thread that ran the call is not the learner's.
        peak_new_threads: threads_before
            .zip(peak_threads)
            .map(|(before, peak)| peak.saturating_sub(before + 1)),
        open_after_return,
    }
}

/// Opens the write end without blocking: `Some` when a reader has the FIFO open (or is waiting
/// in `open`), `None` when none has.
fn open_writer(path: &Path) -> Option<Writer> {
    match OpenOptions::new()
        .write(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
    {
        Ok(file) => Some(Writer { file }),
        Err(error) if error.raw_os_error() == Some(libc::ENXIO) => None,
        Err(error) => panic!(
            "test setup: can't open the write end of {}: {error}",
            path.display()
        ),
    }
}

/// Releases FIFO `i`: writes its content and closes the write end, so the reader sees the
/// content, then end of file.
fn finish(states: &mut [State], order: &mut VecDeque<usize>, i: usize, content: &[u8]) {
    order.retain(|&j| j != i);
    if let State::Served(mut writer) = std::mem::replace(&mut states[i], State::Finished) {
        // A reader that already went away makes this fail with EPIPE: nothing to deliver then.
        let _ = writer.file.write_all(content);
    }
}

/// FIFOs (by index) that this process has open other than through `ours`: the code under test's.
fn held_by_code(index_of: &HashMap<FileId, usize>, ours: &BTreeSet<i32>) -> BTreeSet<usize> {
    descriptors::open_descriptors()
        .into_iter()
        .filter(|fd| !ours.contains(fd))
        .filter_map(|fd| index_of.get(&descriptors::id_of_descriptor(fd)?).copied())
        .collect()
}

/// "0, 3, 4" (the first few).
pub fn list(indices: &[usize]) -> String {
    let mut text = indices
        .iter()
        .take(12)
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    if indices.len() > 12 {
        text.push_str(", …");
    }
    text
}
