//! A task's owner: the scheduler it was spawned on, reached through one hook, and kept alive by
//! its blocks. The lifetime rule this implements is stated in `task`'s module header.
//!
//! * **The hook** — `Schedule`: the four things a task ever asks of its scheduler (queue me,
//!   I completed, my block was freed, where is your ledger). Its methods are resolved for the
//!   scheduler's type when the task is created and stored in the task's vtable (`Hooks`), so
//!   the hook costs no bytes in the task header and no `dyn` call through a fat pointer.
//!   Today the only implementation is the runtime (`scheduler::Shared`); another scheduler
//!   (a deterministic single-thread one, say) would implement `Schedule` and spawn its tasks
//!   with `raw::allocate::<F, ItsType>`, and the task code would not change.
//! * **The table** — a task names its owner by a 16-bit slot (`OwnerId`, kept in the state
//!   word), not by a pointer or an `Arc`, so spawning touches no shared counter and the header
//!   stays at 56 bytes. The slot holds one strong reference to the owner (`Arc<S>`), put there
//!   by `Ownership::publish` and taken out by `release`: that reference is what all the
//!   owner's blocks share. 65,536 slots is the most runtimes that can exist at once (untouched
//!   slots cost no memory).
//! * **The ledger** — the slot's reference may only go when the last block is freed. Counting
//!   blocks must not cost a shared write per spawn or per free, so most of the count is the
//!   owner's own (`scheduler` keeps blocks created, and blocks freed on its own workers, in
//!   per-worker counters). Only blocks freed elsewhere (the last `JoinHandle` or `Waker`
//!   dropped on another thread) come here, to `balance`, which such frees take *below* zero.
//!   When the owner closes it adds what its own count says is still alive — created minus
//!   freed on its threads — which cancels those frees: from then on `balance` is exactly the
//!   number of live blocks, and whoever takes it to zero releases the owner (`Ownership::close`,
//!   `freed_on`).
//! * **Closing** — once the owner is closed, every task it is handed is cancelled on the spot
//!   (`cancel_orphan`), and `cancel_idle` finds the tasks nobody will ever wake.

use super::raw::{self, TaskRef};
use crossbeam_utils::CachePadded;
use std::cell::RefCell;
use std::marker::PhantomData;
use std::ptr;
use std::sync::atomic::{
    AtomicI64, AtomicPtr, AtomicUsize,
    Ordering::{AcqRel, Acquire, Relaxed, Release},
};
use std::sync::Arc;

/// What a task needs from the scheduler it belongs to — and the only way it reaches it.
pub(crate) trait Schedule: Send + Sync + Sized + 'static {
    /// The slot and block ledger of this scheduler.
    fn ownership(&self) -> &Ownership<Self>;

    /// Queues a task that was woken, aborted or held back (the caller hands over the queue
    /// reference). Called on any thread. A closed scheduler passes it to `cancel_orphan`.
    fn schedule(&self, task: TaskRef);

    /// A task finished: returned, panicked or was cancelled.
    fn task_completed(&self);

    /// One of this scheduler's blocks was just freed on the calling thread. If the thread is
    /// one of the scheduler's own, it counts the free itself (cheaply) and returns true; its
    /// later `Ownership::close` must then leave that free out of the blocks it reports alive.
    /// Otherwise it returns false and the ledger counts the free.
    fn freed_on_own_thread(&self) -> bool;
}

/// A scheduler's slot in the owner table (Go has no such thing: a G's `m` and `p` are plain
/// pointers, and the garbage collector keeps them alive).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct OwnerId(u16);

impl OwnerId {
    /// The slot number, as stored in the state word.
    pub(super) fn slot(self) -> u16 {
        self.0
    }

    pub(super) fn from_slot(slot: u16) -> OwnerId {
        OwnerId(slot)
    }
}

/// Live owners by slot: each slot is null (free), dangling (reserved, not yet published), or
/// holds one strong reference, made with `Arc::into_raw`, to an owner of the type that
/// reserved it.
static SLOTS: [AtomicPtr<()>; 1 << 16] = [const { AtomicPtr::new(ptr::null_mut()) }; 1 << 16];
/// Where the search for a free slot starts, so slots are reused round-robin.
static NEXT_SLOT: AtomicUsize = AtomicUsize::new(0);

/// The owner in slot `id`.
///
/// # Safety
/// The caller holds something that keeps the owner alive (a reference to one of its tasks, or
/// a block not yet counted as freed), and `S` is the type that published the slot.
unsafe fn owner_at<'a, S>(id: OwnerId) -> &'a S {
    // Acquire: pairs with the Release in `publish`, so the owner's fields are visible.
    let ptr = SLOTS[id.0 as usize].load(Acquire);
    // SAFETY: per the caller, the slot holds a live `Arc<S>`'s pointer.
    unsafe { &*ptr.cast::<S>() }
}

