//! How `parallel_sum_by` runs the `f` it is given, measured with probes rather than a stopwatch.
//!
//! Each test's `f` is an instrument: it counts the calls in flight, waits for its siblings at a
//! rendezvous, records its thread, holds a thread's last call of its share (`shares.rs`), or holds
//! a live-work token. Correct code passes these however slow or busy the machine is; only wrong
//! code ever waits out a rendezvous's timeout.
//!
//! What is asked of a split is what makes it fast, not one way of writing it: no thread with more
//! than ⌈n/w⌉ items (the busiest thread sets the time of the whole call) and as many calls at once
//! as such a split has chunks, at most `w`. Chunks of `len.div_ceil(workers)`, chunks whose lengths
//! differ by at most one, and items handed out one at a time from a shared counter all qualify.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Barrier;
use std::thread;
use std::time::Duration;

use parallel_sum::{parallel_sum, parallel_sum_by};
use probes::harness;
use probes::threads::{os_threads, wait_for_os_threads, CpuMeter};
use probes::{Gauge, LiveWork, Rendezvous, ThreadLog};

use crate::shares::ShareGate;

/// How long the first caller of `f` waits for its siblings before the rendezvous gives up. Correct
/// code gets them all started in milliseconds; only wrong code ever waits this out.
const SIBLINGS_WAIT: Duration = Duration::from_secs(5);

pub fn calls_f_once_per_item() {
    for (len, workers) in [(1, 1), (7, 3), (64, 4), (1_000, 7), (5, 8), (10, 0)] {
        let calls: Vec<AtomicUsize> = (0..len).map(|_| AtomicUsize::new(0)).collect();
        let indexes: Vec<usize> = (0..len).collect();
        let sum = parallel_sum_by(&indexes, workers, |&i| {
            calls[i].fetch_add(1, Ordering::SeqCst);
            i as i64
        });
        let counts: Vec<usize> = calls.iter().map(|c| c.load(Ordering::SeqCst)).collect();
        let skipped: Vec<usize> = (0..len).filter(|i| counts[*i] == 0).collect();
        let repeated: Vec<usize> = (0..len).filter(|i| counts[*i] > 1).collect();
        let mut wrong = Vec::new();
        if !skipped.is_empty() {
            wrong.push(format!("never called on item(s) {}", list(&skipped)));
        }
        if !repeated.is_empty() {
            wrong.push(format!(
                "called more than once on item(s) {}",
                list(&repeated)
            ));
        }
        assert!(
            wrong.is_empty(),
            "with {len} items and {workers} workers, f was {}: each item must go to exactly one \
             worker, once — do the chunks cover the slice without gaps or overlaps?",
            wrong.join(", and ")
        );
        let want = (len * (len - 1) / 2) as i64;
        assert_eq!(
            sum, want,
            "with {len} items and {workers} workers, f was called once per item but the result \
             is {sum}, not the sum of what f returned ({want}): are all partial sums combined?"
        );
    }
}

