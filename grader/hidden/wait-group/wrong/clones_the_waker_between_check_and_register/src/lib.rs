// Must fail no_lost_wake_up_when_the_count_reaches_zero_during_registration: poll checks the count, clones the waker, then registers it without checking again, so a done() in between is lost.
use std::collections::HashMap;
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
    wakers: HashMap<u64, Waker>,
    next_key: u64,
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
                std::mem::take(&mut waiters.wakers)
            };
            wakers.into_values().for_each(Waker::wake);
        }
    }

    pub fn wait(&self) -> Wait {
        Wait {
            shared: Arc::clone(&self.shared),
            key: None,
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
    key: Option<u64>,
}

impl Future for Wait {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let shared = Arc::clone(&self.shared);
        if shared.is_zero() {
            if let Some(key) = self.key.take() {
                shared.lock().wakers.remove(&key);
            }
            return Poll::Ready(());
        }
        // Not zero: register. (The last done() may run right here, before the push below.)
        let waker = cx.waker().clone();
        let mut waiters = shared.lock();
        let key = match self.key {
            Some(key) => key,
            None => {
                let key = waiters.next_key;
                waiters.next_key += 1;
                self.key = Some(key);
                key
            }
        };
        waiters.wakers.insert(key, waker);
        Poll::Pending
    }
}

impl Drop for Wait {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            self.shared.lock().wakers.remove(&key);
        }
    }
}
