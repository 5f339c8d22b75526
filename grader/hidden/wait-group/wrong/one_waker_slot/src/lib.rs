// Must fail wakes_every_waiter: the group keeps one waker slot, so each waiter's poll overwrites the previous waiter's waker and only the last one is woken.
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{
    AtomicUsize,
    Ordering::{AcqRel, Acquire},
};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

#[derive(Clone, Default)]
pub struct WaitGroup {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    count: AtomicUsize,
    waiters: Mutex<Waiters>,
    zero: Condvar,
}

#[derive(Default)]
struct Waiters {
    /// The waker to wake when the count reaches zero.
    waker: Option<Waker>,
}

impl Shared {
    fn is_zero(&self) -> bool {
        self.count.load(Acquire) == 0
    }

    fn lock(&self) -> MutexGuard<'_, Waiters> {
        self.waiters.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl WaitGroup {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&self, n: usize) {
        self.shared.count.fetch_add(n, AcqRel);
    }

    pub fn done(&self) {
        let previous = self
            .shared
            .count
            .fetch_update(AcqRel, Acquire, |c| c.checked_sub(1))
            .expect("negative WaitGroup counter");
        if previous == 1 {
            let wakers = {
                let mut waiters = self.shared.lock();
                self.shared.zero.notify_all();
                waiters.waker.take()
            };
            if let Some(waker) = wakers {
                waker.wake();
            }
        }
    }

    pub fn wait(&self) -> Wait {
        Wait {
            shared: Arc::clone(&self.shared),
        }
    }

    pub fn wait_blocking(&self) {
        let mut waiters = self.shared.lock();
        while !self.shared.is_zero() {
            waiters = self
                .shared
                .zero
                .wait(waiters)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

pub struct Wait {
    shared: Arc<Shared>,
}

impl Future for Wait {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut waiters = self.shared.lock();
        if self.shared.is_zero() {
            return Poll::Ready(());
        }
        waiters.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}
