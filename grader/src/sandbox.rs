//! Running one learner process under the grader's control.
//!
//! Every process that runs learner code (a hidden test binary, once per test, and once to list its
//! tests) starts here, and this module promises:
//!
//! * it runs in a **process group of its own**, and when it ends — normally, at its timeout, when
//!   it floods its output, or when the grader is interrupted — the grader kills the **whole
//!   group** with SIGKILL, so nothing it started keeps running;
//! * its **environment is cleared** down to a short allow-list (the same on every machine, nothing
//!   that tells a learner's code it is being graded beyond the result channel);
//! * it gets the **result channel**: the write end of a pipe, inherited only by this process
//!   (every other descriptor the grader opens is close-on-exec), named in `TASKLINGS_RESULT_FD`,
//!   and the **nonce** as the first line on stdin, after which stdin is closed;
//! * its stdout and stderr go to one pipe that is always drained (a process blocked on a full pipe
//!   would look like a deadlock), and only the first and last [`Limits::output_kept`] bytes are
//!   kept; past [`Limits::output_limit`] bytes in all, the process is stopped;
//! * no core dumps (RLIMIT_CORE = 0).
//!
//! It does not judge: it returns how the process ended, the lines it wrote to the result channel
//! and what it printed, and `protocol` turns that into a verdict.
//!
//! Stronger isolation for grading other people's work (own uid, resource limits, no network, a
//! private filesystem view) is `isolation`'s: `configure_child` hands it the command, and the
//! guard it returns kills everything of the test's uid before the group is killed here.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use crate::interrupt;

/// The environment variable naming the result channel's descriptor (see `probes::harness`).
pub const RESULT_FD_ENV: &str = "TASKLINGS_RESULT_FD";

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
        }
    }
}

/// A process to start: program, arguments, working directory.
#[derive(Clone, Debug)]
pub struct ProcessSpec {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    pub cwd: PathBuf,
}

/// How a process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// It exited by itself with this status code.
    Exited(i32),
    /// A signal ended it (its own abort, a crash, or someone else's kill).
    Signaled(i32),
    /// It was still running at its timeout and was killed.
    TimedOut,
    /// It printed more than `output_limit` bytes and was killed.
    OutputLimit,
    /// It wrote its final record but did not exit within the grace period, and was killed.
    KilledAfterVerdict,
    /// The grader was interrupted (Ctrl-C) and killed it.
    Cancelled,
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
    /// What the isolation layer saw when it stopped the process (`isolation::Guard::stop`):
    /// a limit it ran into, processes it left behind. Empty without isolation.
    pub notes: Vec<String>,
}

