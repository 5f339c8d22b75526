//! Attempts whose finishing order the test decides, and one call of `first_success` run as a
//! task on a runtime of its own, with what the test reads right when it returns.
//!
//! An attempt never races the clock. It waits for *events*: the end of other attempts (each
//! attempt holds a oneshot sender until its future is gone — returned, panicked or dropped —
//! so a receiver of it resolves exactly then), or a gate the test holds shut until the call has
//! returned. So "attempt 1 succeeds after attempts 0 and 2 have failed" holds on every run, on
//! any machine, with one worker or many.
//!
//! Each attempt also holds a [`LiveToken`](probes::LiveToken) from the moment it is *created*
//! until its future is dropped, so an attempt aborted before its first poll counts too: zero
//! tokens alive at return means every attempt's drop code has run.

use std::future::{self, Future};
use std::pin::Pin;
use std::time::Duration;

use futures::channel::oneshot;
use futures::future::{Either, FutureExt, Shared};
use probes::LiveWork;
use runtime::Runtime;
use task_lifecycle::{first_success, Failure};

/// What the tests hand to `first_success`.
pub type Attempt = Pin<Box<dyn Future<Output = Result<u32, &'static str>> + Send>>;
/// What `first_success` returns for them.
pub type Answer = Result<u32, Vec<Failure<&'static str>>>;

/// How long a call whose winner succeeds at once may take before the test calls it stuck. Only
/// wrong code waits this out (once); correct code returns as soon as the winner has finished.
pub const STUCK_AFTER: Duration = Duration::from_secs(2);

