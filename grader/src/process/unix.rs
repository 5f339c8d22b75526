//! The runner on Unix: a process group is the tree, SIGKILL to the group ends it, the result
//! channel is a descriptor left open across `exec`, and a signal names a crash.

use std::io::{self, PipeWriter};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus};

use super::{Crash, Ending};

/// The child's process group, which holds everything it starts (unless something leaves the
/// group on purpose with `setsid`: the sandbox kills those by uid).
pub struct Tree {
    group: libc::pid_t,
}

impl Tree {
    /// The process group id, which the sandbox's guard uses to tell strays from members.
    pub fn id(&self) -> i32 {
        self.group
    }

    /// SIGKILL to every process in the group. ESRCH (all gone already) is the usual outcome.
    pub fn kill(&self) {
        // SAFETY: kill(2) with a negative pid signals a process group; no memory is involved.
        // The group id is the child's pid, which can't be reused while the group has members.
        unsafe {
            libc::kill(-self.group, libc::SIGKILL);
        }
    }
}

/// The channel's number for the child: its descriptor.
pub fn channel_number(channel: &PipeWriter) -> u64 {
    channel.as_raw_fd() as u64
}

/// What the child does between fork and exec: keep the result channel (the only descriptor the
/// grader lets it inherit: every other one is close-on-exec) and give up core dumps.
pub fn prepare(command: &mut Command, channel: &PipeWriter) {
    let channel_fd: RawFd = channel.as_raw_fd();
    let pre_exec = move || {
        // SAFETY: fcntl and setrlimit are async-signal-safe and touch only this (forked)
        // process; channel_fd is open in it, inherited from the parent.
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
    command.process_group(0);
}

/// Starts the child in a process group of its own. Memory is not capped here (the sandbox sets
/// RLIMIT_AS where it confines).
pub fn spawn(
    command: &mut Command,
    _channel: &PipeWriter,
    _memory: u64,
) -> io::Result<(Child, Tree)> {
    let child = spawn_when_not_busy(command)?;
    let group = child.id() as libc::pid_t;
    Ok((child, Tree { group }))
}

/// Spawns `command`, trying again a few times while its program is "busy" (ETXTBSY).
///
/// A binary staged by copying (the sandbox's fallback where hard links fail) is briefly open for
/// writing in this process; a child that another grading thread forks at that moment inherits
/// the descriptor until it execs, and executing the binary meanwhile fails with ETXTBSY. The
/// window is a fork-to-exec, so a short wait always outlasts it.
fn spawn_when_not_busy(command: &mut Command) -> io::Result<Child> {
    let mut tries = 0;
    loop {
        match command.spawn() {
            Err(error) if error.kind() == io::ErrorKind::ExecutableFileBusy && tries < 20 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            spawned => return spawned,
        }
    }
}

/// How an exited process ended.
pub fn ending_of(status: ExitStatus) -> Ending {
    match (status.code(), status.signal()) {
        (Some(code), _) => Ending::Exited(code),
        (None, Some(signal)) => Ending::Crashed(crash_of(signal)),
        (None, None) => Ending::Exited(-1),
    }
}

fn crash_of(signal: i32) -> Crash {
    match signal {
        libc::SIGABRT => Crash::Abort,
        libc::SIGSEGV | libc::SIGBUS => Crash::InvalidMemory,
        libc::SIGILL => Crash::IllegalInstruction,
        libc::SIGFPE => Crash::Arithmetic,
        libc::SIGKILL => Crash::Killed,
        libc::SIGXFSZ => Crash::FileTooLarge,
        libc::SIGXCPU => Crash::CpuTime,
        other => Crash::Other(i64::from(other)),
    }
}
