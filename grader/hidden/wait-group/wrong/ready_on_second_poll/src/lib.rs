// Must fail wait_is_pending_until_the_last_done: a poll after registering is taken as proof of a wake-up and returns Ready without looking at the count.
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
        if self.key.is_some() {
            // Polled again, so we were woken, so the count is zero.
            return Poll::Ready(());
        }
        let shared = Arc::clone(&self.shared);
        let mut waiters = shared.lock();
        if shared.is_zero() {
            if let Some(key) = self.key.take() {
                waiters.wakers.remove(&key);
            }
            return Poll::Ready(());
        }
        let key = match self.key {
            Some(key) => key,
            None => {
                let key = waiters.next_key;
                waiters.next_key += 1;
                self.key = Some(key);
                key
            }
        };
        waiters.wakers.insert(key, cx.waker().clone());
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
