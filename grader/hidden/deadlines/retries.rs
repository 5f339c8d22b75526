//! `call_with_retries` on tokio's paused clock, against the model of the docs' rules.
//!
//! Each test runs scripted attempts (`attempts.rs`) with the test's seeded jitter and compares,
//! in the order things happen, what the learner's code did with what the model (`model.rs`)
//! says: each attempt's start, its end (completed, or dropped — and when), the backoff each wait
//! asked the jitter about, the result and when it came. The first difference is the failure,
//! with the times around it. Virtual times are exact, so the comparison is exact.

use std::time::Duration;

use deadlines::{call_with_retries, RetryError, RetryPolicy};

use crate::attempts::{Attempts, Ending, Jitter, Record, Step};
use crate::model::{self, Plan};
use crate::paused::{blocking_hint, ms, run_paused, secs, secs_or_never};

/// One call to run: deadline (virtual time since the start), policy, scripted attempts, seed.
pub struct Scenario {
    pub deadline: Duration,
    pub policy: RetryPolicy,
    pub script: Vec<Step>,
    pub seed: u64,
}

/// What the learner's code did.
pub struct Outcome {
    pub result: Result<u32, RetryError<u32>>,
    pub returned_at: Duration,
    /// The attempts as they were when the call returned.
    pub records: Vec<Record>,
    pub jitter_calls: Vec<Duration>,
    /// Whether no attempt future was left alive, at the return and ten virtual seconds later.
    pub quiet: Result<(), String>,
    /// Tokio tasks alive ten virtual seconds after the return, beyond those alive before.
    pub extra_tasks: usize,
    pub real_time: Duration,
}

pub const fn policy(timeout_ms: u64, base_ms: u64, max_ms: u64, attempts: u32) -> RetryPolicy {
    RetryPolicy {
        attempt_timeout: ms(timeout_ms),
        base_backoff: ms(base_ms),
        max_backoff: ms(max_ms),
        max_attempts: attempts,
    }
}

impl Scenario {
    fn what(&self) -> String {
        let p = &self.policy;
        format!(
            "call_with_retries(deadline at {}, RetryPolicy {{ attempt_timeout: {:?}, \
             base_backoff: {:?}, max_backoff: {:?}, max_attempts: {} }}, jitter, attempt) with \
             attempts that {}",
            secs(self.deadline),
            p.attempt_timeout,
            p.base_backoff,
            p.max_backoff,
            p.max_attempts,
            script_text(&self.script)
        )
    }

    /// Runs the scenario on a fresh paused clock; with `spawned`, inside `tokio::spawn`.
    pub fn run(&self, spawned: bool) -> Outcome {
        let deadline = self.deadline;
        let policy = self.policy;
        let script = self.script.clone();
        let seed = self.seed;
        let run = run_paused(&self.what(), || async move {
            let alive = || {
                tokio::runtime::Handle::current()
                    .metrics()
                    .num_alive_tasks()
            };
            let before = alive();
            let attempts = Attempts::new(script);
            let jitter = Jitter::new(seed);
            let call = call_with_retries(
                attempts.origin() + deadline,
                policy,
                jitter.closure(),
                attempts.attempt(),
            );
            let result = if spawned {
                match tokio::spawn(call).await {
                    Ok(result) => result,
                    Err(error) => std::panic::resume_unwind(error.into_panic()),
                }
            } else {
                call.await
            };
            let returned_at = tokio::time::Instant::now() - attempts.origin();
            let records = attempts.records();
            let quiet = attempts
                .live
                .check_quiet_async(Duration::from_secs(10))
                .await;
            Outcome {
                result,
                returned_at,
                records,
                jitter_calls: jitter.calls(),
                quiet,
                extra_tasks: alive().saturating_sub(before),
                real_time: Duration::ZERO,
            }
        });
        Outcome {
            real_time: run.real_time,
            ..run.output
        }
    }

    /// Runs the scenario and checks everything the model predicts; returns the outcome for
    /// further checks.
    pub fn check(&self) -> Outcome {
        let outcome = self.run(false);
        self.check_outcome(&outcome);
        outcome
    }

