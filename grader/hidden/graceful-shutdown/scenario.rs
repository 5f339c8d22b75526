//! How a test runs the service, and the checks every test ends with.
//!
//! A scenario runs as a task on a fresh Tasklings runtime. Most run on **one worker thread with
//! lazy spawning** (what `TASKLINGS_LAZY_SPAWN=1` turns on): the scenario's task and every
//! worker take turns on one thread, a task spawned by the scenario starts only once the
//! scenario waits at an `.await`, and nothing runs between two lines of the scenario. So "the
//! cancel came while every worker was in the middle of a step" is a fact of the schedule on every
//! run, not a hope about timing, and a worker still alive when `shutdown` returns is still alive
//! on every run.
//!
//! The one clock is [`PATIENCE`]: how long the test waits for something correct code does at
//! once (a worker noticing a cancel, `shutdown` returning). Only wrong code waits it out, once.

use std::future::Future;
use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use futures::future::{self, Either};
use graceful_shutdown::Service;
use runtime::{CancellationToken, Runtime};

use crate::probe::{Probe, View};

/// How long the test waits for what correct code does at once.
pub const PATIENCE: Duration = Duration::from_secs(2);

/// The runtime's thread-name prefix.
const RUNTIME: &str = "graceful-shutdown";

/// Which runtime a scenario runs on.
#[derive(Clone, Copy, Debug)]
pub enum Threads {
    /// One worker thread, lazy spawning: a fixed schedule.
    One,
    /// `TASKLINGS_WORKERS`, else one per CPU: the schedule of a real service.
    Default,
}

/// What a scenario finds: `Err` with the message the learner reads.
pub type Verdict = Result<(), String>;

