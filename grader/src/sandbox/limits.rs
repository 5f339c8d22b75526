//! The resource limits of one learner process (setrlimit, applied between fork and exec).
//!
//! Each limit bounds one way a submission can hurt the machine or the other submissions; the
//! wall-clock timeout in `sandbox` stays the primary bound on time, RLIMIT_CPU only a backstop
//! for a process that would escape it.

#[cfg(unix)]
use std::io;
#[cfg(unix)]
use std::time::Duration;

/// The limits of a graded test process.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// Address space per process (RLIMIT_AS), bytes. A memory bomb's allocation fails here
    /// ("memory allocation of … failed", then abort) before the machine runs short.
    pub memory_bytes: u64,
    /// Processes and threads (RLIMIT_NPROC, per uid: per test when each test has its own uid).
    pub processes: u64,
    /// Size of any file written (RLIMIT_FSIZE), bytes; past it, SIGXFSZ. (Sparse files count
    /// their length: the file-processor's memory test makes a 2 GiB one.)
    pub file_size_bytes: u64,
    /// Size of the private /tmp when the filesystem view is private (a tmpfs), bytes: bounds a
    /// disk filler in total.
    pub scratch_bytes: u64,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            memory_bytes: 2 << 30,
            processes: 512,
            file_size_bytes: 4 << 30,
            scratch_bytes: 512 << 20,
        }
    }
}

impl Policy {
    /// "2 GiB address space, 512 processes/threads, 4 GiB per file, 512 MiB private /tmp".
    pub fn describe(&self) -> String {
        format!(
            "{} address space, {} processes/threads, {} per file, {} private /tmp",
            bytes(self.memory_bytes),
            self.processes,
            bytes(self.file_size_bytes),
            bytes(self.scratch_bytes)
        )
    }
}

/// "4 GiB", "512 MiB", "64 KiB".
pub fn bytes(value: u64) -> String {
    match value {
        v if v >= 1 << 30 && v % (1 << 30) == 0 => format!("{} GiB", v >> 30),
        v if v >= 1 << 20 => format!("{} MiB", v >> 20),
        v => format!("{} KiB", v >> 10),
    }
}

/// Parses "512M", "4G", "64k", "1048576" (bytes; binary units).
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, ""),
    };
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size: write e.g. 512M or 4G"))?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        other => return Err(format!("unknown unit `{other}` in `{text}`: use K, M or G")),
    };
    number
        .checked_mul(1 << shift)
        .ok_or_else(|| format!("`{text}` is too large"))
}

/// A limit to set (the libc resource constants have different types across targets).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub type Resource = libc::__rlimit_resource_t;
/// A limit to set (the libc resource constants have different types across targets).
#[cfg(all(unix, not(all(target_os = "linux", target_env = "gnu"))))]
pub type Resource = libc::c_int;

/// The limits for one process that should finish within `timeout` on `cpus` CPUs.
/// `processes` is the RLIMIT_NPROC value to use. Only Linux enforces RLIMIT_AS and counts
/// RLIMIT_NPROC per test (with a uid per test): elsewhere those two are left as they are.
#[cfg(unix)]
pub fn for_process(
    policy: &Policy,
    timeout: Duration,
    cpus: u64,
    processes: u64,
) -> Vec<(Resource, libc::rlim_t)> {
    // Every thread busy for the whole timeout, and then some: only a process that escaped the
    // wall clock gets here.
    let cpu_seconds = timeout
        .as_secs()
        .saturating_add(1)
        .saturating_mul(cpus.max(1))
        + 10;
    let mut limits = vec![
        (libc::RLIMIT_FSIZE, policy.file_size_bytes),
        (libc::RLIMIT_CPU, cpu_seconds),
        (libc::RLIMIT_CORE, 0),
    ];
    if cfg!(target_os = "linux") {
        limits.push((libc::RLIMIT_AS, policy.memory_bytes));
        limits.push((libc::RLIMIT_NPROC, processes));
    }
    limits
}

/// setrlimit with soft = hard = `value` (in the child: a system call, nothing more).
#[cfg(unix)]
pub fn set(resource: Resource, value: libc::rlim_t) -> io::Result<()> {
    let limit = libc::rlimit {
        rlim_cur: value,
        rlim_max: value,
    };
    // SAFETY: setrlimit reads the struct we pass; no other memory is involved.
    if unsafe { libc::setrlimit(resource, &limit) } == -1 {
        Err(io::Error::last_os_error())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_in_binary_units() {
        assert_eq!(parse_bytes("512M"), Ok(512 << 20));
        assert_eq!(parse_bytes("4G"), Ok(4 << 30));
        assert_eq!(parse_bytes("64k"), Ok(64 << 10));
        assert_eq!(parse_bytes("100"), Ok(100));
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("3T").is_err());
    }

    #[test]
    fn sizes_print_in_the_largest_whole_unit() {
        assert_eq!(bytes(4 << 30), "4 GiB");
        assert_eq!(bytes(512 << 20), "512 MiB");
    }
}