/// How an attempt ends once nothing holds it back.
#[derive(Clone, Copy, Debug)]
pub enum Ending {
    Ok(u32),
    Err(&'static str),
    /// `panic!` with this message.
    Panic(&'static str),
    /// A panic whose payload is not a string (`panic_any(42)`).
    PanicWithNumber,
    /// Never finishes (until it is aborted).
    Never,
}

/// One attempt of a script: what it waits for, then how it ends.
#[derive(Clone, Debug)]
pub struct Step {
    /// The attempts (by index) whose end it waits for.
    pub after: Vec<usize>,
    /// Also waits for a gate the test opens only once the call has returned.
    pub held: bool,
    pub ending: Ending,
}

/// Ends at once.
pub fn now(ending: Ending) -> Step {
    Step {
        after: Vec::new(),
        held: false,
        ending,
    }
}

/// Ends once the attempts `after` have ended.
pub fn after(after: &[usize], ending: Ending) -> Step {
    Step {
        after: after.to_vec(),
        held: false,
        ending,
    }
}

/// Ends only once the call has returned: by then it must have been aborted.
pub fn held(ending: Ending) -> Step {
    Step {
        after: Vec::new(),
        held: true,
        ending,
    }
}

/// The attempts of a script, the tokens they hold, and the gates the test keeps shut.
pub struct Script {
    pub attempts: Vec<Attempt>,
    pub live: LiveWork,
    gates: Vec<oneshot::Sender<()>>,
}

impl Script {
    /// Attempts the test wrote itself (no tokens, no gates).
    pub fn custom(attempts: Vec<Attempt>) -> Script {
        Script {
            attempts,
            live: LiveWork::new(),
            gates: Vec::new(),
        }
    }

    pub fn new(steps: &[Step]) -> Script {
        let live = LiveWork::new();
        let (ended_senders, ended): (Vec<_>, Vec<_>) = steps
            .iter()
            .map(|_| {
                let (sender, receiver) = oneshot::channel::<()>();
                (sender, receiver.shared())
            })
            .unzip();
        let mut gates = Vec::new();
        let attempts = steps
            .iter()
            .zip(ended_senders)
            .map(|(step, ended_sender)| {
                let waits: Vec<Shared<oneshot::Receiver<()>>> =
                    step.after.iter().map(|&i| ended[i].clone()).collect();
                let gate = step.held.then(|| {
                    let (open, gate) = oneshot::channel::<()>();
                    gates.push(open);
                    gate
                });
                attempt(live.start(), ended_sender, waits, gate, step.ending)
            })
            .collect();
        Script {
            attempts,
            live,
            gates,
        }
    }
}

fn attempt(
    token: probes::LiveToken,
    ended: oneshot::Sender<()>,
    waits: Vec<Shared<oneshot::Receiver<()>>>,
    gate: Option<oneshot::Receiver<()>>,
    ending: Ending,
) -> Attempt {
    Box::pin(async move {
        // Both are dropped with the future, however it ends: the token says "gone", the sender
        // tells the attempts waiting for this one.
        let _token = token;
        let _ended = ended;
        for wait in waits {
            // Resolves (as Canceled) when that attempt's sender is dropped.
            let _ = wait.await;
        }
        if let Some(gate) = gate {
            let _ = gate.await;
        }
        match ending {
            Ending::Ok(value) => Ok(value),
            Ending::Err(error) => Err(error),
            Ending::Panic(message) => panic!("{message}"),
            Ending::PanicWithNumber => std::panic::panic_any(42_u32),
            Ending::Never => future::pending().await,
        }
    })
}

/// What the test saw when `first_success` returned.
pub struct Seen {
    /// `None`: still no answer after [`STUCK_AFTER`].
    pub answer: Option<Answer>,
    /// `runtime::num_tasks()` just before the call and right when it returned.
    pub tasks_before: usize,
    pub tasks_at_return: usize,
    /// Attempts whose future was not yet dropped when it returned.
    pub live_at_return: usize,
    /// The tasks alive at return that the test did not spawn, as `runtime::dump` shows them.
    pub leftovers: String,
}

/// How many workers the runtime of a call gets.
#[derive(Clone, Copy, Debug)]
pub enum Workers {
    /// One: nothing runs while the calling task runs, so whatever `first_success` leaves to be
    /// done "soon" (a requested abort, say) is still undone when it returns, on every run.
    One,
    /// `TASKLINGS_WORKERS`, else one per CPU.
    Default,
}

/// Calls `first_success(script.attempts)` in a task of a fresh runtime and reports what the test
/// saw right when it returned. A panic of `first_success` fails the test with its message.
pub fn call(script: Script, workers: Workers) -> Seen {
    let Script {
        attempts,
        live,
        gates,
    } = script;
    let runtime = match workers {
        Workers::One => Runtime::builder().workers(1).build(),
        Workers::Default => Runtime::builder().build(),
    }
    .expect("the test can start a runtime");
    let scenario = async move {
        let tasks_before = runtime::num_tasks();
        let call = Box::pin(first_success(attempts));
        let answer =
            match futures::future::select(call, Box::pin(runtime::sleep(STUCK_AFTER))).await {
                Either::Left((answer, _)) => Some(answer),
                Either::Right(_) => None,
            };
        // Read before anything else can run on this task's worker.
        let tasks_at_return = runtime::num_tasks();
        let live_at_return = live.live();
        let leftovers = leftovers();
        // Only now may the held attempts go on (they should be gone already).
        drop(gates);
        Seen {
            answer,
            tasks_before,
            tasks_at_return,
            live_at_return,
            leftovers,
        }
    };
    match runtime.block_on(async { runtime::spawn(scenario).await }) {
        Ok(seen) => seen,
        Err(error) => panic!("{}", caller_panicked(&error)),
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

/// The learner-facing message for a `first_success` that panicked.
pub fn caller_panicked(error: &runtime::JoinError) -> String {
    let message = error.panic_message().unwrap_or("a panic without a message");
    if message.starts_with("not yet implemented") {
        return format!("first_success is not written yet: {message}");
    }
    format!(
        "first_success panicked instead of returning: \"{message}\". A panic inside an attempt \
         must come back as Failure::Panicked(message) and never take the caller down: match on \
         the JoinError that awaiting its handle gives (error.panic_message()), don't unwrap() it \
         or resume the panic."
    )
}

/// `Ok(7)`, `Err([Err("a"), Panicked(Some("b"))])`: short, the way a learner writes it.
pub fn show(answer: &Answer) -> String {
    match answer {
        Ok(value) => format!("Ok({value})"),
        Err(failures) => {
            let each: Vec<String> = failures
                .iter()
                .map(|failure| match failure {
                    Failure::Err(error) => format!("Err({error:?})"),
                    Failure::Panicked(Some(message)) => format!("Panicked(Some({message:?}))"),
                    Failure::Panicked(None) => "Panicked(None)".to_owned(),
                })
                .collect();
            format!("Err([{}])", each.join(", "))
        }
    }
}

/// The answer, or a failure saying the call got stuck.
pub fn answered(seen: &Seen, what: &str) -> Answer {
    match &seen.answer {
        Some(answer) => answer.clone(),
        None => panic!(
            "{what}: first_success had not returned {} s later. It must return as soon as one \
             attempt has succeeded; it seems to wait for attempts in the order of the list (an \
             attempt that never finishes then blocks it forever), or for every attempt. Spawn \
             them all, then wait for whichever finishes first.",
            STUCK_AFTER.as_secs()
        ),
    }
}
