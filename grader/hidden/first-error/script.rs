//! The `f` the tests hand to `try_map_limited`, and one call of it run as a task on a runtime of
//! its own, with what the test reads right when it returns.
//!
//! Each call gets a *role* from the order in which the calls **start** (the 1st call to start,
//! the 2nd, …), never from its item: so a submission may start its calls in any order, and the
//! script still knows which call is "the 3rd to start, which fails". A role says what the call
//! waits for — the other calls of a rendezvous, the end of another call (each call holds a
//! oneshot sender until its future is gone: finished or dropped), a gate the test opens only
//! after `try_map_limited` returned, a few `yield_now`s — and how it ends. Nothing waits for the
//! clock, so the order of events is the same on every run, on any machine.
//!
//! What every call records, from the moment `f` is called until its future is gone: a
//! [`Gauge`] (calls under way, and the most at once), a [`LiveToken`](probes::LiveToken) (so a
//! call dropped before its first poll counts too), its item in the order of starts, and whether a
//! call had already failed when it started (a *late* call).

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use first_error::try_map_limited;
use futures::channel::oneshot;
use futures::future::{select, Either, FutureExt, Shared};
use probes::{Gauge, LiveWork, Rendezvous};
use runtime::Runtime;

/// What `f` returns for the tests.
pub type Call = Pin<Box<dyn Future<Output = Result<String, String>> + Send>>;
/// What `try_map_limited` returns for them.
pub type Answer = Result<Vec<String>, String>;

/// How long a call that should return at once may take before the test calls it stuck. Only
/// wrong code waits this out (once); correct code never does.
pub const STUCK_AFTER: Duration = Duration::from_secs(2);

/// How long the first calls of a rendezvous wait for the others before giving up: less than
/// [`STUCK_AFTER`], so code that runs too few calls at once gives up, finishes and is told so,
/// rather than being called stuck. Correct code never waits for it.
pub const PATIENCE: Duration = Duration::from_millis(1500);

/// The item of the call at position `index` of `items`: not the index itself, so a result taken
/// from the wrong place shows.
pub fn item(index: usize) -> u32 {
    100 + u32::try_from(index).expect("the tests use few items")
}

/// The result of a successful call on `item`.
pub fn result_of(item: u32) -> String {
    format!("r{item}")
}

/// The error of a failed call on `item`.
pub fn error_of(item: u32) -> String {
    format!("item {item} failed")
}

/// How a call ends once nothing holds it back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    Ok,
    Err,
    /// `panic!` with a message naming the item.
    Panic,
}

/// What one call does, in this order: meet, wait for another call's end, wait for the gate,
/// yield, end.
#[derive(Clone, Copy, Debug)]
pub struct Role {
    /// Waits at the script's rendezvous.
    pub meet: bool,
    /// Waits until the call that started `after`-th (0-based) has ended (finished or dropped).
    pub after: Option<usize>,
    /// Waits for the gate the test opens only once `try_map_limited` has returned.
    pub held: bool,
    /// `runtime::yield_now()`s before ending.
    pub yields: u32,
    pub ending: Ending,
}

impl Role {
    /// Ends at once.
    pub fn now(ending: Ending) -> Role {
        Role {
            meet: false,
            after: None,
            held: false,
            yields: 0,
            ending,
        }
    }

    /// Ends once the call that started `nth` has ended.
    pub fn after(nth: usize, ending: Ending) -> Role {
        Role {
            after: Some(nth),
            ..Role::now(ending)
        }
    }

    /// Ends only after `try_map_limited` has returned: by then it must have been dropped.
    pub fn held() -> Role {
        Role {
            held: true,
            ..Role::now(Ending::Ok)
        }
    }
}

/// Which runtime a call runs on.
#[derive(Clone, Copy, Debug)]
pub enum Workers {
    /// One worker: nothing else runs while the calling task runs, so whatever `try_map_limited`
    /// leaves to be done "soon" (a requested abort, a detached task) is still undone when it
    /// returns — on every run.
    One,
    /// `TASKLINGS_WORKERS`, else one per CPU.
    Default,
}

