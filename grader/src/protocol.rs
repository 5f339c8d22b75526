//! The grader's side of the hidden-test protocol (the binary's side is `probes::harness`).
//!
//! `list` asks a hidden test binary which tests it holds; `run_test` runs one of them in a
//! process of its own (through the `process` runner, confined by the caller's `Sandbox`) and
//! turns what came back into a [`TestResult`]. The records themselves are the `wire` crate's.
//!
//! Verdicts come **only** from records on the result channel that carry this process's nonce.
//! Stdout and stderr are shown to the learner, never parsed for a verdict (the one exception reads
//! them to *word* a failure better: "stack overflow" instead of "aborted"; the verdict was already
//! "fail"). A test whose process ends without a verdict record has failed; one still running at
//! its timeout has timed out, and the watchdog's dump says what was still running.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use wire::{Line, Record, LIST_ARG, RUN_ARG};

use crate::process::{self, Crash, Ending, Finished, Limits, ProcessSpec};
use crate::results::{TestKind, TestResult, TestStatus};
use crate::sandbox::Sandbox;

/// Time allowed on top of a test's own timeout for starting the process and receiving the
/// watchdog's dump (written shortly before the test's timeout).
const START_GRACE: Duration = Duration::from_secs(1);
/// Listing tests runs no test code; this is generous.
const LIST_TIMEOUT: Duration = Duration::from_secs(20);
/// Characters of a test's message kept (start and end).
const MESSAGE_MAX: usize = 16_000;
/// Panics of other threads mentioned in a failure message.
const OTHER_PANICS_SHOWN: usize = 3;

/// A built hidden test binary and how to present paths in its messages.
#[derive(Clone, Debug)]
pub struct HiddenBinary {
    pub path: PathBuf,
    /// Where its tests run (the scratch copy of the exercise crate, like `cargo test` would).
    pub cwd: PathBuf,
    /// Rewrites of source paths in panic locations and compiler messages, from the scratch
    /// workspace's (`parallel-sum/src/lib.rs`) to the reader's (`exercises/parallel-sum/src/lib.rs`).
    pub paths: PathMap,
    /// Variables every process of this binary gets besides the cleared environment's own:
    /// which exercise it is (for a replay command), a seed (`--seed`), a trace file.
    pub env: Vec<(OsString, OsString)>,
}

/// Prefix rewrites for paths shown to the reader, tried in order.
#[derive(Clone, Debug, Default)]
pub struct PathMap {
    pub rewrites: Vec<(String, String)>,
}

impl PathMap {
    /// `text` with every rewrite applied where a path starts (line start, after a space, a
    /// backtick or an arrow).
    /// Paths written with Windows' separator (`parallel-sum\\src\\lib.rs`) are rewritten too.
    pub fn apply(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (from, to) in &self.rewrites {
            let backslashed = from.replace('/', "\\");
            for from in [from.as_str(), backslashed.as_str()] {
                for lead in [" ", "`", "\n", "\t", "("] {
                    out = out.replace(&format!("{lead}{from}"), &format!("{lead}{to}"));
                }
                if let Some(rest) = out.strip_prefix(from) {
                    out = format!("{to}{rest}");
                }
            }
        }
        out
    }
}

/// One test as the binary lists it.
#[derive(Clone, Debug, PartialEq)]
pub struct ListedTest {
    pub name: String,
    pub kind: TestKind,
    pub points: f64,
    pub timeout: Duration,
}

/// The tests the binary holds, or a message saying why they can't be listed.
pub fn list(binary: &HiddenBinary, sandbox: &Sandbox) -> Result<Vec<ListedTest>, String> {
    let nonce = nonce();
    let args = vec![OsString::from(LIST_ARG)];
    let finished = start(binary, sandbox, args, &nonce, LIST_TIMEOUT, &|_| true)?;
    let answer = finished
        .records
        .iter()
        .find_map(|line| match Line::decode(line, &nonce) {
            Some(record @ (Record::List { .. } | Record::Unsound { .. })) => Some(record),
            _ => None,
        });
    match answer {
        Some(Record::List { tests }) => Ok(tests
            .into_iter()
            .map(|test| ListedTest {
                name: test.name,
                kind: match test.kind {
                    wire::Kind::Correctness => TestKind::Correctness,
                    wire::Kind::Timing => TestKind::Timing,
                },
                points: test.points,
                timeout: Duration::from_millis(test.timeout_ms),
            })
            .collect()),
        Some(Record::Unsound { problem }) => {
            Err(format!("the hidden tests are unsound: {problem}"))
        }
        _ => Err(format!(
            "the hidden test binary did not list its tests ({}){}",
            describe_ending(finished.ending),
            output_excerpt(&finished.output)
        )),
    }
}