    /// Panics with the first difference between `outcome` and the model.
    pub fn check_outcome(&self, outcome: &Outcome) {
        let plan = model::plan(self.deadline, &self.policy, &self.script, self.seed);
        let what = self.what();
        let hint = blocking_hint(outcome.real_time);
        if let Err(problem) = self.compare(&plan, outcome) {
            panic!("{what}: {problem}{hint}");
        }
    }

    fn compare(&self, plan: &Plan, outcome: &Outcome) -> Result<(), String> {
        for (index, planned) in plan.attempts.iter().enumerate() {
            let number = index as u32 + 1;
            let Some(record) = outcome.records.get(index) else {
                return Err(format!(
                    "it made {} attempt(s) and returned {:?} at {}, but attempt {number} should \
                     have started at {}: {}",
                    outcome.records.len(),
                    outcome.result,
                    secs(outcome.returned_at),
                    secs(planned.start),
                    self.why_start(plan, index),
                ));
            };
            if record.number != number {
                return Err(format!(
                    "attempt {number} was made by calling attempt({}); the docs number attempts \
                     from 1: attempt(1), attempt(2), …",
                    record.number
                ));
            }
            self.compare_start(plan, index, record)?;
            self.compare_end(plan, index, record)?;
            if let Some(wait) = plan.waits.get(index) {
                match outcome.jitter_calls.get(index) {
                    Some(&asked) if asked == wait.backoff => {}
                    Some(&asked) => {
                        return Err(format!(
                            "after attempt {number} failed, jitter was called with {asked:?}; it \
                             should be called with backoff({number}) = {:?} (base_backoff · \
                             2^({number} − 1), at most max_backoff){}",
                            wait.backoff,
                            backoff_mistake(&self.policy, number, asked)
                        ));
                    }
                    None => {
                        return Err(format!(
                            "jitter was called {} time(s); after attempt {number} failed it \
                             should be called (once per wait) with backoff({number}) = {:?}, \
                             and the wait is what it returns",
                            outcome.jitter_calls.len(),
                            wait.backoff
                        ));
                    }
                }
            }
        }
        if let Some(extra) = outcome.records.get(plan.attempts.len()) {
            return Err(self.extra_attempt(plan, extra));
        }
        if outcome.jitter_calls.len() > plan.waits.len() {
            return Err(format!(
                "jitter was called {} time(s) (with {:?}), but only {} wait(s) came before \
                 the call ended: call it once per wait, only when another attempt may follow",
                outcome.jitter_calls.len(),
                outcome.jitter_calls,
                plan.waits.len()
            ));
        }
        if outcome.result != plan.result {
            return Err(format!(
                "it returned {:?}; it should return {:?}{}",
                outcome.result,
                plan.result,
                result_hint(&plan.result)
            ));
        }
        if outcome.returned_at > plan.returns_by {
            let why = match plan.result {
                Err(RetryError::DeadlineExceeded { .. }) => format!(
                    " — the deadline is at {}, and the call must never return after it",
                    secs(self.deadline)
                ),
                _ => " — return as soon as the result is known".to_owned(),
            };
            return Err(format!(
                "it returned {:?} at {}; it should have returned by {}{why}",
                outcome.result,
                secs(outcome.returned_at),
                secs(plan.returns_by),
            ));
        }
        if outcome.returned_at < plan.returns_from {
            return Err(format!(
                "it returned {:?} at {}, before {} — when the last attempt ended",
                outcome.result,
                secs(outcome.returned_at),
                secs(plan.returns_from),
            ));
        }
        Ok(())
    }

    /// Why attempt `index` should start when the model says.
    fn why_start(&self, plan: &Plan, index: usize) -> String {
        let Some(previous) = index.checked_sub(1) else {
            return "the first attempt starts at once".to_owned();
        };
        let ended = &plan.attempts[previous];
        let wait = &plan.waits[previous];
        format!(
            "attempt {previous_number} {how} at {}, then comes the wait jitter(backoff\
             ({previous_number}) = {:?}) = {:?}, which ends before the deadline ({})",
            secs(ended.end),
            wait.backoff,
            wait.wait,
            secs(self.deadline),
            previous_number = previous + 1,
            how = self.failed_how(previous, ended.ending),
        )
    }

