//! `Executor`: tasks run to completion (also tasks spawned by tasks), `run` returns only when
//! every task has finished, one poll per batch of wakes, no poll without a wake, wakers that
//! outlive their tasks, memory freed as tasks finish, and no spinning while idle.
//!
//! The executor isn't `Send` (its tasks needn't be), so each scenario builds it on the scenario
//! thread of `instruments::within`.

use std::cell::{Cell, RefCell};
use std::future::poll_fn;
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::task::{Poll, Waker};
use std::thread;
use std::time::Duration;

use mini_executor::Executor;
use probes::harness;
use probes::threads::CpuMeter;
use probes::LiveWork;

use crate::instruments::{
    within, yield_now, Gate, Restless, Tracked, GRACE, QUIET, WAKES_PER_POLL,
};

pub fn run_runs_every_task_to_completion() {
    let outcome = within(GRACE, || {
        let executor = Executor::new();
        // Nothing spawned: nothing to wait for.
        executor.run();
        let results = Rc::new(RefCell::new(Vec::new()));
        for i in 0..100u64 {
            let results = Rc::clone(&results);
            executor.spawn(async move {
                for _ in 0..i % 5 {
                    yield_now().await;
                }
                results.borrow_mut().push((i, i * i));
            });
        }
        executor.run();
        let first = results.take();
        // A second run, for tasks spawned after the first returned.
        for i in 100..110u64 {
            let results = Rc::clone(&results);
            executor.spawn(async move {
                yield_now().await;
                results.borrow_mut().push((i, i * i));
            });
        }
        executor.run();
        (first, results.take())
    });
    let Some((mut first, mut second)) = outcome else {
        panic!(
            "run did not return within {GRACE:?} (first with no task at all, then with 100 tasks \
             that yield up to 4 times — wake themselves and return Pending): does run return \
             at once when there is no task? Does a wake during a poll queue the task again?"
        );
    };
    first.sort_unstable();
    second.sort_unstable();
    let expected: Vec<(u64, u64)> = (0..100).map(|i| (i, i * i)).collect();
    assert!(
        first == expected,
        "100 tasks each push (i, i*i) and finish; when run returned, {} results were there ({}), \
         not the 100 expected: run must poll every task until it finishes, and return only then",
        first.len(),
        describe(&first, 0..100)
    );
    let expected: Vec<(u64, u64)> = (100..110).map(|i| (i, i * i)).collect();
    assert!(
        second == expected,
        "after run returned, 10 more tasks were spawned and run called again; it came back with \
         {} of their results ({}), not 10: run must also run tasks spawned after an earlier run",
        second.len(),
        describe(&second, 100..110)
    );
}

pub fn tasks_can_spawn_tasks() {
    const DEPTH: u32 = 4;
    let outcome = explain_borrow_panics(|| {
        within(GRACE, || {
            let executor = Rc::new(Executor::new());
            let seen = Rc::new(RefCell::new(Vec::new()));
            spawn_tree(&executor, DEPTH, String::from("root"), &seen);
            executor.run();
            seen.take()
        })
    });
    let Some(mut seen) = outcome else {
        panic!(
            "run did not return within {GRACE:?} for a tree of tasks that spawn tasks (through an \
             Rc<Executor>) and yield"
        );
    };
    let mut expected = Vec::new();
    tree_labels(DEPTH, String::from("root"), &mut expected);
    seen.sort();
    expected.sort();
    assert!(
        seen == expected,
        "a task spawns 3 tasks, each of which spawns 3, {DEPTH} levels deep: {} tasks. When run \
         returned, {} had finished: run must also run the tasks spawned while it runs, and \
         return only when they are all done",
        expected.len(),
        seen.len()
    );
}

/// Runs `scenario`; a `RefCell` panic in it ("already borrowed") fails the test with what it
/// most likely means here.
fn explain_borrow_panics<R>(scenario: impl FnOnce() -> R) -> R {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(scenario)) {
        Ok(value) => value,
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("");
            if message.contains("borrow") {
                panic!(
                    "{message} — a task called spawn while run was polling it, and the \
                     executor's RefCell was still borrowed. Take the task out of the map (or clone \
                     what you need) and drop the borrow before you poll; put the task back after"
                );
            }
            std::panic::resume_unwind(payload)
        }
    }
}