/// Runs one test in a process of its own, confined by `sandbox`, and judges it.
pub fn run_test(binary: &HiddenBinary, test: &ListedTest, sandbox: &Sandbox) -> TestResult {
    let nonce = nonce();
    let is_final = |line: &str| matches!(Line::decode(line, &nonce), Some(Record::Verdict { name, .. }) if name == test.name);
    let args = vec![OsString::from(RUN_ARG), OsString::from(&test.name)];
    let timeout = test.timeout + START_GRACE;
    match start(binary, sandbox, args, &nonce, timeout, &is_final) {
        Ok(finished) => judge(binary, test, &nonce, &finished),
        Err(message) => TestResult::new(
            &test.name,
            test.kind,
            test.points,
            TestStatus::Error,
            message,
            0,
        ),
    }
}

fn start(
    binary: &HiddenBinary,
    sandbox: &Sandbox,
    args: Vec<OsString>,
    nonce: &str,
    timeout: Duration,
    is_final: &dyn Fn(&str) -> bool,
) -> Result<Finished, String> {
    let spec = ProcessSpec {
        program: binary.path.clone(),
        args,
        cwd: binary.cwd.clone(),
        env: binary.env.clone(),
    };
    let limits = Limits::with_timeout(timeout);
    process::run(&spec, nonce, &limits, sandbox, is_final).map_err(|error| {
        format!(
            "could not start the hidden test binary {}: {error}",
            binary.path.display()
        )
    })
}

/// What the process said on the result channel, with this run's nonce.
struct Said {
    /// The test's verdict: status, message, duration, the panics it saw.
    verdict: Option<(wire::Status, String, u64, Vec<wire::Panic>)>,
    /// The schedule its failure happened under, if a seed chose it.
    seeded: Option<wire::Seeded>,
    /// The watchdog's dump of what was still running.
    dump: Option<String>,
    /// Lines that were not records of this run (forged, or noise).
    foreign: usize,
}

impl Said {
    fn read(records: &[String], nonce: &str, test: &str) -> Said {
        let mut said = Said {
            verdict: None,
            seeded: None,
            dump: None,
            foreign: 0,
        };
        for line in records {
            match Line::decode(line, nonce) {
                Some(Record::Verdict {
                    name,
                    status,
                    message,
                    duration_ms,
                    panics,
                    seeded,
                }) if name == test => {
                    if said.verdict.is_none() {
                        said.verdict = Some((status, message, duration_ms, panics));
                        said.seeded = seeded;
                    }
                }
                Some(Record::Dump { name, text }) if name == test => {
                    said.dump.get_or_insert(text);
                }
                Some(_) => {}
                None => said.foreign += 1,
            }
        }
        said
    }
}

/// Turns what the process left behind into a verdict.
fn judge(binary: &HiddenBinary, test: &ListedTest, nonce: &str, finished: &Finished) -> TestResult {
    let said = Said::read(&finished.records, nonce, &test.name);
    let elapsed_ms = u64::try_from(finished.elapsed.as_millis()).unwrap_or(u64::MAX);
    let (status, mut message, duration_ms) = match (&said.verdict, finished.ending) {
        (_, Ending::Cancelled) => (
            TestStatus::Error,
            "not finished: the grader was interrupted".to_owned(),
            elapsed_ms,
        ),
        (Some((status, text, duration_ms, panics)), _) => {
            let status = match status {
                wire::Status::Pass => TestStatus::Pass,
                wire::Status::Skipped => TestStatus::Skipped,
                wire::Status::Fail => TestStatus::Fail,
            };
            let message = if status == TestStatus::Fail {
                failure_message(binary, test, text, panics)
            } else {
                text.clone()
            };
            (status, message, *duration_ms)
        }
        (None, Ending::TimedOut) => (
            TestStatus::Timeout,
            timeout_message(binary, test, said.dump.as_deref()),
            elapsed_ms,
        ),
        (None, ending) => (
            TestStatus::Fail,
            no_verdict_message(ending, &finished.output, finished.output_bytes),
            elapsed_ms,
        ),
    };
    if status.is_problem() {
        // What the sandbox saw: a limit it ran into, processes it had to kill.
        for note in &finished.notes {
            let _ = write!(message, "\n{note}");
        }
    }
    if said.foreign > 0 && status != TestStatus::Pass {
        let _ = write!(
            message,
            "\n({} line(s) on the result channel did not carry this run's nonce and were \
             ignored.)",
            said.foreign
        );
    }
    // A panic message is the learner's to choose, and may be enormous.
    let message = crate::report::truncate_middle(&message, MESSAGE_MAX);
    let mut result = TestResult::new(
        &test.name,
        test.kind,
        test.points,
        status,
        message,
        duration_ms,
    );
    if status.is_problem() {
        let panics = said.verdict.as_ref().map_or(&[][..], |v| v.3.as_slice());
        result.output = binary
            .paths
            .apply(&without_panic_reports(&finished.output, panics));
        result.seeded = said.seeded;
    }
    result
}

