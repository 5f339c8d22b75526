//! The grader's [`Work`]: a job queue the test feeds, steps that wait at a gate the test holds,
//! and a log of everything the workers do, in the order it happened.
//!
//! - `next_job` hands out the queued jobs in order; on an empty open queue it stays pending and
//!   counts the worker as *waiting*, until a job comes, the queue closes, or the future is
//!   dropped (cancel-safe: a job is taken only when the future completes with it).
//! - `step` logs its start, waits while the gate is shut, and logs its end; a step future
//!   dropped before its end logs that instead.
//! - `cleanup` logs the worker's cleanup.
//! - The test writes a *mark* into the log right after it cancels a token: everything logged
//!   after it happened after the cancel. (Marking after the cancel, not before, can only miss a
//!   job taken in between, never blame one taken before: and on one worker thread nothing runs
//!   in between anyway.)
//!
//! Each job holds a [`LiveToken`] from the moment it is taken until it is dropped, so
//! `live().live()` counts the jobs a worker still holds.
//!
//! The test waits for the log to reach a state with [`Probe::until`], a future woken at every
//! change: never by polling, never by the clock.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use graceful_shutdown::Work;
use probes::{LiveToken, LiveWork, Rendezvous};

/// One thing that happened, in log order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// `next_job` handed `job` to `worker`.
    Took { worker: usize, job: u64 },
    /// `step` began.
    Started { worker: usize, job: u64 },
    /// `step` reached its end.
    Ended { worker: usize, job: u64 },
    /// The step's future was dropped before its end.
    Dropped { worker: usize, job: u64 },
    /// `cleanup` was called.
    Cleanup { worker: usize },
    /// The test cancelled a token (what it was, in words).
    Mark(&'static str),
}

/// A job: its number, and the token that counts it as held.
pub struct Job {
    id: u64,
    _held: LiveToken,
}

/// The instrumented work. Shared with the test through an `Arc`.
pub struct Probe {
    state: Mutex<State>,
    held: LiveWork,
    /// Steps of the first `n` jobs wait at this rendezvous (the jobs test).
    rendezvous: Option<(u64, Rendezvous)>,
}

#[derive(Default)]
struct State {
    queue: VecDeque<u64>,
    next_id: u64,
    closed: bool,
    gate_shut: bool,
    gate_wakers: Vec<Waker>,
    /// Workers with a pending `next_job`, and its waker.
    waiting: BTreeMap<usize, Waker>,
    events: Vec<Event>,
    /// The test's futures waiting for a change.
    watchers: Vec<Waker>,
}

impl State {
    fn changed(&mut self) {
        for waker in self.watchers.drain(..) {
            waker.wake();
        }
    }

    fn log(&mut self, event: Event) {
        self.events.push(event);
        self.changed();
    }
}

impl Probe {
    pub fn new() -> Arc<Probe> {
        Arc::new(Probe {
            state: Mutex::default(),
            held: LiveWork::new(),
            rendezvous: None,
        })
    }

