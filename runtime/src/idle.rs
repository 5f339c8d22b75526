//! Which workers are searching for work and which are asleep — Go's `nmspinning` and `pidle`.
//!
//! One word packs two counts: workers *searching* (awake, out of local work, stealing; Go's
//! spinning Ms) in the low 16 bits and workers *sleeping* (parked) above. The list of sleepers
//! sits behind a mutex that is taken only when a worker goes to sleep or is woken.
//!
//! Rules, from tokio's `idle.rs` and Go's `wakep`:
//! * At most half the workers search at once (`2 * searching < workers`), so an idle runtime
//!   doesn't burn every core hunting for one task.
//! * Whoever makes work available wakes a sleeper only if *nobody is searching* (a searcher will
//!   find it) and somebody sleeps. The check is one plain load of this word; a woken worker
//!   starts out searching, so a spawn storm wakes one worker, not one per spawn.
//! * A searcher that finds work and was the last searcher wakes the next one (chaining).
//! * Lost wake-ups are ruled out by the order both sides follow (see `worker::Local::park` and
//!   `scheduler::Shared::schedule_remote`): a sleeper first registers (a SeqCst RMW on this
//!   word), fences, then re-checks every queue; a remote poster first pushes, fences, then
//!   reads this word. With a SeqCst fence on each side, one of the two always sees the other.
//!   A *local* push (from a running worker) skips the fence: if it misses a sleeper, the
//!   pusher itself is awake and runs the task (rayon's argument). And in case the pusher then blocks its thread (a task calling
//!   `wait_blocking`), a sleeper re-checks every 10 ms while any other worker is awake — a tiny
//!   Go `sysmon` — so work can be delayed by a missed wake-up, never stranded.

use std::sync::atomic::{fence, AtomicUsize, Ordering::SeqCst};
use std::sync::Mutex;

const SEARCH_ONE: usize = 1;
const SLEEP_ONE: usize = 1 << 16;

/// The searching/sleeping counts and the sleeper list of one runtime.
#[derive(Debug)]
pub(crate) struct Idle {
    state: AtomicUsize,
    sleepers: Mutex<Vec<usize>>,
    workers: usize,
}

fn searching(state: usize) -> usize {
    state & (SLEEP_ONE - 1)
}

fn sleeping(state: usize) -> usize {
    state / SLEEP_ONE
}

impl Idle {
    pub(crate) fn new(workers: usize) -> Self {
        Idle {
            state: AtomicUsize::new(0),
            sleepers: Mutex::new(Vec::with_capacity(workers)),
            workers,
        }
    }

    /// Asks to become a searcher; refused when half the workers already search.
    pub(crate) fn try_start_searching(&self) -> bool {
        if 2 * searching(self.state.load(SeqCst)) >= self.workers {
            return false;
        }
        self.state.fetch_add(SEARCH_ONE, SeqCst);
        true
    }

    /// Stops searching; true if this was the last searcher. Fenced like `register_sleeper`:
    /// the caller may look at the queues next.
    pub(crate) fn stop_searching(&self) -> bool {
        let last = searching(self.state.fetch_sub(SEARCH_ONE, SeqCst)) == 1;
        fence(SeqCst);
        last
    }

    /// The plain load that decides whether a wake-up is needed at all.
    pub(crate) fn should_wake(&self) -> bool {
        // SeqCst load: on x86 a plain `mov`; for remote posters a SeqCst fence precedes it.
        let s = self.state.load(SeqCst);
        searching(s) == 0 && sleeping(s) > 0
    }

    /// True while some worker other than the caller (a registered sleeper) is not asleep.
    pub(crate) fn others_awake(&self) -> bool {
        sleeping(self.state.load(SeqCst)) < self.workers
    }

    /// Picks a sleeper to wake, counting it as a searcher from now on.
    pub(crate) fn pick_sleeper(&self) -> Option<usize> {
        let mut sleepers = self.lock();
        if searching(self.state.load(SeqCst)) != 0 {
            return None; // someone started searching meanwhile: they will find the work
        }
        let index = sleepers.pop()?;
        self.state.fetch_sub(SLEEP_ONE - SEARCH_ONE, SeqCst);
        Some(index)
    }

    /// Empties the sleeper list (shutdown, which then unparks every worker).
    pub(crate) fn forget_sleepers(&self) {
        let mut sleepers = self.lock();
        self.state.fetch_sub(sleepers.len() * SLEEP_ONE, SeqCst);
        sleepers.clear();
    }

    /// Registers worker `index` as asleep, then fences, so the caller's final look at the
    /// queues can't miss a push whose poster then missed us. The fence matters: a SeqCst RMW
    /// followed by a plain acquire load is *not* enough in the C++ model — on x86 the locked
    /// RMW happens to be a full barrier, but Miri's weak-memory emulation found the lost
    /// wake-up (a deadlock) without it.
    pub(crate) fn register_sleeper(&self, index: usize) {
        let mut sleepers = self.lock();
        sleepers.push(index);
        self.state.fetch_add(SLEEP_ONE, SeqCst);
        drop(sleepers);
        fence(SeqCst);
    }

    /// Removes worker `index` from the sleepers. False if a waker already took it out — the
    /// waker then counted it as searching and has unparked (or will unpark) it.
    pub(crate) fn unregister_sleeper(&self, index: usize) -> bool {
        let mut sleepers = self.lock();
        match sleepers.iter().position(|&i| i == index) {
            Some(pos) => {
                sleepers.swap_remove(pos);
                self.state.fetch_sub(SLEEP_ONE, SeqCst);
                true
            }
            None => false,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<usize>> {
        crate::sync::lock(&self.sleepers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_half_search() {
        let idle = Idle::new(4);
        assert!(idle.try_start_searching());
        assert!(idle.try_start_searching());
        assert!(!idle.try_start_searching());
        assert!(!idle.stop_searching());
        assert!(idle.stop_searching());
    }

    #[test]
    fn wake_only_when_nobody_searches_and_someone_sleeps() {
        let idle = Idle::new(2);
        assert!(!idle.should_wake());
        idle.register_sleeper(1);
        assert!(idle.should_wake());
        assert!(idle.try_start_searching());
        assert!(!idle.should_wake());
        assert_eq!(idle.pick_sleeper(), None);
        idle.stop_searching();
        assert_eq!(idle.pick_sleeper(), Some(1));
        assert!(
            !idle.unregister_sleeper(1),
            "a picked sleeper is no longer registered"
        );
        assert!(
            idle.stop_searching(),
            "the picked sleeper counts as searching"
        );
    }
}
