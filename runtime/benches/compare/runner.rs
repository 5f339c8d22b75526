//! Runs one [`Job`] in a fresh child process and reads back its [`Measurement`].
//!
//! The Rust contenders run in this same binary re-executed with `--child`, the Go contender in
//! the Go program. A child that exits with an error, prints no result or outlives the timeout
//! (then it is killed) makes a failed run, reported with the last line it wrote to stderr.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::job::{Impl, Job, Measurement};

/// What a child left behind.
pub struct Outcome {
    pub result: Result<Measurement, String>,
    /// Everything it wrote to stderr (counters, warnings, a panic).
    pub stderr: String,
}

/// Runs `job` and waits at most `timeout` for it.
pub fn run(job: &Job, go: Option<&Path>, timeout: Duration) -> Outcome {
    match run_child(job, go, timeout) {
        Ok(outcome) => outcome,
        Err(e) => Outcome {
            result: Err(e),
            stderr: String::new(),
        },
    }
}

fn run_child(job: &Job, go: Option<&Path>, timeout: Duration) -> Result<Outcome, String> {
    let mut command = match job.imp {
        Impl::Go => {
            let mut c = Command::new(go.ok_or("the Go program was not built")?);
            c.env("GOMAXPROCS", job.workers.to_string());
            c
        }
        _ => {
            let exe = std::env::current_exe().map_err(|e| format!("cannot find myself: {e}"))?;
            let mut c = Command::new(exe);
            c.arg("--child");
            c
        }
    };
    let mut child = command
        .args(job.command_args())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start the child: {e}"))?;
    let stdout = read_in_background(child.stdout.take());
    let stderr = read_in_background(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Ok(None) => {
                // Our own child, by its handle; a hung run must not hold up the rest.
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Err(e) => return Err(format!("cannot wait for the child: {e}")),
        }
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    // The last line that says something: a panic's message comes before rustc's "note: run
    // with RUST_BACKTRACE=1" line.
    let last_words = stderr.lines().rev().find(|l| {
        let l = l.trim();
        !l.is_empty() && !l.starts_with("note:") && !l.starts_with("counters:")
    });
    let last_words = last_words
        .map(|l| format!(": {}", l.trim()))
        .unwrap_or_default();
    let result = match status {
        None => Err(format!(
            "timed out after {} s{last_words}",
            timeout.as_secs()
        )),
        Some(s) if !s.success() => Err(format!("child failed ({s}){last_words}")),
        Some(_) => stdout.parse(),
    };
    Ok(Outcome { result, stderr })
}

fn read_in_background(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_string(&mut text);
        }
        text
    })
}