    /// Steps of the first `jobs` jobs wait until `jobs` steps run at once (or `patience` passes).
    pub fn with_rendezvous(jobs: u64, patience: Duration) -> Arc<Probe> {
        Arc::new(Probe {
            state: Mutex::default(),
            held: LiveWork::new(),
            rendezvous: Some((jobs, Rendezvous::new(jobs as usize, patience))),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues `n` more jobs and wakes the workers waiting for one.
    pub fn push(&self, n: u64) {
        let mut state = self.lock();
        for _ in 0..n {
            let id = state.next_id;
            state.next_id += 1;
            state.queue.push_back(id);
        }
        for waker in std::mem::take(&mut state.waiting).into_values() {
            waker.wake();
        }
        state.changed();
    }

    /// Closes the queue: once it is empty, `next_job` gives `None`.
    pub fn close(&self) {
        let mut state = self.lock();
        state.closed = true;
        for waker in std::mem::take(&mut state.waiting).into_values() {
            waker.wake();
        }
        state.changed();
    }

    /// From now on, steps wait at the gate until [`Probe::open_gate`].
    pub fn shut_gate(&self) {
        self.lock().gate_shut = true;
    }

    pub fn open_gate(&self) {
        let mut state = self.lock();
        state.gate_shut = false;
        for waker in state.gate_wakers.drain(..) {
            waker.wake();
        }
    }

    /// Writes a mark: the test has just cancelled a token.
    pub fn mark(&self, what: &'static str) {
        self.lock().log(Event::Mark(what));
    }

    /// Jobs taken and not yet dropped.
    pub fn held(&self) -> usize {
        self.held.live()
    }

    /// The rendezvous of the first jobs' steps, if any.
    pub fn rendezvous(&self) -> Option<&Rendezvous> {
        self.rendezvous.as_ref().map(|(_, r)| r)
    }

    /// What the log says now.
    pub fn view(&self) -> View {
        View::of(&self.lock())
    }

    /// Resolves once `condition` holds of the log (checked now and after every change).
    pub fn until<'a>(
        &'a self,
        condition: impl Fn(&View) -> bool + 'a,
    ) -> impl Future<Output = ()> + 'a {
        futures::future::poll_fn(move |cx| {
            // Checked and registered under the lock that every change takes: no change can slip
            // in between unseen.
            let mut state = self.lock();
            if condition(&View::of(&state)) {
                return Poll::Ready(());
            }
            state.watchers.push(cx.waker().clone());
            Poll::Pending
        })
    }
}

/// A copy of the log, with the questions the tests ask of it.
pub struct View {
    pub events: Vec<Event>,
    /// Workers whose `next_job` is pending now.
    pub waiting: BTreeSet<usize>,
}

impl View {
    fn of(state: &State) -> View {
        View {
            events: state.events.clone(),
            waiting: state.waiting.keys().copied().collect(),
        }
    }

    /// Times `worker` cleaned up.
    pub fn cleanups(&self, worker: usize) -> usize {
        self.events
            .iter()
            .filter(|e| **e == Event::Cleanup { worker })
            .count()
    }

    /// Steps started and neither ended nor dropped: `(worker, job)`.
    pub fn in_step(&self) -> Vec<(usize, u64)> {
        let mut open = BTreeMap::new();
        for event in &self.events {
            match *event {
                Event::Started { worker, job } => {
                    open.insert(job, worker);
                }
                Event::Ended { job, .. } | Event::Dropped { job, .. } => {
                    open.remove(&job);
                }
                _ => {}
            }
        }
        open.into_iter()
            .map(|(job, worker)| (worker, job))
            .collect()
    }

    /// Steps dropped half-way: `(worker, job)`.
    pub fn dropped(&self) -> Vec<(usize, u64)> {
        self.events
            .iter()
            .filter_map(|e| match *e {
                Event::Dropped { worker, job } => Some((worker, job)),
                _ => None,
            })
            .collect()
    }

    /// Jobs taken after the first mark: `(worker, job)`.
    pub fn taken_after_mark(&self) -> Vec<(usize, u64)> {
        let Some(mark) = self.events.iter().position(|e| matches!(e, Event::Mark(_))) else {
            return Vec::new();
        };
        self.events[mark..]
            .iter()
            .filter_map(|e| match *e {
                Event::Took { worker, job } => Some((worker, job)),
                _ => None,
            })
            .collect()
    }

    /// Steps started after the first mark.
    pub fn started_after_mark(&self) -> usize {
        let Some(mark) = self.events.iter().position(|e| matches!(e, Event::Mark(_))) else {
            return 0;
        };
        self.events[mark..]
            .iter()
            .filter(|e| matches!(e, Event::Started { .. }))
            .count()
    }

