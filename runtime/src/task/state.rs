//! The state word: one `AtomicUsize` per task that says what the task is doing, who may touch
//! its future and output, which runtime owns it, and how many references it has.
//!
//! ```text
//! bits 24..64   reference count (REF_ONE = 1 << 24)
//! bits  8..24   owner slot (`OwnerId`, never changes, so RMWs below leave it alone)
//! bit   7       NAMED          kind: has an entry in the name table (`id`)
//! bit   6       BLOCKING       kind: a `spawn_blocking` closure
//! bit   5       JOIN_WAKER     the join-waker slot holds a waker the completer must wake
//! bit   4       JOIN_INTEREST  a `JoinHandle` still exists
//! bit   3       CANCELLED      aborted, or its runtime is shutting down
//! bit   2       COMPLETE       the future is gone; the output (if wanted) is stored
//! bit   1       RUNNING        a thread is polling (or dropping) the future right now
//! bit   0       SCHEDULED      queued, or about to be
//! ```
//!
//! Every change is one atomic step: `transition` runs a CAS loop with AcqRel, so whoever makes
//! a transition sees everything the previous one published (the future, the output, the join
//! waker). Each method names one transition of the protocol; callers never test or flip bits
//! themselves, they ask a `Snapshot`. The rules the bits encode are in `task`'s module header.

use super::owner::OwnerId;
use std::sync::atomic::{
    AtomicUsize,
    Ordering::{AcqRel, Acquire, Relaxed, Release},
};

const SCHEDULED: usize = 1 << 0;
const RUNNING: usize = 1 << 1;
const COMPLETE: usize = 1 << 2;
const CANCELLED: usize = 1 << 3;
const JOIN_INTEREST: usize = 1 << 4;
const JOIN_WAKER: usize = 1 << 5;
const BLOCKING: usize = 1 << 6;
const NAMED: usize = 1 << 7;
const OWNER_SHIFT: u32 = 8;
const REF_ONE: usize = 1 << 24;
const REF_MASK: usize = !(REF_ONE - 1);
/// A new task: queued, with a `JoinHandle`, and three references (owner, queue entry, handle).
const INITIAL: usize = SCHEDULED | JOIN_INTEREST | (3 * REF_ONE);

/// What kind of work a task is; fixed at spawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A future, polled by the workers.
    Future,
    /// A `spawn_blocking` closure, run once by the blocking pool.
    Blocking,
}

/// A task's state word. `repr(transparent)`: the slab relies on a block's first word being an
/// `AtomicUsize` (0 when the block is free), and this is that word.
#[repr(transparent)]
pub(crate) struct State(AtomicUsize);

/// One reading of the state word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Snapshot(usize);

impl Snapshot {
    pub(crate) fn is_scheduled(self) -> bool {
        self.0 & SCHEDULED != 0
    }
    pub(crate) fn is_running(self) -> bool {
        self.0 & RUNNING != 0
    }
    pub(crate) fn is_complete(self) -> bool {
        self.0 & COMPLETE != 0
    }
    pub(crate) fn kind(self) -> Kind {
        if self.0 & BLOCKING != 0 {
            Kind::Blocking
        } else {
            Kind::Future
        }
    }
    pub(crate) fn is_named(self) -> bool {
        self.0 & NAMED != 0
    }
    pub(super) fn has_join_interest(self) -> bool {
        self.0 & JOIN_INTEREST != 0
    }
    pub(super) fn has_join_waker(self) -> bool {
        self.0 & JOIN_WAKER != 0
    }
    /// The number of references.
    pub(super) fn refs(self) -> usize {
        self.0 / REF_ONE
    }
}

/// What a worker does with a task whose poll returned `Pending`.
pub(super) enum AfterPoll {
    /// Nobody woke it: it waits for a waker (the queue entry's reference is dropped).
    Idle,
    /// Woken during its own poll: queue it again (the reference stays with the new entry).
    Reschedule,
    /// Aborted during its poll: drop the future now.
    Cancel,
}