    fn failed_how(&self, index: usize, ending: Ending) -> String {
        match (ending, self.script[index]) {
            (Ending::Dropped, _) => "timed out (was dropped)".to_owned(),
            (Ending::Completed, Step::Fail { code, .. }) => format!("failed with Err({code})"),
            _ => "ended".to_owned(),
        }
    }

    fn compare_start(&self, plan: &Plan, index: usize, record: &Record) -> Result<(), String> {
        let number = index + 1;
        let planned = plan.attempts[index];
        let Some(started) = record.started else {
            return Err(format!(
                "attempt {number} was made (attempt({number}) was called) but its future was \
                 never polled — it should have started at {}: await it",
                secs(planned.start)
            ));
        };
        if started == planned.start {
            return Ok(());
        }
        let mut problem = format!(
            "attempt {number} started at {}; it should start at {}: {}",
            secs(started),
            secs(planned.start),
            self.why_start(plan, index)
        );
        if let Some(previous) = index.checked_sub(1) {
            let ended = plan.attempts[previous].end;
            let wait = plan.waits[previous];
            if started == ended {
                problem += ". It started with no wait at all after the failure";
            } else if started == ended + wait.backoff && wait.backoff != wait.wait {
                problem += ". It waited the backoff itself: wait what jitter returns instead";
            } else if started < planned.start {
                problem += ". It started too early";
            } else {
                problem += ". It started too late";
            }
        }
        Err(problem)
    }

    fn compare_end(&self, plan: &Plan, index: usize, record: &Record) -> Result<(), String> {
        let number = index + 1;
        let planned = plan.attempts[index];
        let actual = record.ended;
        if actual == Some((planned.end, planned.ending)) {
            return Ok(());
        }
        let own_limit = planned.start + self.policy.attempt_timeout;
        let cut_by = if self.deadline <= own_limit {
            format!(
                "the deadline ({}) comes before its own timeout would ({}): cut each attempt at \
                 whichever comes first, min(start + attempt_timeout, deadline)",
                secs(self.deadline),
                secs(own_limit)
            )
        } else {
            format!(
                "it started at {} and attempt_timeout is {:?}",
                secs(planned.start),
                self.policy.attempt_timeout
            )
        };
        Err(match (planned.ending, actual) {
            (Ending::Dropped, None) => format!(
                "attempt {number} was still running when the call returned; it should have been \
                 dropped at {} — {cut_by}. An attempt you tokio::spawn keeps running when you stop \
                 waiting for its JoinHandle: put the timeout on the attempt's future itself \
                 (timeout / timeout_at drop it), or abort the task and await its handle",
                secs(planned.end)
            ),
            (Ending::Dropped, Some((at, Ending::Completed))) => format!(
                "attempt {number} ran on until it completed at {}; it should have been stopped \
                 (its future dropped) at {} — {cut_by}",
                secs(at),
                secs(planned.end)
            ),
            (Ending::Dropped, Some((at, Ending::Dropped))) => format!(
                "attempt {number} was dropped at {}; it should have been dropped at {} — \
                 {cut_by}{}",
                secs(at),
                secs(planned.end),
                if at > planned.end && self.deadline > own_limit {
                    ". It lived on after its timeout: drop the attempt's future the moment the \
                     cut comes (a future kept in a variable, or pinned with tokio::pin!, lives \
                     until the end of its scope — through the wait, here)"
                } else {
                    ""
                }
            ),
            (Ending::Completed, None) => format!(
                "attempt {number} should have completed at {}, but when the call returned its \
                 future was still alive, not completed",
                secs(planned.end)
            ),
            (Ending::Completed, Some((at, ending))) => format!(
                "attempt {number} {} at {}; it should have run until it completed at {} — it \
                 started at {}, its timeout is {:?} and the deadline is at {}",
                if ending == Ending::Dropped {
                    "was dropped"
                } else {
                    "completed"
                },
                secs(at),
                secs(planned.end),
                secs(planned.start),
                self.policy.attempt_timeout,
                secs(self.deadline),
            ),
        })
    }

