//! What comes back through the handles: each job's own output, from a pool shared by several
//! submitting tasks, and a panic as `JobError::Panicked` with the panic's exact text.

use std::sync::Arc;

use worker_pool::{JobError, Pool};

use crate::support::{check, fail, pool_panicked, run_on, within, STUCK};

/// The output of job `i` in the scenarios below.
fn square(i: u64) -> u64 {
    i * i
}

pub fn runs_every_job_and_returns_its_output() {
    run_on(2, async {
        const SUBMITTERS: u64 = 4;
        const EACH: u64 = 10;
        let pool = Arc::new(Pool::new(3, 4));
        // Four tasks submit at once; their jobs yield 0, 1 or 2 times, so they finish out of
        // order, and 40 jobs don't fit in the queue: submits wait for room as they go.
        let submitters: Vec<_> = (0..SUBMITTERS)
            .map(|s| {
                let pool = Arc::clone(&pool);
                runtime::spawn(async move {
                    let mut handles = Vec::new();
                    for i in s * EACH..(s + 1) * EACH {
                        let job = async move {
                            for _ in 0..i % 3 {
                                runtime::yield_now().await;
                            }
                            square(i)
                        };
                        handles.push((i, pool.submit(job).await));
                    }
                    let mut results = Vec::new();
                    for (i, handle) in handles {
                        results.push((i, handle.await));
                    }
                    results
                })
            })
            .collect();
        for submitter in submitters {
            let results = match within(submitter).await {
                None => fail(format!(
                    "{SUBMITTERS} tasks each submitted {EACH} jobs to Pool::new(3, 4) and awaited \
                     their handles; after {} s, not every submit had returned and every handle \
                     resolved. Each job only yields a few times and returns: is a submit waiting \
                     for room that never frees, or a handle never woken?",
                    STUCK.as_secs()
                )),
                Some(Err(error)) => fail(pool_panicked(
                    error.panic_message().unwrap_or("a panic without a message"),
                )),
                Some(Ok(results)) => results,
            };
            for (i, result) in results {
                check!(
                    result == Ok(square(i)),
                    "job {i} returns {}, but its handle gave {result:?}: each handle must give \
                     its own job's output, Ok({}).",
                    square(i),
                    square(i)
                );
            }
        }
        let Ok(pool) = Arc::try_unwrap(pool) else {
            fail("the test holds the last reference to the pool".to_owned())
        };
        check!(
            within(pool.shutdown()).await.is_some(),
            "shutdown() of a pool whose 40 jobs had all finished never returned."
        );

        // Zeros count as one: a channel of capacity 0 (tokio's panics) is not an answer.
        let zeros = runtime::spawn(async {
            let pool = Pool::new(0, 0);
            for i in 0..5 {
                let Some(handle) = within(pool.submit(async move { square(i) })).await else {
                    return Err(format!("submit of job {i} never returned"));
                };
                match within(handle).await {
                    Some(Ok(output)) if output == square(i) => {}
                    Some(other) => {
                        return Err(format!(
                            "job {i} returns {}, its handle gave {other:?}",
                            square(i)
                        ))
                    }
                    None => return Err(format!("the handle of job {i} never resolved")),
                }
            }
            match within(pool.shutdown()).await {
                Some(()) => Ok(()),
                None => Err("shutdown never returned".to_owned()),
            }
        });
        match within(zeros).await {
            Some(Ok(Ok(()))) => {}
            Some(Ok(Err(what))) => fail(format!(
                "on Pool::new(0, 0), which must work as Pool::new(1, 1), running 5 jobs one after \
                 another: {what}."
            )),
            Some(Err(error)) => fail(format!(
                "Pool::new(0, 0) and 5 jobs on it panicked: \"{}\". 0 workers and a queue of 0 \
                 count as 1 (`workers.max(1)`; tokio's mpsc::channel(0) panics).",
                error.panic_message().unwrap_or("a panic without a message")
            )),
            None => fail("Pool::new(0, 0) and 5 jobs on it never finished.".to_owned()),
        }
    });
}