/// Spawns a task labelled `label` that yields, spawns its three children (when `depth` > 0),
/// yields again and records its label.
fn spawn_tree(executor: &Rc<Executor>, depth: u32, label: String, seen: &Rc<RefCell<Vec<String>>>) {
    let spawner = Rc::clone(executor);
    let seen = Rc::clone(seen);
    executor.spawn(async move {
        yield_now().await;
        if depth > 0 {
            for child in 0..3 {
                spawn_tree(&spawner, depth - 1, format!("{label}.{child}"), &seen);
            }
        }
        yield_now().await;
        seen.borrow_mut().push(label);
    });
}

fn tree_labels(depth: u32, label: String, out: &mut Vec<String>) {
    if depth > 0 {
        for child in 0..3 {
            tree_labels(depth - 1, format!("{label}.{child}"), out);
        }
    }
    out.push(label);
}

pub fn run_waits_for_wakes_from_other_threads() {
    // Ten tasks wait at gates that a plain thread opens. The thread holds back until run has
    // returned or HOLD has passed: run that returns early (when its queue is empty, though tasks
    // are pending) returns before any gate opens, on every run — unless the machine stalls the
    // executor thread for all of HOLD.
    const TASKS: usize = 10;
    const HOLD: Duration = Duration::from_millis(300);
    let gates: Vec<Gate> = (0..TASKS).map(|_| Gate::new()).collect();
    let (returned, run_returned) = mpsc::channel::<()>();
    let opener = {
        let gates = gates.clone();
        thread::spawn(move || {
            for gate in &gates {
                if !gate.wait_for_polls(1, GRACE) {
                    return;
                }
            }
            let _ = run_returned.recv_timeout(HOLD);
            for gate in &gates {
                gate.grant();
            }
        })
    };
    let scenario_gates = gates.clone();
    let outcome = within(GRACE + HOLD, move || {
        let executor = Executor::new();
        let finished = Rc::new(Cell::new(0));
        for gate in &scenario_gates {
            let gate = gate.clone();
            let finished = Rc::clone(&finished);
            executor.spawn(async move {
                gate.wait().await;
                finished.set(finished.get() + 1);
            });
        }
        executor.run();
        let _ = returned.send(());
        finished.get()
    });
    let polls: Vec<usize> = gates.iter().map(Gate::polls).collect();
    let Some(finished) = outcome else {
        let first_polls = polls.iter().filter(|p| **p >= 1).count();
        if first_polls < TASKS {
            panic!(
                "run did not return within {GRACE:?}, and only {first_polls} of {TASKS} new \
                 tasks were ever polled: run must poll every spawned task"
            );
        }
        panic!(
            "{TASKS} tasks waited for wakes from another thread; the thread woke them all, but \
             {GRACE:?} later run had still not finished (polls per task: {polls:?}). The waker \
             must put its task on the run queue *and* wake the thread sleeping in run (notify \
             its condition variable, or unpark it)"
        );
    };
    opener
        .join()
        .expect("the test's waking thread doesn't panic");
    assert_eq!(
        finished,
        TASKS,
        "run returned while {} of {TASKS} tasks were still waiting for a wake from another \
         thread: run must return only when every task has finished. When the queue is empty but \
         tasks are pending, sleep until a waker wakes one",
        TASKS - finished
    );
}

