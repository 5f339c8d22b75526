//! A task's identity: its `TaskId` (Go's goroutine id), and its name in a side table.
//!
//! Ids are unique within the process. Workers reserve them 64 at a time (`TaskId::reserve`), as
//! Go's Ps cache goroutine ids, so a spawn on a worker touches no shared counter. Names
//! (`spawn_named`) are rare, so they live outside the task block, in a map that only named
//! tasks pay for: remembered at spawn, forgotten when the task completes, read by `dump`.

use std::collections::BTreeMap;
use std::fmt;
use std::num::NonZeroU64;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;

/// A task's identity, unique within the process (Go's goroutine id). Shown by `dump()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(NonZeroU64);

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

impl TaskId {
    /// Reserves `n` consecutive ids and returns the first (workers take them 64 at a time, as
    /// Go's Ps cache goroutine ids, so spawning touches no shared counter).
    pub(crate) fn reserve(n: u64) -> u64 {
        // Relaxed: only uniqueness matters.
        NEXT_ID.fetch_add(n, Relaxed)
    }

    pub(crate) fn from_raw(raw: u64) -> TaskId {
        TaskId(NonZeroU64::new(raw).expect("task ids start at 1"))
    }

    /// The number shown in dumps.
    pub fn as_u64(&self) -> u64 {
        self.0.get()
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

static NAMES: Mutex<BTreeMap<TaskId, String>> = Mutex::new(BTreeMap::new());

fn names() -> std::sync::MutexGuard<'static, BTreeMap<TaskId, String>> {
    crate::sync::lock(&NAMES)
}

pub(super) fn remember_name(id: TaskId, name: String) {
    names().insert(id, name);
}

pub(super) fn forget_name(id: TaskId) {
    names().remove(&id);
}

/// Calls `f` with the names of the named tasks that are still running.
pub(crate) fn with_names<R>(f: impl FnOnce(&BTreeMap<TaskId, String>) -> R) -> R {
    f(&names())
}
