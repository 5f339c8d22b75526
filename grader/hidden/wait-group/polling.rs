//! `wait()` polled by hand with counting wakers ([`WakerProbe`]), on one thread: every verdict
//! here is a count — Ready or Pending, woken or not, how many waker copies the group still holds —
//! so it is the same on every run, on any machine.

use std::pin::pin;
use std::thread;

use probes::WakerProbe;
use wait_group::WaitGroup;

use crate::support::{finishes, panic_of, poll_once};

/// A group at zero: `wait()` is ready at its first poll and `wait_blocking()` returns — for a new
/// group, a default one, and one whose jobs have all finished.
pub fn wait_is_ready_at_once_when_the_count_is_zero() {
    let finished = WaitGroup::new();
    finished.add(3);
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let group = finished.clone();
            thread::spawn(move || group.done())
        })
        .collect();
    for thread in threads {
        thread.join().expect("done() on a thread");
    }
    let added_nothing = WaitGroup::new();
    added_nothing.add(0);
    let groups = [
        ("WaitGroup::new()", WaitGroup::new()),
        ("WaitGroup::default()", WaitGroup::default()),
        ("a group after add(0)", added_nothing),
        ("a group after add(3) and three done()s", finished),
    ];
    for (what, group) in groups {
        let probe = WakerProbe::new();
        let waker = probe.waker();
        {
            let wait = pin!(group.wait());
            assert!(
                poll_once(wait, &waker).is_ready(),
                "{what}: the first poll of wait() returned Pending, but the count is zero, so \
                 the wait is over before it starts — nobody will ever call done() to wake it. \
                 Check the count first; register a waker only when it isn't zero."
            );
        }
        let kept = probe.live() - 1;
        assert!(
            kept == 0,
            "{what}: wait() was ready at once, yet the group still holds {kept} copy(ies) of its \
             waker after the future was dropped; a wait that is over must leave nothing behind"
        );
        let blocking = group.clone();
        finishes(
            "wait_blocking",
            &format!(
                "{what}: wait_blocking() never returned, though the count is zero. It must look \
                 at the count before it blocks (a Condvar wait without a check waits for a \
                 notification that already happened, or never comes)."
            ),
            move || blocking.wait_blocking(),
        );
    }
}