pub fn run_polls_a_task_once_per_batch_of_wakes() {
    // Task A waits at a gate. Task B wakes A ten times within one of its own polls — from the
    // executor thread and from a thread it joins — so all ten land before A can run: one batch.
    // Then B waits until A was polled again, and sends a second batch, this time with the grant
    // that lets A finish. A's polls: the first, one per batch. Deterministic: no wake of the
    // batches can come while A is being polled.
    const ROUNDS: usize = 20;
    let outcome = within(GRACE + QUIET, || {
        let executor = Executor::new();
        let a = Gate::new();
        executor.spawn(a.wait());
        let b_gate = a.clone();
        executor.spawn(async move {
            let a = b_gate;
            while a.polls() < 1 {
                yield_now().await;
            }
            wake_ten_times(&a);
            while a.polls() < 2 {
                yield_now().await;
            }
            a.grant();
            wake_ten_times(&a);
        });
        // And one task that wakes itself WAKES_PER_POLL times in each poll, then goes quiet.
        let (restless, restless_polls) = Restless::new(ROUNDS);
        executor.spawn(restless);
        executor.run();
        (a.polls(), restless_polls.load(Ordering::SeqCst))
    });
    let Some((a_polls, restless_polls)) = outcome else {
        panic!(
            "run did not return within {GRACE:?}: a task woken ten times by another task was \
             never polled again, or a task that wakes itself during its poll was forgotten"
        );
    };
    assert_eq!(
        a_polls, 3,
        "a task was woken in two batches of ten wakes (each batch before it could run again), \
         and polled {a_polls} times, not 3 (the first poll, one per batch): a task woken many \
         times while it waits in the run queue must be in the queue once. Give each task a \
         'queued' flag; only the wake that sets it puts the task on the queue"
    );
    let expected = Restless::expected_polls(ROUNDS);
    assert_eq!(
        restless_polls, expected,
        "a task that wakes itself {WAKES_PER_POLL} times during each of {ROUNDS} polls, then \
         waits for one wake from another thread, was polled {restless_polls} times, not \
         {expected}: the wakes of one poll must queue it once"
    );
}

/// Ten wakes of gate `a`'s future: four on this thread, six from a thread joined before return.
fn wake_ten_times(a: &Gate) {
    let waker = a.waker().expect("A was polled, so it left a waker");
    for _ in 0..2 {
        waker.wake_by_ref();
        waker.clone().wake();
    }
    thread::scope(|scope| {
        scope.spawn(|| {
            for _ in 0..3 {
                waker.wake_by_ref();
                waker.clone().wake();
            }
        });
    });
}

pub fn run_keeps_wakes_that_come_during_poll() {
    // Tasks that yield: each wakes itself during its poll, then returns Pending. Some wake from
    // another thread, still during the poll.
    let outcome = within(GRACE, || {
        let executor = Executor::new();
        let finished = Rc::new(Cell::new(0));
        for task in 0..10 {
            let finished = Rc::clone(&finished);
            executor.spawn(async move {
                for _ in 0..100 {
                    if task % 2 == 0 {
                        yield_now().await;
                    } else {
                        yield_from_another_thread().await;
                    }
                }
                finished.set(finished.get() + 1);
            });
        }
        executor.run();
        finished.get()
    });
    let Some(finished) = outcome else {
        panic!(
            "tasks that yield (wake themselves during their poll, then return Pending) were \
             never polled again: run did not return within {GRACE:?}. A wake that comes while \
             the task is being polled must queue it again — clear the task's 'queued' flag \
             *before* you poll it, not after"
        );
    };
    assert_eq!(
        finished, 10,
        "run returned when {finished} of 10 yielding tasks had finished"
    );
}

/// Like `yield_now`, but the wake comes from another thread (joined before the poll returns).
async fn yield_from_another_thread() {
    let mut yielded = false;
    poll_fn(|cx| {
        if yielded {
            return Poll::Ready(());
        }
        yielded = true;
        let waker = cx.waker().clone();
        thread::scope(|scope| {
            scope.spawn(move || waker.wake());
        });
        Poll::Pending
    })
    .await;
}

pub fn run_never_polls_a_task_nobody_woke() {
    // S waits at a gate that nobody wakes while Y yields 1000 times (and two more tasks yield
    // a while); only then does Y open S's gate. S's polls: the first, and the one after Y's wake.
    const YIELDS: usize = 1000;
    let outcome = within(GRACE, || {
        let executor = Executor::new();
        let s = Gate::new();
        executor.spawn(s.wait());
        let opener = s.clone();
        executor.spawn(async move {
            for _ in 0..YIELDS {
                yield_now().await;
            }
            opener.grant();
        });
        for _ in 0..2 {
            executor.spawn(async {
                for _ in 0..YIELDS / 2 {
                    yield_now().await;
                }
            });
        }
        executor.run();
        s.polls()
    });
    let Some(s_polls) = outcome else {
        panic!(
            "run did not return within {GRACE:?} for a task that waits at a gate and three that \
             yield ({YIELDS} times at most), the last of which opens the gate and wakes it"
        );
    };
    assert_eq!(
        s_polls, 2,
        "a task that returned Pending and was not woken until another task had yielded {YIELDS} \
         times was polled {s_polls} times, not 2 (the first poll, and one after its wake): poll \
         only the tasks on the run queue, and let only wakers put tasks there — not every \
         pending task on every round"
    );
}

