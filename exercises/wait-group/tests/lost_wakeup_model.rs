//! The lost wake-up, found by a model checker rather than by luck.
//!
//! A tiny model of the two halves of a WaitGroup: a waiter that checks the count and registers
//! itself (its "waker" is a flag that `done` sets), and the last `done`, which takes the count to
//! zero and wakes whoever is registered. `loom::model` runs the two threads in every order their
//! atomic operations and lock acquisitions can take (within loom's bounds), so the one order
//! that loses the wake-up — the waiter sees 1, then the whole `done` runs, then the waiter
//! registers — is found on every run, on any machine. Checking the count again under the lock
//! that `done` takes before it wakes anyone passes in every order.
//!
//! loom's types are used directly (`loom::sync::Mutex`, `loom::thread::spawn`), so no special
//! `--cfg` is needed. These tests never call your WaitGroup: they pass on the starter, and show
//! the race your `poll` must not lose.

use std::panic::{self, AssertUnwindSafe};

use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use loom::sync::{Arc, Mutex};
use loom::thread;

const LOST: &str = "the waiter registered, nobody woke it";

/// The shared half: the count, and the "wakers" of registered waiters.
#[derive(Default)]
struct Group {
    count: AtomicUsize,
    waiters: Mutex<Vec<Arc<AtomicBool>>>,
}

impl Group {
    /// The `done` that takes the count from 1 to 0: decrement, then wake the registered.
    fn last_done(&self) {
        let previous = self.count.fetch_sub(1, Ordering::AcqRel);
        assert_eq!(previous, 1, "the model starts at a count of 1");
        let waiters = std::mem::take(&mut *self.waiters.lock().unwrap());
        for woken in waiters {
            woken.store(true, Ordering::Release);
        }
    }
}

/// A waiter's first poll: `true` is Ready; `false` is Pending with `woken` registered.
type Poll = fn(&Group, &Arc<AtomicBool>) -> bool;

/// Checks the count, then registers under the lock without checking again.
fn check_then_register(group: &Group, woken: &Arc<AtomicBool>) -> bool {
    if group.count.load(Ordering::Acquire) == 0 {
        return true;
    }
    // The whole last_done() can run right here.
    group.waiters.lock().unwrap().push(Arc::clone(woken));
    false
}

/// Checks, then takes the lock and checks again before registering.
fn check_again_under_the_lock(group: &Group, woken: &Arc<AtomicBool>) -> bool {
    if group.count.load(Ordering::Acquire) == 0 {
        return true;
    }
    let mut waiters = group.waiters.lock().unwrap();
    // last_done() decrements before it takes this lock: if it already has, we see zero here;
    // if it hasn't, it will find our flag when it does.
    if group.count.load(Ordering::Acquire) == 0 {
        return true;
    }
    waiters.push(Arc::clone(woken));
    false
}

/// A group at 1, one waiter polling once while another thread calls the last `done`.
fn waiter_races_the_last_done(poll: Poll) {
    loom::model(move || {
        let group = Arc::new(Group::default());
        group.count.store(1, Ordering::Relaxed);
        let finisher = {
            let group = Arc::clone(&group);
            thread::spawn(move || group.last_done())
        };
        let woken = Arc::new(AtomicBool::new(false));
        let ready = poll(&group, &woken);
        finisher.join().expect("last_done returned");
        assert!(ready || woken.load(Ordering::Acquire), "{LOST}");
    });
}

#[test]
fn loom_finds_the_lost_wake_up_of_check_then_register() {
    // loom reports the failing interleaving by panicking; catch it and check it is ours.
    let quiet = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| {
        waiter_races_the_last_done(check_then_register)
    }));
    panic::set_hook(quiet);
    let payload = outcome.expect_err("loom must find an order that loses the wake-up");
    let message = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or_default();
    assert!(
        message.contains(LOST),
        "loom failed the model, but not on the lost wake-up: {message}"
    );
}

#[test]
fn loom_finds_no_lost_wake_up_when_checking_again_under_the_lock() {
    waiter_races_the_last_done(check_again_under_the_lock);
}