/// One scenario: `items` items (see [`item`]), the limit, the runtime, and each call's role by
/// its start position.
pub struct Setup {
    pub items: usize,
    pub limit: usize,
    pub workers: Workers,
    /// How many calls the rendezvous waits for (the calls whose role says `meet`).
    pub meet: usize,
    pub role: fn(nth: usize, items: usize) -> Role,
}

/// How the call ended.
#[derive(Debug)]
pub enum Outcome {
    Returned(Answer),
    /// Still no answer after [`STUCK_AFTER`].
    Stuck,
    /// `try_map_limited` panicked, with this message (if it was a string).
    Panicked(Option<String>),
}

/// What the test saw when `try_map_limited` returned (or was given up on).
pub struct Seen {
    pub outcome: Outcome,
    /// `runtime::num_tasks()` just before the call and right when it returned.
    pub tasks_before: usize,
    pub tasks_at_return: usize,
    /// Calls whose future was not yet dropped when it returned.
    pub live_at_return: usize,
    /// The tasks alive at return that the test did not spawn, as `runtime::dump` shows them.
    pub leftovers: String,
    /// The most calls under way at once.
    pub peak: usize,
    /// The items of the calls, in the order the calls started.
    pub started: Vec<u32>,
    /// The items of the calls that started after a call had failed.
    pub late: Vec<u32>,
    /// The items of the calls that failed, in the order they failed.
    pub failed: Vec<u32>,
    /// The rendezvous: whether it was reached, and the most calls that were in it at once.
    pub met: bool,
    pub most_met: usize,
}

