//! A task's `Waker`: the header pointer plus a static vtable, so waking allocates nothing.
//!
//! A waker owns one reference to the task (cloning takes another). Waking sets the SCHEDULED
//! bit (`State::mark_scheduled`); only the wake that flips it from 0 to 1 queues the task, by
//! handing it to its owner (`TaskRef::schedule`), so a task is never queued twice. A wake that
//! arrives while the task is running only sets the bit; the worker requeues it after the poll.

use super::raw::{Header, TaskRef};
use std::mem::ManuallyDrop;
use std::ptr::NonNull;
use std::task::{RawWaker, RawWakerVTable, Waker};

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

fn raw_waker(ptr: NonNull<Header>) -> RawWaker {
    RawWaker::new(ptr.as_ptr() as *const (), &VTABLE)
}

/// A waker that borrows the caller's reference instead of owning one: the caller keeps it in
/// `ManuallyDrop` and never drops it (the poll's `Context`).
///
/// # Safety
/// The caller holds a reference to the task for as long as the waker (or anything it lends
/// it to without cloning) is in use.
pub(super) unsafe fn borrowed(ptr: NonNull<Header>) -> ManuallyDrop<Waker> {
    // SAFETY: the vtable's functions uphold the `RawWaker` contract for a task pointer.
    ManuallyDrop::new(unsafe { Waker::from_raw(raw_waker(ptr)) })
}

unsafe fn clone(data: *const ()) -> RawWaker {
    // SAFETY: a waker owns a reference, so the header is live.
    let ptr = unsafe { NonNull::new_unchecked(data as *mut Header) };
    // SAFETY: as above.
    unsafe { ptr.as_ref() }.state.ref_inc();
    raw_waker(ptr)
}

unsafe fn wake(data: *const ()) {
    // SAFETY: the waker's reference is consumed here.
    unsafe {
        wake_by_ref(data);
        drop_waker(data);
    }
}

unsafe fn wake_by_ref(data: *const ()) {
    // SAFETY: a waker owns a reference, so the header is live.
    let ptr = unsafe { NonNull::new_unchecked(data as *mut Header) };
    // SAFETY: as above.
    if unsafe { ptr.as_ref() }.state.mark_scheduled() {
        // SAFETY: mark_scheduled gave us the queue reference.
        unsafe { TaskRef::from_raw(ptr) }.schedule();
    }
}

unsafe fn drop_waker(data: *const ()) {
    // SAFETY: the waker owns a reference.
    unsafe { super::raw::drop_ref(NonNull::new_unchecked(data as *mut Header)) };
}
