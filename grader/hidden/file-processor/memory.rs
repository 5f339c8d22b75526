//! Memory stays bounded whatever the files' sizes: a 2 GiB sparse file, and the peak resident
//! memory of this process (the code under test runs in it) before and after.

use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};

use probes::harness;

use crate::fixture::{self, Dir};
use crate::process;
use crate::reference::Counts;

const GIB: u64 = 1 << 30;
const MIB: u64 = 1 << 20;
/// The big file's size where memory allows: 32 times the allowance below, so holding it is
/// unmistakable, and past 2^31 bytes, so a byte count kept in an `i32` shows too. The file goes
/// on a tmpfs where there is one (`Dir::in_memory`), whose holes read at memory speed: a
/// correct solution built as the grader builds submissions (opt-level 1) then counts 2 GiB in
/// about 1.3 s here. On a disk filesystem the kernel first fills the page cache with zeros
/// (about 2.5 s a GiB more, and far more on a loaded machine), hence the generous timeout.
const SIZE: u64 = 2 * GIB;
/// Extra peak memory allowed for the whole call: read buffers, thread stacks, a thread pool or a
/// runtime. A buffer of 8–64 KiB per open file is plenty.
const ALLOWED: u64 = 64 * MIB;

const HEAD: &[u8] = b"hello world\n";
const TAIL: &[u8] = b" end\n";

pub fn huge_file_in_bounded_memory() {
    // A file the machine (or the grader's address-space limit) couldn't hold in memory would
    // crash wrong code without a word: keep it well below what is free, so that code holding it
    // whole gets this test's message (the test is as sharp at 256 MiB as at 2 GiB).
    let available = process::available_memory().min(process::address_space_room());
    let size = SIZE.min(available / 3 / (256 * MIB) * (256 * MIB));
    assert!(
        size >= 256 * MIB,
        "test setup: only {} MiB of memory (or address space) free; the memory test needs \
         about 2 GiB",
        available / MIB
    );

    let dir = Dir::in_memory();
    let path = dir.path().join("huge-sparse.bin");
    // Sparse: `set_len` makes a file of zeros that takes no disk space; reading it still yields
    // every byte. Text at both ends, so the counts show the whole file was read.
    let file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
        .unwrap_or_else(|error| panic!("test setup: can't create {}: {error}", path.display()));
    write_ends(&file, size)
        .unwrap_or_else(|error| panic!("test setup: can't write {}: {error}", path.display()));
    drop(file);
    // "hello", "world", the run of zero bytes (a word: 0x00 isn't whitespace), "end".
    let expected = Counts {
        lines: 2,
        words: 4,
        bytes: size,
    };
    let small = dir.file("small.txt", b"a small file\n");

    let (results, growth) =
        probes::memory::peak_growth_during(|| fixture::run(&[path.clone(), small.clone()], 2));
    let Some(growth) = growth else {
        harness::skip("needs Linux or macOS: it reads the process's peak resident memory");
    };
    let (grew, reset) = (growth.bytes, growth.reset);

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

/// Makes `file` `size` bytes long: `HEAD`, zeros, `TAIL`. `set_len` leaves a hole that takes no
/// disk space on Linux's and macOS's file systems; on NTFS the zeros before `TAIL` are written.
fn write_ends(mut file: &File, size: u64) -> std::io::Result<()> {
    file.set_len(size)?;
    file.write_all(HEAD)?;
    file.seek(SeekFrom::Start(size - TAIL.len() as u64))?;
    file.write_all(TAIL)
}
