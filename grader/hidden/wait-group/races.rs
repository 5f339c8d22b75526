//! Lost wake-ups: the last `done` slips in between a waiter's "is the count zero?" and its
//! "register my waker", wakes the waiters registered so far, and the late waiter sleeps forever.
//!
//! On a real schedule that window is a few nanoseconds wide and is hit once in many runs. The test
//! doesn't wait for luck: its waker runs a hook inside its `clone` — the moment a waiter has seen
//! a count above zero and is copying the waker to register it. The hook has another thread call
//! the last `done` and waits for that `done` to return, so the count reaches zero (and the
//! registered waiters are woken) between the check and the registration on EVERY run. Code that
//! checks, clones, then registers without checking again loses the wake-up every time.
//!
//! Correct code may clone the waker while holding the lock that `done` needs. Then that `done`
//! can't finish until the poll returns, so the hook stops waiting after [`PATIENCE`] and lets the
//! poll go on; the `done` completes right after, and finds the waker registered. Such code pays
//! the patience once per scenario; it never fails for it. Wrong code is caught as long as the
//! helper thread runs its `done` within the patience, which it does in microseconds.
//!
//! What no hook can force: code that checks the count, then takes its lock and clones and
//! registers under it, without checking again. It loses the wake-up only when the last `done`
//! gets that lock before the waiter although the waiter checked first — the order in which two
//! threads waiting for one lock get it, which nothing outside the lock can choose (a hook inside
//! the waiter's clone comes too late: the waiter already holds the lock). Racing the two threads
//! thousands of times (with a spinning start barrier, random offsets and a third thread
//! contending for the lock) caught it in only some runs, at seconds per run on a 2-core
//! machine, so no test here relies on luck for it. The exercise's own
//! `tests/lost_wakeup_model.rs` shows that interleaving with a model checker instead, and the
//! chapter explains the rule that avoids both shapes: check again under the lock that the last
//! `done` takes before it wakes anyone.

use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex, PoisonError};
use std::task::Poll;
use std::thread;
use std::time::Duration;

use probes::WakerProbe;
use wait_group::WaitGroup;

use crate::support::{finishes, poll_once};

/// How long the hook waits for the helper's `done` to return before it lets the poll go on. Wrong
/// code needs the helper to finish within it (microseconds of work, on a thread already running);
/// correct code that clones under its lock waits it out once per scenario.
const PATIENCE: Duration = Duration::from_millis(300);

type Job = Box<dyn FnOnce() + Send>;

/// A thread that runs the test's jobs one at a time and counts the ones that returned.
#[derive(Clone)]
struct Helper {
    jobs: mpsc::Sender<Job>,
    finished: Arc<(Mutex<usize>, Condvar)>,
}

impl Helper {
    fn start() -> Helper {
        let (jobs, queue) = mpsc::channel::<Job>();
        let finished = Arc::new((Mutex::new(0), Condvar::new()));
        let counted = Arc::clone(&finished);
        thread::Builder::new()
            .name("last_done".into())
            .spawn(move || {
                for job in queue {
                    job();
                    let (count, changed) = &*counted;
                    *count.lock().unwrap_or_else(PoisonError::into_inner) += 1;
                    changed.notify_all();
                }
            })
            .expect("the test can start a thread");
        Helper { jobs, finished }
    }

    /// Hands `job` to the helper thread; returns how many jobs must have finished for it to be.
    fn run(&self, job: impl FnOnce() + Send + 'static) -> usize {
        let ticket = {
            let (count, _) = &*self.finished;
            *count.lock().unwrap_or_else(PoisonError::into_inner) + 1
        };
        self.jobs
            .send(Box::new(job))
            .expect("the helper thread is running");
        ticket
    }

    /// Waits until job `ticket` has returned, for at most `limit`; whether it has.
    fn finished_within(&self, ticket: usize, limit: Duration) -> bool {
        let (count, changed) = &*self.finished;
        let guard = count.lock().unwrap_or_else(PoisonError::into_inner);
        let (guard, _) = changed
            .wait_timeout_while(guard, limit, |done| *done < ticket)
            .unwrap_or_else(PoisonError::into_inner);
        *guard >= ticket
    }
}

/// What else is going on in the group when the race is forced.
#[derive(Clone, Copy, Debug)]
enum Scenario {
    /// A new group, add(1), one waiter.
    Fresh,
    /// Three other futures already wait (the list of waiters is not empty).
    OthersWaiting,
    /// The group has reached zero before and is counting again.
    Reused,
}

pub fn no_lost_wake_up_when_the_count_reaches_zero_during_registration() {
    let helper = Helper::start();
    for scenario in [Scenario::Fresh, Scenario::OthersWaiting, Scenario::Reused] {
        let group = WaitGroup::new();
        if let Scenario::Reused = scenario {
            group.add(2);
            group.done();
            group.done();
        }
        group.add(1);
        let others: Vec<(WakerProbe, _)> = match scenario {
            Scenario::OthersWaiting => (0..3)
                .map(|_| {
                    let probe = WakerProbe::new();
                    let mut wait = Box::pin(group.wait());
                    assert!(poll_once(wait.as_mut(), &probe.waker()).is_pending());
                    (probe, wait)
                })
                .collect(),
            _ => Vec::new(),
        };

        let probe = WakerProbe::new();
        let hooked = Arc::new(AtomicBool::new(false));
        let last_done = {
            let helper = helper.clone();
            let group = group.clone();
            let hooked = Arc::clone(&hooked);
            move || {
                hooked.store(true, Ordering::SeqCst);
                let ticket = helper.run(move || group.done());
                // Returns early (after PATIENCE) only when that done() is blocked — by a lock
                // this very poll holds, in correct code.
                let _ = helper.finished_within(ticket, PATIENCE);
            }
        };
        probe.on_next_clone(last_done);
        let waker = probe.waker();
        let mut wait = pin!(group.wait());
        let first = poll_once(wait.as_mut(), &waker);
        if !hooked.load(Ordering::SeqCst) {
            // This poll took no copy of the waker, so the hook never ran: finish the count here.
            group.done();
        }
        // The poll has returned, so no lock of the poll is held: the last done() can finish.
        {
            let helper = helper.clone();
            let ticket = helper.run(|| {});
            finishes(
                "last_done",
                "done() called from another thread never returned (while no wait was being \
                 polled): does done() wait for something, or deadlock on its own lock?",
                move || while !helper.finished_within(ticket, Duration::from_secs(1)) {},
            );
        }
        if first == Poll::Pending {
            assert!(
                probe.wakes() >= 1,
                "a lost wake-up ({scenario:?}): wait() saw the count at 1 and, while it was \
                 taking a copy of the waker to register it, another thread's done() took the \
                 count to zero and woke the waiters registered so far. wait() then registered \
                 its waker and returned Pending — and nobody will ever wake it: the task sleeps \
                 forever. (A real schedule hits this window now and then; the test's waker calls \
                 done() from inside its clone, so it hits it every time.) Check the count again \
                 after registering, under the lock that the last done() takes before it wakes \
                 anyone, and return Ready if it is zero."
            );
            assert!(
                poll_once(wait.as_mut(), &waker).is_ready(),
                "({scenario:?}) the waiter was woken after the count reached zero, but its next \
                 poll returned Pending"
            );
        }
        for (i, (other, mut wait)) in others.into_iter().enumerate() {
            assert!(
                other.wakes() >= 1 && poll_once(wait.as_mut(), &other.waker()).is_ready(),
                "({scenario:?}) waiter {i}, registered before the race, was not woken by the \
                 last done()"
            );
        }
    }
}
