//! The child-process runner: every process that runs learner code (a hidden test binary, once
//! per test, and once to list its tests) starts here. It promises:
//!
//! * the process and **everything it starts** form one tree that is killed whole when it ends —
//!   normally, at its timeout, when it floods its output, or when the grader is interrupted —
//!   so nothing it started keeps running (a process group on Unix, a Job object on Windows,
//!   which also caps the tree's memory);
//! * its **environment is cleared** down to a short allow-list (the same on every machine,
//!   nothing that tells learner code it is being graded beyond the result channel), plus the
//!   variables the caller names;
//! * it gets the **result channel** (see the `wire` crate): the write end of a pipe inherited by
//!   this process alone, named in `TASKLINGS_RESULT_FD`, and the **nonce** as the first line on
//!   stdin, after which stdin is closed;
//! * its stdout and stderr go to one pipe that is always drained (a process blocked on a full
//!   pipe would look like a deadlock), and only the first and last [`Limits::output_kept`] bytes
//!   are kept; past [`Limits::output_limit`] bytes in all, the process is stopped;
//! * no core dumps.
//!
//! It does not judge: it returns how the process ended, the lines it wrote to the result channel
//! and what it printed, and `protocol` turns that into a verdict. What is system-specific —
//! starting a tree, passing the channel, killing, naming a crash — is in `unix` and `windows`;
//! the loop that watches a running process is the same everywhere: two reader threads feed one
//! queue of events, so no non-blocking pipes or `poll` are needed.
//!
//! Confinement for grading other people's work (own uid, resource limits, no network, a private
//! filesystem view) is the [`Sandbox`]'s, which the caller passes in; its guard kills everything
//! of the test's uid before the tree is killed here.

mod output;
#[cfg(unix)]
mod unix;
#[cfg(windows)]
mod windows;

#[cfg(unix)]
use unix as system;
#[cfg(windows)]
use windows as system;

use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::time::{Duration, Instant};

use crate::interrupt;
use crate::sandbox::Sandbox;
use output::OutputBuffer;

pub use wire::RESULT_CHANNEL_ENV;

/// Environment variables a learner process keeps; everything else is cleared.
const ENV_ALLOWED: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "TMPDIR",
    "LANG",
    "LC_ALL",
    "TASKLINGS_WORKERS",
    "RUST_MIN_STACK",
    // Windows: what a program needs to start at all (SystemRoot for sockets, TEMP for
    // temporary files) and to find the user's folders.
    "SystemRoot",
    "windir",
    "TEMP",
    "TMP",
    "USERPROFILE",
    "USERNAME",
    "NUMBER_OF_PROCESSORS",
];

/// What one process may use.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Wall time from start to kill.
    pub timeout: Duration,
    /// Bytes of output kept from the start, and again from the end.
    pub output_kept: usize,
    /// Bytes of output (stdout + stderr) after which the process is stopped.
    pub output_limit: u64,
    /// Bytes accepted on the result channel (a flood there is ignored past this).
    pub channel_limit: usize,
    /// How long a process may take to exit after writing its final record.
    pub exit_grace: Duration,
    /// Memory the whole tree may commit, where the system caps it for the runner (Windows'
    /// Job object; on Unix memory is the sandbox's business).
    pub memory: u64,
}

impl Limits {
    /// Defaults for a process that should finish within `timeout`.
    pub fn with_timeout(timeout: Duration) -> Limits {
        Limits {
            timeout,
            output_kept: 16 * 1024,
            output_limit: 16 * 1024 * 1024,
            channel_limit: 4 * 1024 * 1024,
            exit_grace: Duration::from_secs(2),
            memory: 8 * 1024 * 1024 * 1024,
        }
    }
}

/// A process to start: program, arguments, working directory, and the variables it gets on top
/// of the allow-list.
#[derive(Clone, Debug)]
pub struct ProcessSpec {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    pub cwd: PathBuf,
    pub env: Vec<(OsString, OsString)>,
}

/// How a process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// It exited by itself with this status code.
    Exited(i32),
    /// It crashed, or something outside killed it.
    Crashed(Crash),
    /// It was still running at its timeout and was killed.
    TimedOut,
    /// It printed more than `output_limit` bytes and was killed.
    OutputLimit,
    /// It wrote its final record but did not exit within the grace period, and was killed.
    KilledAfterVerdict,
    /// The grader was interrupted (Ctrl-C) and killed it.
    Cancelled,
}

