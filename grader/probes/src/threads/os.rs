//! What the operating system says about this process: how many threads it has and how much CPU
//! time they have used. One function per question, one implementation per system, each through
//! the interface the system documents for it:
//!
//! | system | OS threads | CPU time (user + system, all threads, ended ones included) |
//! |---|---|---|
//! | Linux | `Threads:` in `/proc/self/status` | `getrusage(RUSAGE_SELF)` |
//! | macOS | `pti_threadnum` of `proc_pidinfo(PROC_PIDTASKINFO)` (the kernel's task info) | `getrusage(RUSAGE_SELF)` |
//! | Windows | the process's entries in a `CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD)` | `GetProcessTimes` (kernel + user) |
//! | other Unix | `None` | `getrusage(RUSAGE_SELF)` |
//! | anything else | `None` | `None` |
//!
//! `/proc` is read on Linux only: elsewhere a path of that name, if it exists at all (Wine maps
//! it through to the host's), doesn't describe this process.

use std::time::Duration;

/// The number of OS threads in this process now, or `None` where this system can't say.
pub fn os_threads() -> Option<usize> {
    platform::os_threads()
}

/// CPU time (user + system) used so far by all threads of this process, or `None` where this
/// system can't say.
pub fn process_cpu_time() -> Option<Duration> {
    platform::process_cpu_time()
}

#[cfg(unix)]
mod rusage {
    use std::time::Duration;

    /// `ru_utime + ru_stime` of `getrusage(RUSAGE_SELF)`: every thread of the process, including
    /// the ones that have ended (POSIX; Linux and macOS both count them).
    pub fn process_cpu_time() -> Option<Duration> {
        let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
        // SAFETY: `usage` points to writable memory of the right type and size; getrusage only
        // writes into it and returns 0 on success.
        let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) };
        if rc != 0 {
            return None;
        }
        // SAFETY: getrusage returned 0, so it filled in the struct (and it was zeroed before).
        let usage = unsafe { usage.assume_init() };
        Some(to_duration(usage.ru_utime) + to_duration(usage.ru_stime))
    }

    fn to_duration(tv: libc::timeval) -> Duration {
        // Both fields are non-negative for a duration the kernel reports; clamp rather than wrap.
        let secs = u64::try_from(tv.tv_sec).unwrap_or(0);
        let micros = u64::try_from(tv.tv_usec).unwrap_or(0);
        Duration::from_secs(secs) + Duration::from_micros(micros)
    }
}

#[cfg(target_os = "linux")]
mod platform {
    pub use super::rusage::process_cpu_time;

    /// `Threads:` in `/proc/self/status` (proc(5)).
    pub fn os_threads() -> Option<usize> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("Threads:"))
            .and_then(|count| count.trim().parse().ok())
    }
}

#[cfg(target_os = "macos")]
mod platform {
    pub use super::rusage::process_cpu_time;

    /// `pti_threadnum`: the threads of this process's Mach task, from `proc_pidinfo` with the
    /// `PROC_PIDTASKINFO` flavour (libproc.h).
    pub fn os_threads() -> Option<usize> {
        let mut info = std::mem::MaybeUninit::<libc::proc_taskinfo>::zeroed();
        let size = i32::try_from(std::mem::size_of::<libc::proc_taskinfo>()).ok()?;
        // SAFETY: getpid has no preconditions; `info` is writable for `size` bytes, the size
        // proc_pidinfo is told, and it writes at most that many.
        let written = unsafe {
            libc::proc_pidinfo(
                libc::getpid(),
                libc::PROC_PIDTASKINFO,
                0,
                info.as_mut_ptr().cast(),
                size,
            )
        };
        if written != size {
            return None;
        }
        // SAFETY: proc_pidinfo filled in the whole struct (it returned its size).
        let info = unsafe { info.assume_init() };
        usize::try_from(info.pti_threadnum).ok()
    }
}

#[cfg(windows)]
mod platform {
    use std::time::Duration;

