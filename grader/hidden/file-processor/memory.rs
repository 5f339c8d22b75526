//! Memory stays bounded whatever the files' sizes: a 1 GiB sparse file, and the peak resident
//! memory of this process (the code under test runs in it) before and after.

use std::fs::OpenOptions;
use std::os::unix::fs::FileExt;

use crate::fixture::{self, Dir};
use crate::process;
use crate::reference::Counts;

const GIB: u64 = 1 << 30;
const MIB: u64 = 1 << 20;
/// The big file's size where memory allows: 16 times the allowance below, so holding it is
/// unmistakable, and small enough that a correct solution — built in debug mode, as the grader
/// builds submissions: about 4 ns a byte of user time plus 2 ns of kernel time to read a hole
/// — finishes well inside the timeout on a busy machine. (2 GiB took 12 s on a quiet 2-core
/// machine but 145 s once at load 7 with the grader niced; 1 GiB halves that.)
const SIZE: u64 = GIB;
/// Extra peak memory allowed for the whole call: read buffers, thread stacks, a thread pool or a
/// runtime. A buffer of 8–64 KiB per open file is plenty.
const ALLOWED: u64 = 64 * MIB;

const HEAD: &[u8] = b"hello world\n";
const TAIL: &[u8] = b" end\n";

pub fn huge_file_in_bounded_memory() {
    // A file the machine (or the grader's address-space limit) couldn't hold in memory would
    // crash wrong code without a word: keep it well below what is free, so that code holding it
    // whole gets this test's message (the test is as sharp at 256 MiB as at 1 GiB).
    let available = process::available_memory().min(process::address_space_room());
    let size = SIZE.min(available / 3 / (256 * MIB) * (256 * MIB));
    assert!(
        size >= 256 * MIB,
        "test setup: only {} MiB of memory (or address space) free; the memory test needs \
         about 1 GiB",
        available / MIB
    );

    let dir = Dir::new();
    let path = dir.path().join("huge-sparse.bin");
    // Sparse: `set_len` makes a file of zeros that takes no disk space; reading it still yields
    // every byte. Text at both ends, so the counts show the whole file was read.
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .unwrap_or_else(|error| panic!("test setup: can't create {}: {error}", path.display()));
    file.set_len(size)
        .and_then(|()| file.write_all_at(HEAD, 0))
        .and_then(|()| file.write_all_at(TAIL, size - TAIL.len() as u64))
        .unwrap_or_else(|error| panic!("test setup: can't write {}: {error}", path.display()));
    drop(file);
    // "hello", "world", the run of zero bytes (a word: 0x00 isn't whitespace), "end".
    let expected = Counts {
        lines: 2,
        words: 4,
        bytes: size,
    };
    let small = dir.file("small.txt", b"a small file\n");

    let reset = process::reset_peak_rss();
    let before = process::peak_rss();
    let results = fixture::run(&[path.clone(), small.clone()], 2);
    let after = process::peak_rss();
    let grew = after.saturating_sub(before);

    assert!(
        grew <= ALLOWED,
        "counting a {} MiB file raised this process's peak memory by {} MiB{}: the file was held \
         in memory. Don't read a whole file at once (fs::read, read_to_end, read_to_string, \
         lines() or read_until on a file without newlines all do): read it in a fixed buffer \
         (8–64 KiB) in a loop, counting each chunk as it comes, so memory stays the same \
         whatever the file's size. At most {} MiB more is allowed.",
        size / MIB,
        grew / MIB,
        if reset {
            ""
        } else {
            " (measured from the start of the process)"
        },
        ALLOWED / MIB,
    );
    let mut problems: Vec<String> = fixture::problem(
        &results[0],
        &path,
        expected,
        &format!(
            "a {} MiB file of zeros between two lines of text",
            size / MIB
        ),
    )
    .into_iter()
    .collect();
    problems.extend(fixture::problem(
        &results[1],
        &small,
        crate::reference::counts(b"a small file\n"),
        "a small file",
    ));
    fixture::assert_no_problems(
        problems,
        "A file of any size must be counted, whatever memory is free: stream it through a fixed \
         buffer (an OutOfMemory error means the code tried to hold the whole file).",
    );
}