/// Why a process died, in the same words on every system (a Unix signal, a Windows status).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Crash {
    /// `std::process::abort`, a panic while panicking, a failed allocation.
    Abort,
    /// An invalid memory access.
    InvalidMemory,
    /// A thread's stack overflowed (Windows tells; on Unix it shows as `InvalidMemory` or an
    /// abort, and the output says so).
    #[cfg_attr(not(windows), allow(dead_code))]
    StackOverflow,
    IllegalInstruction,
    Arithmetic,
    /// Killed from outside (out of memory, an administrator). Unix signals name this and
    /// the next two; Windows reports them as plain exit codes.
    #[cfg_attr(not(unix), allow(dead_code))]
    Killed,
    /// It wrote a file larger than allowed.
    #[cfg_attr(not(unix), allow(dead_code))]
    FileTooLarge,
    /// It used more CPU time than allowed.
    #[cfg_attr(not(unix), allow(dead_code))]
    CpuTime,
    /// Another signal or status, by number.
    Other(i64),
}

/// What a finished process left behind.
#[derive(Debug)]
pub struct Finished {
    pub ending: Ending,
    /// Lines written to the result channel, unjudged.
    pub records: Vec<String>,
    /// What it printed: the first and last `output_kept` bytes, with a note of what was cut.
    pub output: String,
    /// Bytes printed in all.
    pub output_bytes: u64,
    pub elapsed: Duration,
    /// What the sandbox saw when it stopped the process (a limit it ran into, processes it left
    /// behind). Empty without a sandbox.
    pub notes: Vec<String>,
}

/// Runs `spec` under `limits`, confined by `sandbox`, writes `stdin_line` to its stdin, and
/// waits until it ends. `is_final` says whether a result-channel line is the process's last word
/// (after which it gets [`Limits::exit_grace`] to exit). `Err` only when it could not start.
pub fn run(
    spec: &ProcessSpec,
    stdin_line: &str,
    limits: &Limits,
    sandbox: &Sandbox,
    is_final: &dyn Fn(&str) -> bool,
) -> io::Result<Finished> {
    let (output_read, output_write) = io::pipe()?;
    let (channel_read, channel_write) = io::pipe()?;

    let mut command = Command::new(&spec.program);
    command
        .args(&spec.args)
        .current_dir(&spec.cwd)
        .env_clear()
        .envs(
            ENV_ALLOWED
                .iter()
                .filter_map(|key| Some((key, std::env::var_os(key)?))),
        )
        .envs(spec.env.iter().map(|(key, value)| (key, value)))
        .env(
            RESULT_CHANNEL_ENV,
            system::channel_number(&channel_write).to_string(),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::from(output_write.try_clone()?))
        .stderr(Stdio::from(output_write));
    system::prepare(&mut command, &channel_write);
    let mut guard = sandbox.confine(&mut command, limits.timeout)?;
    let started = Instant::now();
    let (mut child, tree) = system::spawn(&mut command, &channel_write, limits.memory)?;
    // The parent's copies of the write ends must close, or the readers never see EOF.
    drop(command);
    drop(channel_write);

    if let Some(mut stdin) = child.stdin.take() {
        // A process that exits at once closes its stdin: a broken pipe here is its business.
        let _ = stdin.write_all(format!("{stdin_line}\n").as_bytes());
    }

    let mut watch = Watch::start(output_read, channel_read, limits);
    let forced = watch.until_done(&mut child, limits, is_final)?;

    // Whatever happened, nothing of this test may outlive it.
    let notes = guard.stop(tree.id());
    tree.kill();
    let status = child.wait()?;
    watch.drain_after_kill();
    let ending = forced.unwrap_or_else(|| system::ending_of(status));
    Ok(Finished {
        ending,
        records: watch.records,
        output: watch.kept.text(),
        output_bytes: watch.kept.total(),
        elapsed: started.elapsed(),
        notes,
    })
}

/// What the reader threads report.
enum Event {
    Output(Vec<u8>),
    Channel(Vec<u8>),
    OutputClosed,
    ChannelClosed,
}

/// A running process's two pipes, read by two threads into one queue.
struct Watch {
    events: Receiver<Event>,
    kept: OutputBuffer,
    channel_bytes: Vec<u8>,
    channel_limit: usize,
    records: Vec<String>,
    output_open: bool,
    channel_open: bool,
}