/// Runs `spec` under `limits`, writes `stdin_line` to its stdin, and waits until it ends.
/// `is_final` says whether a result-channel line is the process's last word (after which it gets
/// [`Limits::exit_grace`] to exit). `Err` only when the process could not be started.
pub fn run(
    spec: &ProcessSpec,
    stdin_line: &str,
    limits: &Limits,
    is_final: &dyn Fn(&str) -> bool,
) -> io::Result<Finished> {
    let (output_read, output_write) = pipe()?;
    let (channel_read, channel_write) = pipe()?;
    let channel_fd = channel_write.as_raw_fd();

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
        .env(RESULT_FD_ENV, channel_fd.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::from(output_write.try_clone()?))
        .stderr(Stdio::from(output_write))
        .process_group(0);
    let mut isolation = configure_child(&mut command, channel_fd, limits)?;
    let started = Instant::now();
    let mut child = command.spawn()?;
    // The parent's copies of the write ends must close, or the reads below never see EOF.
    drop(command);
    drop(channel_write);
    let group = child.id() as libc::pid_t;

    if let Some(mut stdin) = child.stdin.take() {
        // A process that exits at once closes its stdin: a broken pipe here is its business.
        let _ = stdin.write_all(format!("{stdin_line}\n").as_bytes());
    }

    let mut watch = Watch {
        output: Pipe::new(output_read)?,
        channel: Pipe::new(channel_read)?,
        exited: PidWatch::new(child.id()),
        kept: OutputBuffer::new(limits.output_kept),
        channel_bytes: Vec::new(),
        records: Vec::new(),
    };
    let mut deadline = started + limits.timeout;
    let mut verdict_seen = false;
    let mut status: Option<ExitStatus> = None;
    let mut drain_until: Option<Instant> = None;

    let forced = loop {
        if interrupt::requested() {
            break Some(Ending::Cancelled);
        }
        if status.is_none() {
            status = child.try_wait()?;
            if status.is_some() {
                // Give what it wrote just before exiting a moment to arrive; a process it left
                // behind may hold the pipes open, so don't wait for EOF forever.
                drain_until = Some(Instant::now() + Duration::from_millis(300));
            }
        }
        let now = Instant::now();
        if status.is_some()
            && ((watch.output.closed() && watch.channel.closed())
                || drain_until.is_some_and(|until| now >= until))
        {
            break None;
        }
        if now >= deadline {
            break Some(if verdict_seen {
                Ending::KilledAfterVerdict
            } else {
                Ending::TimedOut
            });
        }
        let wait = deadline
            .min(drain_until.unwrap_or(deadline))
            .saturating_duration_since(now)
            .min(Duration::from_millis(if status.is_some() {
                5
            } else {
                100
            }));
        watch.wait(wait, status.is_none());
        watch.read_output();
        if watch.kept.total > limits.output_limit {
            break Some(Ending::OutputLimit);
        }
        for line in watch.read_channel(limits.channel_limit) {
            if !verdict_seen && is_final(&line) {
                verdict_seen = true;
                deadline = deadline.min(Instant::now() + limits.exit_grace);
            }
            watch.records.push(line);
        }
    };

    // Whatever happened, nothing of this test may outlive it.
    let notes = isolation.stop(group);
    kill_group(group);
    let status = match status {
        Some(status) => status,
        None => child.wait()?,
    };
    // One last non-blocking sweep for anything written before the kill.
    watch.read_output();
    let tail: Vec<String> = watch.read_channel(limits.channel_limit);
    watch.records.extend(tail);
    let ending = forced.unwrap_or_else(|| ending_of(status));
    Ok(Finished {
        ending,
        records: watch.records,
        output: watch.kept.text(),
        output_bytes: watch.kept.total,
        elapsed: started.elapsed(),
        notes,
    })
}

fn ending_of(status: ExitStatus) -> Ending {
    match (status.code(), status.signal()) {
        (Some(code), _) => Ending::Exited(code),
        (None, Some(signal)) => Ending::Signaled(signal),
        (None, None) => Ending::Exited(-1),
    }
}

/// What the child does between fork and exec: inherit the result channel (the only descriptor
/// the grader lets it keep) and give up core dumps; then whatever `isolation` adds when it is
/// on (own uid, namespaces, resource limits), held by the returned guard.
fn configure_child(
    command: &mut Command,
    channel_fd: RawFd,
    limits: &Limits,
) -> io::Result<crate::isolation::Guard> {
    let pre_exec = move || {
        // SAFETY: fcntl and setrlimit are async-signal-safe and touch only this (forked) process;
        // channel_fd is open in it, inherited from the parent.
        unsafe {
            if libc::fcntl(channel_fd, libc::F_SETFD, 0) == -1 {
                return Err(io::Error::last_os_error());
            }
            let no_core = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            libc::setrlimit(libc::RLIMIT_CORE, &no_core);
        }
        Ok(())
    };
    // SAFETY: the closure only makes async-signal-safe calls (see above) and allocates nothing.
    unsafe {
        command.pre_exec(pre_exec);
    }
    crate::isolation::configure(command, limits.timeout)
}

/// SIGKILL to every process in the group. ESRCH (all gone already) is the usual, fine outcome.
fn kill_group(group: libc::pid_t) {
    // SAFETY: kill(2) with a negative pid signals a process group; no memory is involved. The
    // group id is the child's pid, which can't be reused while the group still has members.
    unsafe {
        libc::kill(-group, libc::SIGKILL);
    }
}

/// A pipe with both ends close-on-exec (std sets the flag atomically where the platform can).
fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let (read, write) = io::pipe()?;
    Ok((OwnedFd::from(read), OwnedFd::from(write)))
}

/// The read end of a pipe, non-blocking, remembering EOF.
struct Pipe {
    file: Option<std::fs::File>,
}

