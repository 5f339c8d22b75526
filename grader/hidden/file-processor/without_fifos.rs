//! The concurrency checks where there are no named pipes (Windows): the tests of `concurrency.rs`
//! by the same names.
//!
//! Those checks see exactly how many files are open at once by serving named pipes (`fifo.rs`):
//! opening one blocks until the test lets it finish. Windows' named pipes live in their own
//! namespace (`\\.\pipe\…`), where a server must create each pipe and a client's open fails at
//! once rather than waiting, so no path on disk can make `File::open` wait; and a regular file's
//! open and read finish as fast as the disk allows, with nothing to hold them. So these checks
//! skip: "needs Linux or macOS". One that needs no pipe runs with regular files instead: no
//! thread left behind. Skipped checks count neither for nor against the learner.

use std::path::PathBuf;

use probes::harness;

use crate::fixture::{self, Dir};
use crate::process;

/// What the learner reads for each skipped check.
const NEEDS_PIPES: &str = "needs Linux or macOS: it holds files open with named pipes (FIFOs), \
    which Windows doesn't have";

pub fn at_most_workers_open() {
    harness::skip(NEEDS_PIPES)
}

pub fn zero_workers_as_one() {
    harness::skip(NEEDS_PIPES)
}

pub fn workers_open_when_enough_files() {
    harness::skip(NEEDS_PIPES)
}

pub fn every_file_open_when_fewer_than_workers() {
    harness::skip(NEEDS_PIPES)
}

pub fn next_file_as_soon_as_one_finishes() {
    harness::skip(NEEDS_PIPES)
}

pub fn pool_not_thread_per_file() {
    harness::skip(NEEDS_PIPES)
}

pub fn input_order_whatever_finishes_first() {
    harness::skip(NEEDS_PIPES)
}

/// Threads only: whether files stay open after return is seen through the pipes alone.
pub fn nothing_left_behind() {
    let Some(before) = process::warm_up_and_count_threads() else {
        harness::skip(process::CANT_COUNT_THREADS);
    };
    let dir = Dir::new();
    let paths: Vec<PathBuf> = (0..9)
        .map(|i| dir.file(&format!("file-{i}.txt"), format!("file {i}\n").as_bytes()))
        .collect();
    for round in 1..=2 {
        fixture::run(&paths, 3);
        process::assert_threads_back_to(before, round);
    }
}