/// A timeout, with what was still running when the watchdog looked.
fn timeout_message(binary: &HiddenBinary, test: &ListedTest, dump: Option<&str>) -> String {
    let mut message = format!(
        "timed out: still running after {} (an endless loop, a deadlock, or waiting for \
         something that never happens?)",
        seconds(test.timeout)
    );
    if let Some(dump) = dump {
        let _ = write!(
            message,
            "\n\nWhat was still running:\n{}",
            binary.paths.apply(dump.trim_end())
        );
    }
    message
}

/// The panic the learner should read, where it happened (when that was not in the hidden
/// tests themselves), and other threads' panics, which often are the real cause.
fn failure_message(
    binary: &HiddenBinary,
    test: &ListedTest,
    text: &str,
    panics: &[wire::Panic],
) -> String {
    let mut message = text.to_owned();
    let own = panics.iter().find(|p| p.thread == test.name);
    if let Some(location) = own.and_then(|p| p.location.as_deref()) {
        if !location.contains("/hidden/") {
            let _ = write!(message, "\n  at {}", binary.paths.apply(location));
        }
    }
    let others: Vec<&wire::Panic> = panics.iter().filter(|p| p.thread != test.name).collect();
    if !others.is_empty() {
        message.push_str("\nOther threads panicked before this:");
        for panic in others.iter().take(OTHER_PANICS_SHOWN) {
            let at = panic
                .location
                .as_deref()
                .map(|l| format!(" at {}", binary.paths.apply(l)))
                .unwrap_or_default();
            let _ = write!(
                message,
                "\n  thread '{}' panicked{at}: {}",
                panic.thread, panic.message
            );
        }
        if others.len() > OTHER_PANICS_SHOWN {
            let _ = write!(
                message,
                "\n  … and {} more",
                others.len() - OTHER_PANICS_SHOWN
            );
        }
    }
    message
}

/// `output` without what the default panic hook printed for the panics already in the message
/// (the learner would read each twice), and without the hook's backtrace advice. What remains is
/// what the code printed itself.
fn without_panic_reports(output: &str, panics: &[wire::Panic]) -> String {
    let mut lines: Vec<&str> = output.lines().collect();
    for panic in panics {
        let Some(location) = &panic.location else {
            continue;
        };
        // `thread 'name' (tid) panicked at file:line:col:` then the message's lines.
        let header = |line: &str| {
            line.starts_with(&format!("thread '{}'", panic.thread))
                && line.ends_with(&format!("panicked at {location}:"))
        };
        let message: Vec<&str> = panic.message.lines().collect();
        if let Some(start) = (0..lines.len()).find(|&i| {
            header(lines[i]) && lines[i + 1..].iter().take(message.len()).eq(message.iter())
        }) {
            lines.drain(start..(start + 1 + message.len()).min(lines.len()));
        }
    }
    lines.retain(|line| !line.starts_with("note: run with `RUST_BACKTRACE=1`"));
    lines.join("\n").trim_end().to_owned()
}

/// Why a process that never gave a verdict failed, in words a learner can act on.
fn no_verdict_message(ending: Ending, output: &str, output_bytes: u64) -> String {
    if output.contains("memory allocation of") && output.contains("failed") {
        return "out of memory: an allocation failed and the test process aborted (a value that \
                grows without end? The grader limits the memory of each test)"
            .to_owned();
    }
    if output.contains("has overflowed its stack") {
        return "stack overflow: a thread ran out of stack (endless recursion, or a very large \
                value on the stack?); the test process was aborted"
            .to_owned();
    }
    match ending {
        Ending::Exited(0) => "the test process exited before the test finished (exit status 0): \
             does the code call `std::process::exit`? A test passes only by running to its end."
            .to_owned(),
        Ending::OutputLimit => format!(
            "printed {} MiB of output before the grader stopped the test: is something printing \
             in a loop?",
            output_bytes / (1024 * 1024)
        ),
        ending => format!(
            "the test process ended before the test finished: {}",
            describe_ending(ending)
        ),
    }
}