impl Watch {
    fn start(output: io::PipeReader, channel: io::PipeReader, limits: &Limits) -> Watch {
        // Bounded: a flood of output waits in the pipe (and blocks its writer) rather than in
        // the grader's memory; 64 chunks of at most 64 KiB.
        let (sender, events) = mpsc::sync_channel(64);
        read_into(output, sender.clone(), Event::Output, Event::OutputClosed);
        read_into(channel, sender, Event::Channel, Event::ChannelClosed);
        Watch {
            events,
            kept: OutputBuffer::new(limits.output_kept),
            channel_bytes: Vec::new(),
            channel_limit: limits.channel_limit,
            records: Vec::new(),
            output_open: true,
            channel_open: true,
        }
    }

    /// Waits until the process has exited and its pipes are drained, or until something forces
    /// an end (the returned ending: timeout, flood, interrupt).
    fn until_done(
        &mut self,
        child: &mut std::process::Child,
        limits: &Limits,
        is_final: &dyn Fn(&str) -> bool,
    ) -> io::Result<Option<Ending>> {
        let mut deadline = Instant::now() + limits.timeout;
        let mut verdict_seen = false;
        let mut exited_at: Option<Instant> = None;
        loop {
            if interrupt::requested() {
                return Ok(Some(Ending::Cancelled));
            }
            if exited_at.is_none() && child.try_wait()?.is_some() {
                exited_at = Some(Instant::now());
            }
            let now = Instant::now();
            if let Some(exited) = exited_at {
                // What it wrote just before exiting arrives with EOF; a process it left behind
                // may hold the pipes open, so don't wait for EOF for long.
                let pipes_closed = !self.output_open && !self.channel_open;
                if pipes_closed || now >= exited + Duration::from_millis(300) {
                    return Ok(None);
                }
            }
            if now >= deadline {
                return Ok(Some(if verdict_seen {
                    Ending::KilledAfterVerdict
                } else {
                    Ending::TimedOut
                }));
            }
            // While the pipes are open, their EOF tells of the exit; once they closed (or a
            // child holds them), look at the process often.
            let tick = if self.output_open || self.channel_open {
                Duration::from_millis(50)
            } else {
                Duration::from_millis(5)
            };
            self.next_event(deadline.saturating_duration_since(now).min(tick));
            if self.kept.total() > limits.output_limit {
                return Ok(Some(Ending::OutputLimit));
            }
            for line in self.complete_lines() {
                if !verdict_seen && is_final(&line) {
                    verdict_seen = true;
                    deadline = deadline.min(Instant::now() + limits.exit_grace);
                }
                self.records.push(line);
            }
        }
    }

    /// Takes one event (waiting up to `wait`) and then every event already queued.
    fn next_event(&mut self, wait: Duration) {
        match self.events.recv_timeout(wait) {
            Ok(event) => self.take(event),
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return,
        }
        while let Ok(event) = self.events.try_recv() {
            self.take(event);
        }
    }

    fn take(&mut self, event: Event) {
        match event {
            Event::Output(bytes) => self.kept.push(&bytes),
            Event::Channel(bytes) => {
                if self.channel_bytes.len() + bytes.len() <= self.channel_limit {
                    self.channel_bytes.extend_from_slice(&bytes);
                }
            }
            Event::OutputClosed => self.output_open = false,
            Event::ChannelClosed => self.channel_open = false,
        }
    }

    /// Complete lines that arrived on the result channel.
    fn complete_lines(&mut self) -> Vec<String> {
        let mut lines = Vec::new();
        while let Some(end) = self.channel_bytes.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.channel_bytes.drain(..=end).collect();
            lines.push(String::from_utf8_lossy(&line[..end]).into_owned());
        }
        lines
    }

    /// After the kill: whatever was written before it, for a short while (the pipes close as
    /// the tree dies; a process outside the tree could hold them, so don't wait for EOF).
    fn drain_after_kill(&mut self) {
        let until = Instant::now() + Duration::from_millis(100);
        while self.output_open || self.channel_open {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            self.next_event(left);
        }
        let tail = self.complete_lines();
        self.records.extend(tail);
    }
}

/// A thread that reads `pipe` until EOF and sends what it reads as events.
fn read_into(
    mut pipe: io::PipeReader,
    events: SyncSender<Event>,
    data: fn(Vec<u8>) -> Event,
    closed: Event,
) {
    let reader = move || {
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            match pipe.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => {
                    if events.send(data(buffer[..n].to_vec())).is_err() {
                        return; // the run is over; nobody listens
                    }
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
        let _ = events.send(closed);
    };
    // If no thread can be started, the process's output is lost and its pipe fills: it will
    // time out, which is the honest verdict for a grader that can't watch it.
    let _ = std::thread::Builder::new()
        .name("tasklings-pipe".into())
        .spawn(reader);
}

#[cfg(test)]
mod tests;
