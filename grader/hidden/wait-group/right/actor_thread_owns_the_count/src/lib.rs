// Passes: an actor — one thread owns the count and the waiters, and every operation is a message to it (add without a reply, the others wait for one); no lock or atomic guards the count.
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::thread;

enum Message {
    Add(usize),
    /// Replies false if the count was already zero.
    Done(Sender<bool>),
    /// Replies true if the count is zero (the waker is not kept then).
    Register(u64, Waker, Sender<bool>),
    Deregister(u64, Sender<()>),
    /// Replies when the count is zero.
    Block(Sender<()>),
}

#[derive(Clone)]
pub struct WaitGroup {
    handle: Arc<Handle>,
}

struct Handle {
    owner: Sender<Message>,
    next_key: AtomicU64,
}

impl Handle {
    fn ask<T>(&self, message: impl FnOnce(Sender<T>) -> Message) -> T {
        let (reply, answer) = mpsc::channel();
        self.owner
            .send(message(reply))
            .expect("the owner thread runs while a handle exists");
        answer.recv().expect("the owner thread replies")
    }
}

/// The owner: the only code that touches the count. Ends when every handle is gone.
fn own(messages: Receiver<Message>) {
    let mut count = 0usize;
    let mut wakers: HashMap<u64, Waker> = HashMap::new();
    let mut blocked: Vec<Sender<()>> = Vec::new();
    for message in messages {
        match message {
            Message::Add(n) => count += n,
            Message::Done(reply) => {
                if count == 0 {
                    let _ = reply.send(false);
                    continue;
                }
                count -= 1;
                if count == 0 {
                    wakers.drain().for_each(|(_, waker)| waker.wake());
                    blocked.drain(..).for_each(|thread| {
                        let _ = thread.send(());
                    });
                }
                let _ = reply.send(true);
            }
            Message::Register(key, waker, reply) => {
                if count == 0 {
                    drop(waker); // before the reply: the caller may count on it being gone
                    let _ = reply.send(true);
                } else {
                    wakers.insert(key, waker);
                    let _ = reply.send(false);
                }
            }
            Message::Deregister(key, reply) => {
                wakers.remove(&key);
                let _ = reply.send(());
            }
            Message::Block(reply) => {
                if count == 0 {
                    let _ = reply.send(());
                } else {
                    blocked.push(reply);
                }
            }
        }
    }
}

impl WaitGroup {
    pub fn new() -> Self {
        let (owner, messages) = mpsc::channel();
        thread::spawn(move || own(messages));
        WaitGroup {
            handle: Arc::new(Handle {
                owner,
                next_key: AtomicU64::new(0),
            }),
        }
    }

    pub fn add(&self, n: usize) {
        let _ = self.handle.owner.send(Message::Add(n));
    }

    pub fn done(&self) {
        if !self.handle.ask(Message::Done) {
            panic!("negative WaitGroup counter");
        }
    }

    pub fn wait(&self) -> Wait {
        Wait {
            handle: Arc::clone(&self.handle),
            key: self.handle.next_key.fetch_add(1, Ordering::Relaxed),
            registered: false,
        }
    }

    pub fn wait_blocking(&self) {
        self.handle.ask(Message::Block);
    }
}

impl Default for WaitGroup {
    fn default() -> Self {
        Self::new()
    }
}

pub struct Wait {
    handle: Arc<Handle>,
    key: u64,
    registered: bool,
}

impl Future for Wait {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let waker = cx.waker().clone();
        let key = self.key;
        if self
            .handle
            .ask(|reply| Message::Register(key, waker, reply))
        {
            self.registered = false;
            Poll::Ready(())
        } else {
            self.registered = true;
            Poll::Pending
        }
    }
}

impl Drop for Wait {
    fn drop(&mut self) {
        if self.registered {
            let key = self.key;
            self.handle.ask(|reply| Message::Deregister(key, reply));
        }
    }
}