/// Takes the tasks' reference out of slot `id` and drops it: the last block of a closed owner
/// is gone. The slot is free again afterwards.
///
/// # Safety
/// As `owner_at`; called exactly once per published slot, when the ledger says no block is left.
unsafe fn release<S>(id: OwnerId) {
    let ptr = SLOTS[id.0 as usize].swap(ptr::null_mut(), AcqRel);
    // SAFETY: the slot held a reference made by `Arc::into_raw` in `publish` (per the caller).
    drop(unsafe { Arc::from_raw(ptr.cast::<S>().cast_const()) });
}

/// A scheduler's side of the lifetime rule: its slot, and the ledger of blocks freed elsewhere.
pub(crate) struct Ownership<S> {
    id: OwnerId,
    /// Minus the blocks freed off the owner's threads; after `close`, the blocks still alive.
    /// On its own cache line: frees on other threads write it, spawns never read it.
    balance: CachePadded<AtomicI64>,
    _owner: PhantomData<fn() -> S>,
}

impl<S: Schedule> Ownership<S> {
    /// Reserves a slot (marked with a dangling non-null pointer until `publish`).
    ///
    /// # Panics
    /// When 65,536 runtimes already exist.
    pub(crate) fn new() -> Ownership<S> {
        let start = NEXT_SLOT.fetch_add(1, Relaxed);
        let slot = (0..SLOTS.len())
            .map(|i| (start + i) % SLOTS.len())
            .find(|&slot| {
                SLOTS[slot]
                    .compare_exchange(ptr::null_mut(), ptr::dangling_mut(), AcqRel, Relaxed)
                    .is_ok()
            })
            .expect("more than 65,536 runtimes exist at once");
        Ownership {
            id: OwnerId(slot as u16),
            balance: CachePadded::new(AtomicI64::new(0)),
            _owner: PhantomData,
        }
    }

    pub(crate) fn id(&self) -> OwnerId {
        self.id
    }

    /// Puts the tasks' strong reference to `owner` into its slot: from now on its tasks can
    /// reach it. Called once, before the first spawn.
    pub(crate) fn publish(owner: &Arc<S>) {
        let slot = &SLOTS[owner.ownership().id.0 as usize];
        // Release: pairs with the Acquire in `owner_at`.
        slot.store(Arc::into_raw(owner.clone()).cast_mut().cast(), Release);
    }

    /// The owner has shut down and none of its own threads will free a block again. `alive` is
    /// what its own count says is still alive: blocks created minus blocks it counted in
    /// `freed_on_own_thread`. If that leaves no block, the slot's reference goes now; else the
    /// last free does it (`freed_on`).
    pub(crate) fn close(&self, alive: u64) {
        let alive = alive as i64;
        if self.balance.fetch_add(alive, AcqRel) + alive == 0 {
            // SAFETY: no block is left (the ledger), so nobody else will release; the caller
            // holds its own reference to the owner, so `self` outlives this.
            unsafe { release::<S>(self.id) };
        }
    }
}

/// The hook, resolved for one scheduler type: what a task's vtable holds (`raw::Vtable`).
#[derive(Clone, Copy)]
pub(super) struct Hooks {
    /// `Schedule::schedule`, given the task (which knows its owner).
    pub(super) schedule: unsafe fn(TaskRef),
    /// `Schedule::task_completed`.
    pub(super) completed: unsafe fn(OwnerId),
    /// Counts a freed block (`Schedule::freed_on_own_thread`, else the ledger); may release
    /// the owner.
    pub(super) freed: unsafe fn(OwnerId),
}

impl Hooks {
    pub(super) const fn of<S: Schedule>() -> Hooks {
        Hooks {
            schedule: schedule_on::<S>,
            completed: completed_on::<S>,
            freed: freed_on::<S>,
        }
    }
}

/// # Safety
/// `task` belongs to an owner of type `S`.
unsafe fn schedule_on<S: Schedule>(task: TaskRef) {
    // SAFETY: the task's queue reference keeps its owner alive; `S` per the caller.
    let owner = unsafe { owner_at::<S>(task.owner()) };
    owner.schedule(task);
}

/// # Safety
/// The caller holds a reference to a task of `id`, whose owner has type `S`.
unsafe fn completed_on<S: Schedule>(id: OwnerId) {
    // SAFETY: per the caller.
    unsafe { owner_at::<S>(id) }.task_completed();
}

/// # Safety
/// A block of `id` (owner type `S`) was just freed and not yet counted.
unsafe fn freed_on<S: Schedule>(id: OwnerId) {
    // SAFETY: the uncounted block keeps the owner alive until the count below.
    let last = unsafe {
        let owner = owner_at::<S>(id);
        !owner.freed_on_own_thread() && owner.ownership().balance.fetch_sub(1, AcqRel) == 1
    };
    if last {
        // SAFETY: the ledger reached zero after `close`: the last block of a closed owner.
        unsafe { release::<S>(id) };
    }
}

thread_local! {
    /// Tasks waiting to be dropped by an outer `cancel_orphan` on this thread.
    static ORPHANS: RefCell<Option<Vec<TaskRef>>> = const { RefCell::new(None) };
}

