//! Jobs that answer: jobs with different output types go through one queue, each answers on a
//! channel of its own, and a panicking job answers with its panic's message instead of taking
//! its worker down.
//!
//!     cargo run -p runtime --example job_handles
//!
//! (The panic's message also shows on stderr: the panic hook prints it where the panic happens,
//! before `catch_unwind` catches it.)

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;

use futures::channel::oneshot;
use futures::FutureExt;
use tokio::sync::mpsc;

// ANCHOR: job
/// Any job, whatever its output: a boxed future with the output erased.
type Job = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Turns `work` into a `Job` that sends its outcome — the output, or the panic's message — on a
/// oneshot channel of its own, and returns the receiving end: the job's answer, to await.
fn answering<F>(work: F) -> (Job, oneshot::Receiver<Result<F::Output, String>>)
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let (answer, receiver) = oneshot::channel();
    let job: Job = Box::pin(async move {
        // A panic while `work` is polled comes out of `catch_unwind` as an `Err`, here.
        let outcome = AssertUnwindSafe(work).catch_unwind().await;
        // If nobody holds the receiver any more, nobody wants the answer: not an error.
        let _ = answer.send(outcome.map_err(|payload| message(payload.as_ref())));
    });
    (job, receiver)
}

/// What a panic carries: `panic!("literal")` a `&'static str`, `panic!("{x}")` a `String`.
fn message(payload: &(dyn Any + Send)) -> String {
    match (
        payload.downcast_ref::<&str>(),
        payload.downcast_ref::<String>(),
    ) {
        (Some(text), _) => (*text).to_owned(),
        (_, Some(text)) => text.clone(),
        _ => "a panic without a message".to_owned(),
    }
}
// ANCHOR_END: job

// ANCHOR: worker
async fn one_worker() {
    let (queue, mut jobs) = mpsc::channel::<Job>(4);
    let worker = runtime::spawn(async move {
        while let Some(job) = jobs.recv().await {
            job.await; // a panic in it was caught inside the job: the loop goes on
        }
    });

    let (job, length) = answering(async { "tasklings".len() });
    queue.send(job).await.expect("the worker is running");
    let (job, greeting) = answering(async { format!("hello, {}", "pool") });
    queue.send(job).await.expect("the worker is running");
    let (job, lookup) = answering(async {
        let (users, id) = (["ada", "grace"], 7);
        users
            .get(id)
            .copied()
            .unwrap_or_else(|| panic!("no user {id}")) // a job with a bug
    });
    queue.send(job).await.expect("the worker is running");
    let (job, after) = answering(async { 6 * 7 });
    queue.send(job).await.expect("the worker is running");
    drop(queue); // closes the queue: the worker ends once it has run what is in it

    println!("length:   {:?}", length.await.expect("answered"));
    println!("greeting: {:?}", greeting.await.expect("answered"));
    println!("lookup:   {:?}", lookup.await.expect("answered"));
    println!("after it: {:?}", after.await.expect("answered"));
    println!("worker:   {:?}", worker.await.map_err(|e| e.to_string()));
}
// ANCHOR_END: worker

fn main() {
    runtime::run(one_worker());
}