    use windows_sys::Win32::Foundation::{CloseHandle, FILETIME, HANDLE, INVALID_HANDLE_VALUE};
    use windows_sys::Win32::System::Diagnostics::ToolHelp::{
        CreateToolhelp32Snapshot, Thread32First, Thread32Next, TH32CS_SNAPTHREAD, THREADENTRY32,
    };
    use windows_sys::Win32::System::Threading::{
        GetCurrentProcess, GetCurrentProcessId, GetProcessTimes,
    };

    /// The threads whose owner is this process in a Toolhelp snapshot of the system's threads
    /// (a snapshot holds every process's threads; there is no per-process flavour).
    pub fn os_threads() -> Option<usize> {
        // SAFETY: no preconditions; the snapshot is a new handle we own (closed by `Snapshot`).
        let handle = unsafe { CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0) };
        if handle == INVALID_HANDLE_VALUE || handle.is_null() {
            return None;
        }
        let snapshot = Snapshot(handle);
        // SAFETY: no preconditions.
        let me = unsafe { GetCurrentProcessId() };
        let size = u32::try_from(std::mem::size_of::<THREADENTRY32>()).ok()?;
        // SAFETY: THREADENTRY32 is plain integers; all zeroes is a valid value.
        let mut entry: THREADENTRY32 = unsafe { std::mem::zeroed() };
        entry.dwSize = size; // Thread32First requires it (and may shrink it to what it filled).
        let mut count = 0;
        // SAFETY: `snapshot.0` is a live Toolhelp snapshot and `entry` a writable THREADENTRY32
        // whose dwSize is set; each call fills in the next entry or returns 0 at the end.
        let mut more = unsafe { Thread32First(snapshot.0, &mut entry) } != 0;
        while more {
            if entry.th32OwnerProcessID == me {
                count += 1;
            }
            entry.dwSize = size;
            // SAFETY: as for Thread32First above.
            more = unsafe { Thread32Next(snapshot.0, &mut entry) } != 0;
        }
        // A live process has at least the thread asking; none seen means the walk failed.
        (count > 0).then_some(count)
    }

    /// Closes the snapshot however `os_threads` returns.
    struct Snapshot(HANDLE);

    impl Drop for Snapshot {
        fn drop(&mut self) {
            // SAFETY: the handle came from CreateToolhelp32Snapshot and is closed only here.
            unsafe { CloseHandle(self.0) };
        }
    }

    /// Kernel + user time of `GetProcessTimes`: every thread of the process, ended ones included.
    pub fn process_cpu_time() -> Option<Duration> {
        let zero = FILETIME {
            dwLowDateTime: 0,
            dwHighDateTime: 0,
        };
        let (mut created, mut exited, mut kernel, mut user) = (zero, zero, zero, zero);
        // SAFETY: GetCurrentProcess returns a pseudo-handle that needs no closing; the four
        // pointers are to writable FILETIMEs that GetProcessTimes fills in.
        let ok = unsafe {
            GetProcessTimes(
                GetCurrentProcess(),
                &mut created,
                &mut exited,
                &mut kernel,
                &mut user,
            )
        };
        (ok != 0).then(|| to_duration(kernel) + to_duration(user))
    }

    /// A FILETIME used as a duration counts 100-nanosecond intervals.
    fn to_duration(time: FILETIME) -> Duration {
        let ticks = (u64::from(time.dwHighDateTime) << 32) | u64::from(time.dwLowDateTime);
        Duration::from_nanos(ticks.saturating_mul(100))
    }
}

#[cfg(all(unix, not(any(target_os = "linux", target_os = "macos"))))]
mod platform {
    pub use super::rusage::process_cpu_time;

    /// No thread count this crate knows how to read here.
    pub fn os_threads() -> Option<usize> {
        None
    }
}

#[cfg(not(any(unix, windows)))]
mod platform {
    use std::time::Duration;

    /// No thread count here.
    pub fn os_threads() -> Option<usize> {
        None
    }

    /// No CPU time here.
    pub fn process_cpu_time() -> Option<Duration> {
        None
    }
}
