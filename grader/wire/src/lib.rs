//! The hidden-test wire protocol: what a hidden test binary tells the grader, and how.
//!
//! Both ends use this crate — the binary's side through `probes::harness`, the grader's through
//! its `protocol` module — so the records are defined once, with typed statuses. The contract is
//! written out in `docs/protocol.md`; in short:
//!
//! * The grader starts the binary with [`LIST_ARG`] (list your tests) or [`RUN_ARG`] `NAME` (run
//!   that one test), one process per test.
//! * It hands the binary a **result channel**: the write end of a pipe, inherited by this process
//!   alone, whose number (a file descriptor on Unix, a handle value on Windows) is in the
//!   environment variable [`RESULT_CHANNEL_ENV`]; and a fresh random **nonce** as the first line
//!   on stdin.
//! * The binary writes [`Line`]s to the channel: one JSON object per line, each carrying the
//!   nonce. The grader counts only lines with its nonce: what learner code prints, or writes from
//!   a process it started, can't forge a verdict.
//!
//! [`ResultChannel::from_grader`] is the binary's end: it reads the nonce and hides the channel
//! (no inheritance by processes that test code starts, the variable removed) before any test
//! code runs.

use std::fs::File;
use std::io::{BufRead, Write};
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};

mod platform;

/// The environment variable naming the result channel: a file descriptor number on Unix, a
/// handle value on Windows, in decimal.
pub const RESULT_CHANNEL_ENV: &str = "TASKLINGS_RESULT_FD";
/// The argument that asks a hidden test binary for the list of its tests.
pub const LIST_ARG: &str = "--tasklings-list";
/// The argument that asks a hidden test binary to run one test (its name follows).
pub const RUN_ARG: &str = "--tasklings-run";

/// What a test checks, which decides how the grader schedules it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Checks results and bounds with instruments; the grader runs these in parallel.
    Correctness,
    /// Compares speed; the grader runs these one at a time, with nothing else running, and the
    /// learner can leave them out (`--skip-timing`).
    Timing,
}

/// How one test ended, as the binary saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The test's body returned.
    Pass,
    /// The test's body panicked; the message says why.
    Fail,
    /// The test could not judge here (a timing check on one CPU, a check that needs Linux):
    /// it counts neither for nor against the score.
    Skipped,
}

/// One test as the binary lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListedTest {
    pub name: String,
    pub kind: Kind,
    pub points: f64,
    pub timeout_ms: u64,
}

/// One panic the test process saw, on any thread (learner threads included).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Panic {
    /// The panicking thread's name (`<unnamed>` when it has none).
    pub thread: String,
    pub message: String,
    /// `file:line:column`, when the panic had a location.
    pub location: Option<String>,
}

/// A schedule of the deterministic runtime that made a test fail: the seed that chose it, how
/// (`random`, `pct:DEPTH`), and the recorded choices when the test could read them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Seeded {
    pub seed: u64,
    pub policy: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
}

/// What a line on the result channel says.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    /// The answer to [`LIST_ARG`]: every test the binary holds.
    List { tests: Vec<ListedTest> },
    /// The answer to [`LIST_ARG`] when the test list itself is unsound (two tests with one
    /// name, a zero timeout): the instructor's mistake, not the learner's.
    Unsound { problem: String },
    /// A test's verdict, the last thing its process writes.
    Verdict {
        name: String,
        status: Status,
        message: String,
        duration_ms: u64,
        /// Every panic the process saw, so the grader can say where (a bounded number).
        panics: Vec<Panic>,
        /// The schedule a failure happened under, when a seed chose it (`probes::explore`):
        /// the grader replays it to draw its timeline. Absent from older binaries' records.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        seeded: Option<Seeded>,
    },
    /// What was still running shortly before the test's timeout (tasks of the Tasklings
    /// runtime, threads), written by a watchdog so the grader can show it with the timeout.
    Dump { name: String, text: String },
}

/// One line on the result channel: a record and the nonce that makes it count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub nonce: String,
    #[serde(flatten)]
    pub record: Record,
}

