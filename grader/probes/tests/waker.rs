//! The waker probe: live copies, wakes and the clone hook, counted exactly.

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::thread;

use probes::WakerProbe;

/// A future that keeps the waker of its last poll, like most hand-written futures.
#[derive(Default)]
struct KeepsWaker {
    waker: Option<Waker>,
}

impl Future for KeepsWaker {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match &self.waker {
            Some(kept) if kept.will_wake(cx.waker()) => {}
            _ => self.waker = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

#[test]
fn counts_live_copies_and_wakes() {
    let probe = WakerProbe::new();
    assert_eq!((probe.live(), probe.wakes(), probe.clones()), (0, 0, 0));
    let waker = probe.waker();
    let copies: Vec<Waker> = (0..3).map(|_| waker.clone()).collect();
    assert_eq!((probe.live(), probe.clones()), (4, 3));
    copies[0].wake_by_ref();
    assert_eq!((probe.live(), probe.wakes()), (4, 1));
    let mut copies = copies.into_iter();
    copies.next().unwrap().wake();
    assert_eq!((probe.live(), probe.wakes()), (3, 2));
    drop(copies);
    drop(waker);
    assert_eq!((probe.live(), probe.wakes()), (0, 2));
}

#[test]
fn sees_what_a_future_keeps_and_releases() {
    let probe = WakerProbe::new();
    let waker = probe.waker();
    {
        let mut future = pin!(KeepsWaker::default());
        for _ in 0..100 {
            assert!(future
                .as_mut()
                .poll(&mut Context::from_waker(&waker))
                .is_pending());
        }
        // One copy kept however often it was polled with the same waker.
        assert_eq!((probe.live(), probe.clones()), (2, 1));
    }
    assert_eq!(probe.live(), 1, "the dropped future released its copy");
    assert_eq!(probe.wakes(), 0);
}

#[test]
fn clones_share_counts_and_other_probes_are_apart() {
    let probe = WakerProbe::new();
    let same = probe.clone();
    let other = WakerProbe::new();
    let a = probe.waker();
    let b = same.waker();
    assert!(a.will_wake(&b), "wakers of one probe wake the same thing");
    assert!(!a.will_wake(&other.waker()));
    b.wake();
    assert_eq!((probe.live(), probe.wakes()), (1, 1));
    assert_eq!((other.live(), other.wakes()), (0, 0));
}

#[test]
fn the_hook_runs_once_inside_the_next_clone() {
    let probe = WakerProbe::new();
    let waker = probe.waker();
    let ran_on = Arc::new(Mutex::new(None));
    let inside = Arc::new(AtomicBool::new(false));
    {
        let ran_on = Arc::clone(&ran_on);
        let inside = Arc::clone(&inside);
        probe.on_next_clone(move || {
            *ran_on.lock().unwrap() = Some(thread::current().id());
            inside.store(true, Ordering::SeqCst);
        });
    }
    assert!(!inside.load(Ordering::SeqCst), "not before a clone");
    let cloner = thread::spawn(move || {
        let copy = waker.clone();
        (thread::current().id(), copy)
    });
    let (cloner_id, copy) = cloner.join().unwrap();
    assert!(
        inside.load(Ordering::SeqCst),
        "ran before the clone returned"
    );
    assert_eq!(
        *ran_on.lock().unwrap(),
        Some(cloner_id),
        "on the cloning thread"
    );
    inside.store(false, Ordering::SeqCst);
    let _again = copy.clone();
    assert!(!inside.load(Ordering::SeqCst), "only once");
}

#[test]
fn a_hook_may_clone_again_without_deadlock() {
    let probe = WakerProbe::new();
    let waker = probe.waker();
    let inner = waker.clone();
    probe.on_next_clone(move || drop(inner.clone()));
    let _copy = waker.clone();
    assert_eq!(probe.clones(), 3);
    // `inner` went with the spent hook: the waker and the copy are left.
    assert_eq!(probe.live(), 2);
}