impl Pipe {
    fn new(fd: OwnedFd) -> io::Result<Pipe> {
        let raw = fd.as_raw_fd();
        // SAFETY: fcntl on a descriptor we own.
        let flags = unsafe { libc::fcntl(raw, libc::F_GETFL) };
        // SAFETY: as above; O_NONBLOCK so a read never waits for a process that went quiet.
        if flags == -1 || unsafe { libc::fcntl(raw, libc::F_SETFL, flags | libc::O_NONBLOCK) } == -1
        {
            return Err(io::Error::last_os_error());
        }
        Ok(Pipe {
            file: Some(std::fs::File::from(fd)),
        })
    }

    fn closed(&self) -> bool {
        self.file.is_none()
    }

    fn raw(&self) -> Option<RawFd> {
        self.file.as_ref().map(AsRawFd::as_raw_fd)
    }

    /// Reads what is available now into `sink`.
    fn read_available(&mut self, mut sink: impl FnMut(&[u8])) {
        let mut buffer = [0u8; 64 * 1024];
        while let Some(file) = self.file.as_mut() {
            match file.read(&mut buffer) {
                Ok(0) => self.file = None,
                Ok(n) => sink(&buffer[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => break, // WouldBlock: nothing more for now
            }
        }
    }
}

/// Notices the child's exit without polling: a pidfd becomes readable when the process ends.
/// Where pidfds are unavailable, the wait falls back to short sleeps.
struct PidWatch {
    fd: Option<OwnedFd>,
}

impl PidWatch {
    fn new(pid: u32) -> PidWatch {
        #[cfg(target_os = "linux")]
        {
            // SAFETY: pidfd_open takes a pid and flags and returns a new descriptor or -1.
            let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid as libc::pid_t, 0) };
            if fd >= 0 {
                // SAFETY: the syscall returned a fresh descriptor that nothing else owns.
                let fd = unsafe { OwnedFd::from_raw_fd(fd as RawFd) };
                return PidWatch { fd: Some(fd) };
            }
        }
        let _ = pid;
        PidWatch { fd: None }
    }
}

struct Watch {
    output: Pipe,
    channel: Pipe,
    exited: PidWatch,
    kept: OutputBuffer,
    channel_bytes: Vec<u8>,
    records: Vec<String>,
}

impl Watch {
    /// Sleeps until a pipe has data, the child exits, or `wait` has passed.
    fn wait(&self, wait: Duration, child_running: bool) {
        let mut fds: Vec<libc::pollfd> = [self.output.raw(), self.channel.raw()]
            .into_iter()
            .flatten()
            .map(|fd| libc::pollfd {
                fd,
                events: libc::POLLIN,
                revents: 0,
            })
            .collect();
        let mut timeout = wait;
        match (&self.exited.fd, child_running) {
            (Some(fd), true) => fds.push(libc::pollfd {
                fd: fd.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            }),
            // No pidfd: wake up often enough to notice the exit quickly.
            (None, true) => timeout = timeout.min(Duration::from_millis(10)),
            _ => {}
        }
        let millis = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX);
        // SAFETY: fds is a live, correctly sized array of pollfd for the duration of the call.
        unsafe {
            libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, millis);
        }
    }

    fn read_output(&mut self) {
        let kept = &mut self.kept;
        self.output.read_available(|bytes| kept.push(bytes));
    }

    /// Complete lines that arrived on the result channel.
    fn read_channel(&mut self, limit: usize) -> Vec<String> {
        let bytes = &mut self.channel_bytes;
        let mut dropped = 0usize;
        self.channel.read_available(|chunk| {
            if bytes.len() + chunk.len() <= limit {
                bytes.extend_from_slice(chunk);
            } else {
                dropped += chunk.len();
            }
        });
        let mut lines = Vec::new();
        while let Some(end) = bytes.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = bytes.drain(..=end).collect();
            lines.push(String::from_utf8_lossy(&line[..end]).into_owned());
        }
        lines
    }
}

/// The first and last `kept` bytes of a stream, and its total length.
struct OutputBuffer {
    kept: usize,
    head: Vec<u8>,
    tail: VecDeque<u8>,
    total: u64,
}

impl OutputBuffer {
    fn new(kept: usize) -> OutputBuffer {
        OutputBuffer {
            kept,
            head: Vec::new(),
            tail: VecDeque::new(),
            total: 0,
        }
    }

