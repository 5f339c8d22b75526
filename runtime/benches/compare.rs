//! Side-by-side benchmark: the Tasklings runtime against tokio's multi-thread runtime, rayon,
//! std::thread and Go 1.19, on the shapes of issue 3 (`compare/shapes.rs` says what each
//! measures), all in one run so that the ratios compare like with like on a shared machine.
//!
//! ```text
//! cargo bench -p runtime --bench compare                      # full table (a few minutes)
//! cargo bench -p runtime --bench compare -- --markdown        # the same, for the book
//! cargo bench -p runtime --bench compare -- --markdown --svg book/src/charts/performance.svg
//! cargo bench -p runtime --bench compare -- --json --quick    # CI: JSON lines, under a minute
//! cargo bench -p runtime --bench compare -- --shape spawn_local --impl tasklings,tokio
//! cargo bench -p runtime --bench compare -- --determinism     # deterministic mode, tracing
//! ```
//!
//! How a run goes: for each case, round after round, every contender runs once in a fresh child
//! process (this binary re-executed with `--child …`, or the Go program), so each gets a clean
//! heap and its own peak RSS and drift hits them alike. A child builds its runtime, starts the
//! workers, runs untimed warm-up iterations, then times one iteration from just before the
//! first spawn to the moment the measuring thread sees the last task counted — runtime start-up
//! and process start are outside the time. Tasks count themselves on a `Latch` (one atomic RMW
//! each, like Go's WaitGroup), so every contender does the same work.

#[path = "compare/async_shapes.rs"]
mod async_shapes;
#[path = "compare/chart.rs"]
mod chart;
#[path = "compare/cli.rs"]
mod cli;
#[path = "compare/determinism.rs"]
mod determinism;
#[path = "compare/go.rs"]
mod go;
#[path = "compare/job.rs"]
mod job;
#[path = "compare/latch.rs"]
mod latch;
#[path = "compare/machine.rs"]
mod machine;
#[path = "compare/rayon_pool.rs"]
mod rayon_pool;
#[path = "compare/report.rs"]
mod report;
#[path = "compare/runner.rs"]
mod runner;
#[path = "compare/shapes.rs"]
mod shapes;
#[path = "compare/stats.rs"]
mod stats;
#[path = "compare/tasklings.rs"]
mod tasklings;
#[path = "compare/threads.rs"]
mod threads;
#[path = "compare/tokio_mt.rs"]
mod tokio_mt;

use std::process::ExitCode;
use std::time::Duration;

use cli::{Command, Options, Output};
use job::{Impl, Job};
use report::{CaseResult, Header, Row};
use shapes::Size;

fn main() -> ExitCode {
    match cli::parse(std::env::args().skip(1)) {
        Ok(Command::Help) => {
            println!("{}", cli::USAGE);
            ExitCode::SUCCESS
        }
        Ok(Command::Child(args)) => child(&args),
        Ok(Command::Compare(options)) => compare(&options),
        Ok(Command::Determinism { quick, runs }) => {
            determinism::run(quick, runs);
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("compare: {message}\n\n{}", cli::USAGE);
            ExitCode::from(2)
        }
    }
}

