//! A task — Go's G: one heap block holding a header, the future and, later, its output.
//!
//! | file | what it holds |
//! |---|---|
//! | `state` | the state word: flags, owner slot and reference count, and every transition |
//! | `raw` | the block (header + future/output), its vtable, allocating and running a task |
//! | `waker` | the `Waker`: the header pointer with a static vtable, no allocation |
//! | `join` | `JoinHandle`, `JoinError`: the handle's side of the output and join waker |
//! | `owner` | the one hook to the scheduler, the table of owners, the block ledger, closing |
//! | `id` | `TaskId` and the side table of names |
//!
//! A task never names the scheduler's types. It reaches the scheduler that owns it through
//! `owner::Schedule` (queue me; I completed; my block was freed), which `scheduler` implements.
//!
//! # Who frees a task, and when
//!
//! **A block is freed by whoever drops its last reference.** The reference count lives in the
//! state word. References are held by:
//! * the task's **owner**, from spawn until the task completes — so a task that nobody can wake
//!   stays alive and visible to `dump`, like a leaked goroutine;
//! * its **queue entry** (`TaskRef`), while the task is SCHEDULED: from the wake-up (or spawn)
//!   that queued it until a worker has run it;
//! * its **`JoinHandle`**, until the handle is dropped;
//! * each **`Waker`**, until it is dropped.
//!
//! Completion drops the owner's and the queue entry's references (in one step when nobody
//! joins). Whoever drops the last reference — a worker, a thread dropping a `JoinHandle`, a
//! waker dropped anywhere — returns the block to the slab (`raw::dealloc`) and tells the owner
//! (`Schedule::freed_on_own_thread`, else the owner's ledger).
//!
//! **A block never outlives its owner.** A task names its owner by a 16-bit slot in a static
//! table (`owner`), and the slot holds one strong reference to the owner on behalf of all its
//! blocks. The owner counts its blocks — created minus freed, cheaply per worker on its own
//! threads, in a shared ledger for frees on other threads — and when it has closed, whoever
//! frees its last block empties the slot and drops that reference. So a `JoinHandle` or a
//! `Waker` may outlive the `Runtime` it came from, and the runtime's memory stays until they go.
//!
//! **Closing** (`Drop for Runtime`): every task still alive is cancelled — its future dropped
//! without another poll, its handle answered with an "aborted" `JoinError`. Queued tasks are
//! cancelled by whoever dequeues them (the worker emptying its queues, the runtime emptying the
//! injector); idle tasks are found by walking the slab (`owner::cancel_idle`); a task woken
//! later is handed to its closed owner, which cancels it there and then (`owner::cancel_orphan`).
//! Their blocks are then freed by the rule above.
//!
//! The state word's protocol, in short (details in `state`): `SCHEDULED` is the "in a run
//! queue or about to be" bit — only the waker that flips it from 0 to 1 may queue the task, so
//! a task is never queued twice; a wake-up that arrives while the task is `RUNNING` only sets
//! the bit and the worker queues the task once after the poll (async-task's protocol). The
//! output slot and the join-waker slot are shared with the `JoinHandle` through `COMPLETE`,
//! `JOIN_INTEREST` and `JOIN_WAKER` (tokio's protocol): whoever the bits say owns a slot is
//! the only one touching it. Panics in `poll` are caught and become a `JoinError`.

mod id;
mod join;
mod owner;
mod raw;
mod state;
mod waker;

pub use id::TaskId;
pub use join::{JoinError, JoinHandle};

pub(crate) use id::with_names;
pub(crate) use owner::{cancel_idle, cancel_orphan, OwnerId, Ownership, Schedule};
pub(crate) use raw::{allocate, for_each_live, Header, NewTask, RunOutcome, TaskRef};
pub(crate) use state::Kind;