/// Applies `f` to a state word atomically (a CAS loop, AcqRel). `f` sees the current state and
/// returns the next one (`None`: leave it unchanged) and what to tell the caller.
fn transition<R>(state: &AtomicUsize, mut f: impl FnMut(usize) -> (Option<usize>, R)) -> R {
    let mut cur = state.load(Acquire);
    loop {
        let (next, result) = f(cur);
        let Some(next) = next else { return result };
        match state.compare_exchange_weak(cur, next, AcqRel, Acquire) {
            Ok(_) => return result,
            Err(actual) => cur = actual,
        }
    }
}

impl State {
    /// Publishes a new task: its fields, written before this, become visible to anyone who
    /// reads the word with Acquire (a walker that finds the block through the slab).
    pub(super) fn publish_new(&self, kind: Kind, named: bool, owner: OwnerId) {
        let kind = match kind {
            Kind::Future => 0,
            Kind::Blocking => BLOCKING,
        };
        let named = if named { NAMED } else { 0 };
        let owner = (owner.slot() as usize) << OWNER_SHIFT;
        self.0.store(INITIAL | kind | named | owner, Release);
    }

    /// Marks the block free (after the last reference is gone).
    pub(super) fn clear(&self) {
        // Release: the block's last user is done with it before the slab hands it out again.
        self.0.store(0, Release);
    }

    pub(crate) fn load(&self) -> Snapshot {
        Snapshot(self.0.load(Acquire))
    }

    /// The runtime that owns the task. Relaxed: the owner bits never change while anyone holds
    /// a reference.
    pub(crate) fn owner(&self) -> OwnerId {
        OwnerId::from_slot((self.0.load(Relaxed) >> OWNER_SHIFT) as u16)
    }

    /// Sets the scheduled bit for a wake-up. True if the caller must queue the task — the
    /// caller then owns a new reference (the queue entry). False when it is already queued,
    /// finished, or running (the runner will requeue it after the poll).
    pub(crate) fn mark_scheduled(&self) -> bool {
        transition(&self.0, |s| match () {
            // Nothing to change, but still write: the waker's prior writes must be visible to
            // the poll that follows (async-task does the same).
            _ if s & (COMPLETE | SCHEDULED) != 0 => (Some(s), false),
            _ if s & RUNNING != 0 => (Some(s | SCHEDULED), false),
            _ => (Some((s | SCHEDULED) + REF_ONE), true),
        })
    }

    /// SCHEDULED → RUNNING, done by the holder of the queue entry. True if cancelled.
    pub(super) fn transition_to_running(&self) -> bool {
        let prev = self.0.fetch_xor(SCHEDULED | RUNNING, AcqRel);
        debug_assert!(prev & SCHEDULED != 0 && prev & (RUNNING | COMPLETE) == 0);
        prev & CANCELLED != 0
    }

    /// After a `Pending` poll: back to idle (dropping the queue entry's reference), or keep the
    /// reference because a wake-up arrived during the poll, or cancel.
    pub(super) fn transition_to_idle(&self) -> AfterPoll {
        transition(&self.0, |s| match () {
            _ if s & CANCELLED != 0 => (None, AfterPoll::Cancel),
            _ if s & SCHEDULED != 0 => (Some(s & !RUNNING), AfterPoll::Reschedule),
            _ => (Some((s & !RUNNING) - REF_ONE), AfterPoll::Idle),
        })
    }

    /// RUNNING → COMPLETE. When nobody joins and no output was stored, also drops the owner's
    /// and the queue entry's references in the same step. Returns the state before.
    pub(super) fn transition_to_complete(&self, stored: bool) -> Snapshot {
        transition(&self.0, |s| {
            let done = (s & !(RUNNING | SCHEDULED)) | COMPLETE;
            let detached = s & JOIN_INTEREST == 0 && !stored;
            (
                Some(if detached { done - 2 * REF_ONE } else { done }),
                Snapshot(s),
            )
        })
    }

