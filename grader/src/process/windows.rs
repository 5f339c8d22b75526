//! The runner on Windows: a Job object is the tree (every process the child starts joins it,
//! closing the job kills them all, and it caps their memory), the result channel is a pipe
//! handle made inheritable for this one spawn, and an NTSTATUS exit code names a crash.

use std::io::{self, PipeWriter};
use std::os::windows::io::{AsRawHandle, RawHandle};
use std::process::{Child, Command, ExitStatus};
use std::sync::Mutex;

use windows_sys::Win32::Foundation::{
    CloseHandle, SetHandleInformation, HANDLE, HANDLE_FLAG_INHERIT,
};
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, JobObjectExtendedLimitInformation,
    SetInformationJobObject, TerminateJobObject, JOBOBJECT_EXTENDED_LIMIT_INFORMATION,
    JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION, JOB_OBJECT_LIMIT_JOB_MEMORY,
    JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
};

use super::{Crash, Ending};

/// One spawn at a time makes the channel inheritable: std's `Command` lets a child inherit
/// every inheritable handle, so a channel made inheritable while another test's process
/// starts would leak into it.
static SPAWN: Mutex<()> = Mutex::new(());

/// The child's Job object. Dropping it closes the job, which kills whatever is left in it.
pub struct Tree {
    job: HANDLE,
}

// SAFETY: a job handle is a kernel object reference, usable from any thread.
unsafe impl Send for Tree {}

impl Tree {
    /// Windows has no process group to report; the sandbox (Unix only) never asks.
    pub fn id(&self) -> i32 {
        0
    }

    /// Ends every process in the job.
    pub fn kill(&self) {
        // SAFETY: `job` is a job handle this Tree owns until drop.
        unsafe {
            TerminateJobObject(self.job, 1);
        }
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        // SAFETY: closes the handle this Tree owns; KILL_ON_JOB_CLOSE ends what is left.
        unsafe {
            CloseHandle(self.job);
        }
    }
}

/// The channel's number for the child: its handle value, valid in the child once inherited.
pub fn channel_number(channel: &PipeWriter) -> u64 {
    channel.as_raw_handle() as usize as u64
}

/// Nothing to do before the spawn on Windows: inheritance is set in [`spawn`], under its lock.
pub fn prepare(_command: &mut Command, _channel: &PipeWriter) {}

/// Starts the child and puts it in a new Job object capped at `memory` bytes. The child is
/// in the job before the grader writes the nonce to its stdin, and the hidden-test harness reads
/// the nonce before any test code runs, so no learner code runs outside the job.
pub fn spawn(
    command: &mut Command,
    channel: &PipeWriter,
    memory: u64,
) -> io::Result<(Child, Tree)> {
    let tree = Tree::new(memory)?;
    let handle = channel.as_raw_handle() as HANDLE;
    let child = {
        let _one_at_a_time = SPAWN
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        set_inheritable(handle, true)?;
        let spawned = command.spawn();
        // The child has its copy; no later spawn may inherit this one.
        let _ = set_inheritable(handle, false);
        spawned?
    };
    let process = child.as_raw_handle() as RawHandle as HANDLE;
    // SAFETY: both handles are open: the job's is ours, the process's is the Child's.
    if unsafe { AssignProcessToJobObject(tree.job, process) } == 0 {
        let error = io::Error::last_os_error();
        let mut child = child;
        let _ = child.kill();
        let _ = child.wait();
        return Err(error);
    }
    Ok((child, tree))
}

impl Tree {
    fn new(memory: u64) -> io::Result<Tree> {
        // SAFETY: an anonymous job with default security; null pointers are allowed.
        let job = unsafe { CreateJobObjectW(std::ptr::null(), std::ptr::null()) };
        if job.is_null() {
            return Err(io::Error::last_os_error());
        }
        let tree = Tree { job };
        // SAFETY: a zeroed JOBOBJECT_EXTENDED_LIMIT_INFORMATION is a valid "no limits" value.
        let mut info: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = unsafe { std::mem::zeroed() };
        info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
            | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION
            | JOB_OBJECT_LIMIT_JOB_MEMORY;
        info.JobMemoryLimit = usize::try_from(memory).unwrap_or(usize::MAX);
        // SAFETY: `info` is a live, correctly sized struct of the class named.
        let set = unsafe {
            SetInformationJobObject(
                tree.job,
                JobObjectExtendedLimitInformation,
                (&raw const info).cast(),
                std::mem::size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
            )
        };
        if set == 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(tree)
    }
}

fn set_inheritable(handle: HANDLE, inherit: bool) -> io::Result<()> {
    let flags = if inherit { HANDLE_FLAG_INHERIT } else { 0 };
    // SAFETY: changes a flag of a handle this process owns (the channel's write end).
    if unsafe { SetHandleInformation(handle, HANDLE_FLAG_INHERIT, flags) } == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// How an exited process ended: NTSTATUS codes of crashes have their top bits set.
pub fn ending_of(status: ExitStatus) -> Ending {
    let Some(code) = status.code() else {
        return Ending::Exited(-1);
    };
    match code as u32 {
        // __fastfail, which Rust's abort uses.
        0xC000_0409 => Ending::Crashed(Crash::Abort),
        0xC000_0005 => Ending::Crashed(Crash::InvalidMemory),
        0xC000_00FD => Ending::Crashed(Crash::StackOverflow),
        0xC000_001D => Ending::Crashed(Crash::IllegalInstruction),
        0xC000_0094 | 0xC000_0095 => Ending::Crashed(Crash::Arithmetic),
        other if other >= 0xC000_0000 => Ending::Crashed(Crash::Other(i64::from(other))),
        _ => Ending::Exited(code),
    }
}