    fn extra_attempt(&self, plan: &Plan, extra: &Record) -> String {
        let made = plan.attempts.len();
        let when = secs_or_never(extra.started);
        let last_end = plan.attempts.last().map_or(Duration::ZERO, |last| last.end);
        match &plan.result {
            Ok(value) => format!(
                "attempt {} was made (started: {when}) after attempt {made} succeeded with \
                 Ok({value}) at {}: return the first Ok at once, no retries after a success",
                made + 1,
                secs(last_end)
            ),
            Err(RetryError::Exhausted { .. }) => format!(
                "attempt {} was made (started: {when}), but max_attempts is {}: after the \
                 {made}th failure, return Err(Exhausted {{ .. }}) at once",
                made + 1,
                self.policy.max_attempts
            ),
            Err(RetryError::DeadlineExceeded { .. }) => format!(
                "attempt {} was made (started: {when}), but the deadline is at {}: after \
                 attempt {made} ended at {}, {}",
                made + 1,
                secs(self.deadline),
                secs(last_end),
                match made.checked_sub(1).and_then(|last| plan.waits.get(last)) {
                    Some(wait) => format!(
                        "the wait of {:?} would end at {}, not before the deadline: return \
                         Err(DeadlineExceeded) instead of starting another attempt",
                        wait.wait,
                        secs(last_end + wait.wait)
                    ),
                    None => "no attempt may start at or after the deadline".to_owned(),
                }
            ),
        }
    }
}

/// "fail after 40 ms, never answer, succeed after 90 ms (Ok(7))".
fn script_text(script: &[Step]) -> String {
    let steps: Vec<String> = script
        .iter()
        .map(|step| match step {
            Step::Succeed { ms, value } => format!("succeed after {ms} ms (Ok({value}))"),
            Step::Fail { ms, code } => format!("fail after {ms} ms (Err({code}))"),
            Step::Hang => "never answer".to_owned(),
        })
        .collect();
    format!("in turn {}", steps.join(", "))
}

fn backoff_mistake(policy: &RetryPolicy, failures: u32, asked: Duration) -> String {
    let uncapped = policy
        .base_backoff
        .checked_mul(2u32.saturating_pow(failures - 1));
    if asked > policy.max_backoff {
        format!(
            ". {asked:?} is more than max_backoff ({:?}): cap the backoff",
            policy.max_backoff
        )
    } else if Some(asked) == uncapped {
        String::new()
    } else if asked == policy.base_backoff * failures {
        ". That grows linearly (base · n); the backoff doubles after each failure".to_owned()
    } else {
        String::new()
    }
}

fn result_hint(expected: &Result<u32, RetryError<u32>>) -> &'static str {
    match expected {
        Ok(_) => " — the value of the first attempt that succeeded",
        Err(RetryError::Exhausted { .. }) => {
            " — Exhausted, with the number of attempts made and how the last one failed \
             (Failure::TimedOut when it was dropped at its timeout)"
        }
        Err(RetryError::DeadlineExceeded { .. }) => {
            " — DeadlineExceeded, with the number of attempts started (the one the deadline cut \
             short included)"
        }
    }
}

/// A fast failure: fails after `ms` with `code`.
const fn fail(ms: u64, code: u32) -> Step {
    Step::Fail { ms, code }
}

const fn succeed(ms: u64, value: u32) -> Step {
    Step::Succeed { ms, value }
}

// -------------------------------------------------------------------------------------------
// The tests.