    /// `abort()`: sets CANCELLED; true if the caller must queue the task so a worker drops it
    /// (the caller then owns a new queue reference).
    pub(crate) fn request_cancel(&self) -> bool {
        transition(&self.0, |s| match () {
            _ if s & (COMPLETE | CANCELLED) != 0 => (None, false),
            _ if s & (SCHEDULED | RUNNING) != 0 => (Some(s | CANCELLED), false),
            _ => (Some((s | CANCELLED | SCHEDULED) + REF_ONE), true),
        })
    }

    /// For shutdown: claims an idle task (not queued, running or done) as if woken and
    /// cancelled. True if the caller now owns a queue reference to it.
    pub(super) fn claim_idle_for_shutdown(&self) -> bool {
        transition(&self.0, |s| match () {
            _ if s & (COMPLETE | SCHEDULED | RUNNING) != 0 => (None, false),
            _ => (Some((s | SCHEDULED | CANCELLED) + REF_ONE), true),
        })
    }

    /// Takes a reference on whatever live task owns this word; false if the block is free or
    /// the task is being freed (no references left). How `dump` and shutdown read tasks they
    /// hold no reference on. Acquire (in `transition`): pairs with `publish_new`.
    pub(super) fn try_acquire_ref(&self) -> bool {
        transition(&self.0, |s| match s & REF_MASK {
            0 => (None, false),
            _ => (Some(s + REF_ONE), true),
        })
    }

    /// A new reference made from an existing one (a cloned waker).
    pub(super) fn ref_inc(&self) {
        // Relaxed: a new reference is made from an existing one, which keeps the task alive.
        if self.0.fetch_add(REF_ONE, Relaxed) > isize::MAX as usize {
            std::process::abort(); // mem::forget(waker.clone()) in a loop
        }
    }

    /// Drops one reference; true if it was the last (the caller frees the block). AcqRel: the
    /// last one sees every other holder's writes.
    pub(super) fn ref_dec(&self) -> bool {
        self.0.fetch_sub(REF_ONE, AcqRel) & REF_MASK == REF_ONE
    }

    /// Sets (or clears) JOIN_WAKER unless the task is complete; false if it is.
    pub(super) fn set_join_waker(&self, on: bool) -> bool {
        transition(&self.0, |s| match () {
            _ if s & COMPLETE != 0 => (None, false),
            _ if on => (Some(s | JOIN_WAKER), true),
            _ => (Some(s & !JOIN_WAKER), true),
        })
    }

    /// The completer is done with the join waker: hands the slot back. Returns the state
    /// before (without JOIN_INTEREST, the handle left the waker to the completer).
    pub(super) fn unset_join_waker(&self) -> Snapshot {
        Snapshot(self.0.fetch_and(!JOIN_WAKER, AcqRel))
    }

    /// The handle's fast exit (fire and forget): when the task is not complete and no join
    /// waker is registered there is no output or waker to deal with, so the join interest and
    /// the handle's reference go in one step. False if that doesn't apply (or raced).
    pub(super) fn drop_join_handle_fast(&self) -> bool {
        let s = self.0.load(Acquire);
        s & (COMPLETE | JOIN_WAKER) == 0
            && self
                .0
                .compare_exchange(s, s - JOIN_INTEREST - REF_ONE, AcqRel, Acquire)
                .is_ok()
    }

    /// The handle gives up its interest (and, before completion, its waker slot). Returns the
    /// state before.
    pub(super) fn drop_join_interest(&self) -> Snapshot {
        transition(&self.0, |s| match s & COMPLETE {
            0 => (Some(s & !(JOIN_INTEREST | JOIN_WAKER)), Snapshot(s)),
            _ => (Some(s & !JOIN_INTEREST), Snapshot(s)),
        })
    }
}
