//! Limits on the compiler while it compiles a submission.
//!
//! Learner code runs inside the compiler before it runs anywhere else: a `const` array of
//! 16 GiB, a `const fn` that loops (with `#![allow(long_running_const_eval)]`), a macro that
//! recurses a million levels deep each make `rustc` itself eat the machine's memory or never
//! finish. `grader batch` and `grader gradescope run` therefore build with the grader as
//! Cargo's `RUSTC_WRAPPER` ([`install`]): Cargo runs `grader <rustc> <args>…`, and [`run`] — the
//! first thing `main` does — sets an address-space limit and a CPU-time limit on the compilers
//! of the package being graded (Cargo marks them with `CARGO_PRIMARY_PACKAGE`), then becomes
//! `rustc` by exec. Dependencies are compiled unconfined (they are the exercise's, not the
//! student's), and `rustc -vV` passes through untouched, so Cargo's fingerprints don't change.
//!
//! A compiler stopped by a limit fails the build like any compile error would: the submission
//! gets `compile_error` with rustc's last words ("memory allocation of … failed", or the CPU
//! limit's SIGXCPU), the batch goes on.

use std::ffi::OsString;
use std::path::Path;
use std::process::ExitCode;

/// The variable that switches wrapper mode on: `<address space bytes>:<cpu seconds>`.
pub const GUARD_ENV: &str = "TASKLINGS_RUSTC_GUARD";
/// Address space of a compiler compiling a submission.
const MEMORY_BYTES: u64 = 6 << 30;
/// CPU seconds of one compiler process: a submission is one small crate.
const CPU_SECONDS: u64 = 300;

/// Makes every build from now on run its compilers through [`run`]. Call before any thread starts.
pub fn install() -> std::io::Result<()> {
    let grader = std::env::current_exe()?;
    std::env::set_var("RUSTC_WRAPPER", grader);
    std::env::set_var(GUARD_ENV, format!("{MEMORY_BYTES}:{CPU_SECONDS}"));
    Ok(())
}

/// When this process is Cargo's `RUSTC_WRAPPER` call (`grader <rustc> <args>…` with
/// [`GUARD_ENV`] set), becomes that rustc — limited when it compiles the graded package — and
/// returns only if it can't. `None`: an ordinary grader run.
pub fn run() -> Option<ExitCode> {
    let limits = std::env::var(GUARD_ENV).ok()?;
    let mut args = std::env::args_os().skip(1);
    let rustc: OsString = args.next()?;
    let is_rustc = Path::new(&rustc)
        .file_stem()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.starts_with("rustc"));
    if !is_rustc {
        return None;
    }
    let mut command = std::process::Command::new(&rustc);
    command.args(args);
    let error = become_rustc(command, &limits);
    eprintln!(
        "error: the grader could not run the compiler {}: {error}",
        Path::new(&rustc).display()
    );
    Some(ExitCode::from(2))
}

/// Unix: limits this process (when it compiles the graded package) and execs rustc; returns
/// only on failure.
#[cfg(unix)]
fn become_rustc(mut command: std::process::Command, limits: &str) -> std::io::Error {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("CARGO_PRIMARY_PACKAGE").is_some() {
        let (memory, cpu) = limits
            .split_once(':')
            .and_then(|(m, c)| Some((m.parse::<u64>().ok()?, c.parse::<u64>().ok()?)))
            .unwrap_or((MEMORY_BYTES, CPU_SECONDS));
        for (resource, value) in [
            (libc::RLIMIT_AS, memory),
            (libc::RLIMIT_CPU, cpu),
            (libc::RLIMIT_CORE, 0),
        ] {
            let limit = libc::rlimit {
                rlim_cur: value,
                rlim_max: value,
            };
            // SAFETY: setrlimit reads the struct we pass; it applies to this process, which
            // becomes rustc below.
            unsafe { libc::setrlimit(resource, &limit) };
        }
    }
    command.exec()
}

/// Elsewhere there are no rlimits and no exec: class grading, which installs this guard, is
/// Unix only (see `sandbox`), so this only runs rustc and passes its status on.
#[cfg(not(unix))]
fn become_rustc(mut command: std::process::Command, _limits: &str) -> std::io::Error {
    match command.status() {
        Ok(status) => std::process::exit(status.code().unwrap_or(1)),
        Err(error) => error,
    }
}