pub fn run_ignores_wakers_of_finished_tasks() {
    // A task finishes and leaves its waker behind. That stale waker is woken before new tasks are
    // spawned (an executor that reuses the finished task's slot now has a stale entry for it), and
    // again while G, a new task, waits at a gate. G must not be polled for wakes that were never
    // its own. Then the stale waker and G's are woken after run returned, and after the executor
    // was dropped: nothing may happen, and nothing may panic.
    let outcome = within(GRACE, || {
        let executor = Executor::new();
        let left_behind: Rc<RefCell<Option<Waker>>> = Rc::new(RefCell::new(None));
        let keep = Rc::clone(&left_behind);
        executor.spawn(async move {
            poll_fn(|cx| {
                *keep.borrow_mut() = Some(cx.waker().clone());
                Poll::Ready(())
            })
            .await;
        });
        executor.run();
        let stale = left_behind
            .take()
            .expect("the first task ran, so it left its waker");
        stale.wake_by_ref();

        let g = Gate::new();
        executor.spawn(g.wait());
        let (h_gate, h_stale) = (g.clone(), stale.clone());
        executor.spawn(async move {
            while h_gate.polls() < 1 {
                yield_now().await;
            }
            for _ in 0..5 {
                h_stale.wake_by_ref();
            }
            let from_thread = h_stale.clone();
            thread::spawn(move || from_thread.wake())
                .join()
                .expect("waking doesn't panic");
            for _ in 0..20 {
                yield_now().await;
            }
            h_gate.grant();
        });
        executor.run();
        let g_polls = g.polls();

        // After run returned, and after the executor is gone: harmless.
        stale.wake_by_ref();
        let g_waker = g.waker().expect("G was polled, so it left a waker");
        g_waker.wake_by_ref();
        drop(executor);
        stale.wake_by_ref();
        thread::spawn(move || {
            stale.wake();
            g_waker.wake();
        })
        .join()
        .is_ok()
        .then_some(g_polls)
    });
    let Some(g_polls) = outcome else {
        panic!(
            "run did not return within {GRACE:?} in a scenario where a finished task's waker is \
             woken again (between runs, and while other tasks run)"
        );
    };
    let Some(g_polls) = g_polls else {
        panic!(
            "waking a finished task's waker (or any waker after its executor was dropped) from \
             another thread panicked: such a wake must do nothing"
        );
    };
    assert_eq!(
        g_polls, 2,
        "a task that waited at a gate was polled {g_polls} times, not 2 (the first poll, and one \
         after its only wake), while the waker of an earlier, finished task was woken: that wake \
         reached the new task. If tasks live in slots that are reused, the waker must carry \
         something the new occupant doesn't share (a generation, or its own Arc) — or never \
         reuse task ids"
    );
}