pub fn never_runs_more_than_workers_calls_at_once() {
    // The cases run side by side (each with its own gauge and rendezvous, so they can't see each
    // other's calls): correct code waits out each case's short rendezvous once, and side by side
    // that costs one wait instead of five on every grade.
    let cases = [(64, 4), (64, 2), (40, 3), (10, 1), (10, 0)];
    let outcomes: Vec<(usize, usize, usize, usize)> = thread::scope(|scope| {
        let runs: Vec<_> = cases
            .iter()
            .map(|&(len, workers)| {
                scope.spawn(move || {
                    let limit = workers.max(1);
                    let gauge = Gauge::new();
                    // Makes overlap happen if the code allows it: up to `limit + 1` calls wait for
                    // each other, so code that runs too many at once is caught on any machine.
                    // Correct code never gets `limit + 1` calls together, so its first calls wait
                    // this short timeout out, once.
                    let too_many = Rendezvous::new(limit + 1, Duration::from_millis(300));
                    let items: Vec<i64> = (0..len as i64).collect();
                    parallel_sum_by(&items, workers, |n| {
                        let _in_flight = gauge.enter();
                        too_many.arrive();
                        *n
                    });
                    (len, workers, gauge.peak(), gauge.total())
                })
            })
            .collect();
        runs.into_iter()
            // A panic in the learner's code ends this test with the learner's own message.
            .map(|run| {
                run.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    for (len, workers, peak, total) in outcomes {
        let limit = workers.max(1);
        assert!(
            peak <= limit,
            "with {len} items and {workers} workers, {peak} calls of f ran at the same time; at \
             most {limit} may. Start at most `workers` threads (each taking a chunk of the items), \
             not one per item or per small chunk"
        );
        expect_once_per_item(total, len, workers);
    }
}

pub fn runs_workers_calls_at_once() {
    // Splits that come out even (or fewer items than workers): every worker gets items, so
    // `min(workers, len)` calls can run at once.
    for (len, workers) in [(100, 4), (64, 2), (3, 8), (12, 3)] {
        expect_calls_at_once(len, workers);
    }
}

pub fn balances_items_that_split_unevenly() {
    // Uneven splits, each checked two ways: enough calls at once, and no thread over its share.
    // (9, 6) and (10, 4) catch "len / workers each, the last chunk takes the rest" (1+1+1+1+1+4,
    // 2+2+2+4); a caller that keeps most items for itself fails all of them. Chunks of
    // `len.div_ceil(workers)` (2+2+1, 2+2+2+2+1, 3+3+3+2, 3+3+3+1, …) and chunks whose lengths
    // differ by at most one (2+1+1+1, …) both pass.
    for (len, workers) in [(5, 4), (9, 6), (11, 5), (10, 4), (7, 2), (23, 8)] {
        expect_calls_at_once(len, workers);
        expect_no_thread_over_its_share(len, workers);
    }
}

/// The most items one thread should get: ⌈len / workers⌉ (workers 0 counts as 1). A split with a
/// longer chunk takes longer than one without, whatever else it does.
fn share(len: usize, workers: usize) -> usize {
    len.div_ceil(workers.max(1))
}

/// How many calls of `f` a split with no chunk over the share lets run at once: as many as it has
/// chunks, ⌈len / share⌉, at most `workers` — `min(workers, len)` whenever the items split evenly.
fn calls_at_once(len: usize, workers: usize) -> usize {
    if len == 0 {
        return 0;
    }
    workers.max(1).min(len.div_ceil(share(len, workers)))
}

/// Checks that as many calls of `f` run at the same time as a split with no thread over its share
/// allows ([`calls_at_once`]): each call waits at a rendezvous until that many are inside together.
fn expect_calls_at_once(len: usize, workers: usize) {
    let need = calls_at_once(len, workers);
    let together = Rendezvous::new(need, SIBLINGS_WAIT);
    let items: Vec<i64> = (0..len as i64).collect();
    let calls = AtomicUsize::new(0);
    parallel_sum_by(&items, workers, |n| {
        calls.fetch_add(1, Ordering::SeqCst);
        together.arrive();
        *n
    });
    assert!(
        together.reached(),
        "with {len} items and {workers} workers, expected {need} calls of f running at the same \
         time, but at most {} were (f waited {SIBLINGS_WAIT:?} for the others to join it). {}",
        together.max_together(),
        if together.max_together() <= 1 {
            "The calls ran one after another: spawn all the threads before joining any \
             (`for chunk in … { scope.spawn(…).join() }` waits for each thread before starting \
             the next), and let the threads call f, not the calling thread."
        } else {
            "Split the items into chunks of at most ⌈len / workers⌉ items \
             (`len.div_ceil(workers)`) and give every chunk a thread of its own, all started \
             before any is joined: no fewer threads than chunks, and none waiting for another."
        }
    );
    expect_once_per_item(calls.load(Ordering::SeqCst), len, workers);
}

/// Checks that no thread calls `f` on more than ⌈len / workers⌉ items (see `shares.rs` for why
/// the test's `f` holds each thread's last call of its share).
fn expect_no_thread_over_its_share(len: usize, workers: usize) {
    let share = share(len, workers);
    let gate = ShareGate::new(share, len, SIBLINGS_WAIT);
    let items: Vec<i64> = (0..len as i64).collect();
    parallel_sum_by(&items, workers, |n| {
        gate.call();
        *n
    });
    expect_once_per_item(gate.calls(), len, workers);
    let busiest = gate.busiest();
    assert!(
        busiest <= share,
        "with {len} items and {workers} workers, one thread called f on {busiest} items (the \
         threads' shares: {}); no thread may get more than ⌈{len} / {workers}⌉ = {share}. The \
         busiest thread decides how long the whole call takes: {}",
        list(&gate.shares()),
        if busiest == len {
            "here one thread did all the work. Give each thread its own chunk of the items."
                .to_string()
        } else {
            format!(
                "a split of {len} into chunks of at most {share} needs {} of them. Chunks of \
                 `len / workers` with the remainder added to the last (or kept by the caller) \
                 overload one thread; chunks of `len.div_ceil(workers)`, or the remainder \
                 spread one item each over the first `len % workers` chunks, don't.",
                len.div_ceil(share)
            )
        }
    );
}

pub fn calls_f_from_at_most_workers_threads() {
    for (len, workers) in [(64, 4), (100, 2), (6, 3), (10, 0)] {
        let limit = workers.max(1);
        let threads = ThreadLog::new();
        let items: Vec<i64> = (0..len).collect();
        parallel_sum_by(&items, workers, |n| {
            threads.record();
            *n
        });
        assert!(
            threads.distinct() <= limit,
            "with {len} items and {workers} workers, f was called from {} different threads; at \
             most {limit} may call it. A pool of {limit} threads means each thread takes many \
             items — a thread per item costs a thread start-up per item and isn't bounded",
            threads.distinct()
        );
        expect_once_per_item(threads.calls(), items.len(), workers);
    }
}

pub fn leaves_nothing_running_after_return() {
    let before = os_threads();
    let live = LiveWork::new();
    let items: Vec<i64> = (0..256).collect();
    parallel_sum_by(&items, 4, |n| {
        let _live = live.start();
        thread::yield_now();
        *n
    });
    if let Err(problem) = live.check_quiet(Duration::from_millis(50)) {
        panic!("parallel_sum_by returned, but {problem}");
    }
    expect_once_per_item(live.started(), items.len(), 4);
    if let Some(before) = before {
        if let Err(now) = wait_for_os_threads(before, Duration::from_secs(2)) {
            panic!(
                "parallel_sum_by returned, but the process still has {} more thread(s) than \
                 before it was called: every thread it starts must have finished when it \
                 returns (`thread::scope` joins them all for you; a detached `thread::spawn` \
                 keeps running)",
                now - before
            );
        }
    }
}

pub fn waits_for_workers_without_spinning() {
    // Every call of f sleeps, so correct code spends this call waiting: on `join`, in `sleep`.
    // It burns next to no CPU, however long the call takes (measured: ~0.5 ms in ~80 ms, under 1%
    // of a CPU). A thread that spins (a busy-wait loop on a flag or counter) burns about as much
    // CPU time as wall time passes — less only when the machine is so busy that it gets little of
    // a CPU, which can let a spinner slip through but never fail correct code. Hence the low bar.
    let nap = Duration::from_millis(25);
    let items = [1i64; 12];
    let calls = AtomicUsize::new(0);
    let (_, usage) = CpuMeter::measure(|| {
        parallel_sum_by(&items, 4, |n| {
            calls.fetch_add(1, Ordering::SeqCst);
            thread::sleep(nap);
            *n
        })
    });
    expect_once_per_item(calls.load(Ordering::SeqCst), items.len(), 4);
    let Some(usage) = usage else {
        harness::skip("this platform doesn't let the test read the process's CPU time");
    };
    assert!(
        usage.cpu_per_wall() < 0.1,
        "while f only slept, the process burned {:.0?} of CPU in {:.0?} ({:.0}% of a CPU): \
         something spins in a loop instead of waiting. Wait for threads with `join` (or let \
         `thread::scope` do it), never with a loop that checks a flag",
        usage.cpu,
        usage.wall,
        usage.cpu_per_wall() * 100.0
    );
}

pub fn parallel_sum_starts_worker_threads() {
    // `parallel_sum` gets no `f` to instrument, so a sampler thread watches the process's thread
    // count while the test calls it: with 3 workers, at least 2 threads beyond the caller must
    // appear. Up to 300 calls, so a sampler that a busy machine leaves unscheduled through a few
    // calls decides nothing; correct code is seen at the first or second call.
    let Some(_) = os_threads() else {
        harness::skip("this platform doesn't let the test count the process's threads");
    };
    let numbers: Vec<i64> = (0..1 << 18).collect();
    let most_extra = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let sampler_ready = Barrier::new(2);
    thread::scope(|scope| {
        scope.spawn(|| {
            // Counted with the sampler running and the caller parked at the barrier.
            let baseline = os_threads().unwrap_or(0);
            sampler_ready.wait();
            while !stop.load(Ordering::SeqCst) {
                let extra = os_threads().unwrap_or(0).saturating_sub(baseline);
                most_extra.fetch_max(extra, Ordering::SeqCst);
            }
        });
        sampler_ready.wait();
        // Stops the sampler however this loop ends: a panic in parallel_sum would otherwise leave
        // the scope waiting for the sampler forever.
        let _stop_sampler = StopOnDrop(&stop);
        for _ in 0..300 {
            // Whether the sums are right is for the other tests to say.
            std::hint::black_box(parallel_sum(&numbers, 3));
            if most_extra.load(Ordering::SeqCst) >= 2 {
                break;
            }
        }
    });
    let seen = most_extra.load(Ordering::SeqCst);
    assert!(
        seen >= 2,
        "while parallel_sum(numbers, 3) ran (300 times), the process never had more than {seen} \
         thread(s) besides the caller: it must share the work among 3 threads — let it call \
         parallel_sum_by (or split the slice the same way) rather than adding the numbers up in \
         one loop"
    );
}

/// Sets the flag when dropped, on return or on unwind.
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// The behaviour tests judge *how* `f` runs; a wrong number of calls would make their verdict
/// meaningless (a function that never calls `f` runs no more than `workers` at once, trivially).
fn expect_once_per_item(calls: usize, len: usize, workers: usize) {
    assert_eq!(
        calls, len,
        "with {len} items and {workers} workers, f was called {calls} times; it must be called \
         exactly once per item (see calls_f_once_per_item)"
    );
}

fn list(indexes: &[usize]) -> String {
    let shown: Vec<String> = indexes.iter().take(10).map(usize::to_string).collect();
    let more = indexes.len().saturating_sub(10);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}
