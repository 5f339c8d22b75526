// Passes: one Mutex holds the count and the wakers (no atomics), the waker is cloned while that lock is held, and wait_blocking sleeps on a Condvar of the same Mutex.
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Waker};

#[derive(Clone, Default)]
pub struct WaitGroup {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    zero: Condvar,
}

#[derive(Default)]
struct State {
    count: usize,
    wakers: HashMap<u64, Waker>,
    next_key: u64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl WaitGroup {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&self, n: usize) {
        self.shared.lock().count += n;
    }

    pub fn done(&self) {
        let wakers = {
            let mut state = self.shared.lock();
            let Some(count) = state.count.checked_sub(1) else {
                drop(state);
                panic!("negative WaitGroup counter");
            };
            state.count = count;
            if count > 0 {
                return;
            }
            self.shared.zero.notify_all();
            std::mem::take(&mut state.wakers)
        };
        wakers.into_values().for_each(Waker::wake);
    }

    pub fn wait(&self) -> Wait {
        Wait {
            shared: Arc::clone(&self.shared),
            key: None,
        }
    }

    pub fn wait_blocking(&self) {
        let mut state = self.shared.lock();
        while state.count != 0 {
            state = self
                .shared
                .zero
                .wait(state)
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
        let mut state = shared.lock();
        if state.count == 0 {
            if let Some(key) = self.key.take() {
                state.wakers.remove(&key);
            }
            return Poll::Ready(());
        }
        let key = match self.key {
            Some(key) => key,
            None => {
                let key = state.next_key;
                state.next_key += 1;
                self.key = Some(key);
                key
            }
        };
        match state.wakers.get_mut(&key) {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            _ => {
                state.wakers.insert(key, cx.waker().clone());
            }
        }
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
