// Passes: no Condvar — wait_blocking polls its own wait() with a waker that unparks its thread and parks in between (a hand-written block_on); the waiters are slots in a Vec with a generation, as runtime::WaitGroup keeps them, and the waker is cloned under the lock.
use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

#[derive(Clone, Default)]
pub struct WaitGroup {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    count: AtomicUsize,
    waiters: Mutex<Slots>,
}

#[derive(Default)]
struct Slots {
    wakers: Vec<Option<Waker>>,
    /// Bumped each time the count reaches zero and the slots are emptied.
    generation: u64,
}

impl Shared {
    fn is_zero(&self) -> bool {
        self.count.load(Ordering::Acquire) == 0
    }

    fn lock(&self) -> MutexGuard<'_, Slots> {
        self.waiters.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl WaitGroup {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&self, n: usize) {
        self.shared.count.fetch_add(n, Ordering::AcqRel);
    }

    pub fn done(&self) {
        match self
            .shared
            .count
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |c| c.checked_sub(1))
        {
            Err(_) => panic!("negative WaitGroup counter"),
            Ok(1) => {
                let wakers = {
                    let mut slots = self.shared.lock();
                    slots.generation += 1;
                    std::mem::take(&mut slots.wakers)
                };
                wakers.into_iter().flatten().for_each(Waker::wake);
            }
            Ok(_) => {}
        }
    }

    pub fn wait(&self) -> Wait {
        Wait {
            shared: Arc::clone(&self.shared),
            slot: None,
        }
    }

    pub fn wait_blocking(&self) {
        let waker = Waker::from(Arc::new(Unpark(thread::current())));
        let mut wait = pin!(self.wait());
        while wait
            .as_mut()
            .poll(&mut Context::from_waker(&waker))
            .is_pending()
        {
            // Returns when unparked (or spuriously: then the poll above looks again).
            thread::park();
        }
    }
}

struct Unpark(Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

pub struct Wait {
    shared: Arc<Shared>,
    /// (generation, index) of this future's slot.
    slot: Option<(u64, usize)>,
}

impl Future for Wait {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.shared.is_zero() {
            return Poll::Ready(());
        }
        let shared = Arc::clone(&self.shared);
        let mut slots = shared.lock();
        if shared.is_zero() {
            return Poll::Ready(());
        }
        match self.slot {
            Some((generation, index)) if generation == slots.generation => {
                let slot = &mut slots.wakers[index];
                if !slot.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    *slot = Some(cx.waker().clone());
                }
            }
            _ => {
                slots.wakers.push(Some(cx.waker().clone()));
                self.slot = Some((slots.generation, slots.wakers.len() - 1));
            }
        }
        Poll::Pending
    }
}

impl Drop for Wait {
    fn drop(&mut self) {
        if let Some((generation, index)) = self.slot {
            let mut slots = self.shared.lock();
            if slots.generation == generation {
                let waker = slots.wakers[index].take();
                drop(slots);
                drop(waker);
            }
        }
    }
}
