//! One run of one shape on one contender, and the line a run reports back.
//!
//! Every run happens in a fresh child process, so each sees a clean heap and its own peak RSS:
//! the driver re-executes the bench binary as `compare --child shape=… impl=… n=… m=… workers=…
//! warmup=…` (the Go contender takes the same `key=value` arguments), and the child prints one
//! line `result ns_per_op=… peak_rss_kb=… [bytes_per_task=…] [p99_ns=…]`.

use std::fmt;
use std::time::Duration;

/// A benchmark shape; the names are the ones the JSON output and `--shape` use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    SpawnLocal,
    SpawnRemote,
    ChainedSpawn,
    YieldMany,
    PingPong,
    ForkJoin,
    MemParked,
    WakeLatency,
}

impl Shape {
    /// Every shape, in the order the report lists them.
    pub const ALL: [Shape; 8] = [
        Shape::SpawnLocal,
        Shape::SpawnRemote,
        Shape::ChainedSpawn,
        Shape::YieldMany,
        Shape::PingPong,
        Shape::ForkJoin,
        Shape::MemParked,
        Shape::WakeLatency,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Shape::SpawnLocal => "spawn_local",
            Shape::SpawnRemote => "spawn_remote",
            Shape::ChainedSpawn => "chained_spawn",
            Shape::YieldMany => "yield_many",
            Shape::PingPong => "ping_pong",
            Shape::ForkJoin => "fork_join",
            Shape::MemParked => "mem_parked",
            Shape::WakeLatency => "wake_latency",
        }
    }

    pub fn from_name(name: &str) -> Option<Shape> {
        Shape::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// A contender.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Impl {
    Tasklings,
    Tokio,
    Rayon,
    Std,
    Go,
}

impl Impl {
    pub const ALL: [Impl; 5] = [
        Impl::Tasklings,
        Impl::Tokio,
        Impl::Rayon,
        Impl::Std,
        Impl::Go,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Impl::Tasklings => "tasklings",
            Impl::Tokio => "tokio",
            Impl::Rayon => "rayon",
            Impl::Std => "std",
            Impl::Go => "go",
        }
    }

    pub fn from_name(name: &str) -> Option<Impl> {
        Impl::ALL.into_iter().find(|i| i.name() == name)
    }
}

/// What a child process is asked to measure. `n` and `m` mean what the shape says (see
/// `shapes.rs`): tasks, depth, yields per task, batches, fib's argument, events, gap in µs.
#[derive(Clone, Copy, Debug)]
pub struct Job {
    pub shape: Shape,
    pub imp: Impl,
    pub n: u64,
    pub m: u64,
    pub workers: usize,
    /// Untimed iterations before the timed one (0 for the memory shape: its RSS must be clean).
    pub warmup: u32,
}

impl Job {
    /// The child's command-line arguments, `key=value` each.
    pub fn command_args(&self) -> Vec<String> {
        vec![
            format!("shape={}", self.shape.name()),
            format!("impl={}", self.imp.name()),
            format!("n={}", self.n),
            format!("m={}", self.m),
            format!("workers={}", self.workers),
            format!("warmup={}", self.warmup),
        ]
    }

    /// Parses what [`Job::command_args`] wrote.
    pub fn from_args(args: &[String]) -> Result<Job, String> {
        let mut job = Job {
            shape: Shape::SpawnLocal,
            imp: Impl::Tokio,
            n: 0,
            m: 0,
            workers: 1,
            warmup: 0,
        };
        let number = |key: &str, value: &str| {
            value
                .parse::<u64>()
                .map_err(|_| format!("{key}={value:?} is not a number"))
        };
        for arg in args {
            let (key, value) = arg
                .split_once('=')
                .ok_or_else(|| format!("child argument {arg:?} is not key=value"))?;
            match key {
                "shape" => {
                    job.shape = Shape::from_name(value).ok_or(format!("unknown shape {value}"))?
                }
                "impl" => {
                    job.imp = Impl::from_name(value).ok_or(format!("unknown impl {value}"))?
                }
                "n" => job.n = number(key, value)?,
                "m" => job.m = number(key, value)?,
                "workers" => job.workers = number(key, value)? as usize,
                "warmup" => job.warmup = number(key, value)? as u32,
                _ => return Err(format!("unknown child argument {key}")),
            }
        }
        Ok(job)
    }
}

/// What one run measured.
#[derive(Clone, Copy, Debug, Default)]
pub struct Measurement {
    /// Time per operation (the shape says what one operation is); for `wake_latency`, the p50.
    pub ns_per_op: f64,
    /// VmHWM of the child process at the end of the run.
    pub peak_rss_kb: u64,
    /// Memory shapes: (VmRSS with all tasks parked − VmRSS before spawning) / tasks.
    pub bytes_per_task: Option<f64>,
    /// `wake_latency`: the 99th percentile.
    pub p99_ns: Option<f64>,
}

impl Measurement {
    /// A timing measurement: `elapsed` over `ops` operations, with this process's peak RSS.
    pub fn per_op(elapsed: Duration, ops: u64) -> Measurement {
        Measurement {
            ns_per_op: elapsed.as_nanos() as f64 / ops.max(1) as f64,
            peak_rss_kb: proc_status_kb("VmHWM"),
            ..Measurement::default()
        }
    }
}

impl fmt::Display for Measurement {
    /// The child's result line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "result ns_per_op={:.3} peak_rss_kb={}",
            self.ns_per_op, self.peak_rss_kb
        )?;
        if let Some(b) = self.bytes_per_task {
            write!(f, " bytes_per_task={b:.1}")?;
        }
        if let Some(p) = self.p99_ns {
            write!(f, " p99_ns={p:.0}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for Measurement {
    type Err = String;

    /// Parses a child's output: the first line that starts with `result `.
    fn from_str(output: &str) -> Result<Measurement, String> {
        let line = output
            .lines()
            .find_map(|l| l.strip_prefix("result "))
            .ok_or("the child printed no `result` line")?;
        let mut m = Measurement::default();
        for field in line.split_whitespace() {
            let (key, value) = field
                .split_once('=')
                .ok_or_else(|| format!("result field {field:?} is not key=value"))?;
            let x: f64 = value
                .parse()
                .map_err(|_| format!("result field {field:?} is not a number"))?;
            match key {
                "ns_per_op" => m.ns_per_op = x,
                "peak_rss_kb" => m.peak_rss_kb = x as u64,
                "bytes_per_task" => m.bytes_per_task = Some(x),
                "p99_ns" => m.p99_ns = Some(x),
                _ => {} // a newer child may report more; the driver ignores what it doesn't know
            }
        }
        Ok(m)
    }
}

/// One `Vm…` line of `/proc/self/status`, in kB (0 where the file doesn't exist).
pub fn proc_status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Runs `iteration` `warmup` times untimed, then once more, and returns that last run's time.
/// Each iteration times itself, so that setting up its latch stays out of the time.
pub fn timed(warmup: u32, mut iteration: impl FnMut() -> Duration) -> Duration {
    for _ in 0..warmup {
        iteration();
    }
    iteration()
}
