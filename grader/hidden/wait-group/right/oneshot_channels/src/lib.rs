// Passes: channels instead of wakers — a futures::channel::oneshot per waiting future and a std mpsc channel per blocked thread; the count and the senders live under one Mutex, and the last done() sends on every channel.
use std::future::Future;
use std::pin::Pin;
use std::sync::{mpsc, Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};

use futures::channel::oneshot;

#[derive(Clone, Default)]
pub struct WaitGroup {
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    count: usize,
    futures: Vec<oneshot::Sender<()>>,
    threads: Vec<mpsc::Sender<()>>,
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

impl WaitGroup {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(&self, n: usize) {
        lock(&self.state).count += n;
    }

    pub fn done(&self) {
        let (futures, threads) = {
            let mut state = lock(&self.state);
            if state.count == 0 {
                drop(state);
                panic!("negative WaitGroup counter");
            }
            state.count -= 1;
            if state.count > 0 {
                return;
            }
            (
                std::mem::take(&mut state.futures),
                std::mem::take(&mut state.threads),
            )
        };
        for sender in futures {
            let _ = sender.send(()); // Err: that future was dropped.
        }
        for sender in threads {
            let _ = sender.send(());
        }
    }

    pub fn wait(&self) -> Wait {
        Wait {
            state: Arc::clone(&self.state),
            receiver: None,
        }
    }

    pub fn wait_blocking(&self) {
        let receiver = {
            let mut state = lock(&self.state);
            if state.count == 0 {
                return;
            }
            let (sender, receiver) = mpsc::channel();
            state.threads.push(sender);
            receiver
        };
        let _ = receiver.recv();
    }
}

pub struct Wait {
    state: Arc<Mutex<State>>,
    receiver: Option<oneshot::Receiver<()>>,
}

impl Future for Wait {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.receiver.is_none() {
            let mut state = lock(&self.state);
            if state.count == 0 {
                return Poll::Ready(());
            }
            let (sender, receiver) = oneshot::channel();
            // Senders of futures dropped since: their channels are closed, forget them.
            state.futures.retain(|sender| !sender.is_canceled());
            state.futures.push(sender);
            drop(state);
            self.receiver = Some(receiver);
        }
        let receiver = self.receiver.as_mut().expect("set above");
        // Err(Canceled) can't happen: the group, which holds the sender, outlives this future.
        Pin::new(receiver).poll(cx).map(|_| ())
    }
}
