//! The rules of the crate docs, as a model: given a script, a policy, a deadline and the jitter's
//! seed, exactly when each attempt starts and ends, what the call returns and when.
//!
//! The model reads the docs literally and computes backoffs itself (it never calls the learner's
//! `RetryPolicy::backoff`). The scripts never put two events at the same instant (an attempt
//! completing exactly at its timeout, say), so no rule about ties is ever tested.

use std::time::Duration;

use deadlines::{Failure, RetryError, RetryPolicy};
use probes::seeded::Rng;

use crate::attempts::{draw, Ending, Step};

/// When one attempt should start and end.
#[derive(Clone, Copy, Debug)]
pub struct Planned {
    pub start: Duration,
    pub end: Duration,
    pub ending: Ending,
}

/// A wait after a failed attempt.
#[derive(Clone, Copy, Debug)]
pub struct Wait {
    /// The backoff `jitter` must be called with.
    pub backoff: Duration,
    /// What the test's jitter returns for it.
    pub wait: Duration,
}

/// Everything a correct `call_with_retries` does with this script.
#[derive(Debug)]
pub struct Plan {
    pub attempts: Vec<Planned>,
    /// `waits[i]` follows attempt `i` (only failed attempts that are followed by a wait, or by
    /// the deadline during one, have one).
    pub waits: Vec<Wait>,
    pub result: Result<u32, RetryError<u32>>,
    /// The call returns no earlier than this…
    pub returns_from: Duration,
    /// …and no later than this (the same instant unless the deadline came during a wait).
    pub returns_by: Duration,
}

/// `base · 2^(failures − 1)`, capped, by the docs' definition.
pub fn backoff(policy: &RetryPolicy, failures: u32) -> Duration {
    let mut backoff = policy.base_backoff;
    for _ in 1..failures.max(1) {
        if backoff >= policy.max_backoff {
            break;
        }
        backoff = backoff.saturating_mul(2);
    }
    backoff.min(policy.max_backoff)
}

/// Plans a call with `deadline` (virtual time since the start), `policy`, the test's jitter seeded
/// with `seed`, and attempts following `script`.
pub fn plan(deadline: Duration, policy: &RetryPolicy, script: &[Step], seed: u64) -> Plan {
    let mut rng = Rng::new(seed);
    let max_attempts = policy.max_attempts.max(1);
    let mut attempts = Vec::new();
    let mut waits = Vec::new();
    let mut now = Duration::ZERO;
    let at_once = |result, at| (result, at, at);
    let (result, returns_from, returns_by) = loop {
        let made = attempts.len() as u32;
        if now >= deadline {
            break at_once(Err(RetryError::DeadlineExceeded { attempts: made }), now);
        }
        let number = made + 1;
        let start = now;
        let step = script
            .get(made as usize)
            .copied()
            .expect("every script covers the attempts the model makes");
        let cut = (start + policy.attempt_timeout).min(deadline);
        let completes = match step {
            Step::Succeed { ms, .. } | Step::Fail { ms, .. } => {
                Some(start + Duration::from_millis(ms))
            }
            Step::Hang => None,
        };
        let failure = match completes {
            Some(end) if end < cut => {
                attempts.push(Planned {
                    start,
                    end,
                    ending: Ending::Completed,
                });
                now = end;
                match step {
                    Step::Succeed { value, .. } => break at_once(Ok(value), now),
                    Step::Fail { code, .. } => Failure::Error(code),
                    Step::Hang => unreachable!("a hanging attempt never completes"),
                }
            }
            _ => {
                attempts.push(Planned {
                    start,
                    end: cut,
                    ending: Ending::Dropped,
                });
                now = cut;
                if cut == deadline {
                    break at_once(Err(RetryError::DeadlineExceeded { attempts: number }), now);
                }
                Failure::TimedOut
            }
        };
        if number == max_attempts {
            break at_once(
                Err(RetryError::Exhausted {
                    attempts: number,
                    last: failure,
                }),
                now,
            );
        }
        let backoff = backoff(policy, number);
        let wait = draw(&mut rng, backoff);
        waits.push(Wait { backoff, wait });
        if now + wait >= deadline {
            break (
                Err(RetryError::DeadlineExceeded { attempts: number }),
                now,
                deadline,
            );
        }
        now += wait;
    };
    Plan {
        attempts,
        waits,
        result,
        returns_from,
        returns_by,
    }
}

/// When each of the poller's calls should start: call 0 at 0, then
/// `max(previous call's end, first tick later than the previous call's start)`.
pub fn poll_starts(period: Duration, durations: &[u64]) -> Vec<Duration> {
    let mut starts: Vec<Duration> = Vec::with_capacity(durations.len());
    for index in 0..durations.len() {
        let start = match index.checked_sub(1) {
            None => Duration::ZERO,
            Some(previous) => {
                let started = starts[previous];
                let ended = started + Duration::from_millis(durations[previous]);
                let ticks_passed = started.as_nanos() / period.as_nanos();
                let next_tick = period * u32::try_from(ticks_passed + 1).expect("few ticks");
                ended.max(next_tick)
            }
        };
        starts.push(start);
    }
    starts
}
