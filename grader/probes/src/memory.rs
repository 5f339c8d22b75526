//! Resident memory: how much the peak resident set of this process grew during a call.
//!
//! The code under test runs in the hidden test's own process, so the process's resident set
//! (the pages of RAM it really uses, not address space it merely reserved) shows what that code
//! costs. [`peak_growth_during`] runs a call and says how far the process's *peak* resident set
//! rose above where it stood before — what "100,000 tasks take 20 MB, 100,000 threads take a
//! gigabyte" is about.
//!
//! | platform | peak | before the call |
//! |---|---|---|
//! | Linux | `VmHWM` in `/proc/self/status` | the peak is first reset to the current resident set (`5` written to `/proc/self/clear_refs`, Linux 4.0+); where that is refused, the peak so far |
//! | macOS | `getrusage(RUSAGE_SELF).ru_maxrss` (bytes on macOS, KiB on Linux) | the peak so far (it can't be reset) |
//! | Windows | `PeakWorkingSetSize` of `GetProcessMemoryInfo` | the peak so far (it can't be reset) |
//! | elsewhere | — | [`peak_growth_during`] returns `None`: a test skips ("needs Linux, macOS or Windows") |
//!
//! On Windows the *working set* is the resident set: the pages of the process in RAM. Its peak
//! is what `VmHWM` and `ru_maxrss` are elsewhere. `GetProcessMemoryInfo` also reports
//! `PeakPagefileUsage`, the peak *commit charge*, which is not used: Windows charges commit when
//! memory is allocated, before any page is written (the heap commits what `Vec::with_capacity`
//! asks for), so it would count memory merely reserved — what this module promises not to. The
//! working set can be trimmed under memory pressure, which only makes a growth look smaller:
//! one-sided like the missing reset.
//!
//! One-sided: without a reset, the growth is measured from the peak the process had already
//! reached, so it can only *understate* what the call used (a process that peaked at 50 MB earlier
//! and used 60 MB during the call reports 10 MB). A bound on the growth can then let a costly
//! call pass on an unlucky process history, never fail a cheap one. [`PeakGrowth::reset`] says
//! which case a measurement is, so a message can say so. A hidden test runs in a fresh process,
//! whose earlier peak is the test binary and little else.
//!
//! Pages are counted, not bytes allocated: an allocation of a megabyte that is never written
//! costs (almost) nothing here, and the allocator keeps freed memory, so compare a growth with
//! what the call had to keep alive at once, over many units (bytes per task = growth / tasks).

/// How far the process's peak resident set rose during a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeakGrowth {
    /// Peak resident bytes after the call minus the baseline before it (0 if it didn't rise).
    pub bytes: u64,
    /// The baseline was the resident set at the call's start (the peak was reset, Linux); when
    /// false, it was the process's earlier peak, and `bytes` may understate the call's use.
    pub reset: bool,
}

/// Runs `call` and measures how far the peak resident set of this process rose during it.
/// The growth is `None` where it can't be measured (not Linux, macOS or Windows); `call` runs
/// either way.
///
/// ```
/// let (sum, growth) = probes::memory::peak_growth_during(|| {
///     let pages = vec![1u8; 32 << 20]; // written: resident
///     pages.iter().map(|&b| u64::from(b)).sum::<u64>()
/// });
/// assert_eq!(sum, 32 << 20);
/// if let Some(growth) = growth {
///     assert!(growth.bytes <= 1 << 30);
/// }
/// ```
pub fn peak_growth_during<R>(call: impl FnOnce() -> R) -> (R, Option<PeakGrowth>) {
    let reset = platform::reset_peak();
    let before = platform::peak_resident();
    let result = call();
    let after = platform::peak_resident();
    let growth = before.zip(after).map(|(before, after)| PeakGrowth {
        bytes: after.saturating_sub(before),
        reset,
    });
    (result, growth)
}

/// The peak resident set of this process so far, in bytes (since the last reset on Linux);
/// `None` where it can't be read.
pub fn peak_resident() -> Option<u64> {
    platform::peak_resident()
}

#[cfg(target_os = "linux")]
mod platform {
    /// `VmHWM`, the high-water mark of the resident set.
    pub fn peak_resident() -> Option<u64> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let kib: u64 = status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))?
            .split_whitespace()
            .next()?
            .parse()
            .ok()?;
        Some(kib * 1024)
    }

    /// Resets `VmHWM` to the current resident set; false where the kernel refuses (a sandbox
    /// without write access to `/proc/self/clear_refs`, a kernel before 4.0).
    pub fn reset_peak() -> bool {
        // "5" resets the peak resident set size (proc(5), clear_refs).
        std::fs::write("/proc/self/clear_refs", "5").is_ok()
    }
}

#[cfg(target_os = "macos")]
mod platform {
    /// `ru_maxrss`, which macOS reports in bytes (Linux in KiB).
    pub fn peak_resident() -> Option<u64> {
        let mut usage = std::mem::MaybeUninit::<libc::rusage>::uninit();
        // SAFETY: getrusage writes one `rusage` into the pointer we pass, which is valid for
        // writes of that size for the duration of the call.
        if unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) } != 0 {
            return None;
        }
        // SAFETY: getrusage returned 0, so it initialised the struct.
        let usage = unsafe { usage.assume_init() };
        u64::try_from(usage.ru_maxrss).ok()
    }

    /// The peak can't be reset on macOS.
    pub fn reset_peak() -> bool {
        false
    }
}

#[cfg(windows)]
mod platform {
    use windows_sys::Win32::System::ProcessStatus::{
        GetProcessMemoryInfo, PROCESS_MEMORY_COUNTERS,
    };
    use windows_sys::Win32::System::Threading::GetCurrentProcess;

    /// `PeakWorkingSetSize`: the most of this process that was ever in RAM at once, in bytes
    /// (the module's docs say why not `PeakPagefileUsage`).
    pub fn peak_resident() -> Option<u64> {
        let size = u32::try_from(std::mem::size_of::<PROCESS_MEMORY_COUNTERS>()).ok()?;
        // SAFETY: PROCESS_MEMORY_COUNTERS is plain integers; all zeroes is a valid value.
        let mut counters: PROCESS_MEMORY_COUNTERS = unsafe { std::mem::zeroed() };
        counters.cb = size;
        // SAFETY: GetCurrentProcess returns a pseudo-handle with the query rights this needs;
        // `counters` is writable for `size` bytes, the size the call is told.
        let ok = unsafe { GetProcessMemoryInfo(GetCurrentProcess(), &mut counters, size) };
        if ok == 0 {
            return None;
        }
        u64::try_from(counters.PeakWorkingSetSize).ok()
    }

    /// The peak can't be reset on Windows (emptying the working set lowers the current size,
    /// never the recorded peak).
    pub fn reset_peak() -> bool {
        false
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
mod platform {
    pub fn peak_resident() -> Option<u64> {
        None
    }

    pub fn reset_peak() -> bool {
        false
    }
}