/// Drops a task of a closed owner on this thread, without polling it. Dropping a future may
/// wake (or free) more tasks of the closed owner; those are queued on this thread's list
/// instead of recursing, so long chains can't overflow the stack.
pub(crate) fn cancel_orphan(task: TaskRef) {
    let mut task = Some(task);
    let outermost = ORPHANS.with(|list| {
        let mut list = list.borrow_mut();
        match list.as_mut() {
            Some(pending) => {
                pending.extend(task.take());
                false
            }
            None => {
                *list = Some(Vec::new());
                true
            }
        }
    });
    if !outermost {
        return;
    }
    let mut next = task;
    while let Some(task) = next {
        task.shutdown();
        next = ORPHANS.with(|list| list.borrow_mut().as_mut().and_then(Vec::pop));
    }
    ORPHANS.with(|list| *list.borrow_mut() = None);
}

/// Cancels every idle task of `id` (not queued, not running, not done): the tasks nobody will
/// wake, found by walking the slab. Part of closing an owner.
pub(crate) fn cancel_idle(id: OwnerId) {
    raw::for_each_live(|task| {
        if task.header().owner() == id {
            if let Some(task) = task.claim_idle_for_shutdown() {
                cancel_orphan(task);
            }
        }
    });
}

#[cfg(all(test, not(tasklings_loom)))]
mod tests {
    use super::*;
    use crate::task::{JoinHandle, Kind, NewTask, RunOutcome, TaskId};
    use std::collections::VecDeque;
    use std::sync::Mutex;

    /// The smallest scheduler: a queue that the test runs by hand. Every free goes to the
    /// ledger (it has no threads of its own).
    struct ByHand {
        ownership: Ownership<ByHand>,
        queue: Mutex<VecDeque<TaskRef>>,
        completed: AtomicUsize,
    }

    impl Schedule for ByHand {
        fn ownership(&self) -> &Ownership<Self> {
            &self.ownership
        }
        fn schedule(&self, task: TaskRef) {
            crate::sync::lock(&self.queue).push_back(task);
        }
        fn task_completed(&self) {
            self.completed.fetch_add(1, Relaxed);
        }
        fn freed_on_own_thread(&self) -> bool {
            false
        }
    }

    #[test]
    fn a_scheduler_other_than_the_runtime_can_own_tasks() {
        let owner = Arc::new(ByHand {
            ownership: Ownership::new(),
            queue: Mutex::new(VecDeque::new()),
            completed: AtomicUsize::new(0),
        });
        Ownership::publish(&owner);
        let new = NewTask {
            owner: owner.ownership.id(),
            id: TaskId::from_raw(TaskId::reserve(1)),
            name: None,
            location: std::panic::Location::caller(),
            born_ms: 0,
            kind: Kind::Future,
        };
        let raw = raw::allocate::<_, ByHand>(
            async {
                crate::yield_now().await;
                6 * 7
            },
            new,
        );
        // SAFETY: a new task's three references: the handle's, the queue entry's (the third
        // is the owner's).
        let (handle, mut next) = unsafe {
            let handle: JoinHandle<i32> = JoinHandle::from_raw(raw);
            (handle, Some(TaskRef::from_raw(raw)))
        };
        let mut polls = 0;
        while let Some(task) = next.take() {
            polls += 1;
            if let RunOutcome::Reschedule(task) = task.run() {
                task.schedule(); // woken during its poll (`yield_now`): through the hook
            }
            next = crate::sync::lock(&owner.queue).pop_front();
        }
        assert_eq!(polls, 2);
        assert_eq!(handle.join().unwrap(), 42);
        assert_eq!(owner.completed.load(Relaxed), 1);
        assert_eq!(Arc::strong_count(&owner), 2, "the slot holds a reference");
        owner.ownership.close(1); // one block created, none freed on its own threads
        assert_eq!(
            Arc::strong_count(&owner),
            1,
            "the freed block let the slot go"
        );
    }

    fn slot_is_taken(id: OwnerId) -> bool {
        !SLOTS[id.0 as usize].load(Acquire).is_null()
    }

    #[test]
    fn a_runtime_with_no_task_left_is_released_when_dropped() {
        let rt = crate::Runtime::builder().workers(1).build().unwrap();
        let id = rt.shared().owner_id();
        assert_eq!(rt.block_on(rt.spawn(async { 7 })).unwrap(), 7);
        drop(rt);
        assert!(!slot_is_taken(id));
    }

    #[test]
    fn the_last_block_releases_a_dropped_runtime() {
        let rt = crate::Runtime::builder().workers(1).build().unwrap();
        let id = rt.shared().owner_id();
        let handle = rt.spawn(std::future::pending::<()>());
        drop(rt); // cancels the task; its block lives on for the handle
        assert!(slot_is_taken(id), "a JoinHandle keeps its runtime's slot");
        assert!(handle.join().unwrap_err().is_aborted());
        assert!(!slot_is_taken(id), "the last block gave the slot back");
    }
}