/// Runs `scenario` as a task on a fresh runtime and waits for it. Its `Err` fails the test with
/// the message, from the test's own thread (so the message is shown once); a panic inside it
/// (learner code that panics) fails the test too.
pub fn run<F, Fut>(threads: Threads, scenario: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = Verdict> + Send + 'static,
{
    let builder = Runtime::builder().thread_name(RUNTIME);
    let runtime = match threads {
        Threads::One => builder.workers(1).lazy_spawn(true),
        Threads::Default => builder,
    }
    .build()
    .expect("the grader can start a runtime");
    let outcome =
        runtime.block_on(async move { runtime::spawn(async move { scenario().await }).await });
    match outcome {
        Ok(Ok(())) => {}
        // A failed check: reported from the test's own thread, once.
        Ok(Err(failure)) => panic!("{failure}"),
        Err(error) => {
            let message = error.panic_message().unwrap_or("a panic without a message");
            if message.starts_with("not yet implemented") {
                panic!("the service is not written yet: {message}");
            }
            panic!("the service panicked: {message}");
        }
    }
}

/// `work` with a deadline of [`PATIENCE`]: `None` if it didn't finish in time.
pub async fn within<T>(work: impl Future<Output = T>) -> Option<T> {
    let work = std::pin::pin!(work);
    let timer = std::pin::pin!(runtime::sleep(PATIENCE));
    match future::select(work, timer).await {
        Either::Left((value, _)) => Some(value),
        Either::Right(_) => None,
    }
}

/// A new service on a new token, and `runtime::num_tasks()` before it spawned anything.
pub fn service(probe: &Arc<Probe>) -> (Service<Probe>, CancellationToken, usize) {
    let token = CancellationToken::new();
    let before = runtime::num_tasks();
    (
        Service::new(Arc::clone(probe), token.clone()),
        token,
        before,
    )
}

/// Waits until every worker of `workers` waits in `next_job` (and no other does).
pub async fn until_waiting(
    probe: &Probe,
    workers: impl IntoIterator<Item = usize>,
    setting: &str,
) -> Verdict {
    let want: Vec<usize> = workers.into_iter().collect();
    let reached =
        within(probe.until(|view| view.waiting.iter().copied().eq(want.iter().copied()))).await;
    if reached.is_none() {
        let view = probe.view();
        fail!(
            "{setting}: the test waited for workers {} to ask for a job, each with \
             `next_job(id)` on an empty queue; {}. Each worker is a task of its own that loops \
             on `next_job` from its start, and workers are numbered 0, 1, 2, … in the order they \
             are spawned, across spawn_workers and spawn_group.{}",
            list(&want),
            asked(&view),
            alive()
        );
    }
    Ok(())
}

/// Waits until `n` steps are in flight at once.
pub async fn until_in_step(probe: &Probe, n: usize, setting: &str) -> Verdict {
    if within(probe.until(|view| view.in_step().len() >= n))
        .await
        .is_none()
    {
        let view = probe.view();
        fail!(
            "{setting}: the test waited for {n} workers to be in the middle of a step at once (each \
             step waits at a gate the test holds shut, and the queue has jobs for all); {} were. \
             Spawn every worker as a task of its own before awaiting anything; each takes a job \
             and runs its step.{}",
            view.in_step().len(),
            alive()
        );
    }
    Ok(())
}

/// Waits until every worker of `workers` has cleaned up.
pub async fn until_cleaned_up(probe: &Probe, workers: Range<usize>) -> bool {
    within(probe.until(|view| workers.clone().all(|w| view.cleanups(w) >= 1)))
        .await
        .is_some()
}

/// Calls `shutdown`. Beside it, once shutdown has cancelled the token, the test marks the cancel
/// in the log, lets every task that the cancel woke take its turn (so a worker that drops its
/// step on a cancel has done so), and only then opens the gate for the steps. Fails the test
/// when shutdown doesn't return in time.
pub async fn shut_down(
    service: Service<Probe>,
    token: &CancellationToken,
    probe: &Probe,
    setting: &str,
) -> Verdict {
    let marker = async {
        token.cancelled().await;
        probe.mark("shutdown cancelled the service's token");
        // On one worker thread, `yield_now` puts this task behind every task already queued:
        // the workers the cancel woke run first.
        for _ in 0..4 {
            runtime::yield_now().await;
        }
        probe.open_gate();
    };
    if within(future::join(service.shutdown(), marker))
        .await
        .is_none()
    {
        if !token.is_cancelled() {
            fail!(
                "{setting}: shutdown() had not cancelled the service's token {PATIENCE:?} after \
                 it was called (and had not returned). shutdown cancels the token it was given in \
                 Service::new, which stops every worker, then waits for them.{}",
                alive()
            );
        }
        return stuck(probe, setting);
    }
    Ok(())
}

/// `shutdown` when the token is cancelled already (by the test).
pub async fn shut_down_cancelled(service: Service<Probe>, probe: &Probe, setting: &str) -> Verdict {
    if within(service.shutdown()).await.is_none() {
        return stuck(probe, setting);
    }
    Ok(())
}

fn stuck(probe: &Probe, setting: &str) -> Verdict {
    let view = probe.view();
    let waiting = &view.waiting;
    let in_step = view.in_step();
    let mut doing = Vec::new();
    if !waiting.is_empty() {
        doing.push(format!(
            "workers {} were still waiting in next_job",
            list(waiting)
        ));
    }
    if !in_step.is_empty() {
        doing.push(format!("{} steps were still running", in_step.len()));
    }
    let doing = if doing.is_empty() {
        String::new()
    } else {
        format!(" ({})", doing.join("; "))
    };
    fail!(
        "{setting}: shutdown() had not returned {PATIENCE:?} after the service's token was \
         cancelled{doing}. A worker waiting for a job must wait for the cancel at the same time \
         (select over token.cancelled() and next_job), so that a cancel always reaches it; and \
         shutdown waits only for the workers the service spawned.{}",
        alive()
    );
}

/// The checks every scenario ends with, right when `shutdown` returned: the tasks are gone,
/// no step is running, no job is held, every worker of `workers` cleaned up exactly once after
/// its last step, no step was dropped half-way, and no job was taken after the cancel.
pub fn check_ended(probe: &Probe, before: usize, workers: Range<usize>, setting: &str) -> Verdict {
    let at_return = runtime::num_tasks();
    let view = probe.view();
    check_returned_after_the_end(probe, &view, before, at_return, &workers, setting)?;
    check_cleanups(&view, &workers, setting)?;
    check_finished(&view, setting)?;
    check_nothing_after_cancel(&view, setting)
}

/// Nothing the service started is still alive when `shutdown` returns.
pub fn check_returned_after_the_end(
    probe: &Probe,
    view: &View,
    before: usize,
    at_return: usize,
    workers: &Range<usize>,
    setting: &str,
) -> Verdict {
    let not_cleaned: Vec<usize> = workers.clone().filter(|&w| view.cleanups(w) == 0).collect();
    let in_step = view.in_step();
    if at_return > before || !in_step.is_empty() {
        let mut seen = vec![format!(
            "runtime::num_tasks() was {before} before the service spawned its workers and \
             {at_return} when shutdown returned"
        )];
        if !in_step.is_empty() {
            seen.push(format!("{} steps were still running", in_step.len()));
        }
        if !not_cleaned.is_empty() {
            seen.push(format!(
                "workers {} had not cleaned up yet",
                list(&not_cleaned)
            ));
        }
        fail!(
            "{setting}: shutdown() returned before every worker had ended: {}. Cancelling the \
             token only asks the workers to stop; shutdown must then wait for each worker's \
             task to end — await every JoinHandle (a dropped JoinHandle detaches its task, it \
             doesn't wait for it).{}",
            seen.join("; "),
            alive()
        );
    }
    let held = probe.held();
    ensure!(
        held == 0,
        "{setting}: when shutdown() returned, {held} jobs taken from next_job had not been \
         dropped yet: every job a worker takes goes into its step (which consumes it)."
    );
    Ok(())
}

/// Every worker cleaned up exactly once, after its last step, and did nothing after.
pub fn check_cleanups(view: &View, workers: &Range<usize>, setting: &str) -> Verdict {
    let never: Vec<usize> = workers.clone().filter(|&w| view.cleanups(w) == 0).collect();
    ensure!(
        never.is_empty(),
        "{setting}: workers {} never called cleanup (of workers {}). Every worker calls \
         cleanup(id) exactly once when it stops — whatever stopped it: a cancel while it waited \
         for a job, a cancel that came before it even ran, or next_job giving None. Put the \
         call where every way out of the worker's loop passes (after the loop, or in a guard's \
         Drop), and don't return early past it.",
        list(&never),
        range(workers)
    );
    let twice: Vec<String> = workers
        .clone()
        .filter(|&w| view.cleanups(w) > 1)
        .map(|w| format!("worker {w}: {} times", view.cleanups(w)))
        .collect();
    ensure!(
        twice.is_empty(),
        "{setting}: cleanup ran more than once for a worker ({}). It must run exactly once per \
         worker: releasing a connection twice is a bug of its own. Call it in one place — after \
         the loop, or in a guard's Drop, not both.",
        twice.join(", ")
    );
    let late = view.active_after_cleanup();
    ensure!(
        late.is_empty(),
        "{setting}: workers {} took a job or ran a step after their cleanup. A worker cleans \
         up once it has stopped, after its last step has ended.",
        list(&late)
    );
    let strangers: Vec<usize> = view
        .workers()
        .into_iter()
        .filter(|w| !workers.contains(w))
        .collect();
    ensure!(
        strangers.is_empty(),
        "{setting}: calls came from workers numbered {}, but the service had only workers {}: \
         workers are numbered 0, 1, 2, … in the order they are spawned, across every \
         spawn_workers and spawn_group call of the service.",
        list(&strangers),
        range(workers)
    );
    Ok(())
}

/// No step was dropped half-way.
pub fn check_finished(view: &View, setting: &str) -> Verdict {
    let dropped = view.dropped();
    ensure!(
        dropped.is_empty(),
        "{setting}: {} steps were dropped half-way instead of finished ({}). The service \
         promises to finish a step that has started, even when the cancel comes in its \
         middle: don't race the step against the token (a select! over `step` and \
         `cancelled()` drops the step when the cancel wins), and don't abort() the workers' \
         tasks — cancel the token, and let each worker notice it between steps.",
        dropped.len(),
        pairs(&dropped, "was in job")
    );
    Ok(())
}

/// No job was taken after the cancel.
pub fn check_nothing_after_cancel(view: &View, setting: &str) -> Verdict {
    let taken = view.taken_after_mark();
    ensure!(
        taken.is_empty(),
        "{setting}: after the token was cancelled, workers took {} more jobs from next_job \
         ({}), and started {} steps. Once cancel() has returned, a worker takes no new job: \
         look at the token before taking one, and when both are ready at once (a step ends \
         with the next job already queued, or a job and the cancel arrive together) the cancel \
         must win. `tokio::select!` starts at a random branch unless you write `biased;` (then \
         it polls the branches in the order written: put the cancel first); \
         `futures::future::select(a, b)` polls `a` first.",
        taken.len(),
        pairs(&taken, "took job"),
        view.started_after_mark()
    );
    Ok(())
}

/// The tasks alive now that the hidden tests didn't spawn, as `runtime::dump()` shows them.
pub fn alive() -> String {
    let mut text = String::new();
    for task in runtime::dump().tasks {
        let file = task.location.file().replace('\\', "/");
        if file.contains("hidden/") {
            continue;
        }
        text.push_str(&format!("\n  task {} ({})", task.id, task.state));
        if !file.starts_with("/rustc/") {
            text.push_str(&format!(", spawned at {}", task.location));
        }
    }
    if text.is_empty() {
        text
    } else {
        format!(
            "\nTasks alive (runtime::dump(); idle: waiting at an .await, scheduled: queued to \
             run):{text}"
        )
    }
}

fn asked(view: &View) -> String {
    if view.waiting.is_empty() {
        "none did".to_owned()
    } else {
        format!("workers {} did", list(&view.waiting))
    }
}

pub fn list<'a>(workers: impl IntoIterator<Item = &'a usize>) -> String {
    let names: Vec<String> = workers.into_iter().map(usize::to_string).collect();
    names.join(", ")
}

fn range(workers: &Range<usize>) -> String {
    match workers.len() {
        0 => "none".to_owned(),
        1 => workers.start.to_string(),
        _ => format!("{} to {}", workers.start, workers.end - 1),
    }
}

/// `worker 3 took job 40, worker 5 took job 41, …` (the first few).
fn pairs(pairs: &[(usize, u64)], verb: &str) -> String {
    const SHOWN: usize = 4;
    let mut text: Vec<String> = pairs
        .iter()
        .take(SHOWN)
        .map(|(worker, job)| format!("worker {worker} {verb} {job}"))
        .collect();
    if pairs.len() > SHOWN {
        text.push(format!("and {} more", pairs.len() - SHOWN));
    }
    text.join(", ")
}
