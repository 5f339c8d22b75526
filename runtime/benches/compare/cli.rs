//! The command line: `cargo bench -p runtime --bench compare -- [options]`.

use std::path::PathBuf;

use crate::job::{Impl, Shape};
use crate::shapes::Size;

/// The help text.
pub const USAGE: &str = "\
compare: Tasklings vs tokio, rayon, std::thread and Go, side by side in one run

usage: cargo bench -p runtime --bench compare -- [options]

  --quick             smaller sizes and 3 runs (under a minute; for CI)
  --json              one JSON object per line instead of the table
  --markdown          the table as Markdown, with a line naming the machine
  --svg FILE          also draw the ratios to tokio and to Go, per shape, as an SVG chart
  --shape NAME[,..]   only these shapes (spawn_local, spawn_remote, chained_spawn, yield_many,
                      ping_pong, fork_join, mem_parked, wake_latency); may repeat
  --impl NAME[,..]    only these contenders (tasklings, tokio, rayon, std, go); ratios need
                      tokio and go in the run
  --runs N            runs per contender (default 5; --quick 3)
  --workers N         worker threads / GOMAXPROCS (default: the machine's CPUs)
  --warmup N          untimed iterations before the timed one in each run (default 1)
  --no-go             skip the Go contender
  --verbose           show what each child wrote to stderr (Tasklings' own counters)
  --full              the full sizes even without --bench (running the binary directly)
  --smoke             tiny sizes, 1 run (what `cargo test` runs: no --bench argument)
  --determinism       instead: deterministic mode's and tracing's cost per poll against the
                      normal runtime with one worker, and exploration speed (in-process;
                      --quick and --runs apply)

Every run is a fresh child process; contenders take turns round by round, and ratios are the
median of round-by-round ratios.";

/// How to print the results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    Table,
    Json,
    Markdown,
}

/// A parsed command line.
#[derive(Debug)]
pub enum Command {
    Help,
    /// `--child key=value…`: measure one job and print its result line (internal).
    Child(Vec<String>),
    Compare(Options),
    /// `--determinism`: the deterministic-mode table (`determinism.rs`).
    Determinism {
        quick: bool,
        runs: usize,
    },
}

/// Options of a comparison run.
#[derive(Debug)]
pub struct Options {
    pub size: Size,
    pub output: Output,
    /// Empty: every shape.
    pub shapes: Vec<Shape>,
    /// Empty: every contender.
    pub impls: Vec<Impl>,
    pub runs: usize,
    pub workers: usize,
    pub warmup: u32,
    pub go: bool,
    pub verbose: bool,
    /// `--svg FILE`: also write the chart of the ratios there.
    pub svg: Option<PathBuf>,
}

/// Parses the arguments after the program name.
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut args = args.into_iter();
    let mut bench = false;
    let mut size = None;
    let mut output = Output::Table;
    let (mut shapes, mut impls) = (Vec::new(), Vec::new());
    let (mut runs, mut workers, mut warmup) = (None, None, None);
    let mut go = true;
    let mut verbose = false;
    let mut svg = None;
    let mut determinism = false;
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--child" => return Ok(Command::Child(args.collect())),
            "-h" | "--help" => return Ok(Command::Help),
            // cargo bench passes --bench; cargo test runs bench targets without it.
            "--bench" => bench = true,
            "--quick" => size = Some(Size::Quick),
            "--full" => size = Some(Size::Full),
            "--smoke" => size = Some(Size::Smoke),
            "--json" => output = Output::Json,
            "--markdown" => output = Output::Markdown,
            "--no-go" => go = false,
            "--verbose" => verbose = true,
            "--svg" => svg = Some(PathBuf::from(value("--svg")?)),
            "--determinism" => determinism = true,
            "--shape" => {
                for name in value("--shape")?.split(',') {
                    shapes.push(Shape::from_name(name).ok_or(format!("unknown shape {name:?}"))?);
                }
            }
            "--impl" => {
                for name in value("--impl")?.split(',') {
                    impls.push(Impl::from_name(name).ok_or(format!("unknown contender {name:?}"))?);
                }
            }
            "--runs" => runs = Some(number("--runs", &value("--runs")?)?),
            "--workers" => workers = Some(number("--workers", &value("--workers")?)?),
            "--warmup" => warmup = Some(number("--warmup", &value("--warmup")?)? as u32),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let size = size.unwrap_or(if bench { Size::Full } else { Size::Smoke });
    if determinism {
        return Ok(Command::Determinism {
            quick: size != Size::Full,
            runs: runs.unwrap_or(size.default_runs()).max(1),
        });
    }
    Ok(Command::Compare(Options {
        size,
        output,
        shapes,
        impls,
        runs: runs.unwrap_or(size.default_runs()).max(1),
        workers: workers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .max(1),
        warmup: warmup.unwrap_or(size.default_warmup()),
        go,
        verbose,
        svg,
    }))
}

fn number(name: &str, value: &str) -> Result<usize, String> {
    value
        .parse()
        .map_err(|_| format!("{name} wants a number, got {value:?}"))
}
