//! `wait_blocking` on plain threads, and what waiting costs: threads and tasks that wait must
//! sleep, not spin.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use probes::harness;
use probes::threads::CpuMeter;
use wait_group::WaitGroup;

use crate::support::finishes;

/// How long the test lets waiters settle into their wait before it looks (or measures). Correct
/// code is blocked within microseconds; a longer settle only makes the checks below stricter on
/// wrong code, never on correct code.
const SETTLE: Duration = Duration::from_millis(50);

/// `wait_blocking` blocks while the count is above zero and returns after the last `done`.
pub fn wait_blocking_returns_after_the_last_done() {
    let group = WaitGroup::new();
    group.add(3);
    let returned = Arc::new(AtomicBool::new(false));
    let waiter = {
        let group = group.clone();
        let returned = Arc::clone(&returned);
        thread::spawn(move || {
            group.wait_blocking();
            returned.store(true, Ordering::SeqCst);
        })
    };
    for (dones, count) in [(0, 3), (2, 1)] {
        (0..dones).for_each(|_| group.done());
        thread::sleep(SETTLE);
        assert!(
            !returned.load(Ordering::SeqCst),
            "wait_blocking() returned while the count was {count}: it must block until the \
             count is zero (loop: while the count isn't zero, wait on a Condvar)"
        );
    }
    group.done();
    finishes(
        "join_waiter",
        "the last done() took the count to zero, and the thread in wait_blocking() never \
         returned: a lost notification. Notify the Condvar while holding the Mutex that \
         wait_blocking checks the count under (or the check and the notification can pass each \
         other).",
        move || waiter.join().expect("the waiting thread"),
    );
}

/// Eight threads block in `wait_blocking`; the last `done` releases all of them.
pub fn wait_blocking_wakes_every_thread() {
    const THREADS: usize = 8;
    let group = WaitGroup::new();
    group.add(1);
    let entering = Arc::new(AtomicUsize::new(0));
    let returned = Arc::new(AtomicUsize::new(0));
    for _ in 0..THREADS {
        let group = group.clone();
        let entering = Arc::clone(&entering);
        let returned = Arc::clone(&returned);
        thread::spawn(move || {
            entering.fetch_add(1, Ordering::SeqCst);
            group.wait_blocking();
            returned.fetch_add(1, Ordering::SeqCst);
        });
    }
    while entering.load(Ordering::SeqCst) < THREADS {
        thread::yield_now();
    }
    // All are at the door; let them get blocked. Even if a thread were slower than this, it would
    // see zero and return: nothing here can fail correct code.
    thread::sleep(SETTLE);
    let early = returned.load(Ordering::SeqCst);
    assert!(
        early == 0,
        "{early} of {THREADS} threads returned from wait_blocking() while the count was 1"
    );
    group.done();
    finishes(
        "count_returns",
        &format!(
            "{THREADS} threads were blocked in wait_blocking(); the last done() released only \
             some of them — the rest are still blocked. Wake them all: Condvar::notify_all, not \
             notify_one (which wakes one thread, and the others wait forever)."
        ),
        move || {
            while returned.load(Ordering::SeqCst) < THREADS {
                thread::sleep(Duration::from_millis(1));
            }
        },
    );
}

/// Threads in `wait_blocking` and tasks awaiting `wait()` burn (next to) no CPU while the count
/// stays above zero. Measured as CPU time over wall time, a ratio: a busy machine can make a
/// spinner look *better* (it gets less CPU), never correct code look worse.
pub fn waits_without_burning_cpu() {
    const WAITERS: usize = 4;
    /// Correct waiting burns well under 1% of a CPU; one spinning waiter burns close to 100% of
    /// one, and several spin here. Even on a machine so busy that the spinners get a fifth of
    /// their share, they stay above this.
    const MOST: f64 = 0.2;
    if CpuMeter::start().stop().is_none() {
        harness::skip("this platform doesn't let the test read the process's CPU time");
    }
    let nap = Duration::from_millis(300);

    // Threads in wait_blocking.
    let group = WaitGroup::new();
    group.add(1);
    let threads: Vec<_> = (0..WAITERS)
        .map(|_| {
            let group = group.clone();
            thread::spawn(move || group.wait_blocking())
        })
        .collect();
    thread::sleep(SETTLE);
    let usage = CpuMeter::measure(|| thread::sleep(nap)).1;
    group.done();
    finishes(
        "join_blocking_waiters",
        "wait_blocking() never returned after the last done()",
        move || {
            threads
                .into_iter()
                .for_each(|t| t.join().expect("a waiter"))
        },
    );
    let usage = usage.expect("CPU time was readable a moment ago");
    assert!(
        usage.cpu_per_wall() < MOST,
        "while {WAITERS} threads sat in wait_blocking() (and nothing else ran), the process \
         burned {:.0?} of CPU in {:.0?} ({:.0}% of a CPU): wait_blocking() spins. A loop that \
         checks the count again and again (even with spin_loop or yield_now) keeps a CPU busy \
         doing nothing; block on a Condvar until the last done() notifies it.",
        usage.cpu,
        usage.wall,
        usage.cpu_per_wall() * 100.0
    );

    // Tasks awaiting wait() on a runtime with two workers.
    let runtime = runtime::Runtime::builder()
        .workers(2)
        .build()
        .expect("a runtime");
    let group = WaitGroup::new();
    group.add(1);
    let started = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..WAITERS)
        .map(|_| {
            let wait = group.wait();
            let started = Arc::clone(&started);
            runtime.spawn(async move {
                started.fetch_add(1, Ordering::SeqCst);
                wait.await;
            })
        })
        .collect();
    finishes(
        "tasks_start",
        "the waiting tasks never started (the runtime's workers are stuck)",
        {
            let started = Arc::clone(&started);
            move || {
                while started.load(Ordering::SeqCst) < WAITERS {
                    thread::sleep(Duration::from_millis(1));
                }
            }
        },
    );
    thread::sleep(SETTLE);
    let usage = CpuMeter::measure(|| thread::sleep(nap)).1;
    group.done();
    finishes(
        "join_waiting_tasks",
        "tasks awaiting wait() never finished after the last done()",
        move || {
            for task in tasks {
                task.join().expect("a waiting task");
            }
        },
    );
    let usage = usage.expect("CPU time was readable a moment ago");
    assert!(
        usage.cpu_per_wall() < MOST,
        "while {WAITERS} tasks awaited wait() on a runtime with 2 workers (and nothing else \
         ran), the process burned {:.0?} of CPU in {:.0?} ({:.0}% of a CPU): the tasks are \
         polled in a loop. A poll that calls cx.waker().wake_by_ref() and returns Pending asks \
         to be polled again at once — a busy loop. Store the waker and return Pending; only \
         the last done() wakes it.",
        usage.cpu,
        usage.wall,
        usage.cpu_per_wall() * 100.0
    );
    drop(runtime);
}
