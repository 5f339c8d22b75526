//! Small tools shared by the tests: polling a future by hand, catching a hang with a message, and
//! catching an expected panic.

use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::task::{Context, Poll, Waker};
use std::thread;
use std::time::Duration;

/// How long a wait that should already be over may take before the test calls it a hang. Correct
/// code returns in microseconds; only a lost wake-up (or a wait that never looks at the count)
/// ever waits this out, once, and then fails with a message instead of a bare timeout.
pub const HANG: Duration = Duration::from_secs(5);

/// Polls `future` once with `waker`.
pub fn poll_once<F: Future + ?Sized>(future: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(waker))
}

/// Runs `work` on a thread of its own and returns its result, or panics with `hang_message` and
/// the runtime's task dump if it hasn't returned after [`HANG`]. The stuck thread is left behind:
/// the test process ends right after its verdict.
pub fn finishes<T: Send + 'static>(
    name: &str,
    hang_message: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> T {
    finishes_making_progress(name, hang_message, |_| work())
}

/// Marks progress of long work in [`finishes_making_progress`].
#[derive(Clone, Default)]
pub struct Progress(Arc<AtomicUsize>);

impl Progress {
    /// One more step done: the hang detector starts counting again.
    pub fn tick(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// As [`finishes`] for work of many steps: a hang is [`HANG`] without a [`Progress::tick`], so a
/// slow machine that takes long over all the steps is never taken for a hang.
pub fn finishes_making_progress<T: Send + 'static>(
    name: &str,
    hang_message: &str,
    work: impl FnOnce(Progress) -> T + Send + 'static,
) -> T {
    let (sender, receiver) = mpsc::channel();
    let progress = Progress::default();
    let steps = progress.clone();
    thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            // A panic drops the sender: the receiver sees it at once, and the harness recorded
            // the panic (the test fails with it below).
            let _ = sender.send(work(steps));
        })
        .expect("the test can start a thread");
    let mut seen = progress.0.load(Ordering::SeqCst);
    loop {
        match receiver.recv_timeout(HANG) {
            Ok(value) => return value,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                panic!("{name}: your code panicked (see the other thread's panic below)")
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let now = progress.0.load(Ordering::SeqCst);
                if now != seen {
                    seen = now;
                    continue;
                }
                let dump = runtime::dump();
                let tasks = if dump.tasks.is_empty() {
                    String::new()
                } else {
                    format!("\nTasks still alive on the Tasklings runtime: {dump}")
                };
                panic!(
                    "{hang_message}\n(Nothing moved for {HANG:?}; correct code is back in \
                     microseconds.){tasks}"
                )
            }
        }
    }
}

/// Runs `work` on a thread named `name` and returns its panic message, or `None` if it returned.
/// On a thread of its own, so that an expected panic is not taken for the test's own failure.
pub fn panic_of(name: &str, work: impl FnOnce() + Send) -> Option<String> {
    thread::scope(|scope| {
        thread::Builder::new()
            .name(name.to_owned())
            .spawn_scoped(scope, || panic::catch_unwind(AssertUnwindSafe(work)))
            .expect("the test can start a thread")
            .join()
            .expect("catch_unwind caught the panic")
            .err()
            .map(|payload| {
                payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_else(|| "a panic with a value that is not a string".to_owned())
            })
    })
}