/// `wait()` stays Pending, however often it is polled, until the last `done`, which wakes it.
pub fn wait_is_pending_until_the_last_done() {
    let group = WaitGroup::new();
    group.add(2);
    let probe = WakerProbe::new();
    let waker = probe.waker();
    let mut wait = pin!(group.wait());
    type Step = (&'static str, fn(&WaitGroup));
    let steps: [Step; 4] = [
        ("after add(2)", |_| {}),
        ("after add(2) and one done()", WaitGroup::done),
        ("after add(2), done() and add(1)", |g| g.add(1)),
        ("after add(2), done(), add(1) and done()", WaitGroup::done),
    ];
    for (state, step) in steps {
        step(&group);
        // Twice: a runtime may poll a task that nobody woke (it shares a `join!` or a `select!`
        // with other futures); such a poll is no news from the group.
        for poll in ["first", "second"] {
            assert!(
                poll_once(wait.as_mut(), &waker).is_pending(),
                "{state}, the {poll} poll of wait() returned Ready, but the count is not zero. \
                 Ready means \"the count is zero\"; a poll is no proof of a wake-up (runtimes \
                 poll futures nobody woke), so look at the count on every poll."
            );
        }
    }
    group.done();
    assert!(
        probe.wakes() >= 1,
        "wait() returned Pending while the count was 1, then the last done() took the count to \
         zero and did not wake the waker of that poll: the task would sleep forever. The done() \
         that reaches zero must wake every registered waker."
    );
    assert!(
        poll_once(wait.as_mut(), &waker).is_ready(),
        "after the last done() woke it, wait() was polled again and returned Pending: the count \
         is zero, so it must be Ready"
    );
}

/// A pending wait doesn't wake its own task, nor is it woken by a `done` that leaves the count
/// above zero: wake-ups come only when the count reaches zero, so a task waiting on a group is
/// polled about twice, not in a loop.
pub fn wait_is_woken_only_when_the_count_reaches_zero() {
    let group = WaitGroup::new();
    group.add(3);
    let probe = WakerProbe::new();
    let waker = probe.waker();
    let mut wait = pin!(group.wait());
    for _ in 0..3 {
        let _ = poll_once(wait.as_mut(), &waker);
    }
    let woken = probe.wakes();
    assert!(
        woken == 0,
        "wait() was polled three times while the count was 3, and its waker was woken {woken} \
         time(s) — by the future itself, since nothing else happened. A future that wakes its \
         own task and returns Pending is polled again at once, and again: a busy loop that \
         keeps a worker at 100% CPU. Store the waker and return Pending; the last done() wakes it."
    );
    group.done();
    group.done();
    let woken = probe.wakes();
    assert!(
        woken == 0,
        "two done()s took the count from 3 to 1, and the waiting future's waker was woken \
         {woken} time(s). Wake waiters only when the count reaches zero: a wake-up on every \
         done() polls every waiter once per finished job (thousands of useless polls)."
    );
    group.done();
    assert!(
        probe.wakes() >= 1,
        "the last done() took the count to zero and did not wake the waiting future's waker"
    );
    assert!(poll_once(wait.as_mut(), &waker).is_ready());
}

/// Go's rule: `done` more often than `add` panics ("negative WaitGroup counter").
pub fn done_below_zero_panics() {
    // The set-up runs on the test's thread, only the `done` that must panic on a thread of its
    // own: a panic anywhere else is a failure, not the panic this test asks for.
    let fresh = WaitGroup::new();
    let used = WaitGroup::new();
    used.add(2);
    used.done();
    used.done();
    let shared = WaitGroup::new();
    let other = shared.clone();
    shared.add(1);
    shared.done();
    let cases = [
        ("WaitGroup::new(), then done()", &fresh),
        ("add(2), two done()s, then a third done()", &used),
        (
            "add(1) and done() on one clone, then done() on another",
            &other,
        ),
    ];
    for (case, group) in cases {
        assert!(
            panic_of("done_below_zero", || group.done()).is_some(),
            "{case}: no panic. A done() with the count at zero is a bug in the caller (more \
             done()s than add()s), and Go panics with \"negative WaitGroup counter\"; so must \
             yours. fetch_sub on an AtomicUsize wraps around to usize::MAX instead — check \
             before you subtract (fetch_update with checked_sub, or a compare-exchange loop), or \
             subtract under the lock."
        );
    }
}

/// `add` on one clone, `done` on another, `wait` on a third: one count.
pub fn clones_share_one_count() {
    let original = WaitGroup::new();
    let before_add = original.clone();
    original.add(2);
    let after_add = before_add.clone();
    let probe = WakerProbe::new();
    let waker = probe.waker();
    if let Some(message) = panic_of("clone_done", || after_add.done()) {
        panic!(
            "add(2) on a group, then done() on a clone of a clone of it panicked ({message}): \
             clones must share one count — a clone is another handle to the same group (keep the \
             state behind an Arc and clone the Arc), not a copy of it"
        );
    }
    {
        let mut wait = pin!(before_add.wait());
        assert!(
            poll_once(wait.as_mut(), &waker).is_pending(),
            "add(2) on a group and done() on a clone: wait() on another clone was Ready, but the \
             count is 1. Clones must share one count (an Arc), not copy it."
        );
        original.done();
        assert!(
            probe.wakes() >= 1 && poll_once(wait.as_mut(), &waker).is_ready(),
            "add(2) and two done()s on clones of one group: a wait() on a third clone was not \
             woken and ready. Clones must share one count and one list of waiters."
        );
    }
    for (which, group) in [
        ("the original", &original),
        ("a clone made before add", &before_add),
        ("a clone made after add", &after_add),
        ("a clone made at zero", &original.clone()),
    ] {
        assert!(
            poll_once(pin!(group.wait()), &waker).is_ready(),
            "every clone's count reached zero together, but wait() on {which} returned Pending"
        );
    }
}

/// Many futures wait at once, each with its own waker: the last `done` wakes every one.
pub fn wakes_every_waiter() {
    const WAITERS: usize = 64;
    let group = WaitGroup::new();
    group.add(1);
    let probes: Vec<WakerProbe> = (0..WAITERS).map(|_| WakerProbe::new()).collect();
    let wakers: Vec<_> = probes.iter().map(WakerProbe::waker).collect();
    // Waits from different clones, as tasks that each got their own clone would make them.
    let clones: Vec<WaitGroup> = (0..WAITERS).map(|_| group.clone()).collect();
    let mut waits: Vec<_> = clones.iter().map(|g| Box::pin(g.wait())).collect();
    for (wait, waker) in waits.iter_mut().zip(&wakers) {
        assert!(poll_once(wait.as_mut(), waker).is_pending());
    }
    // Two futures of one task (a `join!` of two waits) share one waker.
    let shared = WakerProbe::new();
    let shared_waker = shared.waker();
    let mut pair = [Box::pin(group.wait()), Box::pin(group.wait())];
    for wait in &mut pair {
        assert!(poll_once(wait.as_mut(), &shared_waker).is_pending());
    }
    group.done();
    let never: Vec<usize> = (0..WAITERS).filter(|&i| probes[i].wakes() == 0).collect();
    assert!(
        never.is_empty(),
        "{WAITERS} futures waited on one group, each polled with its own waker; the last done() \
         woke {} of them and never woke waiter(s) {}. Every waiter must be woken: keep a waker \
         per waiting future (a Vec or a map of them), not one slot that the next poll \
         overwrites.",
        WAITERS - never.len(),
        list(&never)
    );
    assert!(
        shared.wakes() >= 1,
        "two waits polled with one waker (two futures of one task): the last done() did not \
         wake that waker"
    );
    for (i, wait) in waits.iter_mut().chain(&mut pair).enumerate() {
        assert!(
            poll_once(wait.as_mut(), &wakers[0]).is_ready(),
            "waiter {i} was polled after the count reached zero and returned Pending"
        );
    }
}

/// A task may be polled with a different waker than last time (moved to another worker, or
/// inside a combinator): the waker of the latest poll is the one to wake.
pub fn wakes_the_waker_of_the_latest_poll() {
    let group = WaitGroup::new();
    group.add(1);
    let first = WakerProbe::new();
    let latest = WakerProbe::new();
    {
        let mut wait = pin!(group.wait());
        assert!(poll_once(wait.as_mut(), &first.waker()).is_pending());
        assert!(poll_once(wait.as_mut(), &latest.waker()).is_pending());
        let old = first.live();
        assert!(
            old == 0,
            "wait() was polled with waker A, then again with waker B; {old} copy(ies) of A are \
             still held. Only the latest waker counts: replace the old one (Waker::will_wake \
             tells whether it is the same), don't collect one per poll."
        );
        group.done();
        assert!(
            latest.wakes() >= 1,
            "wait() was polled with waker A, then with waker B (its task moved), then the count \
             reached zero: B was not woken{}. The task now listens on B only, so it would sleep \
             forever. Replace the stored waker on every poll (unless will_wake says it is the \
             same one).",
            if first.wakes() > 0 { " (A was)" } else { "" }
        );
        assert!(poll_once(wait.as_mut(), &latest.waker()).is_ready());
    }
    assert_eq!(
        (first.live(), latest.live()),
        (0, 0),
        "after the wait completed and was dropped, copies of its wakers were still held"
    );
}

/// A future dropped before it completes (a timeout, a `select!` that took another branch) must
/// leave no waker behind: no leak while the group is pending, no wake-up of a task that moved on.
/// And one future polled many times keeps one waker, not one per poll.
pub fn dropped_waiters_leave_no_waker_behind() {
    const DROPPED: usize = 1_000;
    let group = WaitGroup::new();
    group.add(1);
    let probe = WakerProbe::new();
    let waker = probe.waker();
    for _ in 0..DROPPED {
        let mut wait = pin!(group.wait());
        assert!(poll_once(wait.as_mut(), &waker).is_pending());
    }
    let leaked = probe.live() - 1;
    assert!(
        leaked == 0,
        "{DROPPED} wait() futures were polled once and dropped while the count was 1; the group \
         still holds {leaked} copies of their waker. Each one keeps a task's memory alive and \
         grows the list without end (a loop that waits with a timeout never stops growing it). \
         impl Drop for Wait, and take the future's waker out of the group there."
    );
    group.done();
    let woken = probe.wakes();
    assert!(
        woken == 0,
        "{DROPPED} wait() futures were dropped before the count reached zero, and the last \
         done() still woke {woken} of their wakers. A dropped future's task may be doing \
         something else by now; take the waker out in Drop for Wait."
    );

    let group = WaitGroup::new();
    group.add(1);
    let polled = WakerProbe::new();
    let movers: Vec<WakerProbe> = (0..10).map(|_| WakerProbe::new()).collect();
    {
        let mut wait = pin!(group.wait());
        let waker = polled.waker();
        for _ in 0..DROPPED {
            assert!(poll_once(wait.as_mut(), &waker).is_pending());
        }
        let kept = polled.live() - 1;
        assert!(
            kept <= 1,
            "one wait() future polled {DROPPED} times with the same waker: {kept} copies of it \
             are held. Keep one waker per waiting future and replace it on the next poll; \
             pushing one per poll grows without end (runtimes poll a task that shares a \
             select! or join! whenever any of its futures is woken)."
        );
        for mover in &movers {
            assert!(poll_once(wait.as_mut(), &mover.waker()).is_pending());
        }
        let stale: usize = movers[..movers.len() - 1]
            .iter()
            .map(WakerProbe::live)
            .sum();
        assert!(
            stale == 0 && polled.live() == 1,
            "one wait() future was polled with 10 different wakers in turn; {} copies of the 9 \
             earlier ones are still held. Replace the stored waker; don't keep the old ones.",
            stale + polled.live() - 1
        );
        group.done();
        assert!(poll_once(wait.as_mut(), &waker).is_ready());
    }
    let left = movers.iter().map(WakerProbe::live).sum::<usize>() + polled.live();
    assert!(
        left == 0,
        "after the count reached zero and the wait completed and was dropped, the group still \
         held {left} waker copies"
    );
}

/// A group goes back to waiting when `add` follows a zero: waits that start then wait for the new
/// jobs, waits that start after those finish don't.
pub fn a_group_can_be_reused_after_reaching_zero() {
    let group = WaitGroup::new();
    for (round, jobs) in [1, 3, 2, 1, 5].into_iter().enumerate() {
        group.add(jobs);
        let probe = WakerProbe::new();
        let waker = probe.waker();
        let mut wait = pin!(group.wait());
        assert!(
            poll_once(wait.as_mut(), &waker).is_pending(),
            "round {round}: the count reached zero in an earlier round, then add({jobs}) made \
             it {jobs}, and a new wait() returned Ready. The count decides, every time: a flag \
             set when it first reached zero, and never cleared by add(), makes every later wait \
             return at once."
        );
        for _ in 0..jobs {
            group.done();
        }
        assert!(
            probe.wakes() >= 1,
            "round {round}: add({jobs}), a pending wait(), {jobs} done()s: the waiter was not \
             woken. (The group had reached zero in an earlier round: a wake-up that works once \
             and not after reuse?)"
        );
        assert!(poll_once(wait.as_mut(), &waker).is_ready());
        let blocking = group.clone();
        finishes(
            "wait_blocking",
            &format!(
                "round {round}: the count was back at zero, and wait_blocking() never returned"
            ),
            move || blocking.wait_blocking(),
        );
    }
}

fn list(indexes: &[usize]) -> String {
    let shown: Vec<String> = indexes.iter().take(8).map(usize::to_string).collect();
    if indexes.len() > shown.len() {
        format!("{} … ({} in all)", shown.join(", "), indexes.len())
    } else {
        shown.join(", ")
    }
}
