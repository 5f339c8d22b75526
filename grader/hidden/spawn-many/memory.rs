//! Memory per task: many inputs, all waiting at once, and how far the process's peak resident
//! memory rose during the call, divided by the number of inputs.

use probes::harness;
use probes::memory::{peak_growth_during, peak_resident};
use spawn_many::spawn_all;

use crate::meeting::{Gate, Outcome};
use crate::PATIENCE;

/// The chapter's claim: a hundred thousand tasks at once are no strain.
const TASKS: usize = 100_000;
/// A first, smaller round: code that starts a thread per input fails it within a second, instead
/// of starting a hundred thousand threads. Large enough that the runtime's start-up is a small
/// share of what is measured.
const FIRST_ROUND: usize = 5_000;
/// Bytes per task allowed: "hundreds of bytes". A Tasklings task here costs about 150 bytes
/// (header, the test's future, its output), its JoinHandle 8 and its output's slot 8; the
/// runtime's own start-up (worker stacks, queues) adds a few bytes per task at 100,000. An OS
/// thread costs kilobytes: at least a page of stack (4 KiB, 16 KiB on Apple silicon) and the
/// thread's control block, resident; about 9.8 KB each measured by the book's tasks_vs_threads.
const BYTES_PER_TASK: u64 = 1_000;
/// Allowed on top, per worker thread of the runtime: its start-up (a worker's stack pages, its
/// queue, the allocator's arena for its thread). Measured: about 400 KiB in all for 2 workers,
/// 450 KiB for 8.
const BYTES_PER_WORKER: u64 = 128 * 1024;

pub fn a_task_costs_hundreds_of_bytes_not_kilobytes() {
    if peak_resident().is_none() {
        harness::skip(
            "needs Linux, macOS or Windows: it reads the process's peak resident memory, which \
             this system doesn't tell",
        );
    }
    for n in [FIRST_ROUND, TASKS] {
        round(n);
    }
}

fn round(n: usize) {
    let gate = Gate::new(n, PATIENCE);
    let inputs: Vec<usize> = (0..n).collect();
    let (outputs, growth) = {
        let gate = gate.clone();
        peak_growth_during(move || {
            spawn_all(inputs, move |i| {
                let arrive = gate.arrive(i);
                async move {
                    arrive.await;
                    i
                }
            })
        })
    };
    let growth = growth.expect("measurable where peak_resident is");
    assert!(
        gate.outcome() == Outcome::Reached,
        "spawn_all's {n} tasks were never all alive at once (at most {} were waiting at the same \
         time), so the memory they take together couldn't be measured: spawn every task before \
         awaiting any (see runs_every_task_at_the_same_time).",
        gate.most_waiting()
    );
    assert!(
        outputs.len() == n && outputs.iter().enumerate().all(|(i, &out)| i == out),
        "spawn_all((0..{n}).collect(), f) returned {} outputs, not 0, 1, 2, … {}",
        outputs.len(),
        n - 1
    );
    let per_task = growth.bytes / n as u64;
    let allowed = n as u64 * BYTES_PER_TASK + runtime::workers() as u64 * BYTES_PER_WORKER;
    assert!(
        growth.bytes <= allowed,
        "with spawn_all's {n} inputs all waiting at once, this process's peak memory grew by {} \
         KiB: {per_task} bytes per input{}. A task costs a few hundred bytes at most (at most \
         {BYTES_PER_TASK} are allowed, and some room for the runtime's start-up); a thread costs \
         kilobytes. Spawn each input's future as a \
         Tasklings task (runtime::spawn) and await the handles: no thread per input \
         (std::thread::spawn, spawn_blocking, a Runtime per input), and nothing big per task.",
        growth.bytes / 1024,
        if growth.reset {
            ""
        } else {
            " (measured from the process's earlier peak, so if anything less than it used)"
        }
    );
}
