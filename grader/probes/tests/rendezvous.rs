//! The rendezvous passes code that runs `need` calls at once, whatever the timeout, and fails code
//! that doesn't — paying the timeout once, not once per call.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::thread;
use std::time::Duration;

use probes::rendezvous::Outcome;
use probes::Rendezvous;

/// Long enough that no correct caller ever comes near it; only failing cases wait it out.
const NEVER: Duration = Duration::from_secs(60);
/// For the cases that must give up: short, since the waiting is the point.
const SHORT: Duration = Duration::from_millis(30);

#[test]
fn concurrent_threads_reach_it_and_all_see_true() {
    let rendezvous = Rendezvous::new(4, NEVER);
    let seen: Vec<bool> = thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| rendezvous.arrive()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(seen, [true; 4]);
    assert_eq!(rendezvous.outcome(), Outcome::Reached);
    assert_eq!(rendezvous.max_together(), 4);
    assert_eq!(rendezvous.inside(), 0);
}

#[test]
fn a_sequential_caller_fails_and_pays_the_timeout_once() {
    let rendezvous = Rendezvous::new(3, SHORT);
    // The first call waits out the timeout and gives up ...
    assert!(!rendezvous.arrive());
    assert_eq!(rendezvous.outcome(), Outcome::GaveUp);
    // ... after which every call returns at once, decided (that they don't wait is shown exactly
    // on the paused clock, below).
    for _ in 0..10 {
        assert!(!rendezvous.arrive());
    }
    assert_eq!(rendezvous.max_together(), 1);
    assert_eq!(rendezvous.arrivals(), 11);
}

#[test]
fn one_caller_short_is_not_enough() {
    let rendezvous = Rendezvous::new(3, SHORT);
    let seen: Vec<bool> = thread::scope(|scope| {
        let handles: Vec<_> = (0..2)
            .map(|_| scope.spawn(|| rendezvous.arrive()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(seen, [false, false]);
    assert_eq!(rendezvous.outcome(), Outcome::GaveUp);
    assert_eq!(rendezvous.max_together(), 2);
}

#[test]
fn only_the_first_need_callers_wait() {
    // 2 of 5 threads complete it; the other 3 must pass straight through (a long timeout would
    // hang this test if they waited for partners that never come).
    let rendezvous = Rendezvous::new(2, NEVER);
    thread::scope(|scope| {
        scope.spawn(|| rendezvous.arrive());
        scope.spawn(|| rendezvous.arrive());
    });
    assert!(rendezvous.reached());
    for _ in 0..3 {
        assert!(rendezvous.arrive());
    }
    assert_eq!(rendezvous.arrivals(), 5);
}

#[test]
fn need_of_zero_or_one_is_reached_by_the_first_caller() {
    for need in [0, 1] {
        let rendezvous = Rendezvous::new(need, NEVER);
        assert!(rendezvous.arrive(), "need {need}");
        assert!(rendezvous.reached());
    }
}

#[test]
fn tasks_on_a_paused_clock_reach_it_without_time_passing() {
    probes::clock::block_on_paused(async {
        let rendezvous = Rendezvous::new(3, NEVER);
        let started = tokio::time::Instant::now();
        let tasks: Vec<_> = (0..3)
            .map(|_| tokio::spawn(rendezvous.arrive_async()))
            .collect();
        for task in tasks {
            assert!(task.await.unwrap());
        }
        // Virtual time: nothing needed to wait, so the paused clock never moved.
        assert_eq!(started.elapsed(), Duration::ZERO);
    });
}

#[test]
fn sequential_tasks_on_a_paused_clock_give_up_at_the_virtual_timeout() {
    let hour = Duration::from_secs(3_600);
    probes::clock::block_on_paused(async {
        let rendezvous = Rendezvous::new(2, hour);
        let started = tokio::time::Instant::now();
        assert!(!rendezvous.arrive_async().await);
        // The clock jumped to the deadline, exactly: an hour of virtual time, none of real time.
        assert_eq!(started.elapsed(), hour);
        assert!(!rendezvous.arrive_async().await);
        assert_eq!(started.elapsed(), hour, "a decided rendezvous never waits");
        assert_eq!(rendezvous.outcome(), Outcome::GaveUp);
    });
}

#[test]
fn tasks_of_a_multi_thread_runtime_reach_it_on_fewer_workers_than_need() {
    // Async waiters don't block their worker: 6 tasks on 2 workers meet.
    let runtime = probes::clock::real_time_runtime(2).unwrap();
    let rendezvous = Rendezvous::new(6, NEVER);
    runtime.block_on(async {
        let tasks: Vec<_> = (0..6)
            .map(|_| tokio::spawn(rendezvous.arrive_async()))
            .collect();
        for task in tasks {
            assert!(task.await.unwrap());
        }
    });
    assert_eq!(rendezvous.max_together(), 6);
}

#[test]
fn threads_and_tasks_can_meet_in_one_rendezvous() {
    // On the real clock: a paused clock would see the runtime idle while the task waits for a
    // thread outside it, and jump straight to the deadline.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let rendezvous = Rendezvous::new(2, NEVER);
    let thread_side = {
        let rendezvous = rendezvous.clone();
        thread::spawn(move || rendezvous.arrive())
    };
    assert!(runtime.block_on(rendezvous.arrive_async()));
    assert!(thread_side.join().unwrap());
}

/// A minimal executor without tokio: the waker unparks the blocked thread.
fn block_on_without_tokio<F: Future>(future: F) -> F::Output {
    struct Unpark(thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(thread::current())));
    let mut context = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        thread::park();
    }
}

#[test]
fn async_waiters_outside_tokio_keep_a_real_deadline() {
    let rendezvous = Rendezvous::new(2, SHORT);
    assert!(!block_on_without_tokio(rendezvous.arrive_async()));
    assert_eq!(rendezvous.outcome(), Outcome::GaveUp);

    let rendezvous = Rendezvous::new(2, NEVER);
    let other = {
        let rendezvous = rendezvous.clone();
        thread::spawn(move || block_on_without_tokio(rendezvous.arrive_async()))
    };
    assert!(block_on_without_tokio(rendezvous.arrive_async()));
    assert!(other.join().unwrap());
}

#[test]
fn a_dropped_waiter_withdraws() {
    let rendezvous = Rendezvous::new(2, NEVER);
    {
        let mut first = pin!(rendezvous.arrive_async());
        let mut context = Context::from_waker(Waker::noop());
        assert!(first.as_mut().poll(&mut context).is_pending());
        assert_eq!(rendezvous.inside(), 1);
    }
    assert_eq!(rendezvous.inside(), 0);
    assert_eq!(rendezvous.outcome(), Outcome::Open);
    // The withdrawn waiter no longer counts: two new callers are needed, and suffice.
    thread::scope(|scope| {
        let a = scope.spawn(|| rendezvous.arrive());
        let b = scope.spawn(|| rendezvous.arrive());
        assert!(a.join().unwrap() && b.join().unwrap());
    });
}