/// How job `i` of the panic scenario ends.
#[derive(Clone, Copy)]
enum Ending {
    Returns(u32),
    /// `panic!("job {i} failed")`: a `String` payload.
    PanicsFormatted,
    /// `panic!("a literal message")`: a `&'static str` payload.
    PanicsLiteral,
    /// Yields twice, then `panic!("job {i} failed after an await")`.
    PanicsLater,
}

const ENDINGS: [Ending; 6] = [
    Ending::Returns(10),
    Ending::PanicsFormatted,
    Ending::PanicsLiteral,
    Ending::Returns(30),
    Ending::PanicsLater,
    Ending::PanicsFormatted,
];

fn expected(i: usize, ending: Ending) -> Result<u32, JobError> {
    match ending {
        Ending::Returns(value) => Ok(value),
        Ending::PanicsFormatted => Err(JobError::Panicked(format!("job {i} failed"))),
        Ending::PanicsLiteral => Err(JobError::Panicked("a literal message".to_owned())),
        Ending::PanicsLater => Err(JobError::Panicked(format!(
            "job {i} failed after an await"
        ))),
    }
}

fn describe(i: usize, ending: Ending) -> String {
    match ending {
        Ending::Returns(value) => format!("job {i} returns {value}"),
        Ending::PanicsFormatted => {
            format!("job {i} calls panic!(\"job {{i}} failed\") (a String payload)")
        }
        Ending::PanicsLiteral => {
            format!("job {i} calls panic!(\"a literal message\") (a &'static str payload)")
        }
        Ending::PanicsLater => format!(
            "job {i} yields twice, then calls panic!(\"job {{i}} failed after an await\")"
        ),
    }
}

pub fn a_panic_comes_back_as_an_error_with_its_message() {
    run_on(2, async {
        let pool = Pool::new(2, 8);
        let mut handles = Vec::new();
        for (i, ending) in ENDINGS.into_iter().enumerate() {
            let job = async move {
                match ending {
                    Ending::Returns(value) => value,
                    Ending::PanicsFormatted => panic!("job {i} failed"),
                    Ending::PanicsLiteral => panic!("a literal message"),
                    Ending::PanicsLater => {
                        runtime::yield_now().await;
                        runtime::yield_now().await;
                        panic!("job {i} failed after an await")
                    }
                }
            };
            let Some(handle) = within(pool.submit(job)).await else {
                fail(format!(
                    "Pool::new(2, 8): the submit of job {i} never returned, after {} jobs of \
                     which some panicked. Did the panics end the workers?",
                    i
                ))
            };
            handles.push(handle);
        }
        for (i, (handle, ending)) in handles.into_iter().zip(ENDINGS).enumerate() {
            let want = expected(i, ending);
            let Some(got) = within(handle).await else {
                fail(format!(
                    "{}; its handle never resolved. {}",
                    describe(i, ending),
                    if want.is_err() {
                        "A panicking job's handle must resolve too, to \
                         Err(JobError::Panicked(message)): catch the panic where the job runs \
                         (futures::FutureExt::catch_unwind on AssertUnwindSafe(job)) and send that \
                         outcome like any other."
                    } else {
                        "Were the workers ended by the panics of the jobs before it?"
                    }
                ))
            };
            if got == want {
                continue;
            }
            let advice = match (&want, &got) {
                (Err(_), Err(JobError::Dropped)) => {
                    "Dropped means the job's result was never sent: the panic escaped the job, \
                     unwound through the worker and ended it. Catch it where the job runs \
                     (AssertUnwindSafe(job).catch_unwind().await) and send \
                     Err(JobError::Panicked(message)) to the handle."
                }
                (Err(_), Err(JobError::Panicked(_))) => {
                    "The message is the panic's payload, as written: panic!(\"literal\") carries \
                     a &'static str and a formatted panic!(\"job {i} failed\") a String — \
                     downcast_ref::<&str>() and downcast_ref::<String>(), try both."
                }
                _ => "Each handle must give its own job's outcome.",
            };
            fail(format!(
                "{}, so its handle should give {want:?}; it gave {got:?}. {advice}",
                describe(i, ending)
            ));
        }
        check!(
            within(pool.shutdown()).await.is_some(),
            "shutdown() never returned after every job had ended (some by panicking)."
        );
    });
}