pub fn backoff_doubles_from_base_up_to_the_cap() {
    let cases: &[(RetryPolicy, &[(u32, Duration)])] = &[
        (
            policy(1000, 100, 1000, 5),
            &[
                (1, ms(100)),
                (2, ms(200)),
                (3, ms(400)),
                (4, ms(800)),
                (5, ms(1000)),
                (6, ms(1000)),
                (0, ms(100)),
                (40, ms(1000)),
                (u32::MAX, ms(1000)),
            ],
        ),
        (
            policy(1000, 3, 3_600_000, 5),
            &[
                (11, ms(3 * 1024)),
                (21, ms(3 << 20)),
                (22, ms(3_600_000)),
                (33, ms(3_600_000)),
            ],
        ),
        (policy(1000, 0, 1000, 5), &[(1, ms(0)), (5, ms(0))]),
        (
            RetryPolicy {
                attempt_timeout: ms(1),
                base_backoff: Duration::from_secs(1 << 62),
                max_backoff: Duration::MAX,
                max_attempts: 1,
            },
            &[
                (2, Duration::from_secs(1 << 63)),
                (3, Duration::MAX),
                (1000, Duration::MAX),
            ],
        ),
    ];
    for (policy, expected) in cases {
        for &(failures, backoff) in *expected {
            let got = std::panic::catch_unwind(|| policy.backoff(failures)).unwrap_or_else(|payload| {
                let message = payload
                    .downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| payload.downcast_ref::<&str>().copied())
                    .unwrap_or("a panic without a message");
                let advice = if message.contains("overflow") || failures >= 32 {
                    " Nothing may overflow: 2u32.checked_pow and Duration::checked_mul say when \
                     the number is too big (then the answer is the cap)"
                } else {
                    ""
                };
                panic!(
                    "RetryPolicy {{ base_backoff: {:?}, max_backoff: {:?}, .. }}.backoff({failures}) \
                     panicked ({message}); it should return {backoff:?}.{advice}",
                    policy.base_backoff, policy.max_backoff
                )
            });
            assert!(
                got == backoff,
                "RetryPolicy {{ base_backoff: {:?}, max_backoff: {:?}, .. }}.backoff({failures}) \
                 returned {got:?}; it should be {backoff:?}: base_backoff · 2^(failures − 1), at \
                 most max_backoff{}",
                policy.base_backoff,
                policy.max_backoff,
                if failures == 0 {
                    " (0 failures counts as 1)"
                } else if got > policy.max_backoff {
                    " — cap it"
                } else {
                    ""
                }
            );
        }
    }
}

pub fn returns_the_first_success_without_retrying() {
    // Success at once.
    Scenario {
        deadline: ms(10_000),
        policy: policy(1000, 100, 1000, 5),
        script: vec![succeed(300, 42), succeed(10, 43), succeed(10, 44)],
        seed: 0x5EED_0001,
    }
    .check();
    // Success on the second attempt: no third.
    Scenario {
        deadline: ms(10_000),
        policy: policy(1000, 100, 1000, 5),
        script: vec![fail(120, 1), succeed(80, 7), succeed(10, 8), succeed(10, 9)],
        seed: 0x5EED_0002,
    }
    .check();
}

pub fn gives_up_after_max_attempts() {
    // The last failure is an error…
    Scenario {
        deadline: ms(60_000),
        policy: policy(1000, 100, 1000, 3),
        script: vec![fail(50, 1), Step::Hang, fail(30, 3), succeed(10, 4)],
        seed: 0x6156_0001,
    }
    .check();
    // …or a timeout.
    Scenario {
        deadline: ms(60_000),
        policy: policy(1000, 100, 1000, 2),
        script: vec![fail(50, 1), Step::Hang, succeed(10, 3)],
        seed: 0x6156_0002,
    }
    .check();
    // max_attempts 0 is treated as 1: one attempt, no wait, no jitter.
    Scenario {
        deadline: ms(60_000),
        policy: policy(1000, 100, 1000, 0),
        script: vec![fail(70, 5), succeed(10, 6)],
        seed: 0x6156_0003,
    }
    .check();
}

pub fn starts_each_retry_after_its_jittered_backoff() {
    // Five failures of different lengths, then a success; the cap is never reached.
    Scenario {
        deadline: ms(60_000),
        policy: policy(1000, 100, 10_000, 8),
        script: vec![
            fail(40, 1),
            fail(120, 2),
            fail(75, 3),
            fail(10, 4),
            fail(260, 5),
            succeed(90, 77),
        ],
        seed: 0x0B0F_F5E7,
    }
    .check();
    // Another seed and base, failing fast.
    Scenario {
        deadline: ms(60_000),
        policy: policy(500, 250, 60_000, 5),
        script: vec![fail(1, 1), fail(1, 2), fail(1, 3), succeed(1, 4)],
        seed: 0x0B0F_F5E8,
    }
    .check();
}

