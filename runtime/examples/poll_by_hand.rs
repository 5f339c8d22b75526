//! A future polled by hand: what an executor does, one step at a time, with no executor at all.
//!
//!     cargo run -p runtime --example poll_by_hand
//!
//! The future is a "delivery": it is pending until another thread has put a value in its slot.
//! Its `poll` either returns the value or keeps the waker it was given. The waker counts its
//! wakes, so you can see who wakes whom and how often; `main` plays the executor.

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread;

// ANCHOR: future
/// What the delivering thread and the future share: the value, once it is there, and the waker
/// of the future's last pending poll.
#[derive(Default)]
struct Slot {
    value: Option<u32>,
    waker: Option<Waker>,
}

/// Ready once a value is in the slot.
struct Delivery(Arc<Mutex<Slot>>);

impl Future for Delivery {
    type Output = u32;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u32> {
        let mut slot = self.0.lock().unwrap();
        match slot.value {
            Some(value) => Poll::Ready(value),
            None => {
                // Not yet: keep the waker, so the deliverer can say "poll me again".
                slot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}
// ANCHOR_END: future

// ANCHOR: waker
/// A waker that only counts. `std::task::Wake` turns an `Arc` of it into a `Waker`, which is
/// `Send + Sync`: any thread may hold and wake it.
#[derive(Default)]
struct CountingWaker {
    wakes: AtomicUsize,
}

impl Wake for CountingWaker {
    fn wake(self: Arc<Self>) {
        self.wakes.fetch_add(1, Ordering::SeqCst);
    }
}
// ANCHOR_END: waker

fn main() {
    // ANCHOR: by_hand
    let slot = Arc::new(Mutex::new(Slot::default()));
    let counter = Arc::new(CountingWaker::default());
    let waker = Waker::from(Arc::clone(&counter));
    let mut cx = Context::from_waker(&waker);
    let mut delivery = pin!(Delivery(Arc::clone(&slot)));

    println!("poll 1: {:?}", delivery.as_mut().poll(&mut cx));

    // Another thread delivers, then wakes the future — three times, to be sure.
    let deliverer = Arc::clone(&slot);
    thread::spawn(move || {
        let mut slot = deliverer.lock().unwrap();
        slot.value = Some(42);
        let waker = slot.waker.take().expect("poll 1 left a waker");
        waker.wake_by_ref();
        waker.wake_by_ref();
        waker.wake();
    })
    .join()
    .unwrap();
    println!(
        "the waker was woken {} times",
        counter.wakes.load(Ordering::SeqCst)
    );

    println!("poll 2: {:?}", delivery.as_mut().poll(&mut cx));
    // ANCHOR_END: by_hand
}