/// What the calls share with the test: the instruments and the script.
struct Watch {
    role: fn(usize, usize) -> Role,
    items: usize,
    gauge: Gauge,
    live: LiveWork,
    meeting: Rendezvous,
    next: AtomicUsize,
    has_failed: AtomicBool,
    started: Mutex<Vec<u32>>,
    late: Mutex<Vec<u32>>,
    failed: Mutex<Vec<u32>>,
    /// Per start position: the sender a call holds until its future is gone (taken at the call),
    /// and the receiver that resolves then.
    ended_senders: Mutex<Vec<Option<oneshot::Sender<()>>>>,
    ended: Vec<Shared<oneshot::Receiver<()>>>,
    gate: Shared<oneshot::Receiver<()>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Watch {
    /// One call of `f`: everything up to the returned future happens *at* the call.
    fn call(self: &Arc<Self>, item: u32) -> Call {
        let late = self.has_failed.load(SeqCst);
        let nth = self.next.fetch_add(1, SeqCst);
        lock(&self.started).push(item);
        if late {
            lock(&self.late).push(item);
        }
        let in_flight = self.gauge.enter();
        let live = self.live.start();
        let ended = lock(&self.ended_senders)
            .get_mut(nth)
            .and_then(Option::take);
        // Calls beyond the number of items (a submission that calls f twice for an item) just
        // succeed.
        let role = if nth < self.items {
            (self.role)(nth, self.items)
        } else {
            Role::now(Ending::Ok)
        };
        let meeting = role.meet.then(|| self.meeting.clone());
        let wait_for = role.after.and_then(|k| self.ended.get(k).cloned());
        let gate = role.held.then(|| self.gate.clone());
        let shared = Arc::clone(self);
        Box::pin(async move {
            // Dropped with the future, however it ends: finished, or dropped by the caller.
            let _in_flight = in_flight;
            let _live = live;
            let _ended = ended;
            if let Some(meeting) = meeting {
                meeting.arrive_async().await;
            }
            if let Some(other) = wait_for {
                // Resolves (as Canceled) when that call's sender is dropped.
                let _ = other.await;
            }
            if let Some(gate) = gate {
                let _ = gate.await;
            }
            for _ in 0..role.yields {
                runtime::yield_now().await;
            }
            match role.ending {
                Ending::Ok => Ok(result_of(item)),
                Ending::Err => {
                    lock(&shared.failed).push(item);
                    shared.has_failed.store(true, SeqCst);
                    Err(error_of(item))
                }
                Ending::Panic => panic!("the call on item {item} exploded"),
            }
        })
    }
}

/// Runs `try_map_limited` over the setup's items, as a task of a fresh runtime, and reports what
/// the test saw right when it returned (or [`STUCK_AFTER`] later, if it hadn't).
pub fn run(setup: &Setup) -> Seen {
    let (ended_senders, ended): (Vec<_>, Vec<_>) = (0..setup.items)
        .map(|_| {
            let (sender, receiver) = oneshot::channel::<()>();
            (Some(sender), receiver.shared())
        })
        .unzip();
    let (open_gate, gate) = oneshot::channel::<()>();
    let shared = Arc::new(Watch {
        role: setup.role,
        items: setup.items,
        gauge: Gauge::new(),
        live: LiveWork::new(),
        meeting: Rendezvous::new(setup.meet, PATIENCE),
        next: AtomicUsize::new(0),
        has_failed: AtomicBool::new(false),
        started: Mutex::new(Vec::new()),
        late: Mutex::new(Vec::new()),
        failed: Mutex::new(Vec::new()),
        ended_senders: Mutex::new(ended_senders),
        ended,
        gate: gate.shared(),
    });
    let items: Vec<u32> = (0..setup.items).map(item).collect();
    let limit = setup.limit;
    let calls = Arc::clone(&shared);
    let f = move |item: u32| calls.call(item);

    let runtime = match setup.workers {
        Workers::One => Runtime::builder().workers(1).build(),
        Workers::Default => Runtime::builder().build(),
    }
    .expect("the test can start a runtime");
    let watched = Arc::clone(&shared);
    let scenario = async move {
        let tasks_before = runtime::num_tasks();
        let call = AssertUnwindSafe(try_map_limited(items, limit, f)).catch_unwind();
        let mut stuck_call = None;
        let outcome = match select(Box::pin(call), Box::pin(runtime::sleep(STUCK_AFTER))).await {
            Either::Left((Ok(answer), _)) => Outcome::Returned(answer),
            Either::Left((Err(panic), _)) => Outcome::Panicked(panic_text(panic.as_ref())),
            Either::Right((_, call)) => {
                // Kept until the counts are read: they are "what was running when we gave up".
                stuck_call = Some(call);
                Outcome::Stuck
            }
        };
        // Read before anything else can run on this task's worker.
        let tasks_at_return = runtime::num_tasks();
        let live_at_return = watched.live.live();
        let leftovers = leftovers();
        // Only now may the held calls go on (they should be gone already).
        drop(open_gate);
        drop(stuck_call);
        AtReturn {
            outcome,
            tasks_before,
            tasks_at_return,
            live_at_return,
            leftovers,
        }
    };
    let at_return = runtime
        .block_on(async { runtime::spawn(scenario).await })
        .unwrap_or_else(|error| panic!("the test's own task failed: {error}"));
    // Ends whatever the code under test left running, so the counts below are final.
    drop(runtime);
    let started = lock(&shared.started).clone();
    let late = lock(&shared.late).clone();
    let failed = lock(&shared.failed).clone();
    Seen {
        outcome: at_return.outcome,
        tasks_before: at_return.tasks_before,
        tasks_at_return: at_return.tasks_at_return,
        live_at_return: at_return.live_at_return,
        leftovers: at_return.leftovers,
        peak: shared.gauge.peak(),
        started,
        late,
        failed,
        met: shared.meeting.reached(),
        most_met: shared.meeting.max_together(),
    }
}

/// What the calling task reads right when `try_map_limited` returns (see [`Seen`]).
struct AtReturn {
    outcome: Outcome,
    tasks_before: usize,
    tasks_at_return: usize,
    live_at_return: usize,
    leftovers: String,
}

fn panic_text(payload: &(dyn Any + Send)) -> Option<String> {
    if let Some(text) = payload.downcast_ref::<&str>() {
        Some((*text).to_owned())
    } else {
        payload.downcast_ref::<String>().cloned()
    }
}

/// The live tasks not spawned by the hidden tests, one line each, as `runtime::dump` shows them.
fn leftovers() -> String {
    let mut text = String::new();
    for task in runtime::dump().tasks {
        let file = task.location.file().replace('\\', "/");
        if file.contains("hidden/") {
            continue;
        }
        text.push_str(&format!("\n  task {} ({})", task.id, task.state));
        // `.map(runtime::spawn)` spawns from inside the standard library: no place to show.
        if !file.starts_with("/rustc/") {
            text.push_str(&format!(", spawned at {}", task.location));
        }
    }
    text
}

/// `Ok(["r100", "r101"])`, `Err("item 102 failed")`: short, the way a learner writes it.
pub fn show(answer: &Answer) -> String {
    match answer {
        Ok(results) => format!("Ok({results:?})"),
        Err(error) => format!("Err({error:?})"),
    }
}

/// The answer; fails the test with a message a learner can act on if there was none.
pub fn answered(seen: &Seen, scenario: &str, stuck_means: &str) -> Answer {
    match &seen.outcome {
        Outcome::Returned(answer) => answer.clone(),
        Outcome::Stuck => panic!(
            "{scenario}: try_map_limited had not returned {} s later. {stuck_means}",
            STUCK_AFTER.as_secs()
        ),
        Outcome::Panicked(message) => panic!("{}", panicked(message.as_deref())),
    }
}

/// The learner-facing message for a `try_map_limited` that panicked where it shouldn't.
pub fn panicked(message: Option<&str>) -> String {
    let message = message.unwrap_or("a panic without a message");
    if message.starts_with("not yet implemented") {
        return format!("try_map_limited is not written yet: {message}");
    }
    format!(
        "try_map_limited panicked: \"{message}\", although no call of f panicked. (An error \
         from a call is a value to return as Err, not a reason to panic.)"
    )
}

/// What the leftovers look like, for messages about tasks still alive.
pub fn leftovers_text(seen: &Seen) -> String {
    if seen.leftovers.is_empty() {
        String::new()
    } else {
        format!(
            "\nTasks still alive when it returned (runtime::dump(); idle: waiting at an .await, \
             scheduled: queued to run — or to be dropped, after an abort()):{}",
            seen.leftovers
        )
    }
}

/// The items in the order of `items`, for messages.
pub fn items_text(n: usize) -> String {
    let items: Vec<u32> = (0..n).map(item).collect();
    format!("{items:?}")
}

/// ", on item 102": the item of the call that started `nth`, when it started.
pub fn on_item(seen: &Seen, nth: usize) -> String {
    seen.started
        .get(nth)
        .map_or_else(String::new, |item| format!(", on item {item}"))
}

/// Fails the test unless the first `needed` calls started: the scenario needs them all under
/// way at once before anything can fail.
pub fn check_started(seen: &Seen, scenario: &str, needed: usize, limit: usize) {
    if let Outcome::Panicked(message) = &seen.outcome {
        panic!("{}", panicked(message.as_deref()));
    }
    assert!(
        seen.started.len() >= needed,
        "{scenario}: only {} call(s) ever started ({:?}), so the {} call to start never ran. \
         With a limit of {limit}, {limit} calls must be under way at once: start calls until \
         {limit} are running, then wait for whichever finishes first.",
        seen.started.len(),
        seen.started,
        ordinal(needed)
    );
}

fn ordinal(n: usize) -> String {
    match n {
        1 => "1st".to_owned(),
        2 => "2nd".to_owned(),
        3 => "3rd".to_owned(),
        n => format!("{n}th"),
    }
}
