//! How many files are open at once, measured with named pipes (see `fifo.rs`), and what is
//! left running afterwards.

use probes::harness;

use crate::fifo::{self, Fifos, Release, Served, Shortfall};
use crate::fixture::{self, Dir};
use crate::process;

const POOL: &str = "Start `workers` threads (scoped threads can borrow `paths`), each looping: \
    take the next index from a shared counter (an AtomicUsize) or a channel, count that file, \
    store the result at that index, repeat until no paths are left.";

fn assert_results_right(served: &Served, fifos: &Fifos) {
    fixture::assert_no_problems(served.result_problems(fifos), "");
}

fn assert_at_most(served: &Served, files: usize) {
    let bound = served.workers.max(1);
    assert!(
        served.peak_open <= bound,
        "with workers = {} and {files} files, {} files were open at once (pipes {}): at most \
         `workers` may be open at any moment. Opening every file up front, or starting a thread \
         per file, breaks that bound. {POOL}",
        served.workers,
        served.peak_open,
        fifo::list(&served.peak_open_files),
    );
}

fn shortfall_message(what: &str, served: &Served, files: usize, shortfall: &Shortfall) -> String {
    format!(
        "with workers = {} and {files} files, {what} no more than {} of them were open at once \
         where {} should have been (waited {} s while {} files were still waiting to be opened)",
        served.workers,
        shortfall.open,
        shortfall.expected,
        fifo::PATIENCE.as_secs(),
        shortfall.waiting,
    )
}

pub fn at_most_workers_open() {
    for (workers, files) in [(3, 12), (1, 5), (2, 7)] {
        let fifos = Fifos::new(files);
        let served = fifo::serve(&fifos, workers, Release::Lowest);
        assert_at_most(&served, files);
        assert_results_right(&served, &fifos);
        served.assert_nothing_open_after_return();
    }
}

pub fn workers_open_when_enough_files() {
    let (workers, files) = (4, 10);
    let fifos = Fifos::new(files);
    let served = fifo::serve(&fifos, workers, Release::Lowest);
    if let Some(shortfall) = &served.first_fill {
        panic!(
            "{}: the files are read {}. Are the workers really running side by side — all \
             started before any is joined, and not waiting on one lock while they read? {POOL}",
            shortfall_message("from the start,", &served, files, shortfall),
            if shortfall.open <= 1 {
                "one after another"
            } else {
                "by fewer threads than `workers`"
            },
        );
    }
    assert_results_right(&served, &fifos);
}

pub fn every_file_open_when_fewer_than_workers() {
    let (workers, files) = (16, 5);
    let fifos = Fifos::new(files);
    let served = fifo::serve(&fifos, workers, Release::Lowest);
    if let Some(shortfall) = &served.first_fill {
        panic!(
            "{}: with more workers than files, every file can be read at once. Is the number \
             of threads capped below `workers` (by the number of CPUs, say)? Reading files \
             waits on I/O, so more threads than CPUs is fine here.",
            shortfall_message("from the start,", &served, files, shortfall),
        );
    }
    assert_results_right(&served, &fifos);
}

pub fn next_file_as_soon_as_one_finishes() {
    let (workers, files) = (3, 12);
    let fifos = Fifos::new(files);
    let served = fifo::serve(&fifos, workers, Release::Lowest);
    if let Some(shortfall) = &served.first_fill {
        panic!(
            "{}: workers must keep busy, starting together and taking the next file as soon as \
             they finish one. {POOL}",
            shortfall_message("from the start,", &served, files, shortfall),
        );
    }
    if let Some(shortfall) = &served.refill {
        panic!(
            "{}: after a file finished, no worker took one of the waiting files while the \
             others were still busy. Batches (start `workers` threads, join them all, start the \
             next batch) leave workers idle until the slowest file of each batch is done; fixed \
             shares (chunks of `paths` per worker, as in parallel-sum) leave a worker idle once \
             its share is done while files wait in the others'. Hand out files one at a time. \
             {POOL}",
            shortfall_message(
                &format!(
                    "after {} file{} had finished,",
                    shortfall.finished,
                    if shortfall.finished == 1 { "" } else { "s" }
                ),
                &served,
                files,
                shortfall
            ),
        );
    }
    assert_results_right(&served, &fifos);
}

pub fn pool_not_thread_per_file() {
    let workers = 2;
    // More files than any machine's thread pools have threads, so a thread per file stands out.
    let files = 16 + 4 * probes::compare::cpus();
    let fifos = Fifos::new(files);
    let served = fifo::serve(&fifos, workers, Release::Lowest);
    let Some(peak_new_threads) = served.peak_new_threads else {
        harness::skip(process::CANT_COUNT_THREADS);
    };
    assert!(
        peak_new_threads < files / 2,
        "with workers = {workers} and {files} files, {} threads were alive at once: that's a \
         thread per file (even if only {} files were open at once). A thread costs memory and \
         time to start; a pool of `workers` threads does the same work. {POOL}",
        peak_new_threads,
        served.peak_open,
    );
    assert_results_right(&served, &fifos);
}

pub fn zero_workers_as_one() {
    let files = 4;
    let fifos = Fifos::new(files);
    let served = fifo::serve(&fifos, 0, Release::Lowest);
    assert!(
        served.peak_open <= 1,
        "with workers = 0, {} files were open at once (pipes {}): 0 workers is treated as 1, \
         so one file at a time (workers.max(1))",
        served.peak_open,
        fifo::list(&served.peak_open_files),
    );
    assert_results_right(&served, &fifos);
    let dir = Dir::new();
    let path = dir.file("one.txt", b"one line\n");
    fixture::assert_no_problems(
        fixture::problem(
            &fixture::run(std::slice::from_ref(&path), 0)[0],
            &path,
            crate::reference::counts(b"one line\n"),
            "one file with workers = 0",
        )
        .into_iter()
        .collect(),
        "0 workers is treated as 1 (workers.max(1)).",
    );
}

pub fn nothing_left_behind() {
    // A first call may start pools that live on by design (rayon's global pool, say); only what
    // each later call leaves behind counts.
    let Some(before) = process::warm_up_and_count_threads() else {
        harness::skip(process::CANT_COUNT_THREADS);
    };
    for round in 1..=2 {
        let fifos = Fifos::new(9);
        let served = fifo::serve(&fifos, 3, Release::Lowest);
        served.assert_nothing_open_after_return();
        process::assert_threads_back_to(before, round);
        assert_results_right(&served, &fifos);
    }
}