    /// Every worker number that appears in the log.
    pub fn workers(&self) -> BTreeSet<usize> {
        let mut seen = self.waiting.clone();
        for event in &self.events {
            match *event {
                Event::Took { worker, .. }
                | Event::Started { worker, .. }
                | Event::Ended { worker, .. }
                | Event::Dropped { worker, .. }
                | Event::Cleanup { worker } => {
                    seen.insert(worker);
                }
                Event::Mark(_) => {}
            }
        }
        seen
    }

    /// Steps that ended: `(worker, job)`.
    pub fn ended(&self) -> Vec<(usize, u64)> {
        self.events
            .iter()
            .filter_map(|e| match *e {
                Event::Ended { worker, job } => Some((worker, job)),
                _ => None,
            })
            .collect()
    }

    /// Workers that did something (took a job, stepped) after their own cleanup.
    pub fn active_after_cleanup(&self) -> BTreeSet<usize> {
        let mut cleaned = BTreeSet::new();
        let mut late = BTreeSet::new();
        for event in &self.events {
            match *event {
                Event::Cleanup { worker } => {
                    cleaned.insert(worker);
                }
                Event::Took { worker, .. }
                | Event::Started { worker, .. }
                | Event::Ended { worker, .. }
                | Event::Dropped { worker, .. }
                    if cleaned.contains(&worker) =>
                {
                    late.insert(worker);
                }
                _ => {}
            }
        }
        late
    }
}

/// `next_job`'s future: cancel-safe, and counted as *waiting* while pending.
struct NextJob<'a> {
    probe: &'a Probe,
    worker: usize,
}

impl Future for NextJob<'_> {
    type Output = Option<Job>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Job>> {
        let probe = self.probe;
        let mut state = probe.lock();
        if let Some(id) = state.queue.pop_front() {
            state.waiting.remove(&self.worker);
            let job = Job {
                id,
                _held: probe.held.start(),
            };
            state.log(Event::Took {
                worker: self.worker,
                job: id,
            });
            return Poll::Ready(Some(job));
        }
        if state.closed {
            if state.waiting.remove(&self.worker).is_some() {
                state.changed();
            }
            return Poll::Ready(None);
        }
        let newly = state
            .waiting
            .insert(self.worker, cx.waker().clone())
            .is_none();
        if newly {
            state.changed();
        }
        Poll::Pending
    }
}

impl Drop for NextJob<'_> {
    fn drop(&mut self) {
        let mut state = self.probe.lock();
        if state.waiting.remove(&self.worker).is_some() {
            state.changed();
        }
    }
}

/// Logs `Dropped` unless the step reached its end.
struct StepGuard<'a> {
    probe: &'a Probe,
    worker: usize,
    job: u64,
    ended: bool,
}

impl Drop for StepGuard<'_> {
    fn drop(&mut self) {
        let (worker, job) = (self.worker, self.job);
        let event = if self.ended {
            Event::Ended { worker, job }
        } else {
            Event::Dropped { worker, job }
        };
        self.probe.lock().log(event);
    }
}

/// Pending while the gate is shut.
struct Gate<'a>(&'a Probe);

impl Future for Gate<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.0.lock();
        if state.gate_shut {
            state.gate_wakers.push(cx.waker().clone());
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    }
}

impl Work for Probe {
    type Job = Job;

    fn next_job(&self, worker: usize) -> impl Future<Output = Option<Job>> + Send {
        NextJob {
            probe: self,
            worker,
        }
    }

    async fn step(&self, worker: usize, job: Job) {
        self.lock().log(Event::Started {
            worker,
            job: job.id,
        });
        let mut guard = StepGuard {
            probe: self,
            worker,
            job: job.id,
            ended: false,
        };
        Gate(self).await;
        if let Some((first, rendezvous)) = &self.rendezvous {
            if job.id < *first {
                rendezvous.arrive_async().await;
            }
        }
        drop(job);
        guard.ended = true;
    }

    fn cleanup(&self, worker: usize) {
        self.lock().log(Event::Cleanup { worker });
    }
}