pub fn run_frees_finished_tasks() {
    // 100,000 tasks, spawned by a driver task 1,000 at a time. Each is wrapped with a live-work
    // token that counts until the executor drops the future (an async block drops what it holds
    // when it finishes, so the token can't live inside it). When a batch has finished, its
    // futures must be gone (one batch of lag is tolerated): memory bounded by live tasks, not by
    // tasks ever spawned.
    const BATCHES: usize = 100;
    const BATCH: usize = 1_000;
    let live = LiveWork::new();
    let driver_live = live.clone();
    let outcome = within(Duration::from_secs(20), move || {
        let live = driver_live;
        let executor = Rc::new(Executor::new());
        let spawner = Rc::clone(&executor);
        let verdict: Rc<Cell<Option<(usize, usize)>>> = Rc::new(Cell::new(None));
        let report = Rc::clone(&verdict);
        let probe = live.clone();
        executor.spawn(async move {
            for batch in 1..=BATCHES {
                let remaining = Rc::new(Cell::new(BATCH));
                let done = Gate::new();
                for _ in 0..BATCH {
                    let (remaining, done) = (Rc::clone(&remaining), done.clone());
                    let task = async move {
                        yield_now().await;
                        remaining.set(remaining.get() - 1);
                        if remaining.get() == 0 {
                            done.grant();
                        }
                    };
                    spawner.spawn(Tracked::new(task, probe.start()));
                }
                done.wait().await;
                let unfreed = probe.live();
                if unfreed > BATCH {
                    report.set(Some((batch, unfreed)));
                    return;
                }
            }
        });
        executor.run();
        verdict.get()
    });
    let Some(verdict) = outcome else {
        panic!(
            "run did not return within 20 s for 100,000 small tasks (spawned 1,000 at a time by \
             a task that waits for each thousand to finish): does run poll only queued tasks?"
        );
    };
    if let Some((batch, unfreed)) = verdict {
        panic!(
            "after {batch} batches of {BATCH} tasks had finished, the futures of {unfreed} \
             finished tasks were still alive: a finished task must be dropped (its future with \
             it) as soon as it returns Ready — keeping finished tasks until run returns, or \
             forever, grows memory with every task ever spawned"
        );
    }
    assert_eq!(
        live.started(),
        BATCHES * BATCH,
        "the driver task should have spawned {} tasks; it spawned {}",
        BATCHES * BATCH,
        live.started()
    );
    assert_eq!(
        live.live(),
        0,
        "run returned, but {} finished tasks' futures were still alive",
        live.live()
    );
}

pub fn run_does_not_spin_while_waiting() {
    // One task waits for a thread that sleeps; correct code sleeps too (see
    // block_on_does_not_spin_while_waiting for why the bar is low and one-sided).
    let nap = Duration::from_millis(200);
    let gate = Gate::new();
    let opener = {
        let gate = gate.clone();
        thread::spawn(move || {
            if gate.wait_for_polls(1, GRACE) {
                thread::sleep(nap);
                gate.grant();
            }
        })
    };
    let task_gate = gate.clone();
    let usage = within(GRACE + nap, move || {
        let executor = Executor::new();
        executor.spawn(task_gate.wait());
        CpuMeter::measure(|| executor.run()).1
    });
    let Some(usage) = usage else {
        panic!(
            "run never returned for a task that another thread woke after {nap:?}: does the \
             waker wake the thread sleeping in run?"
        );
    };
    opener
        .join()
        .expect("the test's waking thread doesn't panic");
    let Some(usage) = usage else {
        harness::skip("this platform doesn't let the test read the process's CPU time");
    };
    assert!(
        usage.cpu_per_wall() < 0.1,
        "while run waited {:.0?} for a wake from another thread (its only task pending), the \
         process burned {:.0?} of CPU ({:.0}% of a CPU): run keeps the CPU busy when its queue \
         is empty. Sleep until a waker wakes the thread (Condvar::wait, thread::park, or a \
         blocking channel receive)",
        usage.wall,
        usage.cpu,
        usage.cpu_per_wall() * 100.0
    );
}

/// What is missing from or repeated in `results` (pairs `(i, i*i)`, sorted), for `range`.
fn describe(results: &[(u64, u64)], range: std::ops::Range<u64>) -> String {
    let missing: Vec<u64> = range
        .filter(|i| !results.iter().any(|(j, _)| j == i))
        .collect();
    let repeated = results.windows(2).filter(|w| w[0].0 == w[1].0).count();
    let wrong = results.iter().filter(|(i, sq)| i * i != *sq).count();
    let mut parts = Vec::new();
    if !missing.is_empty() {
        let shown: Vec<String> = missing.iter().take(10).map(u64::to_string).collect();
        parts.push(format!("missing task(s) {}", shown.join(", ")));
    }
    if repeated > 0 {
        parts.push(format!("{repeated} repeated"));
    }
    if wrong > 0 {
        parts.push(format!("{wrong} wrong"));
    }
    if parts.is_empty() {
        "all as expected".into()
    } else {
        parts.join("; ")
    }
}