pub fn waits_no_longer_than_max_backoff() {
    // Backoffs 50, 100, 200, 400, then the cap, 500 ms, four times.
    Scenario {
        deadline: ms(60_000),
        policy: policy(1000, 50, 500, 9),
        script: (1..=9).map(|code| fail(10, code)).collect(),
        seed: 0xCA9_0001,
    }
    .check();
}

pub fn drops_an_attempt_at_its_timeout() {
    // Attempt 1 never answers, attempt 2 would answer after its timeout; both are dropped at
    // their timeouts, attempt 3 fails, attempt 4 succeeds.
    let scenario = Scenario {
        deadline: ms(60_000),
        policy: policy(1000, 100, 1000, 6),
        script: vec![Step::Hang, succeed(1500, 1), fail(200, 3), succeed(300, 9)],
        seed: 0xD209_0001,
    };
    let outcome = scenario.check();
    if let Err(problem) = outcome.quiet {
        panic!(
            "{}: after it returned: {problem}. A timed-out attempt must be dropped, not left \
             running in a task of its own",
            scenario.what()
        );
    }
}

pub fn never_runs_past_the_deadline() {
    // The deadline cuts attempt 2 short, before its own timeout would.
    Scenario {
        deadline: ms(2500),
        policy: policy(2000, 100, 1000, 6),
        script: vec![fail(500, 1), Step::Hang, succeed(10, 3)],
        seed: 0xDEAD_0001,
    }
    .check();
    // The deadline comes during the wait after attempt 1 (the wait is 1 s to 2 s long).
    Scenario {
        deadline: ms(1000),
        policy: policy(1000, 2000, 4000, 6),
        script: vec![fail(300, 1), succeed(10, 2)],
        seed: 0xDEAD_0002,
    }
    .check();
    // Several attempts, then the deadline during a longer wait.
    Scenario {
        deadline: ms(3000),
        policy: policy(700, 200, 5000, 10),
        script: vec![
            fail(100, 1),
            Step::Hang,
            fail(300, 3),
            fail(100, 4),
            fail(100, 5),
            succeed(10, 6),
        ],
        seed: 0xDEAD_0003,
    }
    .check();
    // The deadline has already come: no attempt at all.
    Scenario {
        deadline: Duration::ZERO,
        policy: policy(1000, 100, 1000, 6),
        script: vec![succeed(10, 1)],
        seed: 0xDEAD_0004,
    }
    .check();
}

pub fn leaves_nothing_running_after_return() {
    let scenarios = [
        // Ok after two timeouts.
        Scenario {
            deadline: ms(60_000),
            policy: policy(800, 100, 1000, 6),
            script: vec![Step::Hang, succeed(900, 2), succeed(100, 3)],
            seed: 0x1EF7_0001,
        },
        // Exhausted on a timeout.
        Scenario {
            deadline: ms(60_000),
            policy: policy(800, 100, 1000, 2),
            script: vec![Step::Hang, Step::Hang],
            seed: 0x1EF7_0002,
        },
        // Cut by the deadline.
        Scenario {
            deadline: ms(1500),
            policy: policy(1000, 100, 1000, 6),
            script: vec![fail(200, 1), Step::Hang, Step::Hang],
            seed: 0x1EF7_0003,
        },
    ];
    for scenario in &scenarios {
        let outcome = scenario.run(false);
        if let Err(problem) = &outcome.quiet {
            panic!(
                "{}: after it returned: {problem}. Every attempt must have ended — completed, or \
                 its future dropped — when call_with_retries returns{}",
                scenario.what(),
                blocking_hint(outcome.real_time)
            );
        }
        assert!(
            outcome.extra_tasks == 0,
            "{}: {} tokio task(s) it spawned were still alive ten (virtual) seconds after it \
             returned. A dropped JoinHandle detaches its task; abort every task you spawn, and \
             await it, before returning",
            scenario.what(),
            outcome.extra_tasks
        );
    }
}

pub fn runs_inside_a_spawned_task() {
    let scenario = Scenario {
        deadline: ms(5000),
        policy: policy(1000, 100, 1000, 6),
        script: vec![fail(100, 1), Step::Hang, succeed(200, 3)],
        seed: 0x5A4_0001,
    };
    let outcome = scenario.run(true);
    scenario.check_outcome(&outcome);
}