    fn push(&mut self, mut bytes: &[u8]) {
        self.total += bytes.len() as u64;
        let room = self.kept - self.head.len();
        if room > 0 {
            let take = room.min(bytes.len());
            self.head.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
        }
        if bytes.len() >= self.kept {
            bytes = &bytes[bytes.len() - self.kept..];
            self.tail.clear();
        }
        self.tail.extend(bytes);
        let excess = self.tail.len().saturating_sub(self.kept);
        self.tail.drain(..excess);
    }

    fn text(&self) -> String {
        let head = String::from_utf8_lossy(&self.head);
        let shown = (self.head.len() + self.tail.len()) as u64;
        let tail: Vec<u8> = self.tail.iter().copied().collect();
        let tail = String::from_utf8_lossy(&tail);
        if shown < self.total {
            format!(
                "{head}\n[… {} bytes of output cut …]\n{tail}",
                self.total - shown
            )
        } else {
            format!("{head}{tail}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs a shell script as the learner process. Scripts write to the result channel through
    /// `/proc/self/fd/$TASKLINGS_RESULT_FD`: dash's `>&N` takes only one-digit descriptors, and
    /// with tests running in parallel the channel's number is often 10 or more.
    fn shell(script: &str, timeout_ms: u64) -> Finished {
        let spec = ProcessSpec {
            program: "/bin/sh".into(),
            args: vec!["-c".into(), script.into()],
            cwd: std::env::temp_dir(),
        };
        run(
            &spec,
            "the-nonce",
            &Limits::with_timeout(Duration::from_millis(timeout_ms)),
            &|line| line.contains("final"),
        )
        .unwrap()
    }

    #[test]
    fn the_result_channel_and_stdin_reach_the_child() {
        let finished = shell(
            r#"read nonce; echo "{\"n\":\"$nonce\"} final" >/proc/self/fd/$TASKLINGS_RESULT_FD; echo printed"#,
            10_000,
        );
        assert_eq!(finished.ending, Ending::Exited(0));
        assert_eq!(finished.records, vec![r#"{"n":"the-nonce"} final"#]);
        assert_eq!(finished.output, "printed\n");
    }

    #[test]
    fn a_process_that_hangs_is_killed_with_everything_it_started() {
        // The background `sleep` holds the output pipe open: only killing the group ends this.
        let finished = shell("sleep 1000 & sleep 1000", 300);
        assert_eq!(finished.ending, Ending::TimedOut);
    }

    #[test]
    fn a_flood_of_output_is_stopped_and_only_its_ends_are_kept() {
        let finished = shell("yes tasklings", 60_000);
        assert_eq!(finished.ending, Ending::OutputLimit);
        assert!(finished.output_bytes > 16 * 1024 * 1024);
        assert!(finished.output.contains("bytes of output cut"));
        assert!(finished.output.len() < 40 * 1024);
    }

    #[test]
    fn signals_are_reported() {
        let finished = shell("kill -SEGV $$", 10_000);
        assert_eq!(finished.ending, Ending::Signaled(libc::SIGSEGV));
    }

    #[test]
    fn the_environment_is_cleared() {
        std::env::set_var("TASKLINGS_SECRET_FOR_TEST", "x");
        let finished = shell("echo \"[$TASKLINGS_SECRET_FOR_TEST]\"", 10_000);
        assert_eq!(finished.output, "[]\n");
    }

    #[test]
    fn a_process_that_lingers_after_its_verdict_is_stopped_after_the_grace() {
        let finished = shell(
            r#"echo final >/proc/self/fd/$TASKLINGS_RESULT_FD; exec sleep 1000"#,
            60_000,
        );
        assert_eq!(finished.ending, Ending::KilledAfterVerdict);
        assert_eq!(finished.records, vec!["final"]);
    }

    #[test]
    fn the_output_buffer_keeps_both_ends() {
        let mut buffer = OutputBuffer::new(4);
        buffer.push(b"abcdefgh");
        buffer.push(b"ijkl");
        assert_eq!(buffer.total, 12);
        assert_eq!(buffer.text(), "abcd\n[… 4 bytes of output cut …]\nijkl");
    }
}