impl Line {
    /// The line's JSON text, without the newline.
    pub fn encode(&self) -> String {
        // Plain data with string keys: serialization can't fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The record of `text` when it is a line of this protocol carrying `nonce`; `None` for
    /// anything else (a forged line, a line from another run, noise).
    pub fn decode(text: &str, nonce: &str) -> Option<Record> {
        serde_json::from_str::<Line>(text)
            .ok()
            .filter(|line| line.nonce == nonce)
            .map(|line| line.record)
    }
}

/// The binary's end of the result channel.
pub struct ResultChannel {
    nonce: String,
    file: Mutex<File>,
}

impl ResultChannel {
    /// Takes the channel the grader set up: reads the nonce from stdin, makes the channel
    /// uninheritable by processes this one starts, and removes [`RESULT_CHANNEL_ENV`] from the
    /// environment. Call it before any other thread starts (it changes the environment).
    pub fn from_grader() -> Result<ResultChannel, String> {
        let text = std::env::var(RESULT_CHANNEL_ENV)
            .map_err(|_| format!("{RESULT_CHANNEL_ENV} is not set: no result channel"))?;
        let number: u64 = text
            .parse()
            .map_err(|_| format!("{RESULT_CHANNEL_ENV}={text} is not a channel number"))?;
        std::env::remove_var(RESULT_CHANNEL_ENV);
        let file = platform::take_channel(number)
            .map_err(|problem| format!("{RESULT_CHANNEL_ENV}={number}: {problem}"))?;

        let mut nonce = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut nonce)
            .map_err(|error| format!("could not read the nonce from stdin: {error}"))?;
        let nonce = nonce.trim().to_owned();
        if nonce.is_empty() {
            return Err("no nonce on stdin".to_owned());
        }
        Ok(ResultChannel {
            nonce,
            file: Mutex::new(file),
        })
    }

    /// Writes one record as one line. Errors are ignored: if the grader is gone nobody is
    /// listening, and a missing verdict already counts as a failure.
    pub fn send(&self, record: Record) {
        let mut text = Line {
            nonce: self.nonce.clone(),
            record,
        }
        .encode();
        text.push('\n');
        let mut file = self.file.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = file.write_all(text.as_bytes());
        let _ = file.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict() -> Record {
        Record::Verdict {
            name: "sums".into(),
            status: Status::Fail,
            message: "expected 3".into(),
            duration_ms: 12,
            panics: vec![Panic {
                thread: "sums".into(),
                message: "expected 3".into(),
                location: Some("src/lib.rs:3:5".into()),
            }],
            seeded: Some(Seeded {
                seed: 17,
                policy: "pct:3".into(),
                schedule: None,
            }),
        }
    }

    #[test]
    fn a_verdict_without_a_seed_still_reads() {
        let text = r#"{"nonce":"n","record":"verdict","name":"t","status":"pass","message":"","duration_ms":1,"panics":[]}"#;
        assert!(matches!(
            Line::decode(text, "n"),
            Some(Record::Verdict { seeded: None, .. })
        ));
    }

    #[test]
    fn a_line_round_trips_only_with_its_nonce() {
        let text = Line {
            nonce: "abc".into(),
            record: verdict(),
        }
        .encode();
        assert_eq!(Line::decode(&text, "abc"), Some(verdict()));
        assert_eq!(Line::decode(&text, "abd"), None);
        assert_eq!(Line::decode("test sums ... ok", "abc"), None);
    }

    #[test]
    fn the_json_shape_is_the_documented_one() {
        let text = Line {
            nonce: "n".into(),
            record: Record::List {
                tests: vec![ListedTest {
                    name: "t".into(),
                    kind: Kind::Timing,
                    points: 1.5,
                    timeout_ms: 10_000,
                }],
            },
        }
        .encode();
        assert_eq!(
            text,
            r#"{"nonce":"n","record":"list","tests":[{"name":"t","kind":"timing","points":1.5,"timeout_ms":10000}]}"#
        );
        let dump = Line {
            nonce: "n".into(),
            record: Record::Dump {
                name: "t".into(),
                text: "task 1".into(),
            },
        }
        .encode();
        assert_eq!(
            dump,
            r#"{"nonce":"n","record":"dump","name":"t","text":"task 1"}"#
        );
    }

    #[test]
    fn an_unknown_status_is_not_a_record() {
        let text = r#"{"nonce":"n","record":"verdict","name":"t","status":"passed","message":"","duration_ms":0,"panics":[]}"#;
        assert_eq!(Line::decode(text, "n"), None);
    }
}
