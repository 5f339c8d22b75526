//! # Channels and select: a pipeline
//!
//! Read the chapter first: `book/src/channels-select.md` (its last section is this exercise).
//! Then grade your work with `cargo grade run pipeline`; `cargo grade hint pipeline` gives the
//! next hint.
//!
//! Build the pipeline Go programmers draw on whiteboards: a **producer** takes items from an
//! input, **N workers** process them, and a **collector** hands the results on — joined by
//! *bounded* channels, so that a slow end slows the whole line down instead of filling memory:
//!
//! ```text
//! input ──> producer ──> [ ]──> worker 1 ──> [ ]──> collector ──> output
//!                          ├──> worker 2 ──┤
//!                          └──> worker N ──┘
//! ```
//!
//! Write [`pipeline`]. It runs on the Tasklings runtime (spawn tasks with `runtime::spawn`, or
//! better `runtime::spawn_named`, so that `runtime::dump()` says which stage is stuck), and
//! tokio's `sync` channels work on it. What it must achieve:
//!
//! 1. **Every item is handled exactly once**: `work` is called once per item of `input`, and
//!    its output is sent on `output` once.
//! 2. **Outputs in input order**: the output of the first item first, then the second's, …
//!    whatever order the calls of `work` finish in.
//! 3. **`workers` at once, no more**: at most `workers` calls of `work` are running at any
//!    moment, and `workers` of them do run at once when that many items are waiting. A call
//!    runs from `work(item)` until its future has completed (or been dropped).
//! 4. **Bounded: at most `capacity + workers + 2` items in flight.** An item is *in flight* from
//!    the moment `input.next()` returns it until the `send` of its output on `output` has
//!    completed (or until the item or its output is dropped). That is room for `capacity`
//!    items waiting between the stages, one in the hands of each worker, and two more: the item
//!    the producer has taken but can't pass on yet, and the output the collector is waiting to
//!    send. So when the consumer of `output` stops reading, the pipeline fills up and then
//!    stops calling `input.next()` — *backpressure*. This also holds while an early item takes
//!    long: the items behind it that finish first are still in flight until their outputs are
//!    sent, after its own. `capacity` may be 0 (Go's unbuffered channel: then nothing waits
//!    between the stages). Beware: `tokio::sync::mpsc::channel(0)` panics.
//! 5. **It ends when the input ends**: once `input.next()` returns `None` and every output has
//!    been sent, `pipeline` returns. A channel closes when its last `Sender` is dropped; a
//!    `Sender` clone left alive somewhere keeps a `while let Some(..) = rx.recv().await` waiting
//!    forever.
//! 6. **It stops when the consumer hangs up**: if the receiver of `output` is dropped, a send
//!    on it fails; then `pipeline` stops taking input and returns (without running the rest of
//!    the input through `work`).
//! 7. **Nothing is left running**: when `pipeline` returns, every task it spawned has ended and
//!    no call of `work` is still running.
//!
//! What the grader measures, and why it can tell:
//! - Its `input` yields items that each carry a token; its `work` moves the token into the
//!   output, and the grader drops it when it receives the output. The number of live tokens is
//!   the number of items in flight, counted exactly, at every moment (it also counts the one
//!   output waiting in its own `output` channel, of capacity 1, and the one it is reading: the
//!   limit it checks is `capacity + workers + 4`).
//! - To make the pipeline fill up, it stops reading `output` for a while, or holds back the
//!   work of an early item for a while. "A while" is counted in turns of its task, not in
//!   time: it waits `runtime::yield_now().await` a few thousand times, on a runtime with one
//!   worker thread, where every other task gets a turn between two of its own. A pipeline that
//!   takes more than its share shows it then on every run, on any machine.
//! - Its `work` counts calls in flight (never more than `workers`); the first `workers` calls
//!   wait for one another (a rendezvous, given up after 2 s), so a pipeline that runs fewer at
//!   once makes the test wait once and fail.
//! - The order and the count of outputs, and the calls of `work` per item.
//! - That `pipeline` returns when the input ends (the test that checks this has a short
//!   timeout; when it runs out, the grader shows `runtime::dump()`: every task still alive, with
//!   the name you gave it, and its state — `idle` is a task waiting at an `.await`), and when the
//!   consumer hangs up after a few outputs. Right after it returns, the test checks that no
//!   call of `work` and no task is still alive.
//!
//! Keep the name and signature of [`pipeline`] and the fields of [`Options`] exactly as they
//! are; add any private helpers you like. The future of `pipeline` must be `Send` (the grader
//! spawns it as a task): `cargo test -p pipeline` checks that. Available: `runtime`, tokio's
//! `sync` module (`mpsc`, `oneshot`, `Mutex`, `Semaphore`, `watch`, …), futures (streams),
//! crossbeam and std.

use std::future::Future;

use tokio::sync::mpsc::Sender;

/// The size of a pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// How many calls of `work` run at once (0 is treated as 1).
    pub workers: usize,
    /// Room for items waiting between the stages (0: none, like Go's unbuffered channel). With
    /// `workers` it sets the limit of items in flight: `capacity + workers + 2`.
    pub capacity: usize,
}

/// Runs every item of `input` through `work`, `options.workers` calls at once, and sends the
/// outputs on `output` in the order of `input`.
///
/// - Each item is taken from `input` once and given to `work` once; each output is sent once.
/// - At most `options.workers` calls of `work` run at once (0 is treated as 1), and that many
///   do when enough items are waiting.
/// - At most `options.capacity + options.workers + 2` items are in flight: taken from `input`,
///   and their output not yet sent on `output` (see the crate docs). When `output` is full, the
///   pipeline stops taking input.
/// - Returns once `input` has ended and every output has been sent — or, if the receiver of
///   `output` is dropped, soon after: it takes no more input then.
/// - When it returns, nothing it started is still running.
///
/// # What to build
///
/// A producer task that takes items from `input` and sends them on a bounded channel; `workers`
/// worker tasks that receive items, `.await` `work(item)` and pass the outputs on; a collector
/// that puts the outputs back in input order and sends them on `output`. Each stage ends when
/// the channel it reads from closes, and closes the next one by dropping its `Sender`s. Then
/// think about the in-flight limit while one early item is slow (the hints help).
pub async fn pipeline<T, U, F, Fut>(
    input: impl Iterator<Item = T> + Send + 'static,
    options: Options,
    work: F,
    output: Sender<U>,
) where
    T: Send + 'static,
    U: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = U> + Send + 'static,
{
    let _ = (input, work, output);
    todo!(
        "a producer, {} workers and a collector joined by bounded channels",
        options.workers
    )
}
