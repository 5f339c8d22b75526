// Passes: each waiting future owns an Arc'd futures::task::AtomicWaker that it registers with no lock held and then re-checks the count; the group's Mutex guards only the list of those cells; wait_blocking is futures::executor::block_on(self.wait()).
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};

use futures::task::AtomicWaker;

#[derive(Clone, Default)]
pub struct WaitGroup {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    count: AtomicUsize,
    waiters: Mutex<Vec<Arc<Cell>>>,
}

/// One waiting future's waker.
#[derive(Default)]
struct Cell {
    waker: AtomicWaker,
    /// In `waiters` (changed only with that lock held).
    listed: AtomicBool,
}

impl Shared {
    fn is_zero(&self) -> bool {
        self.count.load(Ordering::SeqCst) == 0
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Arc<Cell>>> {
        self.waiters.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl WaitGroup {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&self, n: usize) {
        self.shared.count.fetch_add(n, Ordering::SeqCst);
    }

    pub fn done(&self) {
        let before = self
            .shared
            .count
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |c| c.checked_sub(1))
            .unwrap_or_else(|_| panic!("negative WaitGroup counter"));
        if before == 1 {
            let cells = {
                let mut waiters = self.shared.lock();
                for cell in waiters.iter() {
                    cell.listed.store(false, Ordering::SeqCst);
                }
                std::mem::take(&mut *waiters)
            };
            for cell in cells {
                cell.waker.wake();
            }
        }
    }

    pub fn wait(&self) -> Wait {
        Wait {
            shared: Arc::clone(&self.shared),
            cell: None,
        }
    }

    pub fn wait_blocking(&self) {
        futures::executor::block_on(self.wait());
    }
}

pub struct Wait {
    shared: Arc<Shared>,
    cell: Option<Arc<Cell>>,
}

impl Future for Wait {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.shared.is_zero() {
            return Poll::Ready(());
        }
        let cell = Arc::clone(self.cell.get_or_insert_with(Default::default));
        {
            let mut waiters = self.shared.lock();
            if !cell.listed.load(Ordering::SeqCst) {
                cell.listed.store(true, Ordering::SeqCst);
                waiters.push(Arc::clone(&cell));
            }
        }
        cell.waker.register(cx.waker());
        // A done() that reached zero before the register above may have woken an empty cell.
        if self.shared.is_zero() {
            return Poll::Ready(());
        }
        Poll::Pending
    }
}

impl Drop for Wait {
    fn drop(&mut self) {
        if let Some(cell) = self.cell.take() {
            self.shared
                .lock()
                .retain(|other| !Arc::ptr_eq(other, &cell));
            cell.waker.take();
        }
    }
}