/// Inside a child process: measure one job and print its result line.
fn child(args: &[String]) -> ExitCode {
    let result = Job::from_args(args).and_then(|job| match job.imp {
        Impl::Tasklings => async_shapes::run::<tasklings::Tasklings>(&job),
        Impl::Tokio => async_shapes::run::<tokio_mt::Tokio>(&job),
        Impl::Rayon => rayon_pool::run(&job),
        Impl::Std => threads::run(&job),
        Impl::Go => Err("the Go contender is the Go program, not this binary".into()),
    });
    match result {
        Ok(measurement) => {
            println!("{measurement}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("compare child: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The driver: run every case, round by round, and print the report.
fn compare(options: &Options) -> ExitCode {
    let mut notes = Vec::new();
    let mut cases = select_cases(options);
    let go_program = prepare_go(options, &mut cases, &mut notes);
    if options.size == Size::Smoke {
        notes.push(
            "smoke sizes (no --bench argument, as under `cargo test`): checks that every \
             contender runs; the numbers mean nothing"
                .into(),
        );
    }
    let go_binary = go_program.as_ref().map(|g| g.binary.as_path());
    let load_at_start = machine::load_average();
    let mut failed = false;
    let results: Vec<CaseResult> = cases
        .iter()
        .enumerate()
        .map(|(index, case)| {
            let place = format!("[{}/{}] {}", index + 1, cases.len(), case.label());
            let (result, ok) = run_case(&place, case, options, go_binary);
            failed |= !ok;
            result
        })
        .collect();

    let summaries = report::summarise(&results, options.size != Size::Smoke);
    let header = Header {
        machine: machine::describe(go_program.as_ref().map(|g| g.version.as_str())),
        workers: options.workers,
        runs: options.runs,
        warmup: options.warmup,
        size: options.size.name(),
        command: command_line(options),
        load: (load_at_start, machine::load_average()),
        notes,
    };
    print_report(options.output, &header, &summaries);
    if let Some(path) = &options.svg {
        let heading = format!("{} · {} workers", header.machine, header.workers);
        if let Err(why) = chart::write(path, &heading, &summaries) {
            eprintln!("compare: --svg {}: {why}", path.display());
            failed = true;
        }
    }
    if failed {
        eprintln!("compare: some runs failed (see above)");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The cases and contenders the options ask for.
fn select_cases(options: &Options) -> Vec<shapes::Case> {
    let mut cases = shapes::plan(options.size);
    if !options.shapes.is_empty() {
        cases.retain(|c| options.shapes.contains(&c.shape));
    }
    for case in &mut cases {
        case.contenders
            .retain(|(imp, _)| options.impls.is_empty() || options.impls.contains(imp));
    }
    cases
}

/// Builds the Go program if any case wants it; without it, Go leaves every case (with a note).
fn prepare_go(
    options: &Options,
    cases: &mut [shapes::Case],
    notes: &mut Vec<String>,
) -> Option<go::GoProgram> {
    let wants_go = cases
        .iter()
        .any(|c| c.contenders.iter().any(|(imp, _)| *imp == Impl::Go));
    let program = if !wants_go {
        None
    } else if !options.go {
        notes.push("Go skipped (--no-go)".to_string());
        None
    } else {
        go::build(&go::target_dir())
            .map_err(|why| notes.push(why))
            .ok()
    };
    if program.is_none() {
        for case in cases.iter_mut() {
            case.contenders.retain(|(imp, _)| *imp != Impl::Go);
        }
    }
    program
}

/// Runs every round of one case, contenders taking turns; false if a run failed.
fn run_case(
    place: &str,
    case: &shapes::Case,
    options: &Options,
    go_binary: Option<&std::path::Path>,
) -> (CaseResult, bool) {
    let timeout = Duration::from_secs(match options.size {
        Size::Full => 300,
        Size::Quick | Size::Smoke => 60,
    });
    let mut rows: Vec<Row> = case
        .contenders
        .iter()
        .map(|&(imp, n)| Row {
            imp,
            n,
            runs: Vec::new(),
        })
        .collect();
    let mut ok = true;
    for round in 0..options.runs {
        // Rotate who goes first, so no contender always follows the same neighbour.
        for k in 0..rows.len() {
            let i = (round + k) % rows.len();
            let row = &mut rows[i];
            let job = Job {
                shape: case.shape,
                imp: row.imp,
                n: row.n,
                m: case.m,
                workers: options.workers,
                warmup: if case.compares_bytes() {
                    0
                } else {
                    options.warmup
                },
            };
            let runner::Outcome { result, stderr } = runner::run(&job, go_binary, timeout);
            let (round, of) = (round + 1, options.runs);
            ok &= log_run(
                &format!("{place} round {round}"),
                of,
                row.imp.name(),
                &result,
            );
            if options.verbose {
                for line in stderr.lines() {
                    eprintln!("    {line}");
                }
            }
            row.runs.push(result);
        }
    }
    let result = CaseResult {
        case: case.clone(),
        rows,
    };
    (result, ok)
}

/// One progress line on stderr; false if the run failed.
fn log_run(round: &str, of: usize, imp: &str, result: &Result<job::Measurement, String>) -> bool {
    match result {
        Ok(m) => {
            let bytes = m
                .bytes_per_task
                .map(|b| format!(", {b:.0} B/task"))
                .unwrap_or_default();
            eprintln!(
                "{round}/{of}: {imp} {} ns/op{bytes}",
                report::ns_text(m.ns_per_op)
            );
            true
        }
        Err(e) => {
            eprintln!("{round}: {imp} FAILED: {e}");
            false
        }
    }
}

fn print_report(output: Output, header: &Header, summaries: &[report::Summary<'_>]) {
    match output {
        Output::Json => {
            print!("{}", report::json(summaries));
            for note in &header.notes {
                eprintln!("note: {note}");
            }
        }
        Output::Table => print!("{}", report::table(header, summaries)),
        Output::Markdown => print!("{}", report::markdown(header, summaries)),
    }
}

/// The command that reproduces this run, for the report's header.
fn command_line(options: &Options) -> String {
    let mut args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    // The chart is a by-product of the run, not part of what it measures.
    if let Some(at) = args.iter().position(|a| a == "--svg") {
        args.drain(at..(at + 2).min(args.len()));
    }
    if options.size == Size::Smoke && !args.iter().any(|a| a == "--smoke") {
        args.insert(0, "--smoke".into());
    }
    let mut command = "cargo bench -p runtime --bench compare".to_string();
    if !args.is_empty() {
        command += " -- ";
        command += &args.join(" ");
    }
    command
}
