//! `CancellationToken`: Go's `context.WithCancel`, reduced to what tasks need — a flag that can
//! be set once, awaited, and inherited.
//!
//! Clones share one token. `child()` makes a token that is cancelled when its parent is (but
//! cancelling the child leaves the parent alone), like a derived `context.Context`. Parents
//! hold their children weakly, so short-lived children don't accumulate. `cancelled().await`
//! registers a waker under the node's lock after re-checking the flag, so a `cancel()` can't
//! be missed; cancelling walks the subtree with an explicit stack (no recursion).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{
    AtomicBool,
    Ordering::{AcqRel, Acquire},
};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll, Waker};

/// A cancellation flag shared by clones and inherited by children.
#[derive(Clone, Default)]
pub struct CancellationToken {
    node: Arc<Node>,
}

#[derive(Default)]
struct Node {
    cancelled: AtomicBool,
    inner: Mutex<NodeInner>,
}

#[derive(Default)]
struct NodeInner {
    wakers: Vec<Option<Waker>>,
    children: Vec<Weak<Node>>,
}

impl Node {
    fn lock(&self) -> MutexGuard<'_, NodeInner> {
        crate::sync::lock(&self.inner)
    }
}

impl CancellationToken {
    /// A token that is not cancelled.
    pub fn new() -> Self {
        Self::default()
    }

    /// Cancels this token and all its descendants, waking everything awaiting `cancelled()`.
    pub fn cancel(&self) {
        let mut stack = vec![self.node.clone()];
        while let Some(node) = stack.pop() {
            if node.cancelled.swap(true, AcqRel) {
                continue;
            }
            let (wakers, children) = {
                let mut inner = node.lock();
                (
                    std::mem::take(&mut inner.wakers),
                    std::mem::take(&mut inner.children),
                )
            };
            wakers.into_iter().flatten().for_each(Waker::wake);
            stack.extend(children.iter().filter_map(Weak::upgrade));
        }
    }

    /// True once `cancel` was called on this token or an ancestor.
    pub fn is_cancelled(&self) -> bool {
        self.node.cancelled.load(Acquire)
    }

    /// A future that completes when the token is cancelled.
    pub fn cancelled(&self) -> Cancelled<'_> {
        Cancelled {
            token: self,
            slot: None,
        }
    }

    /// A new token cancelled together with this one (but not the other way round).
    pub fn child(&self) -> CancellationToken {
        let child = CancellationToken::new();
        let mut inner = self.node.lock();
        if self.is_cancelled() {
            child
                .node
                .cancelled
                .store(true, std::sync::atomic::Ordering::Release);
        } else {
            if inner.children.len() == inner.children.capacity() {
                inner.children.retain(|c| c.strong_count() > 0);
            }
            inner.children.push(Arc::downgrade(&child.node));
        }
        child
    }
}

impl std::fmt::Debug for CancellationToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CancellationToken")
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

/// Future returned by `CancellationToken::cancelled`.
#[must_use = "futures do nothing unless you `.await` them"]
#[derive(Debug)]
pub struct Cancelled<'a> {
    token: &'a CancellationToken,
    slot: Option<usize>,
}

impl Future for Cancelled<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let node = &this.token.node;
        if node.cancelled.load(Acquire) {
            return Poll::Ready(());
        }
        let mut inner = node.lock();
        if node.cancelled.load(Acquire) {
            return Poll::Ready(());
        }
        match this.slot {
            Some(index) => {
                let slot = &mut inner.wakers[index];
                if !slot.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    *slot = Some(cx.waker().clone());
                }
            }
            None => {
                inner.wakers.push(Some(cx.waker().clone()));
                this.slot = Some(inner.wakers.len() - 1);
            }
        }
        Poll::Pending
    }
}

impl Drop for Cancelled<'_> {
    fn drop(&mut self) {
        if let Some(index) = self.slot {
            let node = &self.token.node;
            let mut inner = node.lock();
            if !node.cancelled.load(Acquire) {
                let waker = inner.wakers[index].take();
                drop(inner);
                drop(waker);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_follow_parents_not_the_reverse() {
        let parent = CancellationToken::new();
        let child = parent.child();
        let grandchild = child.child();
        let sibling = parent.child();
        sibling.cancel();
        assert!(!parent.is_cancelled() && !child.is_cancelled());
        parent.cancel();
        assert!(child.is_cancelled() && grandchild.is_cancelled());
        assert!(
            parent.child().is_cancelled(),
            "a child of a cancelled token starts cancelled"
        );
    }
}