fn describe_ending(ending: Ending) -> String {
    match ending {
        Ending::Exited(code) => format!("it exited with status {code}"),
        Ending::Crashed(crash) => describe_crash(crash),
        Ending::TimedOut => "it did not finish in time".to_owned(),
        Ending::OutputLimit => "it printed more than 16 MiB of output".to_owned(),
        Ending::KilledAfterVerdict => "it did not exit after its verdict".to_owned(),
        Ending::Cancelled => "the grader was interrupted".to_owned(),
    }
}

fn describe_crash(crash: Crash) -> String {
    // The system's own name for it, where it has one (the learner may search for it).
    let named = |unix: &str, what: &str| {
        if cfg!(unix) {
            format!("{unix}: {what}")
        } else {
            what.to_owned()
        }
    };
    match crash {
        Crash::Abort => format!(
            "it aborted ({})",
            named(
                "SIGABRT",
                "`std::process::abort`, a panic while panicking, or a failed allocation"
            )
        ),
        Crash::InvalidMemory => format!(
            "it crashed ({})",
            named(
                "SIGSEGV",
                "an invalid memory access, from `unsafe` code or a stack overflow"
            )
        ),
        Crash::StackOverflow => "it crashed: a thread overflowed its stack (endless recursion, \
                                 or a very large value on the stack?)"
            .to_owned(),
        Crash::IllegalInstruction => {
            format!("it crashed ({})", named("SIGILL", "an illegal instruction"))
        }
        Crash::Arithmetic => format!("it crashed ({})", named("SIGFPE", "an arithmetic error")),
        Crash::Killed => format!("it was killed ({})", named("SIGKILL", "out of memory?")),
        Crash::FileTooLarge => format!(
            "it wrote a file larger than the grader allows ({})",
            named("SIGXFSZ", "a file that grows without end?")
        ),
        Crash::CpuTime => format!(
            "it used more CPU time than the grader allows{}",
            if cfg!(unix) { " (SIGXCPU)" } else { "" }
        ),
        Crash::Other(number) => format!("it was ended by signal or status {number}"),
    }
}

fn output_excerpt(output: &str) -> String {
    let lines: Vec<&str> = output.lines().collect();
    if lines.is_empty() {
        return String::new();
    }
    let start = lines.len().saturating_sub(20);
    format!("\nIts output ended with:\n{}", lines[start..].join("\n"))
}

/// "2 s" / "1.5 s".
pub fn seconds(duration: Duration) -> String {
    let secs = duration.as_secs_f64();
    if (secs - secs.round()).abs() < 0.05 {
        format!("{} s", secs.round())
    } else {
        format!("{secs:.1} s")
    }
}

/// 128 random bits as hex, fresh for every process (from the system's generator).
pub fn nonce() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        // No system generator: std's per-process random hash keys, mixed with time and pid.
        use std::hash::{BuildHasher, Hasher};
        for chunk in bytes.chunks_mut(8) {
            let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
            hasher.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos()),
            );
            hasher.write_u32(std::process::id());
            chunk.copy_from_slice(&hasher.finish().to_le_bytes());
        }
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Shown paths for a scratch crate named `slug` whose editable files came from `source_dir`
/// (repository-relative where possible) and whose hidden tests came from `hidden_dir`.
pub fn path_map(slug: &str, source_display: &Path, hidden_display: &Path) -> PathMap {
    PathMap {
        rewrites: vec![
            (
                format!("{slug}/hidden/"),
                format!("{}/", hidden_display.display()),
            ),
            (format!("{slug}/"), format!("{}/", source_display.display())),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_fresh_and_long() {
        let (a, b) = (nonce(), nonce());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }

    #[test]
    fn paths_are_rewritten_where_they_start() {
        let map = path_map(
            "parallel-sum",
            Path::new("exercises/parallel-sum"),
            Path::new("grader/hidden/parallel-sum"),
        );
        assert_eq!(
            map.apply("parallel-sum/src/lib.rs:9:5"),
            "exercises/parallel-sum/src/lib.rs:9:5"
        );
        assert_eq!(
            map.apply("  --> parallel-sum/hidden/main.rs:3:1"),
            "  --> grader/hidden/parallel-sum/main.rs:3:1"
        );
        assert_eq!(map.apply("my-parallel-sum/x"), "my-parallel-sum/x");
        assert_eq!(
            map.apply("panicked at parallel-sum\\src\\lib.rs:9:5"),
            "panicked at exercises/parallel-sum/src\\lib.rs:9:5"
        );
    }
}
